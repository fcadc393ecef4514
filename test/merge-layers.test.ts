import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError, forEachBackend, rand } from './helpers.js';
import { expectConfigRoundTrip } from './layer-helpers.js';

const xv = Array.from({ length: 40 }, (_, i) => ((i * 7) % 17) - 8 + i * 0.01);
const out = (layer: st.layers.Layer, xs: st.Tensor[]): st.Tensor => layer.apply(xs) as st.Tensor;

/** Finite-difference check of a merge layer with respect to every input. */
function expectMergeGradientsClose(layer: st.layers.Layer, xs: st.Tensor[]): void {
  const report = st.testing.checkGradients((...inputs) => layer.apply(inputs) as st.Tensor, xs);
  assert.ok(report.ok && report.checked > 0, `${layer.describe()}: gradient check compared ${report.checked} elements`);
}

test('elementwise merges combine equal shapes', () => forEachBackend(() => {
  const a = st.tensor([1, -2, 3, 4], [2, 2]);
  const b = st.tensor([5, 6, -7, 1], [2, 2]);
  const c = st.tensor([0, 1, 2, 9], [2, 2]);
  expectClose(out(st.layers.add(), [a, b, c]), [6, 5, -2, 14]);
  expectClose(out(st.layers.subtract(), [a, b]), [-4, -8, 10, 3]);
  expectClose(out(st.layers.multiply(), [a, b, c]), [0, -12, -42, 36]);
  expectClose(out(st.layers.average(), [a, b, c]), [2, 5 / 3, -2 / 3, 14 / 3]);
  expectClose(out(st.layers.maximum(), [a, b, c]), [5, 6, 3, 9]);
  expectClose(out(st.layers.minimum(), [a, b, c]), [0, -2, -7, 1]);
  assert.deepEqual(st.layers.add().computeOutputShape([[null, 2], [null, 2], [null, 2]]), [null, 2]);
}, 'fallback'));

test('elementwise merges broadcast dims of 1 and expand lower-rank inputs after the batch, as Keras', () => {
  const a = st.tensor(xv.slice(0, 12), [2, 3, 2]);
  const b = st.tensor([10, 20, 30, 40], [2, 2]);
  const layer = st.layers.add();
  const y = out(layer, [a, b]);
  assert.deepEqual(y.shape, [2, 3, 2]);
  expectClose(y, st.add(a, st.reshape(b, [2, 1, 2])));
  assert.deepEqual(layer.computeOutputShape([[null, 3, 2], [null, 2]]), [null, 3, 2]);
  assert.deepEqual(st.layers.multiply().computeOutputShape([[null, 1, 4], [null, 5, 1]]), [null, 5, 4]);
  assert.deepEqual(st.layers.maximum().computeOutputShape([[4, null, 4], [null, 5, 4]]), [4, null, 4]);
  expectClose(out(st.layers.multiply(), [st.ones([2, 1, 3]), st.fill([2, 4, 1], 2)]), new Array(24).fill(2));
});

test('concatenate joins along the axis', () => forEachBackend(() => {
  const a = st.tensor(xv.slice(0, 6), [1, 2, 3]);
  const b = st.tensor(xv.slice(6, 10), [1, 2, 2]);
  const layer = st.layers.concatenate();
  const y = out(layer, [a, b]);
  assert.deepEqual(y.shape, [1, 2, 5]);
  expectClose(y, [...xv.slice(0, 3), ...xv.slice(6, 8), ...xv.slice(3, 6), ...xv.slice(8, 10)]);
  assert.deepEqual(layer.computeOutputShape([[null, 2, 3], [null, 2, 2]]), [null, 2, 5]);
  const c = st.tensor(xv.slice(10, 16), [1, 2, 3]);
  const y1 = out(st.layers.concatenate({ axis: 1 }), [a, c]);
  assert.deepEqual(y1.shape, [1, 4, 3]);
  expectClose(y1, [...xv.slice(0, 6), ...xv.slice(10, 16)]);
  assert.deepEqual(st.layers.concatenate({ axis: 1 }).computeOutputShape([[null, null, 3], [null, 2, 3]]), [null, null, 3]);
}, 'fallback'));

test('dot matches TensorFlow.js 4.22 (axes, negative axes, normalize, mixed ranks)', () => forEachBackend(() => {
  // Reference numbers printed by a scratch script running tf.layers.dot of @tensorflow/tfjs 4.22 on the same xv.
  const a = st.tensor(xv.slice(0, 12), [2, 2, 3]);
  const b = st.tensor(xv.slice(12, 24), [2, 2, 3]);
  const d = st.layers.dot({ axes: [2, 2] });
  const y = out(d, [a, b]);
  assert.deepEqual(y.shape, [2, 2, 2]);
  expectClose(y, [-32.165901, -10.475, -73.644196, 80.239395, 54.810101, -48.413601, -44.0928, 53.386204], 1e-4);
  assert.deepEqual(d.computeOutputShape([[null, 2, 3], [null, 2, 3]]), [null, 2, 2]);
  const n = out(st.layers.dot({ axes: [1, 1], normalize: true }), [a, b]);
  assert.deepEqual(n.shape, [2, 3, 3]);
  expectClose(n, [-0.541086, 0.250231, -0.119963, -0.753423, 0.921553, -0.964812, 0.949689, -1, 0.991179, 0.965152, -0.72854,
    0.045768, -0.810811, 0.990844, -0.805083, 0.575626, -0.892657, 0.954501], 1e-5);
  const v = out(st.layers.dot({ axes: -1 }), [st.tensor(xv.slice(0, 6), [2, 3]), st.tensor(xv.slice(6, 12), [2, 3])]);
  assert.deepEqual(v.shape, [2, 1]);
  expectClose(v, [-25.057699, -41.887802], 1e-4);
  const m = st.layers.dot({ axes: [1, 1] });
  const ym = out(m, [a, st.tensor(xv.slice(0, 4), [2, 2])]);
  assert.deepEqual(ym.shape, [2, 3]);
  expectClose(ym, [67.930298, 4.9104, -41.279499, -15.876101, 65.984398, -21.9851], 1e-4);
  assert.deepEqual(m.computeOutputShape([[null, 2, 3], [null, 2]]), [null, 3]);
}, 'fallback'));

test('merge gradients w.r.t. every input', () => {
  const a = rand([2, 3], 1), b = rand([2, 3], 2), c = rand([2, 3], 3);
  for (const layer of [st.layers.add(), st.layers.multiply(), st.layers.average(), st.layers.maximum(), st.layers.minimum()]) {
    expectMergeGradientsClose(layer, [a, b, c]);
  }
  expectMergeGradientsClose(st.layers.subtract(), [a, b]);
  expectMergeGradientsClose(st.layers.add(), [rand([2, 3, 2], 4), rand([2, 2], 5)]);
  expectMergeGradientsClose(st.layers.multiply(), [rand([2, 1, 3], 4), rand([2, 2, 1], 5)]);
  expectMergeGradientsClose(st.layers.concatenate(), [a, rand([2, 2], 6)]);
  expectMergeGradientsClose(st.layers.concatenate({ axis: 1 }), [rand([2, 1, 2], 7), rand([2, 3, 2], 8)]);
  expectMergeGradientsClose(st.layers.dot({ axes: -1 }), [a, b]);
  expectMergeGradientsClose(st.layers.dot({ axes: [2, 1] }), [rand([2, 3, 4], 9), rand([2, 4, 2], 10)]);
  expectMergeGradientsClose(st.layers.dot({ axes: [1, 2], normalize: true }), [rand([2, 3, 2], 11), rand([2, 2, 3], 12)]);
  expectMergeGradientsClose(st.layers.dot({ axes: 1 }), [rand([2, 3, 2], 13), rand([2, 3], 14)]);
});

test('merge masks: AND of the input masks; concatenate joins them', () => {
  const a = st.ones([2, 3, 2]), b = st.ones([2, 3, 2]);
  const m1 = st.tensor([[1, 1, 0], [1, 0, 0]]), m2 = st.tensor([[1, 0, 1], [1, 1, 0]]);
  expectClose(st.layers.add().computeMask([a, b], [m1, m2])!, [1, 0, 0, 1, 0, 0]);
  expectClose(st.layers.add().computeMask([a, b], [m1, null])!, m1);
  assert.equal(st.layers.add().computeMask([a, b], [null, null]), null);
  expectClose(st.layers.concatenate().computeMask([a, b], [m1, m2])!, [1, 0, 0, 1, 0, 0]);
  expectClose(st.layers.concatenate({ axis: 1 }).computeMask([a, b], [m1, null])!, [1, 1, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1]);
  assert.equal(st.layers.dot({ axes: -1 }).computeMask(), null);
});

test('merge configs round-trip and load TF.js / Keras files', () => {
  for (const layer of [st.layers.add(), st.layers.subtract(), st.layers.multiply(), st.layers.average(), st.layers.maximum(),
    st.layers.minimum(), st.layers.concatenate({ axis: 1 }), st.layers.dot({ axes: [1, 2], normalize: true }), st.layers.dot({ axes: -1 })]) {
    expectConfigRoundTrip(layer);
  }
  const c = st.layers.deserialize({ class_name: 'Concatenate', config: { name: 'concatenate_1', trainable: true, dtype: 'float32', axis: -1 } });
  assert.equal((c as st.layers.Concatenate).axis, -1);
  const d = st.layers.deserialize({ class_name: 'Dot', config: { name: 'dot_1', axes: [2, 2], normalize: false } }) as st.layers.Dot;
  assert.deepEqual([d.axes, d.normalize], [[2, 2], false]);
  assert.equal(st.layers.deserialize({ class_name: 'Add', config: { name: 'add_7', trainable: true } }).name, 'add_7');
});

test('merge errors name the layer and the shapes that disagree', () => {
  expectError(() => st.layers.add({ name: 'sum' }).apply([st.zeros([2, 3]), st.zeros([2, 4])]), st.ShapeError,
    "Add 'sum': inputs must have the same shape apart from the batch", 'got [null, 3], [null, 4]');
  expectError(() => st.layers.add({ name: 'one' }).apply(st.zeros([2, 3])), st.ShapeError,
    "Add 'one': expects a list of at least 2 inputs, e.g. layer.apply([a, b]); got a single input of shape [null, 3]");
  expectError(() => st.layers.add().apply([st.zeros([2, 3])]), st.ShapeError, 'expects at least 2 inputs, got 1');
  expectError(() => st.layers.subtract().apply([st.zeros([2, 3]), st.zeros([2, 3]), st.zeros([2, 3])]), st.ShapeError,
    'expects exactly 2 inputs, got 3');
  expectError(() => st.layers.multiply().computeOutputShape([[4, 3], [5, 3]]), st.ShapeError, 'different batch sizes: [4, 3], [5, 3]');
  expectError(() => st.layers.concatenate({ name: 'cat' }).apply([st.zeros([2, 3, 4]), st.zeros([2, 5, 6])]), st.ShapeError,
    "Concatenate 'cat': inputs must have the same shape except on axis -1, got [null, 3, 4], [null, 5, 6] — they differ in dimension 1");
  expectError(() => st.layers.concatenate().apply([st.zeros([2, 3, 4]), st.zeros([2, 3])]), st.ShapeError, 'inputs must have the same rank');
  expectError(() => st.layers.concatenate({ axis: 1.5 }), st.ConfigError, 'axis must be an integer');
  expectError(() => st.layers.dot({ axes: -1, name: 'dp' }).apply([st.zeros([2, 3]), st.zeros([2, 4])]), st.ShapeError,
    "Dot 'dp': the summed axes differ in size: axis 1 of [null, 3] is 3, axis 1 of [null, 4] is 4");
  expectError(() => st.layers.dot({ axes: 0 }).apply([st.zeros([2, 3]), st.zeros([2, 3])]), st.ShapeError, 'must name non-batch axes');
  expectError(() => st.layers.dot({ axes: [1, 2, 3] as never }), st.ConfigError, 'axes must be an integer or a pair of integers');
});
