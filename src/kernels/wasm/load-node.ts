import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { NativeAddon } from '../native/addon.js';
import { instantiateWasmAddon } from './module.js';
import { relaxedSimdSupported, validatesRelaxedSimd, wasmFileName } from './relaxed.js';
import type { SpawnWorker, WasmThreadOptions } from './threads.js';

/**
 * Node 20 (V8 11.3) validates relaxed SIMD only behind --experimental-wasm-relaxed-simd; its
 * implementation is the one V8 11.4 (Node 21) turned on by default. Turned on here, before the first
 * probe or compile: the relaxed-SIMD build (its multiply-add one FMA) trains W3 ~1.2× the SIMD128 one.
 * STRATA_WASM_RELAXED=0 leaves the runtime as it is (the SIMD128 build then loads; its tests use that).
 * A runtime where the flag does not make the probe pass keeps the SIMD128 build.
 */
function enableRelaxedSimd(): void {
  if (process.env.STRATA_WASM_RELAXED === '0' || process.env.STRATA_DISABLE_WASM === '1' || validatesRelaxedSimd()) return;
  try {
    setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    // A runtime with node:v8 but no V8 flags (Bun, say): the SIMD128 build loads.
  }
}
enableRelaxedSimd();

/**
 * The committed modules to try, relative to the package root (built by scripts/build-wasm.mjs): Node
 * always has shared memory and worker_threads, so it runs a threaded build, a single-threaded one
 * where that fails to load; the relaxed-SIMD builds first where Node runs relaxed SIMD (V8 11.4 and
 * later, so Node 21 on; Node 20 with --experimental-wasm-relaxed-simd, turned on above).
 */
function wasmPaths(): string[] {
  const names = relaxedSimdSupported() ? [wasmFileName(true, true), wasmFileName(true, false), wasmFileName(false, true), wasmFileName(false, false)]
    : [wasmFileName(true, false), wasmFileName(false, false)];
  return names.map((n) => join('wasm', n));
}

function findWasmFile(name: string): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

/**
 * Threads by default, as the native addon counts them (native/src/thread-pool.cc): STRATA_NUM_THREADS
 * when it is a positive integer (at most 256), else every core this process may use.
 */
export function defaultWasmThreads(): number {
  const n = Number.parseInt(process.env.STRATA_NUM_THREADS ?? '', 10);
  if (n > 0) return Math.min(n, 256);
  return Math.max(1, availableParallelism());
}

/** A worker_threads Worker running the worker script; unref'd, so it never keeps the process alive. */
const spawnNodeWorker: SpawnWorker = (source, start, onError) => {
  const worker = new Worker(source, { eval: true, workerData: start, name: 'strata-wasm' });
  worker.on('error', (e) => onError(e.message));
  worker.unref();
};

/** How the threaded build runs in Node. */
export function nodeThreadOptions(): WasmThreadOptions {
  return { defaultThreads: defaultWasmThreads(), spawn: spawnNodeWorker };
}

export type WasmLoad = { addon: NativeAddon; path: string } | { addon: null; reason: string };

let loaded: WasmLoad | undefined;

/** Loads the wasm module once in Node (STRATA_DISABLE_WASM=1 refuses, for tests of the js fallback). */
export function loadWasmNode(): WasmLoad {
  if (loaded) return loaded;
  if (process.env.STRATA_DISABLE_WASM === '1') return (loaded = { addon: null, reason: 'disabled by STRATA_DISABLE_WASM=1' });
  const reasons: string[] = [];
  for (const name of wasmPaths()) {
    const path = findWasmFile(name);
    if (!path) {
      reasons.push(`${name} not found`);
      continue;
    }
    try {
      return (loaded = { addon: instantiateWasmAddon(readFileSync(path), nodeThreadOptions()), path });
    } catch (e) {
      reasons.push(`${name} failed to load: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`);
    }
  }
  return (loaded = { addon: null, reason: `wasm backend: ${reasons.join('; ')}` });
}
