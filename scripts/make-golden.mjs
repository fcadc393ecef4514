// Golden values from TensorFlow.js 4.22 (cpu backend) for Strata's ops: `npm run golden`.
//
// Writes test/fixtures/golden/<group>.json, read by test/golden.test.ts. Each file is
//   { "$comment": "...", "generator": "scripts/make-golden.mjs", "tfjs": "4.22.0", "cases": [Case, ...] }
// and each Case (one per line) is
//   {
//     name:    readable and unique, e.g. "conv2d same strides=2"
//     op:      the Strata function that must reproduce it (st[op])
//     args:    the op's non-tensor arguments by name, in Strata's terms (see the test's table);
//              `form: "options"` asks for the options-object call form
//     source:  "tfjs" (one tfjs op), "tfjs-composed" (several tfjs ops, see `note`) or
//              "formula" (float64 math in this script: tfjs has no such op)
//     note?:   how the reference was made when not by one tfjs op, why gradients are missing, or
//              how the gradient was taken when tfjs 4.22's own gradient of the op is wrong
//              (broadcast maximum/minimum/squaredDifference/matmul, prod with a negative axis,
//              avgPool 'same': the gradient then comes from an equivalent tfjs composition whose
//              forward pass is checked against the op's)
//     inputs:  [{ shape, dtype: "float32" | "int32" | "bool", values }]  (bool: 0/1; Strata uses int32)
//     output:  { shape, dtype, values }             — or, for ops with several results,
//     outputs: [{ shape, dtype, values }, ...]
//     dy?:     { shape, values } upstream gradient — or [{ shape, values }, ...] with `outputs`
//     grads?:  per input, d(Σ output·dy)/d(input) as { shape, values }, or null where the input is
//              not float or tfjs has no gradient (then `note` says why)
//   }
// Every input and dy value is float32 (or an integer); float values are written with the fewest
// digits that read back as the same float32 (conv and avgPool inputs are first rounded to 4
// significant digits to keep the files small).
// Known tfjs 4.22 cpu defects worked around here (each case's note says which applies): matMul with
// batch dims broadcast on both sides gives wrong values; conv2d with a numeric pad sizes the width by
// the filter height; conv1d with a numeric pad pads the dummy height too. Inputs come from a small seeded generator, seeded per
// case from the case name, so adding a case changes no other case.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { f32, hash, log, rng, root, short, size, tf } from './golden-common.mjs';


const t0 = performance.now();
const outDir = join(root, 'test', 'fixtures', 'golden');

// ---------------------------------------------------------------- deterministic inputs

// Input makers: each returns (r) => { shape, dtype, values }.
const N = (shape, scale = 1) => (r) => ({ shape, dtype: 'float32', values: Array.from({ length: size(shape) }, () => f32(r.normal() * scale)) });
const U = (shape, lo, hi) => (r) => ({ shape, dtype: 'float32', values: Array.from({ length: size(shape) }, () => f32(lo + (hi - lo) * r.next())) });
/** Away from zero: ±[lo, hi]. */
const NZ = (shape, lo = 0.5, hi = 2) => (r) => ({
  shape, dtype: 'float32',
  values: Array.from({ length: size(shape) }, () => f32((r.next() < 0.5 ? -1 : 1) * (lo + (hi - lo) * r.next()))),
});
const I = (shape, lo, hi) => (r) => ({ shape, dtype: 'int32', values: Array.from({ length: size(shape) }, () => lo + Math.floor(r.next() * (hi - lo + 1))) });
const B = (shape) => (r) => ({ shape, dtype: 'bool', values: Array.from({ length: size(shape) }, () => (r.next() < 0.5 ? 0 : 1)) });
const V = (shape, values, dtype = 'float32') => () => ({ shape, dtype, values: values.map((v) => (dtype === 'float32' ? f32(v) : v)) });

// ---------------------------------------------------------------- references

// tfjs call for each Strata op, from the stored inputs (tf tensors) and args.
const T = {
  add: (a, b) => tf.add(a, b), sub: (a, b) => tf.sub(a, b), mul: (a, b) => tf.mul(a, b), div: (a, b) => tf.div(a, b),
  pow: (a, b) => tf.pow(a, b), maximum: (a, b) => tf.maximum(a, b), minimum: (a, b) => tf.minimum(a, b),
  squaredDifference: (a, b) => tf.squaredDifference(a, b), neg: (x) => tf.neg(x),
  equal: (a, b) => tf.equal(a, b), notEqual: (a, b) => tf.notEqual(a, b), greater: (a, b) => tf.greater(a, b),
  greaterEqual: (a, b) => tf.greaterEqual(a, b), less: (a, b) => tf.less(a, b), lessEqual: (a, b) => tf.lessEqual(a, b),
  exp: (x) => tf.exp(x), log: (x) => tf.log(x), log1p: (x) => tf.log1p(x), sqrt: (x) => tf.sqrt(x), rsqrt: (x) => tf.rsqrt(x),
  square: (x) => tf.square(x), abs: (x) => tf.abs(x), sign: (x) => tf.sign(x), reciprocal: (x) => tf.reciprocal(x),
  floor: (x) => tf.floor(x), round: (x) => tf.round(x), ceil: (x) => tf.ceil(x),
  clipByValue: (x, a) => tf.clipByValue(x, a.min, a.max),
  relu: (x) => tf.relu(x), relu6: (x) => tf.relu6(x), elu: (x) => tf.elu(x), selu: (x) => tf.selu(x),
  sigmoid: (x) => tf.sigmoid(x), tanh: (x) => tf.tanh(x), softplus: (x) => tf.softplus(x),
  leakyRelu: (x, a) => tf.leakyRelu(x, a.alpha), prelu: (x, alpha) => tf.prelu(x, alpha),
  softmax: (x, a) => tf.softmax(x, a.dim), logSoftmax: (x, a) => tf.logSoftmax(x, a.axis),
  sum: (x, a) => tf.sum(x, a.axis, a.keepDims), mean: (x, a) => tf.mean(x, a.axis, a.keepDims),
  max: (x, a) => tf.max(x, a.axis, a.keepDims), min: (x, a) => tf.min(x, a.axis, a.keepDims),
  prod: (x, a) => tf.prod(x, a.axis, a.keepDims), logSumExp: (x, a) => tf.logSumExp(x, a.axis, a.keepDims),
  argMax: (x, a) => tf.argMax(x, a.axis), argMin: (x, a) => tf.argMin(x, a.axis),
  moments: (x, a) => { const m = tf.moments(x, a.axes, a.keepDims); return [m.mean, m.variance]; },
  matmul: (a, b, o) => (a.rank === 1 || b.rank === 1 ? tf.dot(a, b) : tf.matMul(a, b, o.transposeA, o.transposeB)),
  reshape: (x, a) => tf.reshape(x, a.shape), expandDims: (x, a) => tf.expandDims(x, a.axis), squeeze: (x, a) => tf.squeeze(x, a.axis),
  transpose: (x, a) => tf.transpose(x, a.perm),
  concat: (...ts) => { const a = ts.pop(); return tf.concat(ts, a.axis); },
  stack: (...ts) => { const a = ts.pop(); return tf.stack(ts, a.axis); },
  unstack: (x, a) => tf.unstack(x, a.axis),
  split: (x, a) => tf.split(x, a.numOrSizeSplits, a.axis),
  slice: (x, a) => tf.slice(x, a.begin, a.size),
  reverse: (x, a) => tf.reverse(x, a.axis), tile: (x, a) => tf.tile(x, a.reps),
  pad: (x, a) => tf.pad(x, a.paddings, a.constantValue),
  gather: (x, i, a) => tf.gather(x, i, a.axis),
  oneHot: (i, a) => tf.oneHot(i, a.depth, a.onValue, a.offValue),
  where: (c, a, b) => tf.where(c, a, b), cast: (x, a) => tf.cast(x, a.dtype),
  conv1d: (x, w, a) => tf.conv1d(x, w, a.stride ?? 1, tfPad(a.pad ?? 'valid'), 'NWC', a.dilation ?? 1),
  conv2d: (x, w, a) => tf.conv2d(x, w, a.strides ?? 1, tfPad(a.pad ?? 'valid'), 'NHWC', a.dilations ?? 1),
  // tfjs 4.22 sizes a numeric pad's output width with the filter height: spell the pad out instead.
  conv2dNumericPad: (x, w, a) => tf.conv2d(x, w, a.strides ?? 1, tfPad([[a.pad, a.pad], [a.pad, a.pad]]), 'NHWC', a.dilations ?? 1),
  conv3d: (x, w, a) => tf.conv3d(x, w, a.strides ?? 1, a.pad ?? 'valid', 'NDHWC', a.dilations ?? 1),
  depthwiseConv2d: (x, w, a) => tf.depthwiseConv2d(x, w, a.strides ?? 1, a.pad ?? 'valid', 'NHWC', a.dilations ?? 1),
  conv2dTranspose: (x, w, a) => tf.conv2dTranspose(x, w, transposeOutShape(x, w, a, 2), a.strides ?? 1, a.pad ?? 'valid'),
  conv3dTranspose: (x, w, a) => tf.conv3dTranspose(x, w, transposeOutShape(x, w, a, 3), a.strides ?? 1, a.pad ?? 'valid'),
  maxPool: (x, a) => tf.maxPool(x, a.filterSize, a.strides ?? a.filterSize, a.pad ?? 'valid'),
  avgPool: (x, a) => tf.avgPool(x, a.filterSize, a.strides ?? a.filterSize, a.pad ?? 'valid'),
  maxPool3d: (x, a) => tf.maxPool3d(x, a.filterSize, a.strides ?? a.filterSize, a.pad ?? 'valid'),
  avgPool3d: (x, a) => tf.avgPool3d(x, a.filterSize, a.strides ?? a.filterSize, a.pad ?? 'valid'),
};

/** Strata's explicit padding is one [before, after] pair per spatial dim; tfjs wants every dim. */
function tfPad(pad) {
  return Array.isArray(pad) ? [[0, 0], ...pad, [0, 0]] : pad;
}

/** Transposed-conv output shape by DESIGN.md's formulas (tfjs needs it spelled out). */
function transposeOutShape(x, w, a, rank) {
  const batchless = x.rank === rank + 1;
  const inSp = x.shape.slice(batchless ? 0 : 1, batchless ? rank : rank + 1);
  const s = [a.strides ?? 1].flat();
  const out = inSp.map((n, i) => {
    const st = s.length === 1 ? s[0] : s[i], k = w.shape[i];
    return (a.pad ?? 'valid') === 'same' ? n * st : n * st + Math.max(k - st, 0);
  });
  const c = w.shape[rank];
  return batchless ? [...out, c] : [x.shape[0], ...out, c];
}

// Composed references (several tfjs ops), for Strata options that tfjs ops lack.
const pool1d = (fn) => (x, a) => tf.squeeze(fn(tf.expandDims(x, 1), [1, a.filterSize], [1, a.strides ?? a.filterSize], a.pad ?? 'valid'), [1]);
const C = {
  softmaxAxis: (fn, axis, rank) => (x) => {
    const perm = [...Array(rank).keys()];
    [perm[axis], perm[rank - 1]] = [perm[rank - 1], perm[axis]];
    return tf.transpose(fn(tf.transpose(x, perm), -1), perm);
  },
  conv1dCausal: (x, w, a) => {
    const kEff = (w.shape[0] - 1) * (a.dilation ?? 1) + 1;
    return tf.conv1d(tf.pad(x, [[0, 0], [kEff - 1, 0], [0, 0]]), w, a.stride ?? 1, 'valid', 'NWC', a.dilation ?? 1);
  },
  conv1dTranspose: (x, w, a) => {
    const out = transposeOutShape(tf.expandDims(x, 1), tf.expandDims(w, 0), { ...a, strides: [1, a.strides ?? 1] }, 2);
    return tf.squeeze(tf.conv2dTranspose(tf.expandDims(x, 1), tf.expandDims(w, 0), out, [1, a.strides ?? 1], a.pad ?? 'valid'), [1]);
  },
  conv1dPadded: (x, w, a) => {
    const p = [a.pad].flat(2);
    return tf.conv1d(tf.pad(x, [[0, 0], [p[0], p[1] ?? p[0]], [0, 0]]), w, a.stride ?? 1, 'valid', 'NWC', a.dilation ?? 1);
  },
  /** A binary op with both operands broadcast explicitly (tfjs 4.22 forgets to reduce some broadcast gradients). */
  broadcastFirst: (op) => (a, b, args) => {
    const shape = broadcastShape(a.shape, b.shape);
    return T[op](tf.broadcastTo(a, shape), tf.broadcastTo(b, shape), args);
  },
  /** matmul with the batch dims of both operands broadcast explicitly. */
  matmulBroadcastFirst: (a, b, o) => {
    const batch = broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    return tf.matMul(tf.broadcastTo(a, [...batch, ...a.shape.slice(-2)]), tf.broadcastTo(b, [...batch, ...b.shape.slice(-2)]), o.transposeA, o.transposeB);
  },
  /**
   * Average pooling 'same' as a ratio of two 'valid' poolings of explicitly padded tensors: the values
   * over the padded input, divided by the share of each window that is real input. tfjs 4.22's avgPool
   * gradient divides by the whole window even where its forward pass excludes the padding.
   */
  avgPoolSameByRatio: (rank) => (x, a) => {
    const k = [a.filterSize].flat(), s = [a.strides ?? a.filterSize].flat();
    const spatial = x.shape.slice(x.rank - 1 - rank, x.rank - 1);
    const pads = spatial.map((n, i) => {
      const ki = k.length === 1 ? k[0] : k[i], si = s.length === 1 ? s[0] : s[i];
      const total = Math.max(0, (Math.ceil(n / si) - 1) * si + ki - n);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    });
    const padAll = [...Array(x.rank - 1 - rank).fill([0, 0]), ...pads, [0, 0]];
    const pool = rank === 3 ? tf.avgPool3d : tf.avgPool;
    const lift = rank === 1 ? (t) => tf.expandDims(t, x.rank - 2) : (t) => t;
    const drop = rank === 1 ? (t) => tf.squeeze(t, [x.rank - 2]) : (t) => t;
    const kk = rank === 1 ? [1, k[0]] : k.length === 1 ? k[0] : k, ss = rank === 1 ? [1, s[0]] : s.length === 1 ? s[0] : s;
    const mask = tf.pad(tf.onesLike(x), padAll);
    return drop(tf.div(pool(lift(tf.pad(x, padAll)), kk, ss, 'valid'), pool(lift(mask), kk, ss, 'valid')));
  },
  maxPool1d: pool1d((...p) => tf.maxPool(...p)),
  avgPool1d: pool1d((...p) => tf.avgPool(...p)),
};

function broadcastShape(a, b) {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => Math.max(a[a.length - n + i] ?? 1, b[b.length - n + i] ?? 1));
}

// Formula references in float64, elementwise: f(x) and f'(x).
const sigm = (x) => 1 / (1 + Math.exp(-x));
const softplus64 = (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
/** erf by its everywhere-convergent series of positive terms (no cancellation). */
function erf(x) {
  const ax = Math.abs(x);
  if (ax > 6) return Math.sign(x);
  let term = ax, sum = ax;
  for (let n = 1; n < 500 && term > 1e-17 * sum; n++) {
    term *= (2 * ax * ax) / (2 * n + 1);
    sum += term;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * Math.exp(-ax * ax) * sum;
}
const GC = Math.sqrt(2 / Math.PI);
const F = {
  swish: [(x) => x * sigm(x), (x) => sigm(x) + x * sigm(x) * (1 - sigm(x))],
  mish: [(x) => x * Math.tanh(softplus64(x)), (x) => { const t = Math.tanh(softplus64(x)); return t + x * (1 - t * t) * sigm(x); }],
  gelu: [(x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
    (x) => 0.5 * (1 + erf(x / Math.SQRT2)) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI)],
  geluTanh: [(x) => 0.5 * x * (1 + Math.tanh(GC * (x + 0.044715 * x ** 3))),
    (x) => { const t = Math.tanh(GC * (x + 0.044715 * x ** 3)); return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GC * (1 + 3 * 0.044715 * x * x); }],
  hardSigmoidKeras2: [(x) => Math.min(1, Math.max(0, 0.2 * x + 0.5)), (x) => (x > -2.5 && x < 2.5 ? 0.2 : 0)],
  hardSigmoidKeras3: [(x) => Math.min(1, Math.max(0, x / 6 + 0.5)), (x) => (x > -3 && x < 3 ? 1 / 6 : 0)],
  softsign: [(x) => x / (1 + Math.abs(x)), (x) => 1 / (1 + Math.abs(x)) ** 2],
  elu: (alpha) => [(x) => (x > 0 ? x : alpha * Math.expm1(x)), (x) => (x > 0 ? 1 : alpha * Math.exp(x))],
};

// ---------------------------------------------------------------- cases

const groups = {};
let current;
let digits = 0;
/** `opts.digits`: inputs and dy rounded to that many significant digits (shorter files; not for ops with ties). */
function group(name, body, opts = {}) {
  current = groups[name] = [];
  digits = opts.digits ?? 0;
  body();
}
/**
 * One case. spec: { args?, tf?: (...tensors, args) => out, formula?: [f, df], grad?: false,
 * note?, source? }. Without `tf` or `formula` the reference is T[op].
 */
function c(name, op, inputs, spec = {}) {
  current.push({ name, op, inputs, args: spec.args ?? {}, digits, ...spec });
}

group('elementwise', () => {
  const binaries = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'squaredDifference'];
  const shapes = [
    ['same shape', [2, 3], [2, 3]],
    ['broadcast [2,3,4] with [4]', [2, 3, 4], [4]],
    ['broadcast [3,1] with [1,4]', [3, 1], [1, 4]],
    ['broadcast [4] with [2,1,4]', [4], [2, 1, 4]],
    ['with scalar', [2, 3], []],
  ];
  for (const op of binaries) {
    for (const [label, sa, sb] of op === 'add' || op === 'mul' ? shapes : [shapes[0], shapes[1], shapes[2]]) {
      const a = op === 'pow' ? U(sa, 0.5, 2) : N(sa);
      const b = op === 'div' ? NZ(sb) : op === 'pow' ? U(sb, -2, 2) : N(sb);
      const fix = ['maximum', 'minimum', 'squaredDifference'].includes(op) && label.startsWith('broadcast');
      c(`${op} ${label}`, op, [a, b], fix ? { gradTf: C.broadcastFirst(op), gradNote: 'gradient through tf.broadcastTo of both operands (tfjs 4.22 does not reduce this one)' } : {});
    }
  }
  c('add int32 broadcast', 'add', [I([2, 3], -9, 9), I([3], -9, 9)]);
  c('mul int32', 'mul', [I([2, 3], -9, 9), I([2, 3], -9, 9)]);
  c('sub int32 with scalar', 'sub', [I([2, 3], -9, 9), I([], -9, 9)]);
  c('neg', 'neg', [N([2, 3])]);
  for (const op of ['equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual']) {
    c(`${op} with ties`, op, [I([3, 4], -2, 2), I([3, 4], -2, 2)].map((g) => (r) => ({ ...g(r), dtype: 'float32' })));
    c(`${op} broadcast [2,3] with [3]`, op, [V([2, 3], [0.5, -1, 2, 3, 0.5, -2]), V([3], [0.5, 1, 2])]);
  }

  const unary = {
    exp: N([2, 3, 4]), log: U([2, 3, 4], 0.2, 3), log1p: U([2, 3, 4], -0.5, 2), sqrt: U([2, 3, 4], 0.2, 3),
    rsqrt: U([2, 3, 4], 0.2, 3), square: N([2, 3, 4]), abs: N([2, 3, 4]), sign: N([2, 3, 4]),
    reciprocal: NZ([2, 3, 4]), floor: N([2, 3, 4], 3), round: N([2, 3, 4], 3), ceil: N([2, 3, 4], 3),
  };
  for (const [op, g] of Object.entries(unary)) c(op, op, [g]);
  c('sign with zeros', 'sign', [V([5], [-2, -0, 0, 0.25, 3])]);
  c('round halves to even', 'round', [V([8], [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 0.49])]);
  c('clipByValue min=-0.5 max=0.8', 'clipByValue', [N([3, 5])], { args: { min: -0.5, max: 0.8 } });
  c('clipByValue min=0 max=6', 'clipByValue', [N([3, 5], 4)], { args: { min: 0, max: 6 } });

  for (const op of ['relu', 'selu', 'sigmoid', 'tanh', 'softplus']) c(op, op, [N([3, 5], 2)]);
  c('relu6', 'relu6', [N([3, 5], 5)]);
  c('elu alpha=1', 'elu', [N([3, 5], 2)]);
  c('elu alpha=0.5', 'elu', [N([3, 5], 2)], { args: { alpha: 0.5 }, formula: F.elu(0.5), note: 'tfjs elu has no alpha' });
  c('leakyRelu default alpha', 'leakyRelu', [N([3, 5], 2)]);
  c('leakyRelu alpha=0.1', 'leakyRelu', [N([3, 5], 2)], { args: { alpha: 0.1 } });
  c('prelu alpha [C] broadcast', 'prelu', [N([2, 3, 4], 2), U([4], 0.05, 0.5)]);
  c('prelu alpha same shape', 'prelu', [N([3, 4], 2), U([3, 4], 0.05, 0.5)]);
  c('softsign', 'softsign', [N([3, 5], 2)], { formula: F.softsign, note: 'tfjs has no softsign op' });
  c('swish', 'swish', [N([3, 5], 2)], { formula: F.swish, note: 'x·sigmoid(x); tfjs has no swish op' });
  c('silu', 'silu', [N([3, 5], 2)], { formula: F.swish, note: 'alias of swish; tfjs has no op' });
  c('mish', 'mish', [N([3, 5], 2)], { formula: F.mish, note: 'x·tanh(softplus(x)); tfjs has no mish op' });
  c('gelu exact', 'gelu', [N([3, 5], 2)], { formula: F.gelu, note: 'x·Φ(x) with erf; tfjs has no gelu op' });
  c('gelu approximate=true', 'gelu', [N([3, 5], 2)], { args: { approximate: true }, formula: F.geluTanh, note: 'tanh form; tfjs has no gelu op' });
  c('hardSigmoid default (keras2)', 'hardSigmoid', [N([3, 5], 3)], { formula: F.hardSigmoidKeras2, note: 'clip(0.2x + 0.5, 0, 1), tfjs layers hard_sigmoid' });
  c('hardSigmoid keras3', 'hardSigmoid', [N([3, 5], 3)], { args: { form: 'keras3' }, formula: F.hardSigmoidKeras3, note: 'clip(x/6 + 0.5, 0, 1)' });

  for (const op of ['softmax', 'logSoftmax']) {
    const key = op === 'softmax' ? 'dim' : 'axis';
    c(`${op} rank 1`, op, [N([5], 2)]);
    c(`${op} rank 2 default axis`, op, [N([3, 4], 2)]);
    c(`${op} rank 3 ${key}=-1`, op, [N([2, 3, 4], 2)], { args: { [key]: -1 } });
    c(`${op} rank 3 ${key}=2`, op, [N([2, 3, 4], 2)], { args: { [key]: 2 } });
    c(`${op} rank 3 ${key}=1`, op, [N([2, 3, 4], 2)], {
      args: { [key]: 1 }, tf: C.softmaxAxis(op === 'softmax' ? tf.softmax : tf.logSoftmax, 1, 3),
      source: 'tfjs-composed', note: `transpose, tf.${op} on the last axis, transpose back`,
    });
  }
});

group('reduce', () => {
  const variants = [
    ['all axes', {}],
    ['axis=1', { axis: 1 }],
    ['axis=[0,2] keepDims', { axis: [0, 2], keepDims: true }],
    ['axis=-1 keepDims', { axis: -1, keepDims: true }],
    ['axis=[1,0]', { axis: [1, 0] }],
  ];
  for (const op of ['sum', 'mean', 'max', 'min', 'prod', 'logSumExp']) {
    for (const [label, args] of variants) {
      const x = op === 'prod' ? NZ([2, 3, 4], 0.6, 1.4) : N([2, 3, 4], 2);
      const fix = op === 'prod' && args.axis === -1;
      c(`${op} ${label}`, op, [x], fix ? { args, gradTf: (t) => tf.prod(t, 2, true), gradNote: 'gradient with axis=2 (tfjs 4.22 prod gradient rejects negative axes)' } : { args });
    }
  }
  c('sum int32 axis=0', 'sum', [I([3, 4], -9, 9)], { args: { axis: 0 } });
  c('max int32 all axes', 'max', [I([3, 4], -99, 99)]);
  c('sum rank 1', 'sum', [N([6])]);
  for (const op of ['argMax', 'argMin']) {
    c(`${op} default axis`, op, [N([4, 3])]);
    c(`${op} axis=1`, op, [N([4, 3])], { args: { axis: 1 } });
    c(`${op} rank 3 axis=-1`, op, [N([2, 3, 4])], { args: { axis: -1 } });
    c(`${op} rank 3 axis=1`, op, [N([2, 3, 4])], { args: { axis: 1 } });
    c(`${op} rank 1`, op, [N([7])]);
  }
  c('moments all axes', 'moments', [N([2, 3, 4], 2)]);
  c('moments axes=[0]', 'moments', [N([2, 3, 4], 2)], { args: { axes: [0] } });
  c('moments axes=[0,1] keepDims', 'moments', [N([2, 3, 4], 2)], { args: { axes: [0, 1], keepDims: true } });
  c('moments axes=-1', 'moments', [N([2, 3, 4], 2)], { args: { axes: -1 } });
});

group('matmul', () => {
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
    c(`matmul 2D transposeA=${ta} transposeB=${tb}`, 'matmul', [N(ta ? [4, 3] : [3, 4]), N(tb ? [5, 4] : [4, 5])], { args: { transposeA: ta, transposeB: tb } });
  }
  c('matmul batched', 'matmul', [N([2, 3, 4]), N([2, 4, 5])], { args: {} });
  c('matmul batched transposeA transposeB', 'matmul', [N([2, 4, 3]), N([2, 5, 4])], { args: { transposeA: true, transposeB: true } });
  const bm = { gradTf: C.matmulBroadcastFirst, gradNote: 'gradient through tf.broadcastTo of the batch dims (tfjs 4.22 does not reduce them)' };
  c('matmul batch broadcast [2,1,3,4]x[3,4,2]', 'matmul', [N([2, 1, 3, 4]), N([3, 4, 2])], {
    tf: C.matmulBroadcastFirst, source: 'tfjs-composed',
    note: 'tf.broadcastTo of the batch dims, then tf.matMul (tfjs 4.22 cpu matMul gives wrong values when both operands broadcast)',
  });
  c('matmul batch broadcast rank 3 x rank 2', 'matmul', [N([2, 3, 4]), N([4, 2])], bm);
  const dot = { source: 'tfjs', note: 'tf.dot (NumPy rules for rank-1 operands)' };
  c('matmul vector x matrix', 'matmul', [N([4]), N([4, 3])], dot);
  c('matmul matrix x vector', 'matmul', [N([3, 4]), N([4])], dot);
  c('matmul vector x vector', 'matmul', [N([4]), N([4])], dot);
});

group('shape', () => {
  c('reshape with -1', 'reshape', [N([2, 3, 4])], { args: { shape: [4, -1] } });
  c('expandDims axis=1', 'expandDims', [N([2, 3])], { args: { axis: 1 } });
  c('squeeze all', 'squeeze', [N([1, 3, 1, 2])]);
  c('squeeze axis=[2]', 'squeeze', [N([1, 3, 1, 2])], { args: { axis: [2] } });
  c('transpose default perm', 'transpose', [N([2, 3, 4])]);
  c('transpose perm=[1,0,2]', 'transpose', [N([2, 3, 4])], { args: { perm: [1, 0, 2] } });
  c('transpose rank 4 perm=[0,3,1,2]', 'transpose', [N([2, 3, 4, 2])], { args: { perm: [0, 3, 1, 2] } });
  c('concat axis=0 three tensors', 'concat', [N([2, 3]), N([1, 3]), N([3, 3])], { args: { axis: 0 } });
  c('concat axis=1', 'concat', [N([2, 3]), N([2, 2])], { args: { axis: 1 } });
  c('concat rank 3 axis=-1', 'concat', [N([2, 2, 3]), N([2, 2, 1])], { args: { axis: -1 } });
  c('concat rank 1 default axis', 'concat', [N([3]), N([2])]);
  for (const axis of [0, 1, 2]) c(`stack axis=${axis}`, 'stack', [N([2, 3]), N([2, 3]), N([2, 3])], { args: { axis } });
  c('stack axis=-1', 'stack', [N([2, 3]), N([2, 3])], { args: { axis: -1 } });
  c('unstack axis=0', 'unstack', [N([3, 2, 2])], { args: { axis: 0 } });
  c('unstack axis=1', 'unstack', [N([2, 3, 2])], { args: { axis: 1 } });
  c('split 3 equal axis=0', 'split', [N([6, 2])], { args: { numOrSizeSplits: 3, axis: 0 } });
  c('split sizes [1,2,1] axis=1', 'split', [N([2, 4])], { args: { numOrSizeSplits: [1, 2, 1], axis: 1 } });
  c('split sizes [2,-1] axis=-1', 'split', [N([2, 2, 5])], { args: { numOrSizeSplits: [2, -1], axis: -1 } });
  c('slice rank 1 numbers', 'slice', [N([6])], { args: { begin: 1, size: 3 } });
  c('slice rank 2 size -1', 'slice', [N([4, 5])], { args: { begin: [1, 2], size: [2, -1] } });
  c('slice rank 3', 'slice', [N([2, 4, 3])], { args: { begin: [0, 1, 1], size: [-1, 2, 2] } });
  c('slice begin only', 'slice', [N([3, 4])], { args: { begin: [1, 1] } });
  c('reverse all axes', 'reverse', [N([2, 3, 4])]);
  c('reverse axis=0', 'reverse', [N([2, 3, 4])], { args: { axis: 0 } });
  c('reverse axis=[0,2]', 'reverse', [N([2, 3, 4])], { args: { axis: [0, 2] } });
  c('reverse axis=-1', 'reverse', [N([2, 3, 4])], { args: { axis: -1 } });
  c('tile reps=[2,1]', 'tile', [N([2, 3])], { args: { reps: [2, 1] } });
  c('tile reps=[2,3]', 'tile', [N([2, 3])], { args: { reps: [2, 3] } });
  c('tile rank 3 reps=[2,1,2]', 'tile', [N([2, 2, 3])], { args: { reps: [2, 1, 2] } });
  c('pad rank 2', 'pad', [N([2, 3])], { args: { paddings: [[1, 0], [2, 1]] } });
  c('pad rank 2 constantValue=1.5', 'pad', [N([2, 3])], { args: { paddings: [[0, 2], [1, 1]], constantValue: 1.5 } });
  c('pad rank 3', 'pad', [N([2, 2, 3])], { args: { paddings: [[0, 0], [1, 2], [0, 1]] } });
  c('gather axis=0 with repeats', 'gather', [N([5, 3]), V([4], [4, 0, 2, 4], 'int32')], { args: { axis: 0 } });
  c('gather axis=1 indices 2D', 'gather', [N([2, 5, 3]), V([2, 2], [1, 3, 3, 0], 'int32')], { args: { axis: 1 } });
  c('gather axis=0 indices 2D', 'gather', [N([4, 3]), V([2, 3], [3, 0, 1, 1, 2, 3], 'int32')], { args: { axis: 0 } });
  c('gather default axis rank 1', 'gather', [N([6]), V([3], [5, 0, 5], 'int32')]);
  c('oneHot depth=4', 'oneHot', [V([5], [0, 3, 1, 1, 2], 'int32')], { args: { depth: 4 } });
  c('oneHot 2D onValue=5 offValue=-1', 'oneHot', [I([2, 3], 0, 2)], { args: { depth: 3, onValue: 5, offValue: -1 } });
  c('oneHot out-of-range index gives an all-off row', 'oneHot', [V([3], [1, -1, 3], 'int32')], { args: { depth: 3 } });
  c('where same shapes', 'where', [B([2, 3]), N([2, 3]), N([2, 3])]);
  c('where broadcast condition [3] a [2,3] b [3]', 'where', [B([3]), N([2, 3]), N([3])]);
  c('cast float32 to int32 truncates', 'cast', [V([6], [-2.7, -1.2, -0.5, 0.5, 1.9, 3])], { args: { dtype: 'int32' } });
  c('cast int32 to float32', 'cast', [I([2, 3], -9, 9)], { args: { dtype: 'float32' } });
});

group('conv', () => {
  // conv1d: x [2,7,2], filter [3,2,3]
  const c1 = (label, args, spec = {}) => c(`conv1d ${label}`, 'conv1d', [N(spec.x ?? [2, 7, 2]), N(spec.w ?? [3, 2, 3])], { args, ...spec });
  c1('valid', { stride: 1, pad: 'valid' });
  c1('same', { stride: 1, pad: 'same' });
  c1('valid stride=2', { stride: 2, pad: 'valid' });
  c1('same stride=2', { stride: 2, pad: 'same' });
  c1('same kernel 2 (pad after)', { stride: 1, pad: 'same' }, { w: [2, 2, 3] });
  c1('pad=1', { stride: 1, pad: 1 }, { tf: C.conv1dPadded, source: 'tfjs-composed', note: 'tf.pad, then conv1d valid (tfjs conv1d pads the dummy height too)' });
  c1('explicit pad [[2,1]]', { stride: 1, pad: [[2, 1]] }, { tf: C.conv1dPadded, source: 'tfjs-composed', note: 'tf.pad, then conv1d valid' });
  c1('dilation=2 valid', { stride: 1, pad: 'valid', dilation: 2 });
  c1('dilation=2 same', { stride: 1, pad: 'same', dilation: 2 });
  c1('causal', { stride: 1, pad: 'causal' }, { tf: C.conv1dCausal, source: 'tfjs-composed', note: 'tf.pad kEff−1 before, then conv1d valid' });
  c1('causal dilation=2', { stride: 1, pad: 'causal', dilation: 2 }, { tf: C.conv1dCausal, source: 'tfjs-composed', note: 'tf.pad kEff−1 before, then conv1d valid' });
  c1('options form same stride=2', { form: 'options', stride: 2, pad: 'same' });
  c1('batchless x', { stride: 1, pad: 'same' }, { x: [7, 2] });

  // conv2d: x [2,5,4,2], filter [3,2,2,3]
  const c2 = (label, args, spec = {}) => c(`conv2d ${label}`, 'conv2d', [N(spec.x ?? [2, 5, 4, 2]), N(spec.w ?? [3, 2, 2, 3])], { args, ...spec });
  c2('valid', { strides: 1, pad: 'valid' });
  c2('same', { strides: 1, pad: 'same' });
  c2('valid strides=2', { strides: 2, pad: 'valid' });
  c2('same strides=2', { strides: 2, pad: 'same' });
  c2('same strides=[1,2]', { strides: [1, 2], pad: 'same' });
  c2('same kernel 4 strides=2', { strides: 2, pad: 'same' }, { w: [4, 4, 2, 2] });
  c2('pad=1', { strides: 1, pad: 1 }, { tf: T.conv2dNumericPad, source: 'tfjs-composed', note: 'tf.conv2d with the explicit pad [[1,1],[1,1]] (tfjs 4.22 sizes numeric pads by the filter height alone)' });
  c2('explicit pad [[1,0],[0,2]]', { strides: 1, pad: [[1, 0], [0, 2]] });
  c2('dilations=2 valid', { strides: 1, pad: 'valid', dilations: 2 });
  c2('dilations=[2,1] same', { strides: 1, pad: 'same', dilations: [2, 1] });
  c2('options form valid strides=2', { form: 'options', strides: 2, pad: 'valid' });
  c2('batchless x', { strides: 1, pad: 'same' }, { x: [5, 4, 2] });

  // conv3d: x [1,4,3,4,2], filter [3,2,2,2,2]
  const c3 = (label, args, spec = {}) => c(`conv3d ${label}`, 'conv3d', [N(spec.x ?? [1, 4, 3, 4, 2]), N(spec.w ?? [3, 2, 2, 2, 2])], { args, ...spec });
  c3('valid', { strides: 1, pad: 'valid' });
  c3('same', { strides: 1, pad: 'same' });
  c3('valid strides=2', { strides: 2, pad: 'valid' });
  c3('same strides=2', { strides: 2, pad: 'same' });
  c3('dilations=2 valid', { strides: 1, pad: 'valid', dilations: 2 }, { x: [1, 5, 5, 6, 2], w: [2, 2, 3, 2, 2] });
  c3('dilations=[1,2,1] same', { strides: 1, pad: 'same', dilations: [1, 2, 1] });
  c3('batch 2 same strides=[1,2,2]', { strides: [1, 2, 2], pad: 'same' }, { x: [2, 3, 3, 4, 1], w: [2, 2, 2, 1, 2] });

  // conv2dTranspose: x [2,3,2,2], filter [k,k,3,2]
  for (const k of [3, 4]) {
    for (const s of [1, 2]) {
      for (const pad of ['valid', 'same']) {
        const form = s === 2 && k === 3 ? { form: 'options' } : {};
        const shapeArg = form.form ? {} : { outputShape: null };
        c(`conv2dTranspose ${pad} strides=${s} kernel ${k}${form.form ? ' options form' : ''}`, 'conv2dTranspose', [N([2, 3, 2, 2]), N([k, k, 3, 2])],
          { args: { ...shapeArg, ...form, strides: s, pad } });
      }
    }
  }
  c('conv2dTranspose same strides=[2,1] kernel [3,2]', 'conv2dTranspose', [N([1, 3, 4, 2]), N([3, 2, 3, 2])], { args: { outputShape: null, strides: [2, 1], pad: 'same' } });
  c('conv2dTranspose batchless x', 'conv2dTranspose', [N([3, 2, 2]), N([3, 3, 3, 2])], { args: { outputShape: null, strides: 2, pad: 'same' } });

  // conv1dTranspose (tfjs has none: conv2dTranspose with a height of 1)
  for (const [k, s, pad] of [[3, 1, 'valid'], [3, 2, 'same'], [4, 2, 'valid'], [4, 2, 'same']]) {
    c(`conv1dTranspose ${pad} strides=${s} kernel ${k}`, 'conv1dTranspose', [N([2, 5, 3]), N([k, 2, 3])],
      { args: { form: 'options', strides: s, pad }, tf: C.conv1dTranspose, source: 'tfjs-composed', note: 'tf.conv2dTranspose on a height-1 image' });
  }

  // conv3dTranspose: forward only (tfjs has no gradient for Conv3DBackpropInputV2)
  for (const [k, s, pad] of [[3, 1, 'valid'], [3, 2, 'same'], [2, 2, 'valid'], [4, 2, 'same'], [3, 1, 'same']]) {
    c(`conv3dTranspose ${pad} strides=${s} kernel ${k}`, 'conv3dTranspose', [N([1, 2, 3, 2, 2]), N([k, k, k, 3, 2])],
      { args: { outputShape: null, strides: s, pad } });
  }

  // depthwiseConv2d: x [2,4,5,2], filter [3,3,2,2]
  const dw = (label, args, spec = {}) => c(`depthwiseConv2d ${label}`, 'depthwiseConv2d', [N([2, 4, 5, 2]), N(spec.w ?? [3, 3, 2, 2])], { args, ...spec });
  dw('valid', { strides: 1, pad: 'valid' });
  dw('same', { strides: 1, pad: 'same' });
  dw('valid strides=2', { strides: 2, pad: 'valid' });
  dw('same strides=2', { strides: 2, pad: 'same' });
  dw('multiplier 1 same', { strides: 1, pad: 'same' }, { w: [2, 2, 2, 1] });
  dw('dilations=2 same', { strides: 1, pad: 'same', dilations: 2 });
}, { digits: 4 });

group('pool', () => {
  // Averages have no ties to fear, so their inputs may be short decimals.
  const avgSame = (op, args) => (op.startsWith('avg') && args.pad === 'same'
    ? { gradTf: C.avgPoolSameByRatio(op.endsWith('3d') ? 3 : op.endsWith('1d') ? 1 : 2), gradNote: 'gradient through a ratio of valid avgPools of padded tensors (tfjs 4.22 avgPool gradient divides by the whole window at the border)' }
    : {});
  const p = (op, x, label, args) => c(`${op} ${label}`, op, [N(x)], { args, digits: op.startsWith('avg') ? 4 : 0, ...avgSame(op, args) });
  for (const op of ['maxPool', 'avgPool']) {
    p(op, [2, 4, 4, 2], 'filter 2 strides 2 valid', { filterSize: 2, strides: 2, pad: 'valid' });
    p(op, [1, 5, 5, 2], 'filter 3 strides 1 same', { filterSize: 3, strides: 1, pad: 'same' });
    p(op, [2, 5, 5, 1], 'filter 3 strides 2 same', { filterSize: 3, strides: 2, pad: 'same' });
    p(op, [1, 5, 6, 2], 'filter [2,3] strides [1,2] valid', { filterSize: [2, 3], strides: [1, 2], pad: 'valid' });
    p(op, [1, 5, 5, 2], 'options form poolSize 2 default strides same', { form: 'options', filterSize: 2, pad: 'same' });
  }
  for (const op of ['maxPool3d', 'avgPool3d']) {
    p(op, [1, 4, 4, 4, 1], 'filter 2 strides 2 valid', { filterSize: 2, strides: 2, pad: 'valid' });
    p(op, [1, 3, 4, 3, 1], 'filter 3 strides 1 same', { filterSize: 3, strides: 1, pad: 'same' });
    p(op, [2, 3, 4, 3, 1], 'filter 3 strides 2 same', { filterSize: 3, strides: 2, pad: 'same' });
  }
  for (const op of ['maxPool1d', 'avgPool1d']) {
    const spec = (args) => ({ args, tf: C[op], source: 'tfjs-composed', note: `tf.${op.slice(0, 7)} with a height of 1`, ...avgSame(op, args) });
    c(`${op} filter 2 strides 2 valid`, op, [N([2, 7, 2])], spec({ filterSize: 2, strides: 2, pad: 'valid' }));
    c(`${op} filter 3 strides 1 same`, op, [N([2, 7, 2])], spec({ filterSize: 3, strides: 1, pad: 'same' }));
    c(`${op} filter 3 strides 2 same`, op, [N([2, 7, 2])], spec({ filterSize: 3, strides: 2, pad: 'same' }));
  }
});

// ---------------------------------------------------------------- evaluation

function store(t) {
  const values = Array.from(t.dataSync(), (v) => (t.dtype === 'float32' ? short(v) : v));
  return { shape: t.shape, dtype: t.dtype, values };
}
function storeRaw({ shape, dtype, values }) {
  return { shape, dtype, values: dtype === 'float32' ? values.map(short) : values };
}
const toTf = ({ shape, dtype, values }) => tf.tensor(values, shape, dtype);

function evaluate(spec) {
  const r = rng(hash(spec.name));
  const q = (v) => (spec.digits ? f32(Number(v.toPrecision(spec.digits))) : v);
  const inputs = spec.inputs.map((g) => g(r)).map((x) => (x.dtype === 'float32' ? { ...x, values: x.values.map(q) } : x));
  const args = { ...spec.args };
  const out = { name: spec.name, op: spec.op, args: spec.args, source: spec.source ?? (spec.formula ? 'formula' : 'tfjs') };
  const notes = [spec.note, spec.gradNote].filter(Boolean);
  if (notes.length) out.note = notes.join('; ');
  out.inputs = inputs.map(storeRaw);

  if (spec.formula) {
    const [f, df] = spec.formula;
    const x = inputs[0];
    out.output = { shape: x.shape, dtype: 'float32', values: x.values.map((v) => short(f32(f(v)))) };
    const dy = x.values.map(() => f32(r.normal()));
    out.dy = { shape: x.shape, values: dy.map(short) };
    out.grads = [{ shape: x.shape, values: x.values.map((v, i) => short(f32(df(v) * dy[i]))) }];
    return out;
  }

  const fn = spec.tf ?? T[spec.op];
  if (!fn) throw new Error(`no tfjs reference for ${spec.op}`);
  // Transposed convs: record the output shape tfjs was asked for, when the case passes it.
  const call = (ts) => fn(...ts, args);
  const tensors = inputs.map(toTf);
  const result = call(tensors);
  const multi = Array.isArray(result);
  for (const o of [result].flat()) if (o.size === 0) throw new Error(`${spec.name}: empty output ${JSON.stringify(o.shape)}`);
  const outs = multi ? result : [result];
  if ('outputShape' in spec.args) out.args = { ...spec.args, outputShape: outs[0].shape };
  if (multi) out.outputs = outs.map(store);
  else out.output = store(result);

  if (spec.gradTf) {
    const alt = spec.gradTf(...tensors, args);
    const gap = tf.max(tf.abs(tf.sub(alt, outs[0]))).dataSync()[0];
    if (!(gap <= 1e-6 * (1 + tf.max(tf.abs(outs[0])).dataSync()[0]))) throw new Error(`${spec.name}: gradTf forward differs by ${gap}`);
  }
  const diff = inputs.map((x) => x.dtype === 'float32');
  const floatOut = outs.every((o) => o.dtype === 'float32');
  if (spec.grad === false || !floatOut || !diff.some(Boolean)) return out;

  const dys = outs.map((o) => tf.tensor(Array.from({ length: o.size }, () => q(f32(r.normal()))), o.shape, 'float32'));
  out.dy = multi ? dys.map((d) => ({ shape: d.shape, values: Array.from(d.dataSync(), short) })) : { shape: dys[0].shape, values: Array.from(dys[0].dataSync(), short) };
  const wrtIdx = diff.flatMap((d, i) => (d ? [i] : []));
  const f = (...xs) => {
    const ts = tensors.slice();
    wrtIdx.forEach((j, k) => { ts[j] = xs[k]; });
    const y = spec.gradTf ? spec.gradTf(...ts, args) : call(ts);
    // Several outputs: Σ_i sum(y_i · dy_i) has the same gradient as back-propagating every dy_i.
    return multi ? tf.addN(y.map((yi, i) => tf.sum(tf.mul(yi, dys[i])))) : y;
  };
  try {
    const g = tf.grads(f)(wrtIdx.map((j) => tensors[j]), multi ? undefined : dys[0]);
    out.grads = inputs.map(() => null);
    wrtIdx.forEach((j, k) => { out.grads[j] = { shape: g[k].shape, values: Array.from(g[k].dataSync(), short) }; });
  } catch (e) {
    out.grads = inputs.map(() => null);
    const why = `no tfjs gradient: ${e.message.split('\n')[0]}`;
    out.note = out.note ? `${out.note}; ${why}` : why;
  }
  return out;
}

mkdirSync(outDir, { recursive: true });
const names = new Set();
let total = 0, bytes = 0;
const FORMAT = 'One case per line. Case = { name, op (Strata function), args (named, Strata terms; form:"options" = options-object call), '
  + 'source ("tfjs" | "tfjs-composed" | "formula": float64 math, tfjs lacks the op), note?, inputs: [{shape, dtype, values}] (dtype "bool" = 0/1, int32 in Strata), '
  + 'output: {shape, dtype, values} | outputs: [...], dy?: {shape, values} | [...] (with outputs), grads?: [{shape, values} | null] per input '
  + '= d(Σ output·dy)/d(input); null: input not float, or tfjs has no gradient (see note) }. Regenerate: npm run golden.';
for (const [name, specs] of Object.entries(groups)) {
  const cases = specs.map((s) => {
    if (names.has(s.name)) throw new Error(`duplicate case name ${s.name}`);
    names.add(s.name);
    return evaluate(s);
  });
  const head = { $comment: FORMAT, generator: 'scripts/make-golden.mjs', tfjs: tf.version.tfjs, backend: tf.getBackend() };
  const text = `${JSON.stringify(head).slice(0, -1)},\n"cases": [\n${cases.map((k) => JSON.stringify(k)).join(',\n')}\n]}\n`;
  writeFileSync(join(outDir, `${name}.json`), text);
  total += cases.length;
  bytes += Buffer.byteLength(text);
  const noGrad = cases.filter((k) => k.note?.includes('no tfjs gradient')).map((k) => k.name);
  log(`${name}.json: ${cases.length} cases, ${(Buffer.byteLength(text) / 1024).toFixed(1)} KiB${noGrad.length ? `; forward only: ${noGrad.join(', ')}` : ''}`);
}
log(`${total} cases, ${(bytes / 1024).toFixed(1)} KiB in ${outDir}, ${((performance.now() - t0) / 1000).toFixed(2)} s`);
