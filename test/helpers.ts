import assert from 'node:assert/strict';
import * as st from '../src/index.js';

/** Backends every test runs on (all registered ones). */
export function backends(): string[] {
  return st.listBackends();
}

/**
 * What a backend-parametrized test means on the native backend: 'native' — its kernels run native
 * code (inputs float32 and above the native size thresholds); 'fallback' — every kernel it calls
 * hands the work to the js reference (float64 gradient checks, int32, tiny inputs, error messages),
 * so the native pass checks the dispatch, not native code; 'either' — the sizes pick the path (small
 * golden fixtures, whose native runs are checked by a variant above the thresholds), and only the
 * js pass is checked. `forEachBackend` checks the claim.
 */
export type NativeExpectation = 'native' | 'fallback' | 'either';

/**
 * Runs `body` on `backend` and checks which code executed there (st.testing.kernelCalls): on
 * 'native', that some kernel ran native code (expect 'native') or none did ('fallback'); on 'js',
 * that the js kernels ran and nothing native did. Returns body's result.
 */
export function expectExecuted<T>(backend: string, expect: NativeExpectation, body: () => T, what = 'the test'): T {
  const before = st.testing.kernelCalls(backend);
  const result = body();
  const after = st.testing.kernelCalls(backend);
  const native = after.native - before.native, js = after.js - before.js;
  const detail = () => `${native} native and ${js} js kernel calls (${kernelDiff(before, after)})`;
  // The wasm backend is the native glue over the same C++ compiled to wasm: the same claims hold.
  const compiled = backend === 'native' || backend === 'wasm';
  if (compiled && expect === 'native') {
    assert.ok(native > 0, `[${backend}] ${what} means the compiled kernels, but no kernel ran compiled code: ${detail()}`);
  } else if (compiled && expect === 'fallback') {
    assert.ok(native === 0, `[${backend}] ${what} is marked 'fallback' (js kernels only), yet compiled code ran: ${detail()}`);
  } else if (!compiled) {
    assert.ok(native === 0, `[${backend}] native code ran on a non-native backend: ${detail()}`);
  }
  return result;
}

function kernelDiff(before: st.testing.KernelCallCount, after: st.testing.KernelCallCount): string {
  const parts: string[] = [];
  for (const [k, t] of Object.entries(after.byKernel)) {
    const b = before.byKernel[k] ?? { native: 0, js: 0 };
    if (t.native !== b.native || t.js !== b.js) parts.push(`${k}: ${t.native - b.native} native / ${t.js - b.js} js`);
  }
  return parts.join(', ') || 'no kernels';
}

/**
 * Runs `body` once per backend, switching to it first and back to the default after, and checks on
 * the native backend that the code it claims ran (see NativeExpectation; default 'native').
 */
export function forEachBackend(body: (backend: string) => void, expect: NativeExpectation = 'native'): void {
  const before = st.getBackend();
  for (const b of backends()) {
    st.setBackend(b);
    try {
      expectExecuted(b, expect, () => body(b));
    } finally {
      st.setBackend(before);
    }
  }
}

type Numbers = ArrayLike<number> | st.Tensor | number;

function flat(v: Numbers): number[] {
  if (v instanceof st.Tensor) return Array.from(v.values);
  if (typeof v === 'number') return [v];
  return Array.from(v);
}

/** Asserts |actual − expected| ≤ atol + rtol·|expected| elementwise (NaN equals NaN). */
export function expectClose(actual: Numbers, expected: Numbers, atol = 1e-5, rtol = 1e-4, what = 'values'): void {
  const a = flat(actual);
  const e = flat(expected);
  assert.equal(a.length, e.length, `${what}: length ${a.length} differs from expected ${e.length}`);
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(e[i]) && Number.isNaN(a[i])) continue;
    if (e[i] === a[i]) continue;
    const tol = atol + rtol * Math.abs(e[i]);
    if (!(Math.abs(a[i] - e[i]) <= tol)) {
      assert.fail(`${what}: element ${i} is ${a[i]}, expected ${e[i]} (tolerance ${tol})`);
    }
  }
}

/** Asserts a tensor's shape. */
export function expectShape(t: st.Tensor, shape: number[]): void {
  assert.deepEqual(t.shape, shape, `shape ${JSON.stringify(t.shape)} differs from expected ${JSON.stringify(shape)}`);
}

/** Finite-difference check of every float input of f, in float64; fails the test on a mismatch. */
export function expectGradientsClose(f: (...xs: st.Tensor[]) => st.Tensor, inputs: st.TensorLike[], opts: st.testing.CheckGradientsOptions = {}): void {
  const report = st.testing.checkGradients(f, inputs, opts);
  assert.ok(report.ok && report.checked > 0, `gradient check compared ${report.checked} elements`);
}

/** Asserts that `f` throws an error of class `type` whose message contains every fragment. */
export function expectError(f: () => unknown, type: new (...args: never[]) => Error, ...fragments: (string | RegExp)[]): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof type, `expected ${type.name}, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    for (const f of fragments) {
      if (typeof f === 'string') assert.ok(e.message.includes(f), `message "${e.message}" lacks "${f}"`);
      else assert.match(e.message, f);
    }
    return true;
  });
}

/** Seeded normal tensor, for brevity in tests. */
export function rand(shape: number[], seed: number, dtype: 'float32' | 'float64' = 'float64'): st.Tensor {
  return st.randomNormal(shape, { seed, dtype });
}

/** Mulberry32: a small seeded generator of numbers in [0, 1), so fuzz and random cases are the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
