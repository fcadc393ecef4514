import { ConfigError } from '../errors.js';
import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';
import { countKernels, kernelCalls, resetKernelCalls, type KernelCallCount } from './call-count.js';

// Every registered backend's kernels are counted (native code executed vs js), for the tests.
export { kernelCalls, resetKernelCalls, type KernelCallCount };

/** Priorities of the built-in backends: the fastest that loads is the default (see registerBackend). */
export const BACKEND_PRIORITY = { native: 300, wasm: 200, js: 100 } as const;

const countedJs = countKernels(jsBackend);
const backends = new Map<string, Backend>([['js', countedJs]]);
const priorities = new Map<string, number>([['js', BACKEND_PRIORITY.js]]);
/** The backend chosen with setBackend; null while the default (highest priority) applies. */
let chosen: Backend | null = null;
let active: Backend = countedJs;

/**
 * Makes a backend available to `setBackend` under its name. The default backend — the one ops use
 * until `setBackend` is called — is the registered backend of highest `priority`, so a platform
 * entry registers what loads on it and the fastest wins, whatever the order of registration:
 * `BACKEND_PRIORITY` gives native 300, wasm 200, js 100 (always registered). Register a backend only
 * once it can run (an addon that loaded, a WebAssembly module already instantiated). Registering a
 * name again replaces that backend; equal priorities keep the earlier one as default.
 * @example registerBackend(createWasmBackend(instance), BACKEND_PRIORITY.wasm)
 */
export function registerBackend(backend: Backend, priority = 0): void {
  const counted = countKernels(backend);
  if (chosen?.name === backend.name) chosen = counted;
  backends.set(backend.name, counted);
  priorities.set(backend.name, priority);
  active = chosen ?? defaultBackend();
}

/** The registered backend of highest priority (the earliest registered among equals). */
function defaultBackend(): Backend {
  let best = countedJs, bestPriority = -Infinity;
  for (const [name, b] of backends) {
    const p = priorities.get(name) ?? 0;
    if (p > bestPriority) [best, bestPriority] = [b, p];
  }
  return best;
}

// TensorFlow.js's names for the backends Strata has: its pure-JS 'cpu' is our reference 'js', and
// tfjs-node's 'tensorflow' (native code) is our 'native'.
const TFJS_NAMES: Record<string, string> = { cpu: 'js', tensorflow: 'native' };

/**
 * Switches the backend that runs every op from now on ('js' is always there), overriding the
 * priority default (see registerBackend). TensorFlow.js's names
 * 'cpu' and 'tensorflow' select 'js' and 'native'.
 * @example st.setBackend('js')
 */
export function setBackend(name: string): void {
  const b = backends.get(name) ?? backends.get(TFJS_NAMES[name] ?? '');
  if (!b) {
    const gpu = ['webgl', 'webgpu'].includes(name) ? ' (Strata has no GPU backend yet)' : '';
    throw new ConfigError(`setBackend: no backend named '${name}'${gpu}; available: ${[...backends.keys()].join(', ')}` +
      ` (TensorFlow.js names: ${Object.keys(TFJS_NAMES).filter((k) => backends.has(TFJS_NAMES[k])).join(', ')})`);
  }
  chosen = b;
  active = b;
}

const pendingLoads = new Set<Promise<unknown>>();

/**
 * Tracks a backend that is still loading (the browser build's wasm module), so that `ready()`
 * waits for it. A failed load leaves the backends as they were.
 */
export function trackBackendLoad(load: Promise<unknown>): void {
  const p = load.catch(() => undefined).finally(() => pendingLoads.delete(p));
  pendingLoads.add(p);
}

/** Resolves when every backend load in progress has finished (TensorFlow.js's `tf.ready()`). */
export async function backendsReady(): Promise<void> {
  while (pendingLoads.size) await Promise.all([...pendingLoads]);
}

/** The name of the backend in use. */
export function getBackend(): string {
  return active.name;
}

/** Names of the registered backends. */
export function listBackends(): string[] {
  return [...backends.keys()];
}

/** The kernels of the backend in use (internal: ops call it). */
export function kernels(): Backend {
  return active;
}

/**
 * Sets how many threads the compiled backends' kernels use (native and wasm, each capped by what it
 * can run: the single-threaded wasm build of a page that is not cross-origin isolated stays at 1);
 * 0 restores the default — STRATA_NUM_THREADS, else every core. The js backend has one thread.
 * @example st.setThreads(1) // one thread, e.g. beside other work in the process
 */
export function setThreads(n: number): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new ConfigError(`setThreads: expected a whole number of threads ≥ 0 (0 = the default), got ${String(n)}`);
  }
  for (const b of backends.values()) b.threads?.set(n);
}

/** Threads the backend in use runs its kernels on (1 on js). */
export function getThreads(): number {
  return active.threads?.get() ?? 1;
}
