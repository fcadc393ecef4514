/** Kernel signatures of the conv area (see backend.ts). */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface ConvKernels {}
