import type { PoolKernels } from '../pool-kernels.js';

/** Reference pool kernels. */
export const poolKernels: PoolKernels = {};
