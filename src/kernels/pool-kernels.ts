/** Kernel signatures of the pool area (see backend.ts). */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface PoolKernels {}
