// Native elementwise, reduction, softmax and fused bias + activation kernels against the js reference
// on odd shapes, every op and option, every broadcast pattern and every axis subset of rank ≤ 4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { loadAddon, type NativeAddon } from '../src/kernels/native/addon.js';
import { createNativeBackend } from '../src/kernels/native/index.js';
import { type ElementwiseAddon, NATIVE_MIN_BINARY, NATIVE_MIN_UNARY } from '../src/kernels/native/elementwise.js';
import { onNativePath } from './helpers.js';
import { jsBackend } from '../src/kernels/js/index.js';
import type { BinaryOp, FusedActivation, UnaryOp } from '../src/kernels/elementwise-kernels.js';
import type { ReduceOp } from '../src/kernels/reduce-kernels.js';
import { Tensor } from '../src/tensor/tensor.js';

const load = loadAddon();
const addon: NativeAddon | null = load.addon;
const skipReason = load.addon ? undefined : `native backend not built: ${load.reason}`;
const native = addon ? createNativeBackend(addon) : undefined;

const UNARY: [UnaryOp, number?, number?][] = [
  ['neg'], ['exp'], ['log'], ['log1p'], ['sqrt'], ['rsqrt'], ['square'], ['abs'], ['sign'], ['reciprocal'], ['floor'],
  ['round'], ['ceil'], ['sin'], ['cos'], ['erf'], ['expm1'], ['relu'], ['relu6'], ['leakyRelu', 0.1], ['elu', 1.3],
  ['selu'], ['sigmoid'], ['tanh'], ['softplus'], ['softsign'], ['swish'], ['gelu'], ['geluTanh'], ['mish'],
  ['hardSigmoid'], ['hardSigmoidKeras3'], ['clip', -0.5, 0.7], ['step', 0.3], ['reluGrad'], ['relu6Grad'],
  ['leakyReluGrad', 0.1], ['eluGrad', 1.3], ['seluGrad'], ['swishGrad'], ['geluGrad'], ['geluTanhGrad'], ['mishGrad'],
  ['hardSigmoidGrad'], ['hardSigmoidKeras3Grad'], ['clipGrad', -0.5, 0.7],
];
const BINARY: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'squaredDifference',
  'equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual'];
const FUSED: FusedActivation[] = ['linear', 'relu', 'sigmoid', 'tanh', 'elu', 'selu'];

/** Seeded normal float32 values times `scale`, with special values sprinkled in when `special`. */
function randF32(shape: number[], seed: number, scale = 3, special = false): Tensor {
  const t = st.randomNormal(shape, { seed, dtype: 'float32' });
  const v = t.values as Float32Array;
  for (let i = 0; i < v.length; i++) v[i] *= scale;
  if (special) {
    const s = [NaN, Infinity, -Infinity, 0, -0, 6, -2.5, 2.5, 3, -3, 0.5, 1.5, -0.5, 0.7, 1e-8, -40, 40];
    for (let i = 0; i < s.length && i * 5 < v.length; i++) v[i * 5] = s[i];
  }
  return t;
}

/** got ≈ want: NaN matches NaN, otherwise |got − want| ≤ atol + rtol·|want| (float32 rounding). */
function expectNear(got: Tensor, want: Tensor, what: string, rtol = 2e-6, atol = 1e-7): void {
  assert.equal(got.dtype, want.dtype, `${what}: dtype`);
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  for (let i = 0; i < want.size; i++) {
    const g = got.values[i], w = want.values[i];
    if (Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w)) || g === w) continue;
    if (!(Math.abs(g - w) <= atol + rtol * Math.abs(w))) assert.fail(`${what}: element ${i} is ${g}, expected ${w}`);
  }
}

test('native unary matches js for every op, with NaN, ±Infinity and the kinks, on odd and threaded sizes', (t) => {
  if (skipReason) return t.skip(skipReason);
  let seed = 1;
  // Under 64 elements the js fallback runs (checked); the odd sizes above it run the addon.
  for (const shape of [[1], [7], [33], [65], [257], [5, 13], [7, 33], [3, 7, 11], [100003]]) {
    const x = randF32(shape, seed++, 3, true);
    for (const [op, a, b] of UNARY) {
      const what = `${op} ${JSON.stringify(shape)}`;
      expectNear(onNativePath(x.size >= NATIVE_MIN_UNARY, () => native!.unary(op, x, a, b), what), jsBackend.unary(op, x, a, b), what);
    }
  }
  // Cheap ops thread only above ~2M elements.
  const big = randF32([2100000], 99);
  for (const op of ['relu', 'neg', 'abs'] as UnaryOp[]) expectNear(native!.unary(op, big), jsBackend.unary(op, big), `${op} large`);
});

test('native unary hands int32 and float64 to js with the same dtypes', (t) => {
  if (skipReason) return t.skip(skipReason);
  const i32 = new Tensor(Int32Array.from({ length: 100 }, (_, i) => i - 50), [100]);
  for (const op of ['relu', 'exp', 'abs'] as UnaryOp[]) {
    const got = native!.unary(op, i32), want = jsBackend.unary(op, i32);
    assert.equal(got.dtype, want.dtype);
    assert.deepEqual(Array.from(got.values), Array.from(want.values));
  }
  const f64 = st.randomNormal([100], { seed: 3, dtype: 'float64' });
  assert.deepEqual(Array.from(native!.unary('tanh', f64).values), Array.from(jsBackend.unary('tanh', f64).values));
});

test('native binary matches js for every op on every broadcast pattern', (t) => {
  if (skipReason) return t.skip(skipReason);
  const pairs: [number[], number[]][] = [];
  for (const n of [1, 7, 33, 67, 257]) {
    pairs.push([[n], [n]], [[3, n], [3, n]], [[n], []], [[], [n]], [[5, n], [n]], [[n], [5, n]], [[65, n], [n]],
      [[n, 1], [1, 7]], [[2, n, 3], [n, 1]], [[4, 1, n], [3, 1]], [[2, 3, 1, n], [3, 5, n]], [[2, 1, 4, n], [1, 3, 1, 1]],
      [[n, 3], [n, 1]], [[1, n], [9, 1]], [[2, 3, n, 2], [2, 1, n, 1]]);
  }
  let seed = 100;
  for (const [sa, sb] of pairs) {
    const a = randF32(sa, seed++, 2, true), b = randF32(sb, seed++, 2, true);
    // Ties, so the comparisons see equal values too.
    if (a.size > 3 && b.size > 3) { a.values[1] = b.values[1]; a.values[2] = b.values[2]; }
    for (const op of BINARY) {
      const what = `${op} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`;
      const want = jsBackend.binary(op, a, b);
      expectNear(onNativePath(want.size >= NATIVE_MIN_BINARY, () => native!.binary(op, a, b), what), want, what, op === 'pow' ? 1e-6 : 2e-7);
    }
  }
  // Threaded: one long run, a scalar, and short tiled rows.
  const big = randF32([1 << 21], 7), row = randF32([3], 8), col = randF32([1 << 19, 1], 9), s = randF32([], 10);
  const big2 = randF32([1 << 19, 4], 11);
  for (const [a, b] of [[big, big], [big, s], [s, big], [big2, row.values.length === 3 ? randF32([4], 12) : row], [big2, col], [col, big2]]) {
    for (const op of ['add', 'mul', 'greater'] as BinaryOp[]) {
      expectNear(native!.binary(op, a, b), jsBackend.binary(op, a, b), `large ${op} ${JSON.stringify(a.shape)} ${JSON.stringify(b.shape)}`);
    }
  }
});

test('native binary leaves int32, mixed dtypes and shape errors to js', (t) => {
  if (skipReason) return t.skip(skipReason);
  const i32 = new Tensor(Int32Array.from({ length: 100 }, (_, i) => i - 50), [100]);
  const f32 = randF32([100], 1);
  const q = native!.binary('div', i32, new Tensor(Int32Array.from({ length: 100 }, () => 7), [100]));
  assert.equal(q.dtype, 'int32');
  assert.equal(q.values[0], Math.floor(-50 / 7));
  assert.equal(native!.binary('add', i32, f32).dtype, 'float32');
  assert.throws(() => native!.binary('add', randF32([70, 3], 1), randF32([70, 4], 2)), /add/);
  // The binding itself refuses shapes that disagree with the arrays instead of reading past them.
  const ew = addon as NativeAddon & ElementwiseAddon;
  assert.throws(() => ew.binary(0, new Float32Array(4), new Float32Array(4), new Float32Array(8), Int32Array.from([1, 8, 4, 4])), RangeError);
  assert.throws(() => ew.binary(0, new Float32Array(4), new Float32Array(3), new Float32Array(4), Int32Array.from([1, 4, 4, 3])), RangeError);
  assert.throws(() => ew.unary(99, new Float32Array(4), new Float32Array(4), 0, 0), RangeError);
});

/** Every subset of [0, rank). */
function subsets(rank: number): number[][] {
  const out: number[][] = [];
  for (let m = 0; m < 1 << rank; m++) out.push([...Array(rank).keys()].filter((d) => m & (1 << d)));
  return out;
}

test('native reduce matches js for sum, max, min, prod over every axis subset of rank ≤ 4', (t) => {
  if (skipReason) return t.skip(skipReason);
  let seed = 300;
  for (const shape of [[257], [7, 33], [33, 1, 7], [3, 7, 1, 33], [2, 7, 5, 3], [1, 65, 1, 1], [257, 1], [4, 257]]) {
    const x = randF32(shape, seed++, 2);
    // Products stay finite with factors near 1.
    const near1 = new Tensor(Float32Array.from(x.values, (v) => 1 + 0.01 * v), shape);
    for (const axes of subsets(shape.length)) {
      for (const op of ['sum', 'max', 'min', 'prod'] as ReduceOp[]) {
        const input = op === 'prod' ? near1 : x;
        for (const keep of [false, true]) {
          expectNear(native!.reduce(op, input, axes, keep), jsBackend.reduce(op, input, axes, keep),
            `${op} ${JSON.stringify(shape)} axes ${JSON.stringify(axes)} keepDims ${keep}`, 1e-6, 1e-6);
        }
      }
    }
  }
  // NaN poisons max/min as in js; large inputs take the threaded paths.
  const withNaN = randF32([9, 70], 5);
  withNaN.values[75] = NaN;
  for (const axes of [[0], [1], [0, 1]]) {
    for (const op of ['max', 'min', 'sum'] as ReduceOp[]) expectNear(native!.reduce(op, withNaN, axes, false), jsBackend.reduce(op, withNaN, axes, false), `${op} NaN ${axes}`);
  }
  const big = randF32([4096, 520], 6);
  for (const axes of [[0], [1], [0, 1]]) {
    expectNear(native!.reduce('sum', big, axes, false), jsBackend.reduce('sum', big, axes, false), `large sum ${axes}`, 1e-6, 1e-5);
    expectNear(native!.reduce('max', big, axes, false), jsBackend.reduce('max', big, axes, false), `large max ${axes}`);
  }
});

test('native argMax / argMin match js on every axis, first index on ties', (t) => {
  if (skipReason) return t.skip(skipReason);
  let seed = 400;
  for (const shape of [[257], [7, 33], [33, 7, 3], [2, 7, 5, 3], [1, 65]]) {
    // Small integers: many ties.
    const x = new Tensor(Float32Array.from(randF32(shape, seed++).values, (v) => Math.round(v)), shape);
    for (let axis = 0; axis < shape.length; axis++) {
      for (const op of ['argMax', 'argMin'] as const) {
        const got = native!.argReduce(op, x, axis), want = jsBackend.argReduce(op, x, axis);
        assert.deepEqual(got.shape, want.shape);
        assert.deepEqual(Array.from(got.values), Array.from(want.values), `${op} ${JSON.stringify(shape)} axis ${axis}`);
      }
    }
  }
});

test('native softmax and logSoftmax match js on every axis', (t) => {
  if (skipReason) return t.skip(skipReason);
  let seed = 500;
  for (const shape of [[257], [7, 33], [33, 7, 3], [2, 7, 5, 3], [65, 1], [3000, 10]]) {
    const x = randF32(shape, seed++, 4);
    x.values[3] = 80;  // a large logit: the max must be subtracted
    for (let axis = 0; axis < shape.length; axis++) {
      expectNear(native!.softmax(x, axis), jsBackend.softmax(x, axis), `softmax ${JSON.stringify(shape)} axis ${axis}`);
      expectNear(native!.logSoftmax(x, axis), jsBackend.logSoftmax(x, axis), `logSoftmax ${JSON.stringify(shape)} axis ${axis}`, 2e-6, 1e-6);
    }
  }
  const withNaN = randF32([8, 16], 9);
  withNaN.values[20] = NaN;
  for (const axis of [0, 1]) expectNear(native!.softmax(withNaN, axis), jsBackend.softmax(withNaN, axis), `softmax NaN axis ${axis}`);
});

test('native biasActivation and its gradient match js for every activation, with and without bias', (t) => {
  if (skipReason) return t.skip(skipReason);
  let seed = 600;
  for (const shape of [[1, 64], [7, 33], [65, 1], [3, 5, 257], [2, 7, 7, 33], [64, 26, 26, 8]]) {
    const c = shape[shape.length - 1];
    const x = randF32(shape, seed++, 2, true), b = randF32([c], seed++, 1), dy = randF32(shape, seed++, 1);
    for (const act of FUSED) {
      for (const bias of [b, null]) {
        const what = `${act} ${JSON.stringify(shape)} bias ${bias !== null}`;
        const y = jsBackend.biasActivation(x, bias, act, 1.3);
        expectNear(native!.biasActivation(x, bias, act, 1.3), y, what);
        const [dx, db] = native!.biasActivationGrad(dy, y, act, 1.3, bias !== null);
        const [dxJs, dbJs] = jsBackend.biasActivationGrad(dy, y, act, 1.3, bias !== null);
        expectNear(dx, dxJs, `${what} dx`, 1e-6, 1e-7);
        if (dbJs) expectNear(db!, dbJs, `${what} db`, 1e-5, 1e-4);
        else assert.equal(db, null);
      }
    }
  }
});
