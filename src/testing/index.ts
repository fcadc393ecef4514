export { checkGradients, type CheckGradientsOptions, type GradientReport } from './check-gradients.js';
export { kernelCalls, resetKernelCalls, type KernelCallCount } from '../kernels/registry.js';
export { wasmThreads, type WasmThreadUse } from '../kernels/wasm/index.js';
