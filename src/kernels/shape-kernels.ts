/** Kernel signatures of the shape area (see backend.ts). */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface ShapeKernels {}
