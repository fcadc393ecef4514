import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { loadAddon } from '../src/kernels/native/addon.js';
import { createNativeBackend } from '../src/kernels/native/index.js';
import { jsBackend } from '../src/kernels/js/index.js';
import { ShapeError } from '../src/errors.js';
import { Tensor } from '../src/tensor/tensor.js';
import { expectClose, expectError, onNativePath } from './helpers.js';

const load = loadAddon();
const addon = load.addon;
const skipReason = addon ? undefined : `native backend not built: ${load.reason}`;
const native = addon ? createNativeBackend(addon) : undefined;

/** Seeded int32 indices in [0, n) (with repeats) of the given shape. */
function indices(shape: number[], n: number, seed: number): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const v = new Int32Array(size);
  let s = seed;
  for (let i = 0; i < size; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    v[i] = s % n;
  }
  return new Tensor(v, shape);
}

/** Gathers with results under this many elements run in js (src/kernels/native/gather.ts). */
const GATHER_TINY = 256;
const X_SHAPES = [[257, 7], [33, 1, 9], [5000, 32], [7, 33, 5], [1, 300], [3, 7, 33], [65, 9, 3], [9, 41, 7]];
const INDEX_SHAPES = [[1], [7], [33, 2], [2, 3, 7], [257]];

test('native gather matches js exactly along every axis, indices of any rank', (t) => {
  if (skipReason) return t.skip(skipReason);
  let seed = 1, ran = 0;
  for (const xs of X_SHAPES) {
    const x = st.randomNormal(xs, { seed: seed++, dtype: 'float32' });
    for (let axis = 0; axis < xs.length; axis++) {
      for (const is of INDEX_SHAPES) {
        const idx = indices(is, xs[axis], seed++);
        const want = jsBackend.gather(x, idx, axis);
        // Results under 256 elements are the js fallback's (checked); the rest the addon's.
        const got = onNativePath(want.size >= GATHER_TINY, () => native!.gather(x, idx, axis), `gather x ${JSON.stringify(xs)} axis ${axis}`);
        if (want.size >= GATHER_TINY) ran++;
        assert.deepEqual(got.shape, want.shape, `x ${JSON.stringify(xs)} axis ${axis} indices ${JSON.stringify(is)}: shape`);
        assert.deepEqual(got.values, want.values, `x ${JSON.stringify(xs)} axis ${axis} indices ${JSON.stringify(is)}: values`);
      }
    }
  }
  // Counted: the cases that ran native code (each checked by onNativePath).
  assert.ok(ran >= 80, `only ${ran} of the cases ran the native gather`);
});

test('native unsortedSegmentSum matches js along every axis; out-of-range ids are dropped', (t) => {
  if (skipReason) return t.skip(skipReason);
  let seed = 100;
  for (const [shape, idRank, segments] of [
    [[257, 7], 1, 33], [[33, 2, 9], 2, 5], [[3200, 32], 1, 500], [[7, 33, 5], 1, 1], [[2, 3, 7, 33], 2, 300],
  ] as [number[], number, number][]) {
    const x = st.randomNormal(shape, { seed: seed++, dtype: 'float32' });
    for (let axis = 0; axis + idRank <= shape.length; axis++) {
      const ids = indices(shape.slice(axis, axis + idRank), segments + 2, seed++);
      ids.values[0] = -1;  // dropped, like ids ≥ segments
      const what = `x ${JSON.stringify(shape)} axis ${axis} ids ${JSON.stringify(ids.shape)} segments ${segments}`;
      const got = native!.unsortedSegmentSum(x, ids, segments, axis);
      const want = jsBackend.unsortedSegmentSum(x, ids, segments, axis);
      assert.deepEqual(got.shape, want.shape, `${what}: shape`);
      expectClose(got, want, 1e-6, 1e-6, what);
    }
  }
});

test('native gather hands out-of-range indices, float64 and int32 tables to js', (t) => {
  if (skipReason) return t.skip(skipReason);
  const x = st.randomNormal([40, 10], { seed: 200, dtype: 'float32' });
  const bad = indices([50], 40, 201);
  bad.values[17] = 40;
  assert.deepEqual(native!.gather(x, bad, 0).values, jsBackend.gather(x, bad, 0).values);
  const x64 = st.randomNormal([40, 10], { seed: 202, dtype: 'float64' });
  const idx = indices([50], 40, 203);
  const g64 = native!.gather(x64, idx, 0);
  assert.equal(g64.dtype, 'float64');
  assert.deepEqual(g64.values, jsBackend.gather(x64, idx, 0).values);
  const xi = new Tensor(Int32Array.from({ length: 400 }, (_, i) => i), [40, 10]);
  assert.deepEqual(native!.gather(xi, idx, 0).values, jsBackend.gather(xi, idx, 0).values);
  assert.equal(native!.unsortedSegmentSum(x64, idx, 40, 0).dtype, 'float64');
});

test('gather and unsortedSegmentSum report out-of-range indices on the native backend', (t) => {
  if (skipReason) return t.skip(skipReason);
  const before = st.getBackend();
  try {
    st.setBackend('native');
    const table = st.randomNormal([5000, 32], { seed: 300 });
    const ids = indices([32, 100], 5000, 301);
    ids.values[105] = 5000;
    expectError(() => st.gather(table, ids), ShapeError, 'indices[1, 5] = 5000', 'valid indices are 0 to 4999');
    const neg = indices([32, 100], 5000, 302);
    neg.values[0] = -3;
    expectError(() => st.gather(table, neg), ShapeError, 'indices[0, 0] = -3');
    expectError(() => st.unsortedSegmentSum(st.ones([3200, 2]), st.reshape(neg, [3200]), 5000), ShapeError, 'segmentIds[0] = -3');
  } finally {
    st.setBackend(before);
  }
});

test('an embedding layer trains the same on the native and js backends (gather forward, segment sum backward)', (t) => {
  if (skipReason) return t.skip(skipReason);
  const before = st.getBackend();
  const ids = indices([32, 100], 5000, 400);
  const results: Float32Array[] = [];
  try {
    for (const backend of ['native', 'js']) {
      st.setBackend(backend);
      const layer = st.layers.embedding({ inputDim: 5000, outputDim: 32, embeddingsInitializer: 'glorotUniform' });
      layer.build([null, 100]);
      layer.setWeights([st.randomNormal([5000, 32], { seed: 401, dtype: 'float32' })]);
      const w = layer.trainableWeights[0];
      const { grads } = st.valueAndGrads(() => st.sum(st.square(layer.apply(ids) as st.Tensor)), [w]);
      results.push(grads[0].values as Float32Array);
    }
  } finally {
    st.setBackend(before);
  }
  expectClose(results[0], results[1], 1e-5, 1e-5, 'embedding gradient');
});
