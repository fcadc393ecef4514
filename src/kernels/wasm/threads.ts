/**
 * The workers of the threaded wasm build (wasm/strata-threads.wasm): each is a Worker running another
 * instance of the module over the same shared memory, which enters the C++ pool's loop
 * (native/wasm/thread-pool-wasm.cc) with its own stack and thread-local block and never returns.
 * Platform-neutral: how a worker is started (Node's worker_threads, a browser's Worker) is passed in.
 * Nothing here blocks the calling thread: workers join the pool once they have started, and until
 * then the caller runs every task itself.
 */

/**
 * Pages (64 KiB) of the shared memory the threaded module imports: in step with its link flags in
 * scripts/build-wasm.mjs (--initial-memory=8 MiB, --max-memory=4 GiB). The memory grows on demand.
 */
export const INITIAL_PAGES = 128;
export const MAX_PAGES = 65536;

/** A worker's stack (as the calling thread's: kernels keep register tiles and small buffers there). */
const STACK_BYTES = 1 << 20;

/** What a worker receives: the compiled module, the shared memory, and its own stack and TLS block. */
export interface WorkerStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  stackTop: number;
  tls: number;
}

/** Starts one worker running WORKER_SOURCE with `start`; `onError` hears a worker that failed. */
export type SpawnWorker = (source: string, start: WorkerStart, onError: (message: string) => void) => void;

/** How the threaded module runs: its default thread count and how to start a worker. */
export interface WasmThreadOptions {
  /** Threads a kernel uses by default, the caller included (setThreads(0) restores it). */
  defaultThreads: number;
  spawn: SpawnWorker;
}

/**
 * The script every worker runs: a plain string, so that no bundler or minifier touches it, with no
 * imports. Node's worker_threads run it with `eval` (workerData holds the start); a browser's Worker
 * from a Blob URL (the start comes as the first message). Its wasi imports match wasiImports below.
 */
export const WORKER_SOURCE = `"use strict";
function start(d) {
  const memory = d.memory;
  const wasi = {};
  for (const i of WebAssembly.Module.imports(d.module)) {
    if (i.module !== 'wasi_snapshot_preview1') continue;
    wasi[i.name] = i.name === 'clock_time_get'
      ? (id, precision, out) => { new DataView(memory.buffer).setBigUint64(out, BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6)), true); return 0; }
      : () => 52;
  }
  const e = new WebAssembly.Instance(d.module, { env: { memory }, wasi_snapshot_preview1: wasi }).exports;
  e.__stack_pointer.value = d.stackTop;
  e.__wasm_init_tls(d.tls);
  e.strata_worker_main();
}
if (typeof require === 'function') start(require('node:worker_threads').workerData);
else self.onmessage = (ev) => start(ev.data);
`;

/**
 * The module's wasi imports: the clock (read by the GEMM's thread-split timing, in every thread, so on
 * one time line: performance.timeOrigin + now) and, for anything else the libc links in (error
 * printing the kernels never reach), ENOSYS. `memory()` is the module's memory once it exists.
 */
export function wasiImports(module: WebAssembly.Module, memory: () => WebAssembly.Memory | undefined): Record<string, (...args: never[]) => number> {
  const wasi: Record<string, (...args: never[]) => number> = {};
  for (const i of WebAssembly.Module.imports(module)) {
    if (i.module !== 'wasi_snapshot_preview1') continue;
    wasi[i.name] = i.name === 'clock_time_get'
      ? (_id: number, _precision: bigint, out: number): number => {
        const m = memory();
        if (!m) return 8; // EBADF
        new DataView(m.buffer).setBigUint64(out, BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6)), true);
        return 0;
      }
      : (): number => 52; // ENOSYS
  }
  return wasi;
}

/** Whether this module is the threaded build (it imports a shared memory instead of defining one). */
export function isThreadedModule(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some((i) => i.kind === 'memory');
}

/** Whether this platform can run the threaded build: SharedArrayBuffer, and in a page, cross-origin isolation. */
export function sharedMemoryUsable(): boolean {
  const g = globalThis as { crossOriginIsolated?: boolean };
  return typeof SharedArrayBuffer === 'function' && g.crossOriginIsolated !== false;
}

/** The shared memory for one instance of the threaded module and its workers. */
export function createSharedMemory(): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES, shared: true });
}

/** The exports the workers' controller uses. */
export interface ThreadExports {
  __tls_size: WebAssembly.Global;
  __tls_align: WebAssembly.Global;
  strata_alloc(bytes: number): number;
  strata_pool_workers(): number;
  strata_pool_worker_tasks(): number;
}

/** The workers of one threaded instance, started as the thread count asks for them. */
export class WasmWorkers {
  private started = 0;
  /** Messages of workers that failed to start (they never join; the pool runs on the others). */
  readonly errors: string[] = [];

  constructor(private readonly exports: ThreadExports, private readonly module: WebAssembly.Module,
    private readonly memory: WebAssembly.Memory, private readonly spawn: SpawnWorker) {}

  /** Starts workers until `count` have been started (each with a stack and TLS block from the heap). */
  ensure(count: number): void {
    const tlsBytes = Math.max(16, Number(this.exports.__tls_size.value));
    if (Number(this.exports.__tls_align.value) > 16) throw new Error('strata wasm: thread-local data needs more than 16-byte alignment');
    for (; this.started < count; this.started++) {
      const stack = this.exports.strata_alloc(STACK_BYTES), tls = this.exports.strata_alloc(tlsBytes);
      if (!stack || !tls) throw new RangeError('strata wasm: out of memory starting a worker');
      this.spawn(WORKER_SOURCE, { module: this.module, memory: this.memory, stackTop: stack + STACK_BYTES, tls }, (m) => this.errors.push(m));
    }
  }

  /** Workers started so far. */
  get count(): number {
    return this.started;
  }

  /** Workers inside the pool's loop now. */
  running(): number {
    return this.exports.strata_pool_workers();
  }

  /** Pool tasks the workers have run since the module started. */
  tasksRun(): number {
    return this.exports.strata_pool_worker_tasks();
  }

  /** Resolves once `count` workers run (default: all started), or rejects after `timeoutMs`. */
  async whenRunning(count = this.started, timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.running() < count) {
      if (this.errors.length > 0) throw new Error(`strata wasm: a worker failed: ${this.errors[0]}`);
      if (Date.now() > until) throw new Error(`strata wasm: ${this.running()} of ${count} workers running after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}
