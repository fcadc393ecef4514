/**
 * The browser build's wasm backend: the module (wasm/strata.wasm in the package) starts loading when
 * Strata is imported, and becomes the default backend once it has (native > wasm > js); `await
 * st.ready()` waits for it. `st.setWasmPaths(url)` (TensorFlow.js's name) loads it from elsewhere —
 * a bundle that does not ship the package's wasm/ folder beside it. Where it cannot load (no
 * WebAssembly, a 404) Strata stays on js, with one console warning.
 */
import { backendsReady, trackBackendLoad } from '../registry.js';
import { registerWasmBackend } from './index.js';

let warned = false;

function load(source: URL | string): Promise<unknown> {
  const p = registerWasmBackend(source).catch((e: Error) => {
    if (!warned) console.warn(`strata: the wasm backend did not load from ${String(source)} (${e.message}); using js. ` +
      `Serve strata.wasm and point st.setWasmPaths at it.`);
    warned = true;
  });
  trackBackendLoad(p);
  return p;
}

/**
 * Starts loading the package's own wasm module. The literal URL is relative to this file's place in
 * dist/ (dist/kernels/wasm/), so bundlers that emit `new URL(..., import.meta.url)` assets (Vite,
 * webpack 5, Parcel) find wasm/strata.wasm in the package and ship it; scripts/build-browser.mjs
 * rewrites it for the one-file bundle dist/strata.browser.js, which sits one folder higher.
 */
export function loadDefaultWasm(): void {
  if (typeof WebAssembly !== 'object' || typeof fetch !== 'function') return;
  load(new URL('../../../wasm/strata.wasm', import.meta.url));
}

/**
 * Loads the wasm backend from `path`: the .wasm file's URL, or a folder URL ending in '/' that
 * holds `strata.wasm` (as TensorFlow.js's setWasmPaths takes a prefix). Resolves when it is ready.
 * @example await st.setWasmPaths('/static/strata/'); st.getBackend() // 'wasm'
 */
export async function setWasmPaths(path: string | URL): Promise<void> {
  const url = typeof path === 'string' && path.endsWith('/') ? `${path}strata.wasm` : path;
  await load(url);
  await backendsReady();
}
