import type { ShapeKernels } from '../shape-kernels.js';

/** Reference shape kernels. */
export const shapeKernels: ShapeKernels = {};
