import type { Backend } from './backend.js';

/**
 * Counts, per backend, the kernel calls that ran compiled (native) code and those that ran the js
 * reference: a backend's kernel falls back to js for other dtypes (the float64 gradient-check path),
 * tiny inputs and error cases, so "the test ran on the native backend" says nothing about whether
 * native code ran. Tests read these counts (st.testing.kernelCalls) to check which code executed.
 */
export interface KernelCallCount {
  /** Kernel calls on this backend. */
  calls: number;
  /** Of those, calls during which compiled code (an addon function) ran. */
  native: number;
  /** Of those, calls that ran only the js reference (a fallback, on a compiled backend). */
  js: number;
  /** The same split per kernel name (only kernels called at least once). */
  byKernel: Record<string, { native: number; js: number }>;
}

/** Bumped by every call into compiled code (see countCompiled). */
let compiledCalls = 0;

const tallies = new Map<string, Map<string, { native: number; js: number }>>();

const COUNTED = Symbol('strata.countedKernels');

function tallyOf(backend: string, kernel: string): { native: number; js: number } {
  let byKernel = tallies.get(backend);
  if (!byKernel) tallies.set(backend, (byKernel = new Map()));
  let t = byKernel.get(kernel);
  if (!t) byKernel.set(kernel, (t = { native: 0, js: 0 }));
  return t;
}

/**
 * The addon with each function wrapped to count its calls, so a kernel knows afterwards whether
 * compiled code ran (the fallback decisions stay where they are, in each kernel wrapper).
 */
export function countCompiled<T extends object>(addon: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, fn] of Object.entries(addon)) {
    if (typeof fn !== 'function') {
      out[key] = fn;
      continue;
    }
    out[key] = (...args: unknown[]) => {
      compiledCalls++;
      return (fn as (...a: unknown[]) => unknown).apply(addon, args);
    };
  }
  return out as T;
}

/** The backend with every kernel wrapped to tally native / js executions (idempotent). */
export function countKernels(backend: Backend): Backend {
  if ((backend as unknown as Record<symbol, unknown>)[COUNTED]) return backend;
  const out: Record<string | symbol, unknown> = { [COUNTED]: true };
  for (const [key, fn] of Object.entries(backend)) {
    if (typeof fn !== 'function') {
      out[key] = fn;
      continue;
    }
    // Looked up once here, so a call costs two increments, not a map lookup.
    const tally = tallyOf(backend.name, key);
    out[key] = function (this: unknown, ...args: unknown[]) {
      const before = compiledCalls;
      const result = (fn as (...a: unknown[]) => unknown).apply(this, args);
      if (compiledCalls !== before) tally.native++;
      else tally.js++;
      return result;
    };
  }
  return out as unknown as Backend;
}

/**
 * The kernel calls of one backend since the start (or the last resetKernelCalls), split into those
 * that ran native code and those that ran the js reference.
 * @example const before = st.testing.kernelCalls('native').native; st.matmul(a, b);
 *          assert(st.testing.kernelCalls('native').native > before); // the GEMM ran, not the js loop
 */
export function kernelCalls(backend: string): KernelCallCount {
  const byKernel: Record<string, { native: number; js: number }> = {};
  let native = 0, js = 0;
  for (const [kernel, t] of tallies.get(backend) ?? []) {
    if (t.native === 0 && t.js === 0) continue;
    byKernel[kernel] = { native: t.native, js: t.js };
    native += t.native;
    js += t.js;
  }
  return { calls: native + js, native, js, byKernel };
}

/**
 * Zeroes every backend's kernel call counts.
 * @example st.testing.resetKernelCalls(); model.predict(x); st.testing.kernelCalls('native').byKernel
 */
export function resetKernelCalls(): void {
  for (const byKernel of tallies.values()) for (const t of byKernel.values()) t.native = t.js = 0;
}
