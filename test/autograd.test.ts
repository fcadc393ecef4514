import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError, expectGradientsClose, rand } from './helpers.js';
import { runOp } from '../src/ops/engine.js';

test('valueAndGrads differentiates plain tensors and variables alike', () => {
  const x = st.tensor([1, 2, 3]);
  const w = st.variable(st.tensor([0.5, -1, 2]));
  const { value, grads: [dx, dw] } = st.valueAndGrads(() => st.mul(st.mul(x, w), x), [x, w]);
  expectClose(value, [0.5, -4, 18]);
  expectClose(dx, [1, -4, 12]); // d(w·x²)/dx = 2wx
  expectClose(dw, [1, 4, 9]);
});

test('a tensor that does not reach the result gets a zero gradient', () => {
  const x = st.tensor([1, 2]);
  const unused = st.tensor([[1, 2, 3]]);
  const [, du] = st.grads(() => st.mul(x, x), [x, unused]);
  expectClose(du, [0, 0, 0]);
  assert.deepEqual(du.shape, [1, 3]);
});

test('gradients accumulate over every use of a tensor', () => {
  const x = st.tensor([3]);
  const [dx] = st.grads(() => st.add(st.mul(x, x), st.mul(x, 2)), [x]);
  expectClose(dx, [8]);
});

test('noGrad stops recording, and valueAndGrads inside noGrad still works', () => {
  const x = st.tensor([2]);
  const [dx] = st.grads(() => st.add(st.noGrad(() => st.mul(x, x)), x), [x]);
  expectClose(dx, [1]);
  const [dy] = st.noGrad(() => st.grads(() => st.mul(x, x), [x]));
  expectClose(dy, [4]);
});

test('nested valueAndGrads gives second derivatives', () => {
  const x = st.tensor([3], undefined, 'float64');
  const [d2] = st.grads(() => st.grads(() => st.mul(st.mul(x, x), x), [x])[0], [x]);
  expectClose(d2, [18]); // d²(x³)/dx² = 6x
});

test('variables are mutable through assign only, with checks', () => {
  const v = st.variable(st.zeros([2]), { name: 'v' });
  v.assign(st.tensor([1, 2]));
  expectClose(v, [1, 2]);
  expectError(() => v.assign(st.tensor([1, 2, 3])), st.ShapeError, "Variable 'v'", 'expected shape [2], got [3]');
  expectError(() => v.assign(st.tensor([1, 2], undefined, 'int32')), st.DTypeError, 'expected dtype float32, got int32');
  assert.equal(st.variable(st.ones([1]), { trainable: false }).trainable, false);
});

test('broadcasting follows NumPy rules, with gradients summed back to each input', () => {
  const a = rand([2, 1, 3], 1);
  const b = rand([4, 1], 2);
  assert.deepEqual(st.add(a, b).shape, [2, 4, 3]);
  expectGradientsClose((p, q) => st.add(p, q), [a, b]);
  expectGradientsClose((p, q) => st.sub(p, q), [a, b]);
  expectGradientsClose((p, q) => st.mul(p, q), [a, b]);
  expectGradientsClose((p, q) => st.div(p, st.add(st.mul(q, q), 1)), [a, b]);
  expectGradientsClose((p) => st.mul(p, 3), [rand([3], 4)]);
  expectError(() => st.add(st.zeros([2, 3]), st.zeros([4, 3])), st.ShapeError,
    'add: shapes [2, 3] and [4, 3] cannot broadcast');
});

test('checkGradients catches a wrong gradient', () => {
  const x = rand([3, 4], 9);
  // A square op whose recorded gradient is 4x instead of 2x: wrong by a factor of 2 everywhere.
  const square = (t: st.Tensor, scale: number) => runOp('TestSquare', [t], (b) => b.binary('mul', t, t),
    (dy) => [st.mul(dy, st.mul(t, 2 * scale))]);
  expectGradientsClose((t) => square(t, 1), [x]); // the control: the right gradient passes
  const report = st.testing.checkGradients((t) => square(t, 2), [x], { throwOnFail: false });
  assert.equal(report.ok, false, 'a gradient twice too large must fail the check');
  assert.ok(report.worst && Math.abs(report.worst.analytic - 2 * report.worst.numeric) < 1e-6 * Math.abs(report.worst.numeric) + 1e-9,
    `the worst element shows the factor 2: ${JSON.stringify(report.worst)}`);
  expectError(() => st.testing.checkGradients((t) => square(t, 2), [x]), st.GradientError, 'finite differences give');
  // Also in float32 (the checker's looser defaults), and in the first of several inputs and in a variable.
  assert.equal(st.testing.checkGradients((t) => square(t, 2), [x], { dtype: 'float32', throwOnFail: false }).ok, false);
  const w = st.variable(rand([3, 4], 10));
  assert.equal(st.testing.checkGradients((t, v) => st.add(square(t, 2), st.mul(v, 3)), [x, w], { throwOnFail: false }).ok, false);
  assert.equal(st.testing.checkGradients((t, v) => st.add(st.mul(t, 3), square(v, 0.5)), [x, w], { throwOnFail: false }).ok, false,
    'a gradient half too small in a variable must fail too');
  // A gradient cut by noGrad (zero) is caught as well.
  const cut = st.testing.checkGradients((t) => st.noGrad(() => st.mul(t, 2)), [x], { throwOnFail: false });
  assert.equal(cut.ok, false, 'a function whose gradient is cut by noGrad must fail the check');
});

test('reshape, expandDims, squeeze', () => {
  const x = st.range(0, 6);
  assert.deepEqual(st.reshape(x, [2, -1]).shape, [2, 3]);
  assert.deepEqual(st.expandDims(x, 1).shape, [6, 1]);
  assert.deepEqual(st.squeeze(st.zeros([1, 3, 1])).shape, [3]);
  expectError(() => st.reshape(x, [4, -1]), st.ShapeError, 'cannot reshape a tensor of shape [6]');
  expectGradientsClose((t) => st.mul(st.reshape(t, [3, 2]), st.tensor([[1, 2], [3, 4], [5, 6]])), [rand([6], 3)]);
});

test('sum over axes with keepDims, with gradients', () => {
  const x = st.tensor([[1, 2, 3], [4, 5, 6]]);
  expectClose(st.sum(x), [21]);
  expectClose(st.sum(x, 0), [5, 7, 9]);
  expectClose(st.sum(x, -1, true), [6, 15]);
  assert.deepEqual(st.sum(x, 1, true).shape, [2, 1]);
  for (const [axis, keep] of [[undefined, false], [0, true], [1, false], [[0, 1], true]] as const) {
    expectGradientsClose((t) => st.sum(t, axis as never, keep), [rand([2, 3, 2], 5)]);
  }
  expectError(() => st.sum(x, 2), st.ShapeError, 'sum: axis 2 is out of range for a tensor of rank 2');
});
