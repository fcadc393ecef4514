import type { Backend } from '../backend.js';
import type { NativeAddon } from '../native/addon.js';
import { createNativeBackend } from '../native/index.js';
import { BACKEND_PRIORITY, registerBackend } from '../registry.js';
import { loadWasmAddon } from './module.js';

/**
 * The wasm backend: the native backend's glue (geometry packing, size thresholds, dtype fallbacks to
 * js) over the C++ kernels compiled to WebAssembly SIMD128 (wasm/strata.wasm), loaded by
 * `instantiateWasmAddon` / `loadWasmAddon` (module.ts) or, in Node, `loadWasmNode` (load-node.ts).
 * Nothing here imports a `node:` module: a browser build uses it as it is.
 */
export function createWasmBackend(addon: NativeAddon): Backend {
  return createNativeBackend(addon, 'wasm');
}

/**
 * Loads wasm/strata.wasm (bytes, a compiled module, or a URL to fetch) and registers it as the
 * 'wasm' backend; `st.setBackend('wasm')` then selects it. For platforms without the Node loader
 * (browsers); Node registers it when the library is imported.
 * @example await registerWasmBackend(new URL('strata.wasm', import.meta.url)); st.setBackend('wasm');
 */
export async function registerWasmBackend(source: BufferSource | WebAssembly.Module | URL | string): Promise<Backend> {
  const backend = createWasmBackend(await loadWasmAddon(source));
  registerBackend(backend, BACKEND_PRIORITY.wasm);
  return backend;
}

export { instantiateWasmAddon, loadWasmAddon } from './module.js';
