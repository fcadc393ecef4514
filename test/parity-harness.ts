// The parity harness: every compiled backend (the native addon, the wasm module — the same C++ behind
// the same TypeScript glue, over two transports) against the js reference, at 1 and 2 threads where
// the transport runs them and on every GEMM micro-kernel it accepts, counting which code really ran.
// Used by test/backend-parity.test.ts (kernels through the Backend interface) and
// test/compiled-bindings.test.ts (the NativeAddon functions themselves).
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import * as st from '../src/index.js';
import '../src/kernels/native/register.js';
import type { Backend } from '../src/kernels/backend.js';
import { loadAddon, type NativeAddon } from '../src/kernels/native/addon.js';
import { createNativeBackend } from '../src/kernels/native/index.js';
import { loadWasmNode } from '../src/kernels/wasm/load-node.js';
import { poisonWasmScratch, WRITE_ONLY } from '../src/kernels/wasm/transport.js';
import { Tensor } from '../src/tensor/tensor.js';
import { expectClose } from './helpers.js';

/** A compiled backend under test. */
export interface Compiled {
  /** The backend's registered name ('native', 'wasm'); kernel calls are counted under it. */
  name: string;
  /** The transport: the Node addon, or the wasm module behind its copying transport. */
  addon: NativeAddon;
  /**
   * The glue over that transport, with every output the C++ writes in full (WRITE_ONLY) filled with
   * NaN (int32: −2³¹) before each call: an element a kernel skipped shows against js instead of
   * passing as the zero a fresh array happens to hold. (The wasm transport's scratch memory is
   * NaN-filled too, below.)
   */
  backend: Backend;
}

// Wasm scratch memory is NaN-filled before each call in every process that loads the harness.
poisonWasmScratch(true);

/** The addon with the write-only outputs of each call filled with NaN first. */
function nanFilled(addon: NativeAddon): NativeAddon {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(addon)) {
    const writeOnly = WRITE_ONLY[name];
    if (typeof fn !== 'function' || !writeOnly) {
      out[name] = fn;
      continue;
    }
    out[name] = (...args: unknown[]) => {
      for (const i of writeOnly(args)) {
        const a = args[i] as Float32Array | Int32Array | null;
        if (a instanceof Int32Array) a.fill(-0x80000000); // no int32 NaN: a value no index or comparison takes
        else a?.fill(Number.NaN);
      }
      return (fn as (...a: unknown[]) => unknown)(...args);
    };
  }
  return out as unknown as NativeAddon;
}

const LOADS: [string, ReturnType<typeof loadAddon>][] = [['native', loadAddon()], ['wasm', loadWasmNode()]];
const all: Compiled[] = [];
const absent: string[] = [];
// STRATA_BACKEND narrows the check to that backend (the test runner's passes); 'js' leaves none.
const only = process.env.STRATA_BACKEND;
for (const [name, load] of LOADS) {
  if (!load.addon) absent.push(`${name}: ${'reason' in load ? load.reason : 'not loaded'}`);
  else if (only && only !== name) absent.push(`${name}: not checked (STRATA_BACKEND=${only})`);
  else all.push({ name, addon: load.addon, backend: createNativeBackend(nanFilled(load.addon), name) });
}

const told = new WeakSet<TestContext>();

/**
 * The compiled backends to check; notes the absent ones in one line (once per test), and marks the
 * test skipped when none is there (a test returns early then, before computing its references).
 */
export function compiled(t: TestContext): Compiled[] {
  if (!told.has(t)) {
    told.add(t);
    if (all.length === 0) t.skip(`no compiled backend to check (${absent.join('; ')})`);
    else if (absent.length > 0) t.diagnostic(`not checked: ${absent.join('; ')}`);
  }
  return all;
}

/** The thread counts the harness asks for. */
export const THREADS = [1, 2];

/** Thread counts each backend actually ran the harness at (for the coverage check). */
const threadsRun = new Map<string, Set<number>>();
/** Kernels that ran compiled code, per `${backend} threads=${n}`. */
const reached = new Map<string, Set<string>>();
const threadsNow = new Map<string, number>();

/** One setting of a compiled backend: its label, micro-kernel and thread count. */
export interface Setting { label: string; isa: string; threads: number }

/** Thread counts already noted as unsupported, per test (one line each). */
const noted = new WeakMap<TestContext, Set<string>>();

/**
 * Sets up each thread count of THREADS (and, with `isas`, each GEMM micro-kernel the transport
 * accepts) in turn and yields it; restores the defaults after. A thread count the transport cannot
 * run (getThreads() stays below it: the single-threaded wasm build) is noted once and skipped.
 */
export function* settings(t: TestContext, c: Compiled, opts: { isas?: boolean; threads?: number[] } = {}): Generator<Setting> {
  const isa0 = c.addon.getIsa();
  const isas = opts.isas ? ['generic', 'avx2', 'avx512', 'simd128'].filter((i) => c.addon.setIsa(i)) : [isa0];
  try {
    for (const isa of isas) {
      assert.ok(c.addon.setIsa(isa), `[${c.name}] setIsa(${isa})`);
      for (const n of opts.threads ?? THREADS) {
        c.addon.setThreads(n);
        if (c.addon.getThreads() !== n) {
          let seen = noted.get(t);
          if (!seen) noted.set(t, (seen = new Set()));
          if (!seen.has(`${c.name}/${n}`)) t.diagnostic(`${c.name}: runs ${c.addon.getThreads()} thread(s) when asked for ${n}; checked without`);
          seen.add(`${c.name}/${n}`);
          continue;
        }
        threadsNow.set(c.name, n);
        let ran = threadsRun.get(c.name);
        if (!ran) threadsRun.set(c.name, (ran = new Set()));
        ran.add(n);
        yield { label: `[${c.name} ${isa} threads=${n}]`, isa, threads: n };
      }
    }
  } finally {
    c.addon.setIsa(isa0);
    c.addon.setThreads(0);
    threadsNow.delete(c.name);
  }
}

function markReached(c: Compiled, kernel: string): void {
  const key = `${c.name} threads=${threadsNow.get(c.name) ?? 'default'}`;
  let set = reached.get(key);
  if (!set) reached.set(key, (set = new Set()));
  set.add(kernel);
}

/** Runs f (ops on the registered backend c.name) and records every kernel that ran compiled code. */
export function recordCompiled<T>(c: Compiled, f: () => T): T {
  const before = st.testing.kernelCalls(c.name).byKernel;
  const result = f();
  for (const [k, n] of Object.entries(st.testing.kernelCalls(c.name).byKernel)) {
    if (n.native > (before[k]?.native ?? 0)) markReached(c, k);
  }
  return result;
}

/**
 * Runs f on c and checks from the kernel call counts (st.testing.kernelCalls) which code ran for
 * `kernel`: compiled code when `compiledPath`, else the js fallback only. Returns f's result.
 */
export function expectPath<T>(c: Compiled, kernel: keyof Backend, compiledPath: boolean, f: () => T, what: string): T {
  const before = st.testing.kernelCalls(c.name).byKernel[kernel] ?? { native: 0, js: 0 };
  const result = f();
  const after = st.testing.kernelCalls(c.name).byKernel[kernel] ?? { native: 0, js: 0 };
  const native = after.native - before.native, js = after.js - before.js;
  if (compiledPath) {
    assert.ok(native > 0, `${what}: ${kernel} should have run compiled code on ${c.name}, but ran js (${js} call(s))`);
    markReached(c, kernel);
  } else {
    assert.ok(native === 0 && js > 0, `${what}: ${kernel} should have fallen back to js on ${c.name} (${native} compiled, ${js} js call(s))`);
  }
  return result;
}

/** The kernels of `names` that did not run compiled code on c at some thread count the harness ran. */
export function missingCompiled(c: Compiled, names: string[]): string[] {
  const out: string[] = [];
  for (const n of threadsRun.get(c.name) ?? []) {
    const set = reached.get(`${c.name} threads=${n}`) ?? new Set();
    for (const k of names) if (!set.has(k)) out.push(`${k} (threads=${n})`);
  }
  if (!threadsRun.has(c.name)) out.push('every kernel (the harness never ran this backend)');
  return out;
}

/** The tensor in float64 (the reference computes in float64). */
export function toF64(t: Tensor): Tensor {
  return new Tensor(Float64Array.from(t.values), t.shape);
}

/** |t| in float64: run through the reference it gives Σ|a||b|, the scale of a product's rounding error. */
export function absF64(t: Tensor): Tensor {
  return new Tensor(Float64Array.from(t.values, Math.abs), t.shape);
}

/** got ≈ want elementwise within rel · scale[i] + abs (float32 rounding of a sum of products). */
export function expectWithinScale(got: Tensor, want: Tensor, scale: Tensor, rel: number, abs: number, what: string): void {
  assert.equal(got.dtype, 'float32', `${what}: dtype`);
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  for (let i = 0; i < want.size; i++) {
    const tol = rel * scale.values[i] + abs;
    if (!(Math.abs(got.values[i] - want.values[i]) <= tol)) {
      assert.fail(`${what}: element ${i} of ${want.size} is ${got.values[i]}, expected ${want.values[i]} (tolerance ${tol})`);
    }
  }
}

/** got ≈ want with the same dtype and shape: NaN matches NaN, otherwise |got − want| ≤ atol + rtol·|want|. */
export function expectNear(got: Tensor, want: Tensor, what: string, rtol = 2e-6, atol = 1e-7): void {
  assert.equal(got.dtype, want.dtype, `${what}: dtype`);
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  expectClose(got, want, atol, rtol, what);
}

/** got equals want exactly (same dtype, shape and values; NaN equals NaN). */
export function expectSame(got: Tensor, want: Tensor, what: string): void {
  assert.equal(got.dtype, want.dtype, `${what}: dtype`);
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  assert.deepEqual(Array.from(got.values), Array.from(want.values), `${what}: values`);
}

/** Seeded normal float32 values. */
export function randF32(shape: number[], seed: number): Tensor {
  return st.randomNormal(shape, { seed, dtype: 'float32' });
}

/** Every tensor's values as float64 arrays. */
export function arrays(ts: st.Tensor[]): Float64Array[] {
  return ts.map((x) => Float64Array.from(x.dataSync() as ArrayLike<number>));
}

/** float32 kernels summing in another order: agreement to a few float32 ulps of each output's scale. */
export function compareOutputs(got: Float64Array[], ref: Float64Array[], what: string): void {
  assert.equal(got.length, ref.length, `${what}: output count`);
  got.forEach((g, i) => {
    const r = ref[i];
    assert.equal(g.length, r.length, `${what}: output ${i} size`);
    let scale = 1e-3;
    for (const v of r) scale = Math.max(scale, Math.abs(v));
    for (let j = 0; j < r.length; j++) {
      if (!(Math.abs(g[j] - r[j]) <= 2e-4 * scale)) assert.fail(`${what}: output ${i}[${j}] = ${g[j]}, js gives ${r[j]} (scale ${scale})`);
    }
  });
}
