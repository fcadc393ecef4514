import type { Backend } from '../backend.js';
import type { NativeAddon } from '../native/addon.js';
import { createNativeBackend } from '../native/index.js';

/**
 * The wasm backend: the native backend's glue (geometry packing, size thresholds, dtype fallbacks to
 * js) over the C++ kernels compiled to WebAssembly SIMD128 (wasm/strata.wasm), loaded by
 * `instantiateWasmAddon` / `loadWasmAddon` (module.ts) or, in Node, `loadWasmNode` (load-node.ts).
 */
export function createWasmBackend(addon: NativeAddon): Backend {
  return createNativeBackend(addon, 'wasm');
}

export { instantiateWasmAddon, loadWasmAddon } from './module.js';
