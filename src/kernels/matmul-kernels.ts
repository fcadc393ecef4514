/** Kernel signatures of the matmul area (see backend.ts). */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface MatmulKernels {}
