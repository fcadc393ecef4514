import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError, expectShape } from './helpers.js';

test('tensor infers shape and dtype from nested arrays and typed arrays', () => {
  const t = st.tensor([[1, 2, 3], [4, 5, 6]]);
  expectShape(t, [2, 3]);
  assert.equal(t.dtype, 'float32');
  assert.equal(t.size, 6);
  assert.deepEqual(t.arraySync(), [[1, 2, 3], [4, 5, 6]]);
  const i = st.tensor(new Int32Array([1, 2, 3, 4]), [2, 2]);
  assert.equal(i.dtype, 'int32');
  assert.deepEqual(st.tensor([1, 2], undefined, 'int32').dtype, 'int32');
  assert.equal(st.scalar(3).arraySync(), 3);
  expectShape(st.scalar(3), []);
});

test('dataSync returns a copy, so tensors stay immutable', () => {
  const t = st.tensor([1, 2, 3]);
  const d = t.dataSync();
  d[0] = 99;
  assert.equal(t.dataSync()[0], 1);
});

test('creation functions', () => {
  assert.deepEqual(Array.from(st.zeros([2, 2]).dataSync()), [0, 0, 0, 0]);
  assert.deepEqual(Array.from(st.ones([3]).dataSync()), [1, 1, 1]);
  assert.deepEqual(Array.from(st.fill([2], 7, 'int32').dataSync()), [7, 7]);
  assert.deepEqual(Array.from(st.range(0, 5).dataSync()), [0, 1, 2, 3, 4]);
  assert.deepEqual(Array.from(st.range(5, 0, -2).dataSync()), [5, 3, 1]);
  assert.deepEqual(st.eye(2, 3).arraySync(), [[1, 0, 0], [0, 1, 0]]);
  const x = st.tensor([[1, 2]], undefined, 'int32');
  assert.equal(st.zerosLike(x).dtype, 'int32');
  assert.deepEqual(Array.from(st.onesLike(x).dataSync()), [1, 1]);
});

test('seeded random tensors are identical across calls and have the right moments', () => {
  const a = st.randomNormal([1000], { seed: 42 });
  const b = st.randomNormal([1000], { seed: 42 });
  assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
  const v = Array.from(a.dataSync());
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  const variance = v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length;
  assert.ok(Math.abs(mean) < 0.1 && Math.abs(variance - 1) < 0.15, `mean ${mean}, variance ${variance}`);
  const u = st.randomUniform([1000], { minval: -2, maxval: 3, seed: 1 }).dataSync();
  assert.ok(u.every((x) => x >= -2 && x < 3));
  const t = st.truncatedNormal([1000], { stddev: 0.5, seed: 3 }).dataSync();
  assert.ok(t.every((x) => Math.abs(x) <= 1));
  const ints = st.randomUniform([100], { minval: 0, maxval: 10, dtype: 'int32', seed: 2 }).dataSync();
  assert.ok(ints.every((x) => Number.isInteger(x) && x >= 0 && x < 10));
  assert.notDeepEqual(Array.from(st.randomNormal([5], { seed: 1 }).dataSync()), Array.from(st.randomNormal([5], { seed: 2 }).dataSync()));
});

test('seeded random values are pinned, so they match on every machine', () => {
  // Pinned from the generator itself: a change to the stream breaks saved experiments.
  expectClose(st.randomUniform([3], { seed: 123, dtype: 'float64' }), PINNED_UNIFORM, 1e-15, 0);
});
const PINNED_UNIFORM = [0.732650596243165, 0.5029474901224547, 0.98126008511271];

test('setSeed makes unseeded random ops repeatable', () => {
  st.setSeed(5);
  const a = st.randomNormal([4]).dataSync();
  st.setSeed(5);
  const b = st.randomNormal([4]).dataSync();
  assert.deepEqual(Array.from(a), Array.from(b));
});

test('toString prints like NumPy', () => {
  assert.equal(st.tensor([[1, 2], [3, 4]], undefined, 'int32').toString(), '[[1, 2],\n [3, 4]]');
  assert.equal(st.tensor([1.5, -2, 3]).toString(), '[1.5, -2.,  3.]');
  assert.equal(st.scalar(2.5).toString(), '2.5');
  const big = st.range(0, 2000, 1, 'int32').toString();
  assert.equal(big, '[   0,    1,    2, ..., 1997, 1998, 1999]');
  assert.equal(st.zeros([2, 1, 2], 'int32').toString(), '[[[0, 0]],\n\n [[0, 0]]]');
});

test('bad tensor input gets clear errors', () => {
  expectError(() => st.tensor([1, 2, 3], [2, 2]), st.ShapeError, 'shape [2, 2] holds 4 values, but 3 were given');
  expectError(() => st.tensor([[1, 2], [3]]), st.ShapeError, 'ragged');
  expectError(() => st.zeros([2, -1]), st.ShapeError, 'non-negative integers');
  expectError(() => st.tensor([1], undefined, 'float16' as never), st.DTypeError, "unknown dtype 'float16'");
});
