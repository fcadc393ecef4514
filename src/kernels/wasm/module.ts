import type { NativeAddon } from '../native/addon.js';
import { wasmTransport, type StrataWasmExports } from './transport.js';
import {
  createSharedMemory, isThreadedModule, wasiImports, WasmWorkers, type ThreadExports, type WasmThreadOptions,
} from './threads.js';

export type { WasmThreadOptions } from './threads.js';

/** The workers of each threaded addon (for tests and diagnostics: wasmWorkersOf). */
const workersOf = new WeakMap<NativeAddon, WasmWorkers>();

/**
 * The workers behind an addon made from the threaded build (wasm/strata-threads.wasm) with thread
 * options; undefined for the single-threaded build.
 */
export function wasmWorkersOf(addon: NativeAddon): WasmWorkers | undefined {
  return workersOf.get(addon);
}

/** The addons made from a relaxed-SIMD build, as the module itself says (its strata_relaxed_simd export). */
const relaxedAddons = new WeakSet<NativeAddon>();

/** Whether `addon` runs a relaxed-SIMD build (wasm/strata-relaxed*.wasm) rather than a SIMD128 one. */
export function wasmRelaxedOf(addon: NativeAddon): boolean {
  return relaxedAddons.has(addon);
}

/** Functions that configure rather than compute: they do not start workers. */
const CONTROL = new Set(['getThreads', 'setThreads', 'getIsa', 'getBestIsa', 'setIsa', 'setConvWinograd', 'taskSpeeds', 'setTaskSpeed', 'mallocTuned', 'noop']);

/** The imports of one instance of `module`, and what turns that instance into the addon. */
function prepare(module: WebAssembly.Module, threads: WasmThreadOptions | undefined):
  { imports: WebAssembly.Imports; finish(instance: WebAssembly.Instance): NativeAddon } {
  const threaded = isThreadedModule(module);
  let memory: WebAssembly.Memory | undefined = threaded ? createSharedMemory() : undefined;
  const wasi = wasiImports(module, () => memory);
  return {
    imports: threaded ? { env: { memory: memory! }, wasi_snapshot_preview1: wasi } : { wasi_snapshot_preview1: wasi },
    finish: (instance) => {
      memory ??= (instance.exports as unknown as StrataWasmExports).memory;
      if (!memory) throw new Error('strata wasm: the module neither imports nor exports a memory; not a Strata build');
      return finish(module, instance, memory, threaded ? threads : undefined);
    },
  };
}

function finish(module: WebAssembly.Module, instance: WebAssembly.Instance, memory: WebAssembly.Memory,
  threads: WasmThreadOptions | undefined): NativeAddon {
  const exports = instance.exports as unknown as StrataWasmExports & Partial<ThreadExports> &
    { strata_init_main_thread?(n: number): void; strata_relaxed_simd?(): number };
  // The threaded build: this thread's TLS block and the default thread count first (a threaded
  // module given no thread options runs on this thread alone).
  exports.strata_init_main_thread?.(threads ? threads.defaultThreads : 1);
  exports._initialize(); // runs the static constructors: the bindings register themselves there
  const addon = wasmTransport(exports, memory);
  if (exports.strata_relaxed_simd?.() === 1) relaxedAddons.add(addon);
  if (!threads) return addon;
  const workers = new WasmWorkers(exports as unknown as ThreadExports, module, memory, threads.spawn);
  workersOf.set(addon, workers);
  const fns = addon as unknown as Record<string, (...args: unknown[]) => unknown>;
  // setThreads(n) starts the workers n asks for; the first kernel starts the default number (so a
  // process that loads the module but computes elsewhere starts none).
  const setThreads = fns.setThreads;
  fns.setThreads = (n: unknown) => {
    const r = setThreads(n);
    workers.ensure(addon.getThreads() - 1);
    return r;
  };
  for (const name of Object.keys(fns)) {
    if (CONTROL.has(name)) continue;
    const f = fns[name];
    fns[name] = (...args: unknown[]) => {
      if (workers.count === 0) workers.ensure(addon.getThreads() - 1);
      return f(...args);
    };
  }
  return addon;
}

/**
 * Instantiates wasm/strata.wasm (or, with `threads`, wasm/strata-threads.wasm) from its bytes or a
 * compiled module synchronously: fine in Node and in workers; browsers refuse synchronous compilation
 * of large modules on the main thread, where `loadWasmAddon` is the way.
 */
export function instantiateWasmAddon(source: BufferSource | WebAssembly.Module, threads?: WasmThreadOptions): NativeAddon {
  const module = source instanceof WebAssembly.Module ? source : new WebAssembly.Module(source);
  const { imports, finish } = prepare(module, threads);
  return finish(new WebAssembly.Instance(module, imports));
}

/**
 * Compiles and instantiates the module from bytes, a compiled module, or a URL (fetched). The
 * threaded build runs on `threads.defaultThreads` threads when `threads` is given, else on one.
 */
export async function loadWasmAddon(source: BufferSource | WebAssembly.Module | URL | string, threads?: WasmThreadOptions): Promise<NativeAddon> {
  let module: WebAssembly.Module;
  if (source instanceof WebAssembly.Module) module = source;
  else if (typeof source === 'string' || source instanceof URL) {
    const response = await fetch(source);
    if (!response.ok) throw new Error(`strata wasm: fetching ${String(source)} failed (${response.status})`);
    module = await WebAssembly.compile(await response.arrayBuffer());
  } else module = await WebAssembly.compile(source);
  const { imports, finish } = prepare(module, threads);
  return finish(await WebAssembly.instantiate(module, imports));
}
