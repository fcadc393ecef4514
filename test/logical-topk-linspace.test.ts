import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError, expectGradientsClose, forEachBackend, rand } from './helpers.js';

const int = (v: number[], shape?: number[]) => st.tensor(v, shape, 'int32');

test('logicalAnd/Or/Xor/Not match TensorFlow.js on bool inputs, broadcast, and take any dtype', async () => {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const a = [1, 0, 1, 0, 1, 1], b = [1, 1, 0, 0];
  forEachBackend((backend) => {
    const sa = int(a, [3, 2]), sb = st.tensor([[1, 1]]).mul(int(b.slice(0, 2)));
    const ta = tf.tensor(a, [3, 2], 'bool'), tb = tf.tensor([[1, 1]], undefined, 'bool');
    const cases: [string, st.Tensor, import('@tensorflow/tfjs').Tensor][] = [
      ['and', st.logicalAnd(sa, sb), tf.logicalAnd(ta, tb)],
      ['or', st.logicalOr(sa, sb), tf.logicalOr(ta, tb)],
      ['xor', st.logicalXor(sa, sb), tf.logicalXor(ta, tb)],
      ['not', st.logicalNot(sa), tf.logicalNot(ta)],
    ];
    for (const [what, got, want] of cases) {
      assert.equal(got.dtype, 'int32', `${backend} ${what}: dtype`);
      assert.deepEqual(got.shape, want.shape, `${backend} ${what}: shape`);
      assert.deepEqual(Array.from(got.values), Array.from(want.dataSync()), `${backend} ${what}: values`);
    }
    // Nonzero floats (and NaN) are true, as a cast to bool would make them.
    assert.deepEqual(Array.from(st.logicalAnd(st.tensor([0.5, -2, 0, NaN]), [1, 1, 1, 1]).values), [1, 1, 0, 1]);
    assert.deepEqual(Array.from(st.logicalNot(st.tensor([0, -0, 3])).values), [1, 1, 0]);
    // The website-phishing example's false-positive count.
    const yTrue = st.tensor([0, 0, 1, 0]), yPred = st.tensor([1, 0, 1, 1]);
    assert.equal(st.logicalAnd(yTrue.equal(0), yPred.equal(1)).sum().item(), 2);
  }, 'fallback');
});

test('topk gives the k largest of each last-axis row and their indices as TensorFlow.js, ties in index order', async () => {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const v = [3, 1, 3, -2, 7, 0, 0, 5, -1, 2, 2, 2, 9, 4, 4, 8, 1, 1, 6, 0, -3, 2, 2, 5];
  forEachBackend((backend) => {
    for (const [shape, k] of [[[24], 5], [[4, 6], 3], [[2, 3, 4], 4], [[4, 6], 0], [[4, 6], 6]] as [number[], number][]) {
      const got = st.topk(st.tensor(v, shape), k);
      const want = tf.topk(tf.tensor(v, shape), k);
      const what = `${backend} topk(${JSON.stringify(shape)}, ${k})`;
      assert.deepEqual(got.values.shape, want.values.shape, `${what}: shape`);
      assert.deepEqual(Array.from(got.values.values), Array.from(want.values.dataSync()), `${what}: values`);
      assert.equal(got.indices.dtype, 'int32');
      assert.deepEqual(Array.from(got.indices.values), Array.from(want.indices.dataSync()), `${what}: indices`);
    }
    // int32 input keeps its dtype; default k is 1; the chained form, as in `probs.topk(5).indices`.
    const i = st.topk(int([4, 9, 2]));
    assert.equal(i.values.dtype, 'int32');
    assert.deepEqual([Array.from(i.values.values), Array.from(i.indices.values)], [[9], [1]]);
    assert.deepEqual(Array.from(st.tensor([[0.1, 0.7, 0.2]]).topk(2).indices.values), [1, 2]);
  }, 'fallback');
});

test('topk values carry gradients to the chosen entries only (finite differences)', () => {
  forEachBackend(() => {
    const x = rand([3, 5], 1);
    expectGradientsClose((a) => st.sum(st.square(st.topk(a, 2).values)), [x]);
    const w = st.variable(st.tensor([[1, 5, 3], [6, 2, 4]]));
    const { grads: [dw] } = st.valueAndGrads(() => st.sum(st.mul(st.topk(w, 2).values, [10, 1])), [w]);
    expectClose(dw, [0, 10, 1, 10, 0, 1]);
  }, 'fallback');
});

test('linspace matches TensorFlow.js bit for bit, including one value and a descending range', async () => {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  for (const [a, b, n] of [[-1, 1, 5], [0, 1, 7], [3, -2, 4], [-4, 4, 1], [0.1, 0.3, 11]]) {
    const got = st.linspace(a, b, n);
    assert.equal(got.dtype, 'float32');
    assert.deepEqual(Array.from(got.values), Array.from(tf.linspace(a, b, n).dataSync()), `linspace(${a}, ${b}, ${n})`);
  }
});

test('bad arguments name the function, the argument and the value', () => {
  expectError(() => st.topk(st.tensor([1, 2, 3]), 4), st.ConfigError, 'topk', 'k must be', 'last dimension 3', 'got 4');
  expectError(() => st.topk(st.tensor([1, 2, 3]), 1.5), st.ConfigError, 'topk', 'got 1.5');
  expectError(() => st.topk(st.scalar(1)), st.ShapeError, 'topk', 'scalar');
  expectError(() => st.linspace(0, 1, 0), st.ConfigError, 'linspace', 'num', 'got 0');
  expectError(() => st.linspace(0, '1' as unknown as number, 3), st.ConfigError, 'linspace', 'numbers');
});
