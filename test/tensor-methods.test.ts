import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { TENSOR_METHODS } from '../src/compat/tensor-methods.js';

// forEachBackend(..., 'fallback'): these tests check TF.js semantics on small inputs, which the native
// backend hands to the js kernels; the native kernels themselves are covered by the golden and *-native suites.
import { expectClose, expectError, expectGradientsClose, expectShape, forEachBackend, rand } from './helpers.js';

type Tf = typeof import('@tensorflow/tfjs');
type MethodName = keyof typeof TENSOR_METHODS;
type AnyFn = (...args: unknown[]) => unknown;

/**
 * One call per method: receiver, arguments and, for the entries that are not the public op of the
 * same name, the expected result. `tfArgs` replaces the arguments given to TensorFlow.js where its
 * types differ (bool conditions), `tfRecv` the receiver. Record<MethodName, ...>: a method added without a sample fails to compile.
 */
interface Sample { recv: st.Tensor; args: unknown[]; expected?: () => unknown; tfArgs?: (tf: Tf) => unknown[]; tfRecv?: (tf: Tf) => unknown }

function samples(): Record<MethodName, Sample> {
  const X = st.tensor([[1.5, -2, 3], [-4, 0.5, -6]]);
  const P = st.tensor([[0.5, 1, 2], [3, 4, 5]]);
  const I = st.tensor([0, 2, 1], undefined, 'int32');
  const cond = st.tensor([[1, 0, 1], [0, 1, 0]], undefined, 'int32');
  const img = st.randomNormal([1, 4, 4, 2], { seed: 1 }), seq = st.randomNormal([1, 5, 2], { seed: 2 });
  const vol = st.randomNormal([1, 3, 3, 3, 1], { seed: 3 });
  const s = (recv: st.Tensor, ...args: unknown[]): Sample => ({ recv, args });
  const e = (recv: st.Tensor, args: unknown[], expected: () => unknown): Sample => ({ recv, args, expected });
  const bool = (tf: Tf, t: st.Tensor) => tf.tensor(Array.from(t.values), t.shape, 'bool');
  const logical = (b?: st.Tensor): Sample => ({ recv: cond, args: b ? [b] : [], tfRecv: (tf) => bool(tf, cond), tfArgs: (tf) => (b ? [bool(tf, b)] : []) });
  return {
    abs: s(X), ceil: s(X), cos: s(X), erf: s(X), exp: s(X), expm1: s(X), floor: s(X), log: s(P), log1p: s(P),
    neg: s(X), reciprocal: s(P), round: s(st.tensor([0.5, 1.5, 2.5, -0.5, -1.5, 3.2])), rsqrt: s(P), sign: s(X),
    sin: s(X), sqrt: s(P), square: s(X), clipByValue: s(X, -1, 2),
    add: s(X, P), sub: s(X, 2), mul: s(X, [1, 2, 3]), div: s(X, P), pow: s(P, [[1], [2]]), maximum: s(X, 0),
    minimum: s(X, P), squaredDifference: s(X, P),
    equal: s(X, [1.5, 0, 3]), notEqual: s(X, [1.5, 0, 3]), greater: s(X, 0), greaterEqual: s(X, 0.5), less: s(X, P),
    lessEqual: s(X, -4),
    // TensorFlow.js's logical ops take bool only; Strata's take any dtype (nonzero is true).
    logicalAnd: logical(st.tensor([1, 1, 0], undefined, 'int32')), logicalOr: logical(st.tensor([[0], [2]])),
    logicalXor: logical(st.tensor([1, 0, 0], undefined, 'int32')), logicalNot: logical(),
    relu: s(X), relu6: s(st.tensor([-1, 3, 7])), leakyRelu: s(X, 0.1), prelu: s(X, [0.1, 0.2, 0.3]), elu: s(X),
    selu: s(X), hardSigmoid: s(X, 'keras3'), sigmoid: s(X), tanh: s(X), softplus: s(X), logSigmoid: s(X),
    softsign: s(X), swish: s(X), silu: s(X), gelu: s(X, true), mish: s(X), softmax: s(X), logSoftmax: s(X, -1),
    sum: s(X, 0, true), mean: s(X, -1), max: s(X, 1), min: s(X, [0, 1]), prod: s(X, 0), argMax: s(X, -1),
    argMin: s(X, 0), logSumExp: s(X, 1, true), moments: s(X, [0]),
    topk: s(st.tensor([[1, 3, 3, -2], [0, -1, 5, 4]]), 2),
    reshape: s(X, [3, 2]), expandDims: s(X, 1), squeeze: s(st.ones([1, 3, 1]), [0]), broadcastTo: s(st.tensor([[1, 2, 3]]), [2, 3]),
    transpose: s(X), split: s(X, [1, 2], 1), unstack: s(X, 1), slice: s(X, [0, 1], [2, -1]), pad: s(X, [[1, 0], [0, 2]], 7),
    tile: s(X, [2, 1]), reverse: s(X, 1), gather: s(X, I, 1),
    unsortedSegmentSum: s(X, st.tensor([1, 1], undefined, 'int32'), 3), oneHot: s(I, 4),
    where: { recv: X, args: [cond, P], expected: () => st.tensor([[1.5, 1, 3], [3, 0.5, 5]]),
      tfArgs: (tf) => [tf.tensor([[1, 0, 1], [0, 1, 0]], undefined, 'bool'), tf.tensor([[0.5, 1, 2], [3, 4, 5]])] },
    concat: e(X, [P, 1], () => st.tensor([[1.5, -2, 3, 0.5, 1, 2], [-4, 0.5, -6, 3, 4, 5]])),
    stack: e(X, [[P], 1], () => st.tensor([[[1.5, -2, 3], [0.5, 1, 2]], [[-4, 0.5, -6], [3, 4, 5]]])),
    zerosLike: s(I), onesLike: s(X),
    cast: s(X, 'int32'), asType: e(X, ['int32'], () => st.tensor([[1, -2, 3], [-4, 0, -6]], undefined, 'int32')),
    toFloat: e(I, [], () => st.tensor([0, 2, 1])),
    toInt: e(st.tensor([1.7, -1.7, 2]), [], () => st.tensor([1, -1, 2], undefined, 'int32')),
    toBool: e(st.tensor([0, 2, -0.5, NaN]), [], () => st.tensor([0, 1, 1, 1], undefined, 'int32')),
    asScalar: e(st.tensor([5]), [], () => st.scalar(5)),
    as1D: e(X, [], () => st.tensor([1.5, -2, 3, -4, 0.5, -6])),
    as2D: e(X, [3, 2], () => st.tensor([[1.5, -2], [3, -4], [0.5, -6]])),
    as3D: e(X, [1, 2, 3], () => st.tensor([[[1.5, -2, 3], [-4, 0.5, -6]]])),
    as4D: e(X, [1, 2, 3, 1], () => st.tensor([1.5, -2, 3, -4, 0.5, -6], [1, 2, 3, 1])),
    as5D: e(X, [1, 1, 2, 3, 1], () => st.tensor([1.5, -2, 3, -4, 0.5, -6], [1, 1, 2, 3, 1])),
    flatten: e(X, [], () => st.tensor([1.5, -2, 3, -4, 0.5, -6])),
    reshapeAs: e(X, [st.zeros([3, 2])], () => st.tensor([[1.5, -2], [3, -4], [0.5, -6]])),
    matMul: s(X, P, false, true), matmul: s(X, P, true, false),
    conv1d: s(seq, st.randomNormal([3, 2, 3], { seed: 4 }), 1, 'same'),
    conv2d: s(img, st.randomNormal([2, 2, 2, 3], { seed: 5 }), 1, 'valid'),
    conv3d: s(vol, st.randomNormal([2, 2, 2, 1, 2], { seed: 6 }), 1, 'valid'),
    conv1dTranspose: s(st.randomNormal([1, 3, 2], { seed: 7 }), st.randomNormal([2, 4, 2], { seed: 8 }), null, 2, 'same'),
    conv2dTranspose: s(st.randomNormal([1, 3, 3, 2], { seed: 9 }), st.randomNormal([2, 2, 4, 2], { seed: 10 }), [1, 6, 6, 4], 2, 'same'),
    conv3dTranspose: s(st.randomNormal([1, 2, 2, 2, 1], { seed: 11 }), st.randomNormal([2, 2, 2, 3, 1], { seed: 12 }), null, 2, 'valid'),
    depthwiseConv2d: s(img, st.randomNormal([2, 2, 2, 2], { seed: 13 }), 1, 'valid'),
    maxPool: s(img, 2, 2, 'valid'), avgPool: s(img, 2, 1, 'same'),
    maxPool1d: s(seq, 2, 2, 'valid'), avgPool1d: s(seq, 2, 1, 'same'),
    maxPool3d: s(vol, 2, 1, 'valid'), avgPool3d: s(vol, 2, 1, 'same'),
    dropout: s(X, 0.5, undefined, 7),
    resizeBilinear: s(img, [3, 5], true),
    clone: e(X, [], () => st.tensor([[1.5, -2, 3], [-4, 0.5, -6]])),
    // TensorFlow.js refuses a second variable of the same name, so it gets none (the test runs per backend).
    variable: { recv: X, args: [false, 'chain_v', 'int32'], expected: () => st.tensor([[1, -2, 3], [-4, 0, -6]], undefined, 'int32'),
      tfArgs: () => [false, undefined, 'int32'] },
    dispose: e(X, [], () => undefined),
  };
}

interface Readable { shape: number[]; dtype: string; dataSync(): ArrayLike<number> }

/** Compares a method's result with the expected one: tensors, lists of tensors, { mean, variance }, undefined. */
function expectSame(what: string, got: unknown, want: unknown, dtypeOf: (w: Readable) => string | null): void {
  if (want === undefined) return assert.equal(got, undefined, what);
  if (Array.isArray(want)) {
    assert.ok(Array.isArray(got) && got.length === want.length, `${what}: expected a list of ${want.length}`);
    want.forEach((w, i) => expectSame(`${what}[${i}]`, (got as unknown[])[i], w, dtypeOf));
    return;
  }
  const w = want as Readable;
  if (typeof w.dataSync !== 'function') {
    for (const k of Object.keys(want as object)) expectSame(`${what}.${k}`, (got as Record<string, unknown>)[k], (want as Record<string, unknown>)[k], dtypeOf);
    return;
  }
  assert.ok(got instanceof st.Tensor, `${what}: expected a tensor, got ${String(got)}`);
  assert.deepEqual(got.shape, w.shape, `${what}: shape`);
  const dt = dtypeOf(w);
  if (dt !== null) assert.equal(got.dtype, dt, `${what}: dtype`);
  expectClose(got, Array.from(w.dataSync()), 1e-5, 1e-4, what);
}

function call(recv: unknown, name: string, args: unknown[]): unknown {
  const fn = (recv as Record<string, AnyFn>)[name];
  assert.equal(typeof fn, 'function', `${name} is not a method`);
  return fn.apply(recv, args);
}

test('every table entry is a method of Tensor and of Variable', () => {
  const v = st.variable(st.tensor([1, 2]));
  for (const name of Object.keys(TENSOR_METHODS)) {
    assert.equal(typeof (st.Tensor.prototype as unknown as Record<string, unknown>)[name], 'function', name);
    assert.equal(typeof (v as unknown as Record<string, unknown>)[name], 'function', `Variable.${name}`);
  }
  // Installed like class methods: not enumerable, so spreading or logging a tensor is unchanged.
  assert.ok(!Object.keys(st.tensor([1])).includes('reshape'));
});

test('each method gives what its op (or the documented composition) gives, on every backend', () => {
  forEachBackend((backend) => {
    const all = samples();
    for (const name of Object.keys(all) as MethodName[]) {
      const { recv, args, expected } = all[name];
      const got = call(recv, name, args);
      let want: unknown;
      if (expected) want = expected();
      else {
        const op = (st as unknown as Record<string, AnyFn>)[name];
        assert.equal(op, TENSOR_METHODS[name], `${name}: the table entry is not st.${name}; give the sample an expected result`);
        want = op(recv, ...args);
      }
      expectSame(`${backend} t.${name}`, got, want, (w) => w.dtype);
    }
  }, 'fallback');
});

// Divergences of Strata's ops from TensorFlow.js that the methods inherit (documented on the ops).
const TF_DTYPE: Partial<Record<MethodName, string>> = { oneHot: 'float32' };

test('methods that TensorFlow.js 4.22 has give its shapes, values and dtypes on the same inputs', async () => {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const toTf = (v: unknown): unknown => {
    if (v instanceof st.Tensor) return tf.tensor(Array.from(v.values), v.shape, v.dtype === 'int32' ? 'int32' : 'float32');
    return Array.isArray(v) && v.some((x) => x instanceof st.Tensor) ? v.map(toTf) : v;
  };
  forEachBackend((backend) => {
    const all = samples();
    const strataOnly: string[] = [];
    for (const name of Object.keys(all) as MethodName[]) {
      if (typeof (tf.Tensor.prototype as unknown as Record<string, unknown>)[name] !== 'function') {
        strataOnly.push(name);
        continue;
      }
      const { recv, args, tfArgs, tfRecv } = all[name];
      const want = call(tfRecv ? tfRecv(tf) : toTf(recv), name, tfArgs ? tfArgs(tf) : args.map(toTf));
      const got = call(recv, name, args);
      // Comparisons and toBool give int32 0/1 where TensorFlow.js gives bool.
      expectSame(`${backend} t.${name} vs tf`, got, want, (w) => TF_DTYPE[name] ?? (w.dtype === 'bool' ? 'int32' : w.dtype));
    }
    assert.deepEqual(strataOnly, STRATA_ONLY);
  }, 'fallback');
});

// Methods of Strata's ops that TensorFlow.js's Tensor lacks (so nothing to compare them with).
const STRATA_ONLY = ['hardSigmoid', 'softsign', 'swish', 'silu', 'gelu', 'mish', 'moments', 'matmul', 'conv3d',
  'conv1dTranspose', 'conv3dTranspose', 'maxPool1d', 'avgPool1d', 'maxPool3d', 'avgPool3d', 'dropout'];

// TensorFlow.js Tensor methods with no Strata op yet (bufferSync/buffer wait for a TensorBuffer class;
// bytes/dataToGPU/throwIfDisposed are not provided). Adding an op and its table entry: remove it here.
const TF_ONLY = ['buffer', 'bufferSync', 'bytes', 'dataToGPU', 'throwIfDisposed',
  'acos', 'acosh', 'all', 'any', 'asin', 'asinh', 'atan', 'atan2', 'atanh', 'batchToSpaceND', 'batchNorm', 'cosh',
  'cumprod', 'cumsum', 'depthToSpace', 'dilation2d', 'divNoNan', 'dot', 'euclideanNorm', 'fft', 'floorDiv', 'ifft',
  'irfft', 'isFinite', 'isInf', 'isNaN', 'localResponseNormalization', 
  'mirrorPad', 'mod', 'norm', 'pool', 'resizeNearestNeighbor', 'rfft',
  'separableConv2d', 'sinh', 'spaceToBatchND', 'step', 'stridedSlice', 'tan', 'unique'];

test('every TensorFlow.js Tensor method is a Strata method, or listed as missing', async () => {
  const tf = await import('@tensorflow/tfjs');
  const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
  const theirs = Object.getOwnPropertyNames(proto).filter((n) => n !== 'constructor' && typeof Object.getOwnPropertyDescriptor(proto, n)?.value === 'function');
  const mine = st.Tensor.prototype as unknown as Record<string, unknown>;
  assert.deepEqual(theirs.filter((n) => typeof mine[n] !== 'function').sort(), TF_ONLY.slice().sort());
  assert.equal(typeof Object.getOwnPropertyDescriptor(st.Tensor.prototype, 'isDisposed')?.get, 'function');
});

test('plain number and array operands follow TensorFlow.js: numbers are float32, arrays broadcast', async () => {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const cases: [string, (i: st.Tensor, f: st.Tensor) => st.Tensor, (i: import('@tensorflow/tfjs').Tensor, f: import('@tensorflow/tfjs').Tensor) => import('@tensorflow/tfjs').Tensor][] = [
    ['int.add(1)', (i) => i.add(1), (i) => i.add(1)],
    ['int.sub(1.5)', (i) => i.sub(1.5), (i) => i.sub(1.5)],
    ['int.mul([1, 2, 3])', (i) => i.mul([1, 2, 3]), (i) => i.mul([1, 2, 3])],
    ['int.div(2)', (i) => i.div(2), (i) => i.div(2)],
    ['int.add(int)', (i) => i.add(i), (i) => i.add(i)],
    ['float.mul([[1], [2]])', (_, f) => f.mul([[1], [2]]), (_, f) => f.mul([[1], [2]])],
    ['float.add(true)', (_, f) => f.add(true), (_, f) => f.add(true)],
    ['float.pow(2)', (_, f) => f.pow(2), (_, f) => f.pow(2)],
    ['int.maximum(1.5)', (i) => i.maximum(1.5), (i) => i.maximum(1.5)],
    ['float.concat([f, f])', (_, f) => f.concat([f, f]), (_, f) => f.concat([f, f])],
    ['float.stack(f, 1)', (_, f) => f.stack(f, 1), (_, f) => f.stack(f, 1)],
  ];
  forEachBackend((backend) => {
    for (const [what, mine, theirs] of cases) {
      const got = mine(st.tensor([1, 2, 3], undefined, 'int32'), st.tensor([1, -2, 3]));
      const want = theirs(tf.tensor([1, 2, 3], undefined, 'int32'), tf.tensor([1, -2, 3]));
      expectSame(`${backend} ${what}`, got, want, (w) => w.dtype);
    }
  }, 'fallback');
});

test('gradients flow through chained methods, on every backend', () => {
  forEachBackend(() => {
    const x = st.tensor([[1, 2, 3], [4, 5, 6]]);
    const { value, grads: [dx] } = st.valueAndGrads(() => x.square().mean(), [x]);
    expectClose(value, 91 / 6);
    expectClose(dx, [1, 2, 3, 4, 5, 6].map((v) => (2 * v) / 6));
    // Through a Variable, an adaptor (where) and clone: d/dv Σ where(c, 3·v, v²) = 3 where c, else 2v.
    const v = st.variable(st.tensor([1, -2, 3]));
    const c = st.tensor([1, 0, 1], undefined, 'int32');
    const { grads: [dv] } = st.valueAndGrads(() => v.clone().mul(3).where(c, v.square()).sum(), [v]);
    expectClose(dv, [3, -4, 3]);
    expectGradientsClose((a, w) => a.matMul(w, false, true).tanh().add(1).reshape([-1]).slice([1], [4]).concat(a.flatten()).sum(),
      [rand([2, 3], 1), rand([4, 3], 2)]);
    expectGradientsClose((a) => a.transpose().softmax().as1D().pad([[1, 1]]).mul([...Array(8).keys()]).sum(), [rand([2, 3], 3)]);
  }, 'fallback');
});

test('Variable methods, clone snapshots, variable(), dispose() and isDisposed', () => {
  const v = st.variable(st.tensor([1, 2, 3]), { name: 'w' });
  const snapshot = v.clone();
  const same = v.reshape([3]); // reshape to the same shape returns the tensor itself (tensors are immutable)
  v.assign(st.tensor([7, 8, 9]));
  assert.ok(!(snapshot instanceof st.Variable));
  expectClose(snapshot, [1, 2, 3]);
  assert.equal(same, v);
  expectClose(v.add(1), [8, 9, 10]);
  const w = st.tensor([1.5, 2]).variable(false, 'frozen', 'int32');
  assert.ok(w instanceof st.Variable);
  assert.deepEqual([w.trainable, w.name, w.dtype, Array.from(w.values)], [false, 'frozen', 'int32', [1, 2]]);
  assert.equal(st.tensor([1]).variable().trainable, true);
  const t = st.tensor([1, 2]);
  assert.equal(t.isDisposed, false);
  t.dispose();
  assert.equal(t.isDisposed, false);
  expectClose(t.mul(2), [2, 4]); // still usable: dispose is a no-op under the garbage collector
});

test('method errors name the method and the fix', () => {
  expectError(() => st.tensor([1, 2]).asScalar(), st.ShapeError, 'asScalar', 'shape [2]');
  expectError(() => st.tensor([1, 2, 3]).as2D(2, 2), st.ShapeError, 'reshape', '[2, 2]');
  expectShape(st.tensor([[1, 2]]).squeeze(), [2]);
});

// Compiled, never run: the method types come from the ops' signatures.
export function typingChecks(t: st.Tensor, v: st.Variable): void {
  const parts: st.Tensor[] = t.split(2, -1);
  const m: { mean: st.Tensor; variance: st.Tensor } = t.moments([0]);
  const r: st.Tensor = v.reshape([2, 3]).argMax(-1).toFloat().asType('int32');
  const w: st.Variable = t.variable(true, 'name');
  const d: boolean = t.isDisposed;
  void [parts, m, r, w, d];
  // @ts-expect-error reshape takes the shape as one array
  t.reshape(2, 3);
  // @ts-expect-error argMax's axis is a number
  t.argMax('last');
  // @ts-expect-error asType takes a dtype Strata knows
  t.asType('complex64');
  // @ts-expect-error as2D needs rows and columns
  t.as2D(3);
  // @ts-expect-error no such method
  t.notAMethod();
}
