/**
 * The browser build's wasm backend: the module (wasm/strata.wasm in the package) starts loading when
 * Strata is imported, and becomes the default backend once it has (native > wasm > js); `await
 * st.ready()` waits for it. In a cross-origin isolated page (COOP/COEP headers: SharedArrayBuffer
 * exists) it is the threaded build, wasm/strata-threads.wasm, whose workers start with the first
 * kernel (one per core, navigator.hardwareConcurrency, the page included). Where the browser runs
 * relaxed SIMD (Chromium 114 and later) it is the relaxed build of either,
 * wasm/strata-relaxed(-threads).wasm (relaxed.ts). `st.setWasmPaths(url)` (TensorFlow.js's name)
 * loads it from elsewhere — a bundle that does not ship the package's wasm/ folder beside it. Where
 * it cannot load (no WebAssembly, a 404) Strata stays on js, with one console warning.
 */
import { backendsReady, trackBackendLoad } from '../registry.js';
import { registerWasmBackend } from './index.js';
import { relaxedSimdSupported, wasmFileName } from './relaxed.js';
import { sharedMemoryUsable, type SpawnWorker, type WasmThreadOptions } from './threads.js';

let warned = false;

/** A classic Worker from a Blob URL of the worker script (a same-origin blob: fine under COEP). */
const spawnBrowserWorker: SpawnWorker = (source, start, onError) => {
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(url, { name: 'strata-wasm' });
  URL.revokeObjectURL(url);
  worker.onerror = (e) => onError(e.message);
  worker.postMessage(start);
};

/** Threads in this page: the threaded build's options where shared memory is usable, else none. */
function pageThreads(): WasmThreadOptions | undefined {
  if (!sharedMemoryUsable() || typeof Worker !== 'function') return undefined;
  return { defaultThreads: Math.max(1, navigator.hardwareConcurrency || 1), spawn: spawnBrowserWorker };
}

/**
 * Registers the first of `sources` that loads: a relaxed-SIMD build, then its SIMD128 twin (a folder
 * that holds only strata.wasm and strata-threads.wasm, as before the relaxed builds existed).
 */
function load(...sources: (URL | string)[]): Promise<unknown> {
  const p = (async () => {
    let first: Error | undefined;
    for (const source of sources) {
      try {
        return await registerWasmBackend(source, pageThreads());
      } catch (e) {
        first ??= e as Error;
      }
    }
    if (!warned) console.warn(`strata: the wasm backend did not load from ${String(sources[0])} (${first?.message}); using js. ` +
      `Serve strata.wasm and point st.setWasmPaths at it.`);
    warned = true;
    return undefined;
  })();
  trackBackendLoad(p);
  return p;
}

/**
 * Starts loading the package's own wasm module. The literal URL is relative to this file's place in
 * dist/ (dist/kernels/wasm/), so bundlers that emit `new URL(..., import.meta.url)` assets (Vite,
 * webpack 5, Parcel) find the package's wasm/ files and ship them; scripts/build-browser.mjs
 * rewrites it for the one-file bundle dist/strata.browser.js, which sits one folder higher.
 */
export function loadDefaultWasm(): void {
  if (typeof WebAssembly !== 'object' || typeof fetch !== 'function') return;
  // Four literal URLs, so that bundlers which copy `new URL('…', import.meta.url)` assets see each.
  const threaded = pageThreads() !== undefined;
  const simd128 = threaded ? new URL('../../../wasm/strata-threads.wasm', import.meta.url) : new URL('../../../wasm/strata.wasm', import.meta.url);
  if (!relaxedSimdSupported()) load(simd128);
  else load(threaded ? new URL('../../../wasm/strata-relaxed-threads.wasm', import.meta.url) : new URL('../../../wasm/strata-relaxed.wasm', import.meta.url), simd128);
}

/**
 * Loads the wasm backend from `path`: the .wasm file's URL, or a folder URL ending in '/' that
 * holds the package's wasm/ files, `strata.wasm`, `strata-threads.wasm`, `strata-relaxed.wasm` and
 * `strata-relaxed-threads.wasm` (as TensorFlow.js's setWasmPaths takes a prefix; the page picks the
 * threaded one when cross-origin isolated, the relaxed-SIMD one where the browser runs it, else or
 * where that is missing the SIMD128 one). Resolves when it is ready.
 * @example await st.setWasmPaths('/static/strata/'); st.getBackend() // 'wasm'
 */
export async function setWasmPaths(path: string | URL): Promise<void> {
  if (typeof path === 'string' && path.endsWith('/')) {
    const threaded = pageThreads() !== undefined;
    await load(...[...new Set([wasmFileName(threaded), wasmFileName(threaded, false)])].map((f) => `${path}${f}`));
  } else await load(path);
  await backendsReady();
}
