import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { broadcastIndex } from '../src/kernels/js/broadcast.js';
import { expectClose, expectError, expectGradientsClose, expectShape, forEachBackend, rand } from './helpers.js';

const f64 = (v: st.TensorLike, shape?: number[]): st.Tensor => st.tensor(v, shape, 'float64');
const BINARY = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'squaredDifference',
  'equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual'] as const;

/** The obvious per-element definition, through a full index map, to check the fast paths against. */
function naive(op: (typeof BINARY)[number], a: st.Tensor, b: st.Tensor, out: number[]): number[] {
  const n = out.reduce((p, d) => p * d, 1);
  const ai = broadcastIndex(a.shape, out, n), bi = broadcastIndex(b.shape, out, n);
  const r: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a.values[ai[i]], y = b.values[bi[i]];
    const nan = Number.isNaN(x) || Number.isNaN(y);
    r.push({
      add: x + y, sub: x - y, mul: x * y, div: x / y, pow: x ** y, squaredDifference: (x - y) ** 2,
      maximum: nan ? NaN : Math.max(x, y), minimum: nan ? NaN : Math.min(x, y),
      equal: +(x === y), notEqual: +(x !== y), greater: +(x > y), greaterEqual: +(x >= y), less: +(x < y), lessEqual: +(x <= y),
    }[op]);
  }
  return r;
}

test('binary kernels agree with the per-element definition on every broadcast pattern', () => {
  forEachBackend(() => {
    const cases: [number[], number[]][] = [
      [[2, 3], [2, 3]], [[2, 3], []], [[], [4]], [[2, 3, 4], [4]], [[5], [3, 5]], [[2, 3], [2, 1]],
      [[3, 1], [1, 4]], [[2, 1, 3], [4, 1]], [[2, 3, 1, 2], [3, 5, 1]], [[1, 1], [1]], [[], []], [[0, 3], [3]], [[6, 1, 2], [1, 2]],
    ];
    let seed = 1;
    for (const [sa, sb] of cases) {
      const a = rand(sa, seed++), b = rand(sb, seed++);
      const out = st.add(a, b).shape;
      for (const op of BINARY) {
        const y = (st as unknown as Record<string, (p: st.Tensor, q: st.Tensor) => st.Tensor>)[op](a, b);
        expectShape(y, out);
        expectClose(y, naive(op, a, b, out), 1e-12, 1e-12, `${op} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`);
      }
    }
  }, 'fallback');
});

test('add/sub/mul/div forward values with bias-style and column broadcasting', () => {
  forEachBackend(() => {
    const x = st.tensor([[1, 2, 3], [4, 5, 6]]);
    expectClose(st.add(x, [10, 20, 30]), [11, 22, 33, 14, 25, 36]);
    expectClose(st.sub(x, [[1], [2]]), [0, 1, 2, 2, 3, 4]);
    expectClose(st.mul(2, x), [2, 4, 6, 8, 10, 12]);
    expectClose(st.div(x, [1, 2, 4]), [1, 1, 0.75, 4, 2.5, 1.5]);
    expectClose(st.neg(x), [-1, -2, -3, -4, -5, -6]);
    expectShape(st.add(st.zeros([2, 1, 3]), st.zeros([4, 1])), [2, 4, 3]);
  }, 'fallback');
});

test('dtypes: float64 stays float64, int32 stays int32 where exact, float ops of int32 give float32', () => {
  forEachBackend(() => {
    const i = st.tensor([-3, 2, 7], undefined, 'int32');
    const d = f64([0.5, 1, 2]);
    assert.equal(st.add(i, i).dtype, 'int32');
    assert.equal(st.add(i, st.tensor([1, 1, 1])).dtype, 'float32');
    assert.equal(st.mul(d, st.tensor(2)).dtype, 'float64');
    expectClose(st.div(i, st.tensor([2, 2, 2], undefined, 'int32')), [-2, 1, 3]); // floors
    assert.equal(st.div(i, st.tensor(2, [], 'int32')).dtype, 'int32');
    assert.equal(st.pow(i, st.tensor(2, [], 'int32')).dtype, 'int32');
    for (const f of [st.neg, st.abs, st.square, st.sign, st.floor, st.round, st.ceil]) assert.equal(f(i).dtype, 'int32');
    expectClose(st.abs(i), [3, 2, 7]);
    expectClose(st.square(i), [9, 4, 49]);
    assert.equal(st.clipByValue(i, 0, 5).dtype, 'int32');
    for (const f of [st.exp, st.log, st.sqrt, st.reciprocal, st.erf, st.sin]) assert.equal(f(i).dtype, 'float32');
    expectClose(st.exp(st.tensor([0, 1], undefined, 'int32')), [1, Math.E]);
    for (const f of [st.exp, st.log, st.sqrt, st.erf, st.neg, st.round]) assert.equal(f(d).dtype, 'float64');
    assert.equal(st.maximum(d, 0).dtype, 'float64');
    assert.equal(st.equal(d, d).dtype, 'int32');
  }, 'fallback');
});

test('unary math forward values', () => {
  forEachBackend(() => {
    const x = f64([0.25, 1, 4]);
    expectClose(st.exp(x), [Math.exp(0.25), Math.E, Math.exp(4)], 1e-12, 1e-12);
    expectClose(st.log(x), [Math.log(0.25), 0, Math.log(4)], 1e-12, 1e-12);
    expectClose(st.log1p(f64([1e-12, 1])), [1e-12 - 5e-25, Math.LN2], 1e-20, 1e-12);
    expectClose(st.expm1(f64([1e-12, 1])), [1e-12, Math.E - 1], 1e-20, 1e-12);
    expectClose(st.sqrt(x), [0.5, 1, 2]);
    expectClose(st.rsqrt(x), [2, 1, 0.5]);
    expectClose(st.square(x), [0.0625, 1, 16]);
    expectClose(st.reciprocal(x), [4, 1, 0.25]);
    expectClose(st.abs([-2.5, 0, 3]), [2.5, 0, 3]);
    expectClose(st.sign([-2.5, 0, 3, NaN]), [-1, 0, 1, NaN]);
    expectClose(st.floor([1.7, -1.2, -2]), [1, -2, -2]);
    expectClose(st.ceil([1.2, -1.7, 3]), [2, -1, 3]);
    expectClose(st.round([0.5, 1.5, 2.5, -0.5, -1.5, -2.6, 2.4]), [0, 2, 2, -0, -2, -3, 2]); // half to even
    expectClose(st.sin([0, Math.PI / 2]), [0, 1]);
    expectClose(st.cos([0, Math.PI]), [1, -1]);
    expectClose(st.clipByValue([-3, -1, 0.5, 1, 7], -1, 1), [-1, -1, 0.5, 1, 1]);
    expectClose(st.clipByValue([NaN, 5], -Infinity, 2), [NaN, 2]);
  }, 'fallback');
});

test('erf is precise in float64 and float32 (reference values from mpmath)', () => {
  forEachBackend(() => {
    const xs = [-3, -1.5, -0.3, 0.2, 1, 2.5, 4];
    const ref = [-0.9999779095030014, -0.9661051464753108, -0.3286267594591274, 0.22270258921047847,
      0.8427007929497149, 0.999593047982555, 0.9999999845827421];
    expectClose(st.erf(f64(xs)), ref, 1e-15, 0);
    expectClose(st.erf(xs), ref, 0, 1.2e-7);
    expectClose(st.erf([0, 7, -30, NaN]), [0, 1, -1, NaN]);
  }, 'fallback');
});

test('gradients of arithmetic ops, both arguments, with broadcasting', () => {
  forEachBackend(() => {
    const a = rand([2, 1, 3], 11), b = rand([4, 1], 12), c = rand([3], 13);
    expectGradientsClose((p) => st.neg(p), [a]);
    expectGradientsClose((p, q) => st.add(p, q), [a, c]);
    expectGradientsClose((p, q) => st.sub(q, p), [a, b]);
    expectGradientsClose((p, q) => st.mul(p, q), [a, c]);
    expectGradientsClose((p, q) => st.div(p, st.add(st.square(q), 1)), [a, b]);
    expectGradientsClose((p, q) => st.squaredDifference(p, q), [a, b]);
    expectGradientsClose((p, q) => st.squaredDifference(q, p), [a, c]);
  }, 'fallback');
});

test('pow: gradients for base and exponent; exponent gradient is 0 where the base is ≤ 0', () => {
  forEachBackend(() => {
    const base = st.add(st.abs(rand([2, 3], 21)), 0.5), expo = rand([3], 22);
    expectClose(st.pow([2, 3, 4], [3, 2, 0.5]), [8, 9, 2]);
    expectGradientsClose((p, q) => st.pow(p, q), [base, expo]);
    expectGradientsClose((p, q) => st.pow(q, p), [f64([2, 3]), f64([[1.5], [0.7]])]);
    // A negative base with integer exponents: the base gradient is e·x^(e−1).
    const neg = f64([-1.5, -0.5, 2]);
    expectGradientsClose((p) => st.pow(p, f64([2, 3, 2])), [neg]);
    const e = f64([2, 3, 2]);
    const [db, de] = st.grads(() => st.pow(neg, e), [neg, e]);
    expectClose(db, [-3, 0.75, 4], 1e-12);
    expectClose(de, [0, 0, 4 * Math.log(2)], 1e-12);
  }, 'fallback');
});

test('maximum/minimum: values, NaN propagation, gradients (ties go to a)', () => {
  forEachBackend(() => {
    expectClose(st.maximum([1, 5, NaN, 2], [3, 2, 1, NaN]), [3, 5, NaN, NaN]);
    expectClose(st.minimum([1, 5, NaN, 2], [3, 2, 1, NaN]), [1, 2, NaN, NaN]);
    expectClose(st.maximum([[1, -1], [2, 0]], 0.5), [1, 0.5, 2, 0.5]);
    const a = rand([3, 4], 31), b = rand([4], 32);
    expectGradientsClose((p, q) => st.maximum(p, q), [a, b]);
    expectGradientsClose((p, q) => st.minimum(p, q), [a, b]);
    const x = f64([1, 2, 3]), y = f64([2, 2, 2]);
    const [dxa, dya] = st.grads(() => st.maximum(x, y), [x, y]);
    expectClose(dxa, [0, 1, 1]);
    expectClose(dya, [1, 0, 0]);
    const [dxi, dyi] = st.grads(() => st.minimum(x, y), [x, y]);
    expectClose(dxi, [1, 1, 0]);
    expectClose(dyi, [0, 0, 1]);
  }, 'fallback');
});

test('comparisons give int32 0/1 with broadcasting and no gradient', () => {
  forEachBackend(() => {
    const a = st.tensor([[1, 2, 3], [4, NaN, 6]]), b = st.tensor([2, 2, 6]);
    const eq = st.equal(a, b);
    assert.equal(eq.dtype, 'int32');
    expectShape(eq, [2, 3]);
    expectClose(eq, [0, 1, 0, 0, 0, 1]);
    expectClose(st.notEqual(a, b), [1, 0, 1, 1, 1, 0]);
    expectClose(st.greater(a, b), [0, 0, 0, 1, 0, 0]);
    expectClose(st.greaterEqual(a, b), [0, 1, 0, 1, 0, 1]);
    expectClose(st.less(a, b), [1, 0, 1, 0, 0, 0]);
    expectClose(st.lessEqual(a, b), [1, 1, 1, 0, 0, 1]);
    expectClose(st.greater(st.tensor([1, 2], undefined, 'int32'), 1.5), [0, 1]);
    const x = f64([1, 2]);
    const [dx] = st.grads(() => st.mul(st.greater(x, 1.5), x), [x]);
    expectClose(dx, [0, 1]);
  }, 'fallback');
});

test('gradients of unary math ops', () => {
  forEachBackend(() => {
    const x = rand([2, 3], 41);
    const pos = st.add(st.abs(x), 0.3);
    expectGradientsClose((p) => st.exp(p), [x]);
    expectGradientsClose((p) => st.expm1(p), [x]);
    expectGradientsClose((p) => st.log(p), [pos]);
    expectGradientsClose((p) => st.log1p(p), [pos]);
    expectGradientsClose((p) => st.sqrt(p), [pos]);
    expectGradientsClose((p) => st.rsqrt(p), [pos]);
    expectGradientsClose((p) => st.square(p), [x]);
    expectGradientsClose((p) => st.abs(p), [x]);
    expectGradientsClose((p) => st.reciprocal(p), [pos]);
    expectGradientsClose((p) => st.sin(p), [x]);
    expectGradientsClose((p) => st.cos(p), [x]);
    expectGradientsClose((p) => st.erf(p), [st.mul(x, 1.5)]);
    expectGradientsClose((p) => st.clipByValue(p, -0.5, 0.7), [f64([-1.2, -0.3, 0.2, 0.6, 1.5, 3])]);
    // Gradients of gradients go through ops too.
    expectGradientsClose((p) => st.grads(() => st.mul(st.exp(p), st.sin(p)), [p])[0], [x]);
    expectGradientsClose((p) => st.grads(() => st.erf(p), [p])[0], [x]);
  }, 'fallback');
});

test('floor, round, ceil and sign have zero gradient; clipByValue passes it at the bounds', () => {
  forEachBackend(() => {
    const x = f64([-1.3, 0.4, 2.6]);
    for (const f of [st.floor, st.round, st.ceil, st.sign]) {
      const [dx] = st.grads(() => st.mul(f(x), x), [x]);
      expectClose(dx, f(x));
    }
    const c = f64([-1, 0, 1, 2]);
    const [dc] = st.grads(() => st.clipByValue(c, -1, 1), [c]);
    expectClose(dc, [1, 1, 1, 0]);
  }, 'fallback');
});

test('errors name the op, the argument and a fix', () => {
  forEachBackend(() => {
    expectError(() => st.add('abc' as unknown as number, 1), st.ConfigError, 'add', "argument 'a'");
    expectError(() => st.mul(1, undefined as unknown as number), st.ConfigError, 'mul', "argument 'b' is required");
    expectError(() => st.exp({} as unknown as number), st.ConfigError, 'exp', "argument 'x'");
    expectError(() => st.add(st.zeros([2, 3]), st.zeros([4])), st.ShapeError, 'add: shapes [2, 3] and [4] cannot broadcast');
    expectError(() => st.maximum(st.zeros([2]), st.zeros([3])), st.ShapeError, 'maximum');
    expectError(() => st.greater(st.zeros([2]), st.zeros([3])), st.ShapeError, 'greater');
    expectError(() => st.clipByValue([1], 2, 1), st.ConfigError, 'clipByValue', 'clipValueMin (2) must be ≤ clipValueMax (1)');
    expectError(() => st.clipByValue([1], 'a' as unknown as number, 1), st.ConfigError, 'clipByValue: clipValueMin must be a finite number', "'a'");
    expectError(() => st.clipByValue([1], 0, NaN), st.ConfigError, 'clipValueMax', 'NaN');
  }, 'fallback');
});
