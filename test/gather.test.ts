import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError, expectGradientsClose, expectShape, forEachBackend, rand } from './helpers.js';

const int = (v: st.TensorLike, shape?: number[]): st.Tensor => st.tensor(v, shape, 'int32');

test('gather: axis 0 and 1, repeated, 2-D and scalar indices, negative axis', () => {
  forEachBackend(() => {
    const x = st.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expectClose(st.gather(x, int([2, 0, 2])), [7, 8, 9, 1, 2, 3, 7, 8, 9]);
    expectShape(st.gather(x, int([2, 0, 2])), [3, 3]);
    expectClose(st.gather(x, int([1, 1]), 1), [2, 2, 5, 5, 8, 8]);
    expectClose(st.gather(x, int([2]), -1), [3, 6, 9]);
    const g = st.gather(x, int([[0, 1], [2, 2]]));
    expectShape(g, [2, 2, 3]);
    expectClose(g, [1, 2, 3, 4, 5, 6, 7, 8, 9, 7, 8, 9]);
    const h = st.gather(x, int([[2, 0]]), 1);
    expectShape(h, [3, 1, 2]);
    expectClose(h, [3, 1, 6, 4, 9, 7]);
    const s = st.gather(x, st.scalar(1, 'int32'));
    expectShape(s, [3]);
    expectClose(s, [4, 5, 6]);
    // Plain arrays are read as int32 indices, as TensorFlow.js.
    expectClose(st.gather(x, [1]), [4, 5, 6]);
    const i = st.gather(int([5, 6, 7]), int([2, 0]));
    assert.equal(i.dtype, 'int32');
    expectClose(i, [7, 5]);
  }, 'fallback');
});

test('gather gradient scatter-adds, repeated indices accumulate', () => {
  forEachBackend(() => {
    const x = st.tensor([[1, 2], [3, 4], [5, 6]]);
    expectClose(st.grads(() => st.gather(x, int([2, 0, 2])), [x])[0], [1, 1, 0, 0, 2, 2]);
    expectClose(st.grads(() => st.gather(x, int([1, 1, 1]), 1), [x])[0], [0, 3, 0, 3, 0, 3]);
    const y = rand([4, 3, 2], 1);
    expectGradientsClose((a, i) => st.gather(a, i), [y, int([3, 0, 3, 1, 3])]);
    expectGradientsClose((a, i) => st.gather(a, i, 1), [y, int([2, 2, 0])]);
    expectGradientsClose((a, i) => st.gather(a, i), [y, int([[1, 1], [0, 3], [2, 1]])]);
    expectGradientsClose((a, i) => st.gather(a, i, -1), [y, int([[1, 1, 0], [0, 0, 1]])]);
    expectGradientsClose((a, i) => st.gather(a, i, 1), [y, st.scalar(2, 'int32')]);
    // Second order: gather's gradient (a scatter-add) is differentiable too.
    const w = st.tensor([[1, 2], [3, 4]], undefined, 'float64');
    // d/dw sum(gather(w)²) = 2·count·w, whose derivative summed is 2·count per element.
    const idx = int([1, 1, 0]);
    const [d2] = st.grads(() => st.grads(() => { const g = st.gather(w, idx); return st.mul(g, g); }, [w])[0], [w]);
    expectClose(d2, [2, 2, 4, 4]);
  }, 'fallback');
});

test('gather rejects float indices, bad axes and out-of-range indices naming the index', () => {
  const x = st.zeros([5, 2]);
  expectError(() => st.gather(x, st.tensor([0, 1])), st.DTypeError,
    "gather: indices must be int32, got float32 — cast them with st.cast(indices, 'int32')");
  expectError(() => st.gather(x, int([[0, 1], [7, 2]])), st.ShapeError,
    'gather: indices[1, 0] = 7 is out of range for axis 0 of x, which has size 5 (x is [5, 2])', '0 to 4');
  expectError(() => st.gather(x, int([-1])), st.ShapeError, 'indices[0] = -1');
  expectError(() => st.gather(x, int([0]), 2), st.ShapeError, 'gather: axis 2', 'rank 2');
  expectError(() => st.gather(x, int([2]), 1), st.ShapeError, 'indices[0] = 2', 'axis 1');
});

test('unsortedSegmentSum: forward, gradient, errors', () => {
  forEachBackend(() => {
    expectClose(st.unsortedSegmentSum(st.tensor([1, 2, 3]), int([1, 0, 1]), 2), [2, 4]);
    const x = st.tensor([[1, 2], [3, 4], [5, 6]]);
    const s = st.unsortedSegmentSum(x, int([2, 0, 2]), 4);
    expectShape(s, [4, 2]);
    expectClose(s, [3, 4, 0, 0, 6, 8, 0, 0]);
    expectGradientsClose((a, i) => st.unsortedSegmentSum(a, i, 3), [rand([4, 3], 2), int([2, 0, 2, 1])]);
    expectGradientsClose((a, i) => st.unsortedSegmentSum(a, i, 2), [rand([2, 2, 3], 3), int([[1, 0], [1, 1]])]);
    expectError(() => st.unsortedSegmentSum(x, int([0, 1]), 2), st.ShapeError, 'segmentIds has shape [2]', '[3, 2]');
    expectError(() => st.unsortedSegmentSum(x, int([0, 1, 5]), 2), st.ShapeError, 'segmentIds[2] = 5');
  }, 'fallback');
});

test('oneHot: float32 rows, custom values, out-of-range rows all off, errors', () => {
  forEachBackend(() => {
    const o = st.oneHot(int([0, 2]), 3);
    assert.equal(o.dtype, 'float32');
    expectShape(o, [2, 3]);
    expectClose(o, [1, 0, 0, 0, 0, 1]);
    const p = st.oneHot(int([[1], [-1]]), 2, 5, -1);
    expectShape(p, [2, 1, 2]);
    expectClose(p, [-1, 5, -1, -1]);
    expectClose(st.oneHot([2, 1], 2), [0, 0, 0, 1]);
  }, 'fallback');
  expectError(() => st.oneHot(st.tensor([0, 1]), 2), st.DTypeError,
    "oneHot: indices must be int32, got float32 — cast them with st.cast(indices, 'int32')");
  expectError(() => st.oneHot(int([0]), 0), st.ConfigError, 'oneHot: depth must be a positive integer');
});

test('where: broadcasting forward and gradients to each branch', () => {
  forEachBackend(() => {
    const c = int([1, 0, 1]);
    expectClose(st.where(c, st.tensor([1, 2, 3]), st.tensor([10, 20, 30])), [1, 20, 3]);
    expectClose(st.where(c, st.tensor([[1], [2]]), 0), [1, 0, 1, 2, 0, 2]);
    expectClose(st.where(int([0, 1]), 7, st.tensor([1, 2])), [1, 7]);
    expectClose(st.where([true, false], 1, 2), [1, 2]);
    const a = st.tensor([1, 2, 3]);
    const b = st.tensor([10, 20, 30]);
    const [da, db] = st.grads(() => st.where(c, a, b), [a, b]);
    expectClose(da, [1, 0, 1]);
    expectClose(db, [0, 1, 0]);
    const cond = int([[[1, 0, 0]], [[0, 1, 1]]]);          // [2, 1, 3]
    expectGradientsClose((p, q) => st.where(cond, p, q), [rand([4, 1], 4), rand([2, 4, 3], 5)]);
    expectGradientsClose((p, q) => st.where(cond, p, q), [rand([3], 6), rand([1], 7)]);
    expectError(() => st.where(c, st.zeros([2]), 0), st.ShapeError, 'where: shapes [3] and [2] cannot broadcast');
  }, 'fallback');
});

test('cast: truncation toward zero, gradient between floats only', () => {
  forEachBackend(() => {
    const x = st.tensor([1.7, -1.7, 2.5]);
    const i = st.cast(x, 'int32');
    assert.equal(i.dtype, 'int32');
    expectClose(i, [1, -1, 2]);
    expectClose(st.cast(i, 'float32'), [1, -1, 2]);
    assert.equal(st.cast(x, 'float32'), x);
    const [g] = st.grads(() => st.mul(st.cast(x, 'float64'), 3), [x]);
    assert.equal(g.dtype, 'float32');
    expectClose(g, [3, 3, 3]);
    expectGradientsClose((a) => st.mul(st.cast(st.cast(a, 'float32'), 'float64'), 2), [st.tensor([0.5, -0.25, 1])], { eps: 1e-2, atol: 1e-3 });
    const [z] = st.grads(() => st.cast(st.cast(x, 'int32'), 'float32'), [x]);
    expectClose(z, [0, 0, 0]);
    expectError(() => st.cast(x, 'bool' as st.DType), st.DTypeError, "cast: unknown dtype 'bool'");
  }, 'fallback');
});
