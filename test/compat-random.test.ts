import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectError } from './helpers.js';

function stats(v: ArrayLike<number>): { mean: number; std: number; min: number; max: number } {
  let s = 0, s2 = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < v.length; i++) {
    s += v[i]; s2 += v[i] * v[i];
    min = Math.min(min, v[i]); max = Math.max(max, v[i]);
  }
  const mean = s / v.length;
  return { mean, std: Math.sqrt(s2 / v.length - mean * mean), min, max };
}

// Before the fix, the positional arguments were read as an (empty) options object: mean 0, stddev 1, float32.
test('randomNormal takes TF.js positional (shape, mean, stddev, dtype, seed)', () => {
  const t = st.randomNormal([20000], 5, 2, 'float32', 11);
  const s = stats(t.dataSync());
  assert.ok(Math.abs(s.mean - 5) < 0.05, `mean ${s.mean}`);
  assert.ok(Math.abs(s.std - 2) < 0.05, `std ${s.std}`);
  // Same seed → same values as the options-object form.
  assert.deepEqual(Array.from(st.randomNormal([8], 1, 3, undefined, 42).dataSync()),
    Array.from(st.randomNormal([8], { mean: 1, stddev: 3, seed: 42 }).dataSync()));
  assert.deepEqual(Array.from(st.randomNormal([5], 0, 1, 'float32', 3).dataSync()),
    Array.from(st.randomNormal([5], 0, 1, 'float32', 3).dataSync()));
  assert.equal(st.randomNormal([2], 0, 1, 'float64', 1).dtype, 'float64');
});

test('randomNormal int32 rounds the samples to integers, as TF.js 4.22 does', async () => {
  const f = st.randomNormal([2000], 0.5, 3, 'float64', 9).dataSync();
  const i = st.randomNormal([2000], 0.5, 3, 'int32', 9);
  assert.equal(i.dtype, 'int32');
  assert.deepEqual(Array.from(i.dataSync()), Array.from(f, (x) => Math.round(x) + 0));
  // TF.js control: its int32 normal samples are integers too (not refused).
  const tf = await import('@tensorflow/tfjs');
  const r = tf.randomNormal([50], 0, 3, 'int32', 1);
  assert.equal(r.dtype, 'int32');
  assert.ok(Array.from(r.dataSync()).some((x) => x !== 0));
});

test('truncatedNormal takes positional arguments and stays within two stddevs', () => {
  const s = stats(st.truncatedNormal([20000], -3, 0.5, 'float32', 5).dataSync());
  assert.ok(s.min >= -4 - 1e-6 && s.max <= -2 + 1e-6, `range [${s.min}, ${s.max}]`);
  assert.ok(Math.abs(s.mean + 3) < 0.02, `mean ${s.mean}`);
  // Truncated at 2σ the stddev is 0.88σ.
  assert.ok(Math.abs(s.std - 0.44) < 0.02, `std ${s.std}`);
  assert.deepEqual(Array.from(st.truncatedNormal([6], 0, 2, undefined, 4).dataSync()),
    Array.from(st.truncatedNormal([6], { stddev: 2, seed: 4 }).dataSync()));
});

test('randomUniform(shape, 0, 10, "int32") draws integers in [0, 10)', () => {
  const t = st.randomUniform([5000], 0, 10, 'int32', 1);
  assert.equal(t.dtype, 'int32');
  const counts = new Array(10).fill(0);
  for (const v of t.dataSync()) {
    assert.ok(Number.isInteger(v) && v >= 0 && v < 10, `value ${v}`);
    counts[v]++;
  }
  for (const c of counts) assert.ok(c > 400 && c < 600, `counts ${counts}`);
  const f = stats(st.randomUniform([10000], -2, 4, undefined, 2).dataSync());
  assert.ok(f.min >= -2 && f.max < 4 && Math.abs(f.mean - 1) < 0.06, JSON.stringify(f));
  assert.deepEqual(Array.from(st.randomUniform([4], -1, 1, 'float32', 8).dataSync()),
    Array.from(st.randomUniform([4], { minval: -1, maxval: 1, seed: 8 }).dataSync()));
});

test('random ops refuse mixed or mistyped arguments', () => {
  expectError(() => st.randomNormal([2], { mean: 1 }, 2), st.ConfigError, 'options object and further positional');
  expectError(() => st.randomUniform([2], '0' as unknown as number), st.ConfigError, 'minval must be a number');
  expectError(() => st.randomUniform([2], 1, 1), st.ConfigError, 'maxval (1) must be greater than minval (1)');
  expectError(() => st.truncatedNormal([2], 0, 1, 7 as unknown as 'float32'), st.ConfigError, 'dtype (4th argument)');
});

test('initializers (options form internally) are unchanged by the positional form', () => {
  const a = st.initializers.randomNormal({ mean: 2, stddev: 0.5, seed: 3 }).apply([4]);
  assert.deepEqual(Array.from(a.dataSync()), Array.from(st.randomNormal([4], 2, 0.5, 'float32', 3).dataSync()));
});
