import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError, expectGradientsClose, expectShape, forEachBackend, rand } from './helpers.js';

const M = [[1, 5, 3], [7, 2, -4]];
const AXES: (number | number[] | undefined)[] = [undefined, 0, 1, 2, -1, -3, [0, 2], [-1, 1], [0, 1, 2]];

test('sum, mean, max, min, prod: forward values over each axis', () => {
  forEachBackend(() => {
    const x = st.tensor(M);
    expectClose(st.sum(x), 14);
    expectClose(st.sum(x, 0), [8, 7, -1]);
    expectClose(st.mean(x), 14 / 6);
    expectClose(st.mean(x, 0), [4, 3.5, -0.5]);
    expectClose(st.mean(x, -1), [3, 5 / 3]);
    expectClose(st.max(x), 7);
    expectClose(st.max(x, 0), [7, 5, 3]);
    expectClose(st.max(x, 1), [5, 7]);
    expectClose(st.min(x), -4);
    expectClose(st.min(x, -1), [1, -4]);
    expectClose(st.min(x, [0, 1]), -4);
    expectClose(st.prod(x), 1 * 5 * 3 * 7 * 2 * -4);
    expectClose(st.prod(x, 0), [7, 10, -12]);
    expectClose(st.prod(x, 1), [15, -56]);
  }, 'fallback');
});

test('reductions keep reduced axes as 1s with keepDims', () => {
  forEachBackend(() => {
    const x = rand([2, 3, 4], 1);
    for (const f of [st.sum, st.mean, st.max, st.min, st.prod, st.logSumExp]) {
      expectShape(f(x, 1, true), [2, 1, 4]);
      expectShape(f(x, [0, 2], true), [1, 3, 1]);
      expectShape(f(x, undefined, true), [1, 1, 1]);
      expectShape(f(x, [0, 2]), [3]);
      expectShape(f(x), []);
    }
    expectClose(st.mean(st.tensor(M), 1, true), [3, 5 / 3]);
    expectShape(st.mean(st.tensor(M), 1, true), [2, 1]);
  }, 'fallback');
});

test('mean of int32 is float32 (as TensorFlow.js); max/min/prod keep int32', () => {
  forEachBackend(() => {
    const x = st.tensor([1, 5, 7, 2], undefined, 'int32');
    const m = st.mean(x);
    assert.equal(m.dtype, 'float32');
    expectClose(m, 3.75);
    assert.equal(st.max(x).dtype, 'int32');
    expectClose(st.prod(x), 70);
    assert.equal(st.moments(x).variance.dtype, 'float32');
  }, 'fallback');
});

test('argMax and argMin: default axis 0, negative axes, first index on ties, int32', () => {
  forEachBackend(() => {
    const x = st.tensor([[1, 9, 3], [7, 2, 3]]);
    const a0 = st.argMax(x);
    assert.equal(a0.dtype, 'int32');
    expectClose(a0, [1, 0, 0]);
    expectClose(st.argMax(x, 1), [1, 0]);
    expectClose(st.argMax(x, -1), [1, 0]);
    expectClose(st.argMin(x), [0, 1, 0]);
    expectClose(st.argMin(x, 1), [0, 1]);
    expectClose(st.argMax(st.tensor([2, 5, 5, 1])), 1);
    expectClose(st.argMin(st.tensor([4, 1, 1, 3])), 1);
    const y = rand([2, 3, 4], 3);
    expectShape(st.argMax(y, 1), [2, 4]);
    // argMax has no gradient: a loss through it gives zeros, not an error.
    const [g] = st.grads(() => st.mul(st.cast(st.argMax(y, 1), 'float64'), 1), [y]);
    expectClose(g, new Array(24).fill(0));
  }, 'fallback');
});

test('sum, mean, max, min, prod gradients for every axis and keepDims', () => {
  forEachBackend(() => {
    const x = rand([2, 3, 4], 5);
    // prod: values kept away from 0 so its gradient y/x is well scaled.
    const xp = st.tensor(Array.from(x.values, (v) => Math.sign(v) * (0.5 + 0.25 * Math.abs(v))), x.shape, 'float64');
    for (const axis of AXES) {
      for (const keep of [false, true]) {
        expectGradientsClose((a) => st.sum(a, axis, keep), [x]);
        expectGradientsClose((a) => st.mean(a, axis, keep), [x]);
        expectGradientsClose((a) => st.max(a, axis, keep), [x]);
        expectGradientsClose((a) => st.min(a, axis, keep), [x]);
        expectGradientsClose((a) => st.prod(a, axis, keep), [xp]);
      }
    }
  }, 'fallback');
});

test('max and min gradients go to every tied element, as TensorFlow.js', () => {
  forEachBackend(() => {
    const x = st.tensor([[1, 3, 3], [2, 0, 2]]);
    expectClose(st.grads(() => st.max(x, 1), [x])[0], [0, 1, 1, 1, 0, 1]);
    expectClose(st.grads(() => st.min(x, 0), [x])[0], [1, 0, 0, 0, 1, 1]);
    expectClose(st.grads(() => st.max(x), [x])[0], [0, 1, 1, 0, 0, 0]);
  }, 'fallback');
});

test('prod gradient is exact where x holds zeros', () => {
  forEachBackend(() => {
    const x = st.tensor([[2, 0, 3], [0, 0, 1], [1, 2, 4]], undefined, 'float64');
    expectClose(st.grads(() => st.prod(x, 1), [x])[0], [0, 6, 0, 0, 0, 0, 8, 4, 2]);
    expectClose(st.grads(() => st.prod(x, 0), [x])[0], [0, 0, 4, 2, 0, 12, 0, 0, 3]);
    expectGradientsClose((a) => st.prod(a, 1), [x]);
    expectGradientsClose((a) => st.prod(a, 0, true), [x]);
    expectGradientsClose((a) => st.prod(a), [st.tensor([1.5, 0, -2])]);
  }, 'fallback');
});

test('prod gradient is differentiable (second derivative)', () => {
  const x = st.tensor([2, 3, 5], undefined, 'float64');
  // d²(xyz)/dx dy = z etc.: the row sums of the Hessian of prod are the sums of pairwise products.
  const [h] = st.grads(() => st.grads(() => st.prod(x), [x])[0], [x]);
  expectClose(h, [3 + 5, 2 + 5, 2 + 3]);
});

test('logSumExp: values, stability, and gradient = softmax', () => {
  forEachBackend(() => {
    const x = st.tensor([[1, 2, 3], [0, 0, 0]], undefined, 'float64');
    expectClose(st.logSumExp(x, 1), [Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)), Math.log(3)], 1e-9);
    expectClose(st.logSumExp(st.tensor([1000, 1000])), 1000 + Math.log(2));
    expectClose(st.logSumExp(st.tensor([-1000, -1000])), -1000 + Math.log(2));
    expectClose(st.logSumExp(st.tensor([-Infinity, -Infinity])), -Infinity);
    const e = [1, 2, 3].map(Math.exp);
    const z = e[0] + e[1] + e[2];
    expectClose(st.grads(() => st.logSumExp(x, 1), [x])[0], [...e.map((v) => v / z), 1 / 3, 1 / 3, 1 / 3], 1e-9);
    const y = rand([2, 3, 4], 8);
    for (const axis of AXES) {
      for (const keep of [false, true]) expectGradientsClose((a) => st.logSumExp(a, axis, keep), [y]);
    }
  }, 'fallback');
});

test('moments: mean and population variance, with gradients', () => {
  forEachBackend(() => {
    const x = st.tensor([[1, 2, 3, 6], [4, 4, 4, 4]]);
    const all = st.moments(x);
    expectClose(all.mean, 3.5);
    expectClose(all.variance, (6.25 + 2.25 + 0.25 + 6.25 + 4 * 0.25) / 8);
    const rows = st.moments(x, 1);
    expectClose(rows.mean, [3, 4]);
    expectClose(rows.variance, [(4 + 1 + 0 + 9) / 4, 0]);
    const kept = st.moments(x, -1, true);
    expectShape(kept.mean, [2, 1]);
    expectShape(kept.variance, [2, 1]);
    const y = rand([2, 3, 4], 11);
    for (const axes of [undefined, 0, -1, [0, 1, 2], [0, 2]]) {
      for (const keep of [false, true]) {
        expectShape(st.moments(y, axes, keep).mean, st.mean(y, axes, keep).shape);
        expectGradientsClose((a) => st.moments(a, axes, keep).mean, [y]);
        expectGradientsClose((a) => st.moments(a, axes, keep).variance, [y]);
      }
    }
  }, 'fallback');
});

test('reductions reject bad axes naming the op and the rank', () => {
  forEachBackend(() => {
    const x = st.tensor(M);
    expectError(() => st.sum(x, 2), st.ShapeError, 'sum: axis 2 is out of range for a tensor of rank 2');
    expectError(() => st.mean(x, -3), st.ShapeError, 'mean:', 'rank 2');
    expectError(() => st.max(x, [0, 5]), st.ShapeError, 'max:', 'axis 5');
    expectError(() => st.min(x, [1, -1]), st.ShapeError, 'min:', 'listed twice');
    expectError(() => st.prod(x, 0.5), st.ShapeError, 'prod:');
    expectError(() => st.logSumExp(x, 7), st.ShapeError, 'logSumExp:', 'rank 2');
    expectError(() => st.argMax(x, 2), st.ShapeError, 'argMax: axis 2', 'rank 2');
    expectError(() => st.argMin(x, -3), st.ShapeError, 'argMin:');
    expectError(() => st.argMax(st.zeros([2, 0]), 1), st.ShapeError, 'argMax:', 'empty');
    expectError(() => st.moments(x, [3]), st.ShapeError, 'moments:', 'rank 2');
  }, 'fallback');
});
