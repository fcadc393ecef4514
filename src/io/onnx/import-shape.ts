/**
 * ONNX ops that compute shapes or move axes. On constants (PyTorch writes Shape → Gather →
 * Unsqueeze → Concat chains for `x.view(x.size(0), -1)` and for RNN initial states) they are
 * evaluated here, with NaN standing for the batch size; on computed values they change the view,
 * adding a Permute/Reshape/Flatten/Concatenate/Cropping layer only when the data must move.
 */
import { Cropping1D } from '../../layers/padding-cropping.js';
import { Concatenate } from '../../layers/merge.js';
import { Flatten, Reshape } from '../../layers/reshaping.js';
import type { Const, OnnxNode } from './decode.js';
import { permute } from './convert-conv.js';
import { embedding } from './import-core.js';
import { type ImportContext, type OpHandler, type Sym, type Value, product } from './import-context.js';

const MAX_FOLDED = 2 ** 24; // elements a shape computation may materialise

const ints = (dims: number[], data: number[]): Const => ({ kind: 'const', dims, ints: data });
const norm = (cx: ImportContext, node: OnnxNode, axis: number, rank: number): number => {
  const a = axis < 0 ? axis + rank : axis;
  if (!(a >= 0 && a < rank)) cx.fail(node, `axis ${axis} is out of range for rank ${rank}`);
  return a;
};

/** The const's values as plain numbers (ints, floats, or a materialised fill). */
function values(cx: ImportContext, node: OnnxNode, c: Const): number[] {
  if (c.ints) return c.ints;
  if (c.floats) return Array.from(c.floats);
  const n = product(c.dims);
  if (!Number.isFinite(n)) return cx.fail(node, 'uses a constant whose size depends on the batch size');
  return new Array<number>(n).fill(c.fill ?? 0);
}
const like = (c: Const, dims: number[], data: number[]): Const => (c.floats ? { kind: 'const', dims, floats: Float32Array.from(data) } : ints(dims, data));

function gatherConst(cx: ImportContext, node: OnnxNode, data: Const, idx: Const, axis: number): Const {
  const a = norm(cx, node, axis, data.dims.length), d = data.dims[a];
  const src = values(cx, node, data), outer = product(data.dims.slice(0, a)), inner = product(data.dims.slice(a + 1));
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (let k of values(cx, node, idx)) {
      if (k < 0) k += d;
      if (!(k >= 0 && k < d)) cx.fail(node, `index ${k} is out of range for size ${d}`);
      for (let i = 0; i < inner; i++) out.push(src[(o * d + k) * inner + i]);
    }
  }
  return like(data, [...data.dims.slice(0, a), ...idx.dims, ...data.dims.slice(a + 1)], out);
}

/** Reshape of a computed value to `target` (ONNX rules: 0 copies, −1 infers; NaN is the batch). */
export function reshapeSym(cx: ImportContext, node: OnnxNode, v: Sym, target: number[], allowZero = false): Sym {
  const inDims = cx.dims(v), bIn = cx.batchAxis(v);
  if (inDims.some((d, i) => d === null && i !== bIn)) cx.fail(node, 'reshapes a tensor with an unknown non-batch size');
  const known = product(inDims.filter((_, i) => i !== bIn) as number[]);
  const tgt = target.map((d, i) => (d === 0 && !allowZero ? (i === bIn ? NaN : inDims[i] ?? cx.fail(node, `copies dimension ${i}, which the input lacks`)) : d));
  let bOut = tgt.findIndex(Number.isNaN);
  const neg = tgt.indexOf(-1);
  if (tgt.filter(Number.isNaN).length > 1 || tgt.some((d) => d < -1) || tgt.filter((d) => d === -1).length > 1) {
    cx.fail(node, `has an invalid target shape [${target.join(', ')}]`);
  }
  const rest = product(tgt.filter((d, i) => i !== bOut && i !== neg));
  if (bOut < 0) {
    if (neg < 0 || rest !== known) cx.fail(node, `reshapes across the batch axis (target [${target.join(', ')}] for input [${inDims.map((d) => d ?? 'batch').join(', ')}]); Strata keeps the batch as its own axis`);
    tgt[neg] = NaN;
    bOut = neg;
  } else if (neg >= 0) {
    if (rest === 0 || known % rest !== 0) cx.fail(node, `cannot infer -1 in [${target.join(', ')}] from ${known} elements per sample`);
    tgt[neg] = known / rest;
  }
  if (product(tgt.filter((_, i) => i !== bOut)) !== known) cx.fail(node, `target shape [${target.join(', ')}] does not hold the ${known} elements per sample of the input`);
  if (product(inDims.slice(0, bIn) as number[]) !== product(tgt.slice(0, bOut))) {
    cx.fail(node, 'moves data across the batch axis; Strata keeps the batch as its own axis');
  }
  const c = cx.canonical(node, v);
  const shape = tgt.filter((_, i) => i !== bOut);
  const same = shape.length === c.t.shape.length - 1 && shape.every((d, i) => d === c.t.shape[i + 1]);
  const t = same ? c.t : cx.apply(node, new Reshape({ targetShape: shape }), c.t)[0];
  let k = 1;
  return { kind: 'sym', t, axes: tgt.map((_, i) => (i === bOut ? 0 : k++)) };
}

const constant: OpHandler = (cx, node) => {
  const a = node.attrs;
  if (a.value && typeof a.value === 'object' && 'kind' in a.value) return [a.value];
  if (typeof a.value_float === 'number') return [{ kind: 'const', dims: [], floats: Float32Array.of(a.value_float) }];
  if (Array.isArray(a.value_floats)) return [{ kind: 'const', dims: [a.value_floats.length], floats: Float32Array.from(a.value_floats as number[]) }];
  if (typeof a.value_int === 'number') return [ints([], [a.value_int])];
  if (Array.isArray(a.value_ints)) return [ints([a.value_ints.length], a.value_ints as number[])];
  return cx.fail(node, 'has no value Strata reads (value, value_float(s) or value_int(s))');
};

const shape: OpHandler = (cx, node) => {
  const v = cx.sym(node, 0), dims = cx.dims(v), b = cx.batchAxis(v);
  const all = dims.map((d, i) => (i === b ? NaN : d ?? cx.fail(node, `reads size ${i}, which is unknown`)));
  const r = all.length, start = cx.attrInt(node, 'start', 0), end = cx.attrInt(node, 'end', r);
  const clamp = (x: number): number => Math.min(Math.max(x < 0 ? x + r : x, 0), r);
  const data = all.slice(clamp(start), clamp(end));
  return [ints([data.length], data)];
};

const constantOfShape: OpHandler = (cx, node) => {
  const dims = cx.ints(node, 0, 'shape');
  const val = node.attrs.value as Const | undefined;
  const fill = val ? (val.floats?.[0] ?? val.ints?.[0] ?? 0) : 0;
  if (dims.some(Number.isNaN)) return [{ kind: 'const', dims, fill }];
  const n = product(dims);
  if (dims.some((d) => !(d >= 0)) || n > MAX_FOLDED) cx.fail(node, `shape [${dims.join(', ')}] is invalid or too large to fill`);
  const data = new Array<number>(n).fill(fill);
  return [val?.ints ? ints(dims, data) : { kind: 'const', dims, floats: Float32Array.from(data) }];
};

const gather: OpHandler = (cx, node) => {
  const axis = cx.attrInt(node, 'axis', 0);
  const data = cx.get(node, 0), idx = cx.get(node, 1);
  if (data.kind === 'const' && idx.kind === 'const') return [gatherConst(cx, node, data, idx, axis)];
  if (data.kind === 'const') return embedding(cx, node);
  const v = data, k = norm(cx, node, axis, v.axes.length);
  const ix = cx.ints(node, 1, 'indices');
  if (ix.length !== 1) cx.fail(node, 'selects several entries of a computed tensor; Strata reads one constant index (x[:, i])');
  const size = cx.dims(v)[k];
  if (size === null) cx.fail(node, 'indexes an axis of unknown size');
  const i = ix[0] < 0 ? ix[0] + size! : ix[0];
  if (!(i >= 0 && i < size!)) cx.fail(node, `index ${ix[0]} is out of range for size ${size}`);
  return [cropAxis(cx, node, v, k, i, i + 1, (idx as Const).dims.length > 0)];
};

/**
 * Entries [begin, end) of ONNX axis k of a computed value: the axis brought next to the batch, the
 * rest folded into one ([batch, k, rest]), a Cropping1D, and the rest unfolded; `keep` false drops
 * the axis (a Gather with a scalar index).
 */
function cropAxis(cx: ImportContext, node: OnnxNode, v: Sym, k: number, begin: number, end: number, keep: boolean): Sym {
  const b = cx.batchAxis(v), dims = cx.dims(v), size = dims[k];
  if (k === b) cx.fail(node, 'indexes or slices the batch axis');
  if (size === null) cx.fail(node, 'indexes or slices an axis of unknown size');
  const others = v.axes.map((_, j) => j).filter((j) => j !== b && j !== k);
  const rest = others.map((j) => dims[j]);
  if (rest.some((d) => d === null)) cx.fail(node, 'indexes or slices a tensor with unknown sizes');
  let t = cx.arrange(node, v, [b, k, ...others]);
  if (rest.length !== 1) t = cx.apply(node, new Reshape({ targetShape: [size!, product(rest as number[])] }), t)[0];
  t = cx.apply(node, new Cropping1D({ cropping: [begin, size! - end] }), t)[0];
  const shape = keep ? [end - begin, ...rest as number[]] : rest as number[];
  if (shape.length !== t.shape.length - 1 || shape.some((d, i) => d !== t.shape[i + 1])) t = cx.apply(node, new Reshape({ targetShape: shape }), t)[0];
  // Output ONNX axes: v's without k (or with k), in order; Strata holds [batch, (k,) others].
  const axes: number[] = [];
  let next = keep ? 2 : 1;
  v.axes.forEach((_, j) => {
    if (j === b) axes.push(0);
    else if (j === k) { if (keep) axes.push(1); } else axes.push(next++);
  });
  return { kind: 'sym', t, axes };
}

/** Slice with step 1: folded on 1-D constants, one Cropping per sliced axis of a computed value. */
const slice: OpHandler = (cx, node) => {
  const stored = cx.stored(node, 0);
  const starts = cx.ints(node, 1, 'starts'), ends = cx.ints(node, 2, 'ends');
  if (stored.kind === 'reversed') {
    // Strata's exporter puts a reverse-direction sequence back in processing order: x[::-1] on time.
    const rank = stored.inner.axes.length, n = cx.dims(stored.inner)[stored.axis];
    const axes = cx.has(node, 3) ? cx.ints(node, 3, 'axes').map((a) => (a < 0 ? a + rank : a)) : [0];
    const steps = cx.has(node, 4) ? cx.ints(node, 4, 'steps') : [1];
    const whole = starts.length === 1 && axes[0] === stored.axis && steps[0] === -1 && (starts[0] === -1 || (n !== null && starts[0] >= n - 1)) &&
      (ends[0] < -(n ?? Infinity) || ends[0] <= -(2 ** 62));
    if (!whole) cx.fail(node, 'slices the sequence of a reverse-direction RNN other than reversing it whole');
    return [stored.inner];
  }
  const v = cx.get(node, 0);
  const rank = v.kind === 'const' ? v.dims.length : v.axes.length;
  const axes = (cx.has(node, 3) ? cx.ints(node, 3, 'axes') : starts.map((_, i) => i)).map((a) => norm(cx, node, a, rank));
  const steps = cx.has(node, 4) ? cx.ints(node, 4, 'steps') : starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) cx.fail(node, 'has starts, ends, axes and steps of different lengths');
  if (steps.some((s) => s !== 1) && !(v.kind === 'sym' && steps.length === 1 && steps[0] === -1)) cx.fail(node, `has steps [${steps.join(', ')}]; Strata reads slices with step 1, or x[::-1] on one axis`);
  const dims = v.kind === 'const' ? v.dims : cx.dims(v);
  if (steps[0] === -1 && v.kind === 'sym') {
    const n = dims[axes[0]];
    const whole = n !== null && (starts[0] === -1 || starts[0] >= n - 1) && ends[0] < -n;
    if (!whole) cx.fail(node, 'slices with step -1 other than reversing a whole axis');
    return [cx.reverse(node, v, axes[0])];
  }
  const bounds = axes.map((a, i) => {
    const n = dims[a];
    if (n === null || Number.isNaN(n)) return cx.fail(node, `slices axis ${a}, whose size is unknown here`);
    const clamp = (x: number): number => Math.min(Math.max(x < 0 ? x + n : x, 0), n);
    const s0 = clamp(starts[i]);
    return [a, s0, Math.max(s0, clamp(ends[i]))];
  });
  if (v.kind === 'const') {
    if (rank !== 1) cx.fail(node, 'slices a constant of rank other than 1');
    const [, s0, e0] = bounds[0] ?? [0, 0, dims[0]];
    return [like(v, [e0 - s0], values(cx, node, v).slice(s0, e0))];
  }
  let out: Sym = v;
  for (const [a, s0, e0] of bounds) if (s0 !== 0 || e0 !== dims[a]) out = cropAxis(cx, node, out, a, s0, e0, true);
  return [out];
};

const unsqueeze: OpHandler = (cx, node) => {
  const v = cx.get(node, 0);
  const axesIn = cx.has(node, 1) ? cx.ints(node, 1, 'axes') : cx.attrInts(node, 'axes', []) ?? [];
  const rank = (v.kind === 'const' ? v.dims.length : v.axes.length) + axesIn.length;
  const axes = axesIn.map((a) => norm(cx, node, a, rank)).sort((a, b) => a - b);
  if (v.kind === 'const') {
    const dims = [...v.dims];
    for (const a of axes) dims.splice(a, 0, 1);
    return [{ ...v, dims }];
  }
  const out = [...v.axes];
  for (const a of axes) out.splice(a, 0, -1);
  return [{ kind: 'sym', t: v.t, axes: out }];
};

/** Squeeze's axes (input 1, or the attribute before opset 13; none: every size-1 axis), checked. */
function squeezeAxes(cx: ImportContext, node: OnnxNode, dims: (number | null)[]): number[] {
  const given = cx.has(node, 1) ? cx.ints(node, 1, 'axes') : cx.attrInts(node, 'axes', undefined);
  const axes = given ? given.map((a) => norm(cx, node, a, dims.length)) : dims.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
  if (axes.some((a) => dims[a] !== 1)) cx.fail(node, `squeezes axes [${axes.join(', ')}] of shape [${dims.map((d) => d ?? '?').join(', ')}], not all of size 1`);
  return axes;
}

const squeeze: OpHandler = (cx, node) => {
  const stored = cx.stored(node, 0);
  if (stored.kind === 'reversed') {
    const v = stored.inner, axes = squeezeAxes(cx, node, cx.dims(v));
    if (axes.some((a) => v.axes[a] >= 0)) cx.fail(node, 'squeezes a reverse-direction RNN sequence other than along its direction axis');
    const inner: Sym = { kind: 'sym', t: v.t, axes: v.axes.filter((_, i) => !axes.includes(i)) };
    return [{ kind: 'reversed', inner, axis: stored.axis - axes.filter((a) => a < stored.axis).length }];
  }
  const v = stored, dims = v.kind === 'const' ? v.dims : cx.dims(v), axes = squeezeAxes(cx, node, dims);
  if (v.kind === 'const') return [{ ...v, dims: v.dims.filter((_, i) => !axes.includes(i)) }];
  if (axes.every((a) => v.axes[a] < 0)) return [{ kind: 'sym', t: v.t, axes: v.axes.filter((_, i) => !axes.includes(i)) }];
  const b = cx.batchAxis(v);
  return [reshapeSym(cx, node, v, dims.map((d, i) => (i === b ? NaN : d as number)).filter((_, i) => !axes.includes(i)))];
};

const transpose: OpHandler = (cx, node) => {
  const v = cx.get(node, 0);
  const rank = v.kind === 'const' ? v.dims.length : v.axes.length;
  const perm = cx.attrInts(node, 'perm', undefined) ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  if (perm.length !== rank || new Set(perm).size !== rank || perm.some((p) => !(p >= 0 && p < rank))) cx.fail(node, `perm [${perm.join(', ')}] is not a permutation of ${rank} axes`);
  if (v.kind === 'sym') return [{ kind: 'sym', t: v.t, axes: perm.map((p) => v.axes[p]) }];
  const data = Float32Array.from(values(cx, node, v));
  return [like(v, perm.map((p) => v.dims[p]), Array.from(permute(data, v.dims, perm)))];
};

const reshape: OpHandler = (cx, node) => {
  const v = cx.get(node, 0), target = cx.ints(node, 1, 'shape');
  const allowZero = cx.attrInt(node, 'allowzero', 0) === 1;
  if (v.kind === 'sym') return [reshapeSym(cx, node, v, target, allowZero)];
  const n = product(v.dims), t = target.map((d, i) => (d === 0 && !allowZero ? v.dims[i] : d));
  const neg = t.indexOf(-1);
  if (neg >= 0) t[neg] = n / product(t.filter((_, i) => i !== neg));
  if (product(t) !== n || t.some((d) => !Number.isInteger(d) || d < 0)) cx.fail(node, `cannot reshape [${v.dims.join(', ')}] to [${target.join(', ')}]`);
  return [{ ...v, dims: t }];
};

const flatten: OpHandler = (cx, node) => {
  const v = cx.get(node, 0), axis = cx.attrInt(node, 'axis', 1);
  if (v.kind === 'const') {
    const a = axis < 0 ? axis + v.dims.length : axis;
    return [{ ...v, dims: [product(v.dims.slice(0, a)), product(v.dims.slice(a))] }];
  }
  const rank = v.axes.length;
  if (norm(cx, node, axis, rank) !== 1) cx.fail(node, `flattens from axis ${axis}; Strata keeps the batch axis, so only axis 1 is read`);
  // PyTorch's element order: ONNX order, so a channels-last tensor is permuted back first.
  const t = cx.arrange(node, v, v.axes.map((_, i) => i));
  if (t.shape.length === 2) return [{ kind: 'sym', t, axes: [0, 1] }];
  return [{ kind: 'sym', t: cx.apply(node, new Flatten(), t)[0], axes: [0, 1] }];
};

const concat: OpHandler = (cx, node) => {
  if (node.inputs.length === 0) cx.fail(node, 'has no inputs');
  const vs: Value[] = node.inputs.map((_, i) => cx.get(node, i));
  const axis = cx.attrInt(node, 'axis', 0);
  if (vs.every((v) => v.kind === 'const')) {
    const cs = vs as Const[];
    if (cs.some((c) => c.dims.length !== 1)) cx.fail(node, 'concatenates constants of rank other than 1');
    const data = cs.flatMap((c) => values(cx, node, c));
    return [like(cs[0], [data.length], data)];
  }
  if (vs.some((v) => v.kind !== 'sym')) cx.fail(node, 'concatenates a constant with computed tensors');
  let syms = vs as Sym[];
  const k = norm(cx, node, axis, syms[0].axes.length);
  const same = syms.every((s) => s.axes.length === syms[0].axes.length && s.axes.every((a, i) => a === syms[0].axes[i]));
  if (!same || syms[0].axes[k] < 0) syms = syms.map((s) => cx.canonical(node, s));
  if (syms.some((s) => s.axes.some((a, i) => a !== syms[0].axes[i]))) cx.fail(node, 'concatenates tensors whose batch axes differ');
  const sAxis = syms[0].axes[k];
  if (sAxis === 0) cx.fail(node, 'concatenates along the batch axis');
  const t = cx.apply(node, new Concatenate({ axis: sAxis }), syms.map((s) => s.t))[0];
  return [{ kind: 'sym', t, axes: syms[0].axes }];
};

/** Handlers of this file, by ONNX op type. */
export const SHAPE_OPS: Record<string, OpHandler> = {
  Constant: constant, Shape: shape, ConstantOfShape: constantOfShape, Gather: gather, Unsqueeze: unsqueeze,
  Squeeze: squeeze, Transpose: transpose, Reshape: reshape, Flatten: flatten, Concat: concat, Slice: slice,
};
