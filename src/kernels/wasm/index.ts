import type { Backend } from '../backend.js';
import type { NativeAddon } from '../native/addon.js';
import { createNativeBackend } from '../native/index.js';
import { BACKEND_PRIORITY, registerBackend } from '../registry.js';
import { loadWasmAddon, wasmRelaxedOf, wasmWorkersOf, type WasmThreadOptions } from './module.js';
import { relaxedSimdSupported } from './relaxed.js';

/**
 * The wasm backend: the native backend's glue (geometry packing, size thresholds, dtype fallbacks to
 * js) over the C++ kernels compiled to WebAssembly SIMD128 (wasm/strata.wasm), loaded by
 * `instantiateWasmAddon` / `loadWasmAddon` (module.ts) or, in Node, `loadWasmNode` (load-node.ts).
 * Nothing here imports a `node:` module: a browser build uses it as it is.
 */
export function createWasmBackend(addon: NativeAddon): Backend {
  latest = addon;
  return createNativeBackend(addon, 'wasm');
}

let latest: NativeAddon | undefined;

/** How the wasm backend's kernels use threads (st.testing.wasmThreads). */
export interface WasmThreadUse {
  /** The module: 'strata[-relaxed]-threads.wasm' (shared memory, workers) or 'strata[-relaxed].wasm' (one thread). */
  build: 'threaded' | 'single';
  /**
   * Whether the module is a relaxed-SIMD build (wasm/strata-relaxed*.wasm, as the module reports
   * itself), and whether this runtime runs relaxed SIMD (so that build should have been chosen).
   */
  relaxedSimd: boolean;
  relaxedSimdSupported: boolean;
  /** Threads a large kernel uses, the caller included. */
  threads: number;
  /** Workers started, and those inside the thread pool now. */
  workersStarted: number;
  workersRunning: number;
  /** Thread-pool tasks the workers have run since the module loaded. */
  workerTasks: number;
}

/**
 * The wasm backend's thread use, or null where no wasm backend was created: tests check with it that
 * workers took part (a cross-origin isolated page, Node) or that none exist (a plain page).
 * @example st.testing.wasmThreads() // { build: 'threaded', relaxedSimd: true, relaxedSimdSupported: true, threads: 2, workersStarted: 1, workersRunning: 1, workerTasks: 412 }
 */
export function wasmThreads(): WasmThreadUse | null {
  if (!latest) return null;
  const workers = wasmWorkersOf(latest);
  return {
    build: workers ? 'threaded' : 'single',
    relaxedSimd: wasmRelaxedOf(latest),
    relaxedSimdSupported: relaxedSimdSupported(),
    threads: latest.getThreads(),
    workersStarted: workers?.count ?? 0,
    workersRunning: workers?.running() ?? 0,
    workerTasks: workers?.tasksRun() ?? 0,
  };
}

/**
 * Loads wasm/strata.wasm (bytes, a compiled module, or a URL to fetch) and registers it as the
 * 'wasm' backend; `st.setBackend('wasm')` then selects it. For platforms without the Node loader
 * (browsers); Node registers it when the library is imported. wasm/strata-threads.wasm with `threads`
 * runs kernels on several threads (it needs SharedArrayBuffer: a cross-origin isolated page).
 * @example await registerWasmBackend(new URL('strata.wasm', import.meta.url)); st.setBackend('wasm');
 */
export async function registerWasmBackend(source: BufferSource | WebAssembly.Module | URL | string, threads?: WasmThreadOptions): Promise<Backend> {
  const backend = createWasmBackend(await loadWasmAddon(source, threads));
  registerBackend(backend, BACKEND_PRIORITY.wasm);
  return backend;
}

export { instantiateWasmAddon, loadWasmAddon, wasmRelaxedOf, wasmWorkersOf, type WasmThreadOptions } from './module.js';
export { relaxedSimdSupported, wasmFileName } from './relaxed.js';
