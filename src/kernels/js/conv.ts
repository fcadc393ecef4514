import type { ConvKernels } from '../conv-kernels.js';

/** Reference conv kernels. */
export const convKernels: ConvKernels = {};
