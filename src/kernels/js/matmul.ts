import type { MatmulKernels } from '../matmul-kernels.js';

/** Reference matmul kernels. */
export const matmulKernels: MatmulKernels = {};
