import type { OptimizerKernels } from '../optimizer-kernels.js';
import { adamUpdate } from '../../optimizers/update-rules.js';

/** The reference optimizer kernels: the update rules themselves. */
export const optimizerKernels: OptimizerKernels = { adamUpdate };
