/**
 * ONNX ops without spatial layout → Strata layers: Gemm and MatMul(+Add) → Dense, Gather on a
 * weight table → Embedding, activations, Softmax, elementwise arithmetic, Dropout, Identity, Cast.
 * Weights become the layers' trainable variables.
 */
import { Activation, ELU, LeakyReLU, ReLU, Softmax } from '../../layers/activation-layer.js';
import { Dense } from '../../layers/dense.js';
import { Dropout } from '../../layers/dropout.js';
import { Embedding } from '../../layers/embedding.js';
import { Rescaling } from '../../layers/image-preprocessing.js';
import type { Layer } from '../../layers/layer.js';
import { Add, Multiply, Subtract } from '../../layers/merge.js';
import type { Const, OnnxNode } from './decode.js';
import { type ImportContext, type OpHandler, type Sym, type Value, product } from './import-context.js';

const same = (a: Sym, b: Sym): boolean => a.axes.length === b.axes.length && a.axes.every((x, i) => x === b.axes[i]);

/** A layer applied to the value as it lies: the view is kept (elementwise ops). */
function elementwise(cx: ImportContext, node: OnnxNode, make: () => Layer): Value[] {
  const v = cx.sym(node, 0);
  return [{ kind: 'sym', t: cx.apply(node, make(), v.t)[0], axes: v.axes }];
}

const act = (activation: string): OpHandler => (cx, node) => elementwise(cx, node, () => new Activation({ activation }));

const hardSigmoid: OpHandler = (cx, node) => {
  const alpha = Number(node.attrs.alpha ?? 0.2), beta = Number(node.attrs.beta ?? 0.5);
  if (Math.abs(beta - 0.5) > 1e-6) cx.fail(node, `has beta ${beta}; Strata's hard sigmoids have beta 0.5`);
  if (Math.abs(alpha - 0.2) < 1e-6) return act('hard_sigmoid')(cx, node);
  if (Math.abs(alpha - 1 / 6) < 1e-6) return act('hard_sigmoid_keras3')(cx, node);
  return cx.fail(node, `has alpha ${alpha}; Strata's hard sigmoids have alpha 0.2 or 1/6`);
};

const selu: OpHandler = (cx, node) => {
  const alpha = Number(node.attrs.alpha ?? 1.67326319217681884765625), gamma = Number(node.attrs.gamma ?? 1.05070102214813232421875);
  if (Math.abs(alpha - 1.6732632) > 1e-5 || Math.abs(gamma - 1.0507010) > 1e-5) cx.fail(node, `has alpha ${alpha}, gamma ${gamma}; Strata's selu uses the standard constants`);
  return act('selu')(cx, node);
};

const clip: OpHandler = (cx, node) => {
  const lo = cx.has(node, 1) ? cx.floats(node, 1, 'min')[0] : -Infinity, hi = cx.has(node, 2) ? cx.floats(node, 2, 'max')[0] : Infinity;
  if (lo !== 0) cx.fail(node, `clips to [${lo}, ${hi}]; Strata reads Clip with min 0 (ReLU, ReLU6)`);
  return elementwise(cx, node, () => new ReLU({ maxValue: Number.isFinite(hi) ? hi : null }));
};

/** Softmax / LogSoftmax over one axis (opset 13 semantics), on whichever Strata axis holds it. */
const softmax = (log: boolean): OpHandler => (cx, node) => {
  let v = cx.sym(node, 0);
  const rank = v.axes.length, axis = cx.attrInt(node, 'axis', -1), k = axis < 0 ? axis + rank : axis;
  if (!(k >= 0 && k < rank)) cx.fail(node, `axis ${axis} is out of range for rank ${rank}`);
  if (v.axes[k] <= 0) v = cx.canonical(node, v);
  const s = v.axes[k];
  if (s === 0) cx.fail(node, 'normalises over the batch axis');
  if (log) {
    if (s !== v.t.shape.length - 1) cx.fail(node, 'normalises over an axis that is not the last one in Strata\'s layout');
    return [{ kind: 'sym', t: cx.apply(node, new Activation({ activation: 'log_softmax' }), v.t)[0], axes: v.axes }];
  }
  return [{ kind: 'sym', t: cx.apply(node, new Softmax({ axis: s }), v.t)[0], axes: v.axes }];
};

/** A Dense layer on the last ONNX axis: kernel [K, M] (already alpha-scaled), optional bias [M]. */
function dense(cx: ImportContext, node: OnnxNode, x: Sym, kernel: Float32Array, K: number, M: number, bias: Float32Array | null): Sym {
  const c = cx.canonical(node, x);
  const last = c.t.shape.length - 1;
  if (c.axes[c.axes.length - 1] !== last || last === 0) cx.fail(node, 'multiplies over an axis that is not the last one');
  if (c.t.shape[last] !== K) cx.fail(node, `multiplies an input with ${c.t.shape[last]} features by a [${K}, ${M}] matrix`);
  const weights = [{ data: kernel, shape: [K, M] }, ...(bias ? [{ data: bias, shape: [M] }] : [])];
  const t = cx.apply(node, new Dense({ units: M, useBias: bias !== null }), c.t, weights)[0];
  return { kind: 'sym', t, axes: c.axes };
}

/** A bias [M] from a constant that broadcasts along the last axis only. */
function biasOf(c: Const, M: number): Float32Array | null {
  const data = c.floats ?? (c.ints ? Float32Array.from(c.ints) : null);
  if (!data || c.dims.slice(0, -1).some((d) => d !== 1)) return null;
  if (data.length === M) return data;
  return data.length === 1 ? new Float32Array(M).fill(data[0]) : null;
}

const gemm: OpHandler = (cx, node) => {
  if (cx.attrInt(node, 'transA', 0)) cx.fail(node, 'has transA = 1; Strata reads Gemm with the data as the first operand');
  const x = cx.sym(node, 0), B = cx.const(node, 1, 'weight'), w = cx.floats(node, 1, 'weight');
  if (B.dims.length !== 2 || x.axes.length !== 2) cx.fail(node, 'needs a rank-2 input and a rank-2 weight');
  const transB = cx.attrInt(node, 'transB', 0) === 1, alpha = cx.attrInt(node, 'alpha', 1), beta = cx.attrInt(node, 'beta', 1);
  const [K, M] = transB ? [B.dims[1], B.dims[0]] : B.dims;
  const kernel = new Float32Array(K * M);
  for (let k = 0; k < K; k++) for (let m = 0; m < M; m++) kernel[k * M + m] = alpha * (transB ? w[m * K + k] : w[k * M + m]);
  let bias: Float32Array | null = null;
  if (cx.has(node, 2)) {
    bias = biasOf(cx.const(node, 2, 'bias'), M) ?? cx.fail(node, `has a bias of shape [${cx.const(node, 2, 'bias').dims.join(', ')}], not one value per output [${M}]`);
    bias = bias!.map((b) => b * beta);
  }
  return [dense(cx, node, x, kernel, K, M, bias)];
};

/** MatMul by a constant matrix; a following Add of a constant bias joins the same Dense layer. */
const matmul: OpHandler = (cx, node) => {
  const x = cx.get(node, 0);
  if (x.kind !== 'sym' || cx.get(node, 1).kind !== 'const') cx.fail(node, 'multiplies two computed tensors (or a constant by a tensor); Strata reads MatMul by a constant weight matrix');
  const W = cx.const(node, 1, 'weight');
  if (W.dims.length !== 2) cx.fail(node, `has a weight of rank ${W.dims.length}; Strata reads a [in, out] matrix`);
  const [K, M] = W.dims;
  const users = cx.consumers.get(node.outputs[0]) ?? [];
  const add = users.length === 1 && users[0].opType === 'Add' ? users[0] : null;
  const other = add ? cx.values.get(add.inputs[add.inputs[0] === node.outputs[0] ? 1 : 0]) : undefined;
  const bias = other?.kind === 'const' ? biasOf(other, M) : null;
  const y = dense(cx, node, x as Sym, cx.floats(node, 1, 'weight'), K, M, bias);
  if (add && bias) {
    cx.done.add(add);
    cx.values.set(add.outputs[0], y);
    return [];
  }
  return [y];
};

/** Add/Sub/Mul/Div: of two computed tensors → a merge layer; with a scalar constant → Rescaling. */
const arith = (op: 'Add' | 'Sub' | 'Mul' | 'Div'): OpHandler => (cx, node) => {
  const a = cx.get(node, 0), b = cx.get(node, 1);
  if (a.kind === 'const' && b.kind === 'const') {
    const x = a.floats ?? a.ints!, y = b.floats ?? b.ints!;
    if (!x || !y || [...x, ...y].some(Number.isNaN)) cx.fail(node, 'computes with a shape that depends on the batch size');
    if (x.length !== y.length && x.length !== 1 && y.length !== 1) cx.fail(node, 'broadcasts constants of different shapes');
    const n = Math.max(x.length, y.length), at = (v: ArrayLike<number>, i: number): number => v[v.length === 1 ? 0 : i];
    const f = { Add: (p: number, q: number) => p + q, Sub: (p: number, q: number) => p - q, Mul: (p: number, q: number) => p * q, Div: (p: number, q: number) => p / q }[op];
    const out = Array.from({ length: n }, (_, i) => f(at(x, i), at(y, i)));
    const dims = x.length >= y.length ? a.dims : b.dims;
    return [a.floats || b.floats ? { kind: 'const', dims, floats: Float32Array.from(out) } : { kind: 'const', dims, ints: out.map(Math.trunc) }];
  }
  if (a.kind === 'sym' && b.kind === 'sym') {
    if (op === 'Div') cx.fail(node, 'divides two computed tensors, which Strata has no layer for');
    let [p, q] = [a, b];
    if (!same(p, q)) [p, q] = [cx.canonical(node, p), cx.canonical(node, q)];
    const dp = cx.dims(p), dq = cx.dims(q);
    if (!same(p, q) || dp.some((d, i) => d !== dq[i])) cx.fail(node, `combines tensors of shapes [${dp.map((d) => d ?? '?')}] and [${dq.map((d) => d ?? '?')}]; Strata reads equal shapes here`);
    const layer = op === 'Add' ? new Add() : op === 'Sub' ? new Subtract() : new Multiply();
    return [{ kind: 'sym', t: cx.apply(node, layer, [p.t, q.t])[0], axes: p.axes }];
  }
  const [v, c, constFirst] = a.kind === 'sym' ? [a, b as Const, false] : [b as Sym, a, true];
  if (op === 'Div' && constFirst) cx.fail(node, 'divides a constant by a computed tensor');
  const data = c.floats ?? (c.ints ? Float32Array.from(c.ints) : null);
  if (!data || data.some(Number.isNaN)) return cx.fail(node, 'computes with a constant whose size depends on the batch');
  const rescale = (s: number[]): { scale: number | number[]; offset: number | number[] } => {
    const one = (xs: number[]): number | number[] => (xs.length === 1 ? xs[0] : xs);
    if (op === 'Add') return { scale: 1, offset: one(s) };
    if (op === 'Sub') return constFirst ? { scale: -1, offset: one(s) } : { scale: 1, offset: one(s.map((x) => -x)) };
    return { scale: one(op === 'Mul' ? s : s.map((x) => 1 / x)), offset: 0 };
  };
  if (data.length === 1) return [{ kind: 'sym', t: cx.apply(node, new Rescaling(rescale([data[0]])), v.t)[0], axes: v.axes }];
  // One value per entry of one axis (a folded BatchNormalization): Rescaling per channel, that axis last.
  const r = v.axes.length, dims = [...new Array<number>(Math.max(0, r - c.dims.length)).fill(1), ...c.dims];
  const big = dims.map((d, i) => (d !== 1 ? i : -1)).filter((i) => i >= 0);
  const k = big[0], bAxis = cx.batchAxis(v);
  if (dims.length !== r || big.length !== 1 || k === bAxis || dims[k] !== cx.dims(v)[k]) {
    return cx.fail(node, `${op === 'Add' || op === 'Sub' ? 'adds' : 'scales by'} a constant of shape [${c.dims.join(', ')}]; Strata reads a scalar or one value per entry of one axis here`);
  }
  let w: Sym = v;
  if (v.axes[k] !== v.t.shape.length - 1) {
    const order = [bAxis, ...v.axes.map((_, i) => i).filter((i) => i !== bAxis && i !== k), k];
    w = { kind: 'sym', t: cx.arrange(node, v, order), axes: v.axes.map((_, i) => order.indexOf(i)) };
  }
  return [{ kind: 'sym', t: cx.apply(node, new Rescaling(rescale(Array.from(data))), w.t)[0], axes: w.axes }];
};

const identity: OpHandler = (cx, node) => [cx.get(node, 0)];

const dropout: OpHandler = (cx, node) => {
  if (node.outputs.length > 1 && node.outputs[1] !== '' && cx.consumers.has(node.outputs[1])) cx.fail(node, 'has its mask output used');
  const rate = cx.has(node, 1) ? cx.floats(node, 1, 'ratio')[0] : Number(node.attrs.ratio ?? 0.5);
  const v = cx.get(node, 0);
  if (v.kind === 'const') return [v];
  return [{ kind: 'sym', t: cx.apply(node, new Dropout({ rate }), v.t)[0], axes: v.axes }];
};

const FLOAT_TYPES = [1, 10, 11, 16], INT_TYPES = [6, 7, 2, 3, 4, 5, 12, 13];

const cast: OpHandler = (cx, node) => {
  const v = cx.get(node, 0), to = cx.attrInt(node, 'to', 1);
  if (v.kind === 'const') {
    const data = v.floats ? Array.from(v.floats) : v.ints ?? null;
    if (FLOAT_TYPES.includes(to)) return [data ? { kind: 'const', dims: v.dims, floats: Float32Array.from(data) } : v];
    if (INT_TYPES.includes(to) || to === 9) return [data ? { kind: 'const', dims: v.dims, ints: data.map((x) => (to === 9 ? (x ? 1 : 0) : Math.trunc(x))) } : v];
    return cx.fail(node, `casts to data type ${to}`);
  }
  const isInt = v.t.dtype === 'int32';
  if (FLOAT_TYPES.includes(to)) return isInt ? [{ kind: 'sym', t: cx.apply(node, new Rescaling({ scale: 1 }), v.t)[0], axes: v.axes }] : [v];
  // Integer ids feed embedding lookups, which take whole-number floats as well as int32.
  const users = cx.consumers.get(node.outputs[0]) ?? [];
  if (INT_TYPES.includes(to) && (isInt || users.every((u) => u.opType === 'Gather' && u.inputs[1] === node.outputs[0]))) return [v];
  return cx.fail(node, `casts a computed float tensor to data type ${to}; Strata reads integer casts only of embedding ids`);
};

/** Gather on a constant [vocabulary, dim] table with computed ids → Embedding (trainable table). */
export function embedding(cx: ImportContext, node: OnnxNode): Value[] {
  const table = cx.const(node, 0, 'table'), ids = cx.sym(node, 1);
  if (cx.attrInt(node, 'axis', 0) !== 0 || table.dims.length !== 2) cx.fail(node, 'looks up a constant that is not a [vocabulary, dim] table along axis 0');
  const [V, D] = table.dims;
  const t = cx.apply(node, new Embedding({ inputDim: V, outputDim: D }), ids.t, [{ data: cx.floats(node, 0, 'table'), shape: [V, D] }])[0];
  return [{ kind: 'sym', t, axes: [...ids.axes, ids.t.shape.length] }];
}

/** Handlers of this file, by ONNX op type. */
export const CORE_OPS: Record<string, OpHandler> = {
  Relu: act('relu'), Sigmoid: act('sigmoid'), Tanh: act('tanh'), Softplus: act('softplus'), Softsign: act('softsign'),
  Exp: act('exponential'), Selu: selu, HardSigmoid: hardSigmoid, Clip: clip,
  LeakyRelu: (cx, node) => elementwise(cx, node, () => new LeakyReLU({ alpha: Number(node.attrs.alpha ?? 0.01) })),
  Elu: (cx, node) => elementwise(cx, node, () => new ELU({ alpha: Number(node.attrs.alpha ?? 1) })),
  Softmax: softmax(false), LogSoftmax: softmax(true), Gemm: gemm, MatMul: matmul,
  Add: arith('Add'), Sub: arith('Sub'), Mul: arith('Mul'), Div: arith('Div'),
  Identity: identity, Dropout: dropout, Cast: cast,
};
