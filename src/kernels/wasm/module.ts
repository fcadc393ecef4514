import type { NativeAddon } from '../native/addon.js';
import { wasmTransport, type StrataWasmExports } from './transport.js';

/**
 * The one import the module has (wasi's clock, read by the GEMM's thread-split timing, which the
 * single-threaded build never reaches); `memory` is filled in once the instance exists.
 */
function imports(): { object: WebAssembly.Imports; bind(memory: WebAssembly.Memory): void } {
  let memory: WebAssembly.Memory | undefined;
  const clock = (_id: number, _precision: bigint, out: number): number => {
    if (!memory) return 8; // EBADF
    new DataView(memory.buffer).setBigUint64(out, BigInt(Math.round(performance.now() * 1e6)), true);
    return 0;
  };
  return {
    object: { wasi_snapshot_preview1: { clock_time_get: clock } },
    bind: (m) => { memory = m; },
  };
}

function finish(instance: WebAssembly.Instance, bind: (m: WebAssembly.Memory) => void): NativeAddon {
  const exports = instance.exports as unknown as StrataWasmExports;
  bind(exports.memory);
  exports._initialize(); // runs the static constructors: the bindings register themselves there
  return wasmTransport(exports);
}

/**
 * Instantiates wasm/strata.wasm from its bytes (or a compiled module) synchronously: fine in Node
 * and in workers; browsers refuse synchronous compilation of large modules on the main thread, where
 * `loadWasmAddon` is the way.
 */
export function instantiateWasmAddon(source: BufferSource | WebAssembly.Module): NativeAddon {
  const module = source instanceof WebAssembly.Module ? source : new WebAssembly.Module(source);
  const { object, bind } = imports();
  return finish(new WebAssembly.Instance(module, object), bind);
}

/** Compiles and instantiates the module from bytes, a compiled module, or a URL (fetched). */
export async function loadWasmAddon(source: BufferSource | WebAssembly.Module | URL | string): Promise<NativeAddon> {
  let module: WebAssembly.Module;
  if (source instanceof WebAssembly.Module) module = source;
  else if (typeof source === 'string' || source instanceof URL) {
    const response = await fetch(source);
    if (!response.ok) throw new Error(`strata wasm: fetching ${String(source)} failed (${response.status})`);
    module = await WebAssembly.compile(await response.arrayBuffer());
  } else module = await WebAssembly.compile(source);
  const { object, bind } = imports();
  return finish(await WebAssembly.instantiate(module, object), bind);
}
