import assert from 'node:assert/strict';
import * as st from '../src/index.js';

/** Backends every test runs on (all registered ones). */
export function backends(): string[] {
  return st.listBackends();
}

/** Runs `body` once per backend, switching to it first and back to the default after. */
export function forEachBackend(body: (backend: string) => void): void {
  const before = st.getBackend();
  for (const b of backends()) {
    st.setBackend(b);
    try {
      body(b);
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
