/**
 * ONNX's channels-first window ops → Strata's channels-last layers: Conv (group 1 and depthwise),
 * ConvTranspose, MaxPool/AveragePool, global pooling, BatchNormalization, Pad. The input is
 * arranged channels-last (a Permute only where it is not already), the output seen as NCHW again.
 * ONNX pads become Keras 'same' where they agree with its rule, otherwise a ZeroPadding layer
 * before a 'valid' window (or a Cropping layer after a transposed conv).
 */
import { Conv1D, Conv2D, Conv3D } from '../../layers/conv.js';
import { Conv1DTranspose, Conv2DTranspose, Conv3DTranspose } from '../../layers/conv-transpose.js';
import { DepthwiseConv2D } from '../../layers/depthwise-conv.js';
import * as GP from '../../layers/global-pooling.js';
import type { Layer } from '../../layers/layer.js';
import { BatchNormalization } from '../../layers/normalization.js';
import { Cropping1D, Cropping2D, Cropping3D, ZeroPadding1D, ZeroPadding2D, ZeroPadding3D } from '../../layers/padding-cropping.js';
import * as P from '../../layers/pooling.js';
import { Reshape } from '../../layers/reshaping.js';
import type { SymbolicTensor } from '../../layers/symbolic.js';
import type { OnnxNode } from './decode.js';
import { permute } from './convert-conv.js';
import { type ImportContext, type OpHandler, channelsFirstView, channelsLastOrder, product } from './import-context.js';

const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);
const pairs = (p: number[], r: number): [number, number][] => range(0, r).map((i) => [p[i], p[i + r]]);
/** ZeroPadding/Cropping's amount in its per-rank form. */
const amount = (p: [number, number][]): [number, number] | [number, number][] => (p.length === 1 ? p[0] : p);

const ZERO_PAD = [ZeroPadding1D, ZeroPadding2D, ZeroPadding3D], CROP = [Cropping1D, Cropping2D, Cropping3D];
const CONV = [Conv1D, Conv2D, Conv3D], CONV_T = [Conv1DTranspose, Conv2DTranspose, Conv3DTranspose];

interface Window { r: number; k: number[]; s: number[]; d: number[]; pads: number[]; x: SymbolicTensor; sizes: (number | null)[] }

/** The window attributes of a node over an input with `r` spatial dims, and the input channels-last. */
function window(cx: ImportContext, node: OnnxNode, kernel: number[] | null): Window {
  const v = cx.sym(node, 0), rank = v.axes.length, r = rank - 2;
  if (r < 1 || r > 3) cx.fail(node, `has an input of rank ${rank}; Strata reads 1 to 3 spatial dims`);
  const k = cx.attrInts(node, 'kernel_shape', undefined) ?? kernel ?? cx.fail(node, 'has no kernel_shape');
  const s = cx.attrInts(node, 'strides', undefined) ?? new Array<number>(r).fill(1);
  const d = cx.attrInts(node, 'dilations', undefined) ?? new Array<number>(r).fill(1);
  if (k!.length !== r || s.length !== r || d.length !== r) cx.fail(node, `has kernel/strides/dilations of a length other than its ${r} spatial dims`);
  if ([...k!, ...s, ...d].some((x) => !Number.isInteger(x) || x < 1 || x > 2 ** 20)) cx.fail(node, 'has a kernel size, stride or dilation that is not a positive integer');
  const x = cx.arrange(node, v, channelsLastOrder(rank));
  const sizes = x.shape.slice(1, r + 1);
  const kEff = k!.map((ki, i) => (ki - 1) * d[i] + 1);
  const autoPad = cx.attrStr(node, 'auto_pad', 'NOTSET');
  let pads = cx.attrInts(node, 'pads', undefined) ?? new Array<number>(2 * r).fill(0);
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    if (sizes.some((n) => n === null)) cx.fail(node, 'has auto_pad SAME over an input of unknown size');
    const total = sizes.map((n, i) => Math.max(0, (Math.ceil(n! / s[i]) - 1) * s[i] + kEff[i] - n!));
    const small = total.map((t) => Math.floor(t / 2)), big = total.map((t, i) => t - small[i]);
    pads = autoPad === 'SAME_UPPER' ? [...small, ...big] : [...big, ...small];
  } else if (autoPad === 'VALID') pads = new Array<number>(2 * r).fill(0);
  else if (autoPad !== 'NOTSET') cx.fail(node, `has auto_pad '${autoPad}'`);
  if (pads.length !== 2 * r || pads.some((p) => !Number.isInteger(p) || p < 0 || p > 2 ** 20)) cx.fail(node, `has pads [${pads.join(', ')}]; expected ${2 * r} non-negative integers`);
  return { r, k: k!, s, d, pads, x, sizes };
}

/** 'valid', 'same' (Keras's rule gives the same pads), or null: explicit padding is needed. */
function keras(w: Window): 'valid' | 'same' | null {
  if (w.pads.every((p) => p === 0)) return 'valid';
  if (w.sizes.some((n) => n === null)) return null;
  const same = w.sizes.every((n, i) => {
    const kEff = (w.k[i] - 1) * w.d[i] + 1;
    const total = Math.max(0, (Math.ceil(n! / w.s[i]) - 1) * w.s[i] + kEff - n!);
    return w.pads[i] === Math.floor(total / 2) && w.pads[i + w.r] === total - Math.floor(total / 2);
  });
  return same ? 'same' : null;
}

/** The padding option for a conv-like layer, adding a ZeroPadding layer in front when needed. */
function padFor(cx: ImportContext, node: OnnxNode, w: Window): 'valid' | 'same' {
  const mode = keras(w);
  if (mode) return mode;
  w.x = cx.apply(node, new ZERO_PAD[w.r - 1]({ padding: amount(pairs(w.pads, w.r)) as never }), w.x)[0];
  return 'valid';
}

const conv: OpHandler = (cx, node) => {
  const W = cx.const(node, 1, 'weight'), wData = cx.floats(node, 1, 'weight');
  const w = window(cx, node, W.dims.slice(2));
  const [M, Cg] = W.dims, r = w.r, group = cx.attrInt(node, 'group', 1);
  const C = w.x.shape[r + 1];
  if (W.dims.length !== r + 2 || C === null || C !== Cg * group) cx.fail(node, `has weight [${W.dims.join(', ')}] for ${C} input channels in ${group} group(s)`);
  const bias = cx.has(node, 2) ? cx.floats(node, 2, 'bias') : null;
  if (bias && bias.length !== M) cx.fail(node, `has ${bias.length} biases for ${M} filters`);
  const padding = padFor(cx, node, w);
  const common = { kernelSize: w.k, strides: w.s, dilationRate: w.d, padding, useBias: bias !== null };
  let layer: Layer, kernel: Float32Array, kShape: number[];
  if (group === 1) {
    layer = new CONV[r - 1]({ filters: M, ...common });
    kernel = permute(wData, W.dims, [...range(2, r + 2), 1, 0]); // [M, C, ...k] → [...k, C, M]
    kShape = [...w.k, C!, M];
  } else if (group === C && Cg === 1 && r === 2) {
    // Output channel c·mult + m reads input channel c: ONNX [C·mult, 1, kh, kw] → Keras [kh, kw, C, mult].
    const mult = M / C!;
    layer = new DepthwiseConv2D({ depthMultiplier: mult, ...common });
    kernel = permute(wData, [C!, mult, ...w.k], [2, 3, 0, 1]);
    kShape = [...w.k, C!, mult];
  } else {
    return cx.fail(node, `is a grouped convolution (group ${group}, ${C} channels, rank ${r}); Strata reads group 1 and 2-D depthwise (group = channels)`);
  }
  const y = cx.apply(node, layer, w.x, [{ data: kernel, shape: kShape }, ...(bias ? [{ data: bias, shape: [M] }] : [])])[0];
  return [channelsFirstView(y)];
};

/**
 * ConvTranspose: ONNX's length is s·(n−1) + kEff + outputPadding − padBegin − padEnd. Strata's
 * 'valid' transposed conv gives s·(n−1) + kEff + q; a Cropping layer then removes padBegin cells
 * before and the surplus after (q = max(0, outputPadding − padEnd) keeps that surplus ≥ 0).
 */
const convTranspose: OpHandler = (cx, node) => {
  const W = cx.const(node, 1, 'weight'), wData = cx.floats(node, 1, 'weight');
  if (cx.attrInt(node, 'group', 1) !== 1) cx.fail(node, 'is a grouped transposed convolution; Strata reads group 1');
  if (node.attrs.output_shape !== undefined) cx.fail(node, 'gives output_shape; Strata reads pads and output_padding');
  if (cx.attrStr(node, 'auto_pad', 'NOTSET') !== 'NOTSET' && cx.attrStr(node, 'auto_pad', 'NOTSET') !== 'VALID') cx.fail(node, 'has auto_pad SAME');
  const w = window(cx, node, W.dims.slice(2));
  const r = w.r, [C, M] = W.dims;
  if (W.dims.length !== r + 2 || w.x.shape[r + 1] !== C) cx.fail(node, `has weight [${W.dims.join(', ')}] for ${w.x.shape[r + 1]} input channels`);
  const op = cx.attrInts(node, 'output_padding', undefined) ?? new Array<number>(r).fill(0);
  const q = op.map((o, i) => Math.max(0, o - w.pads[i + r]));
  if (q.some((x, i) => x >= w.s[i])) cx.fail(node, `has output_padding [${op.join(', ')}] that Strata cannot express with strides [${w.s.join(', ')}]`);
  const bias = cx.has(node, 2) ? cx.floats(node, 2, 'bias') : null;
  const layer = new CONV_T[r - 1]({ filters: M, kernelSize: w.k, strides: w.s, dilationRate: w.d, padding: 'valid', outputPadding: q, useBias: bias !== null });
  const kernel = permute(wData, W.dims, [...range(2, r + 2), 1, 0]); // [C, M, ...k] → [...k, M, C]
  let y = cx.apply(node, layer, w.x, [{ data: kernel, shape: [...w.k, M, C] }, ...(bias ? [{ data: bias, shape: [M] }] : [])])[0];
  const crop = range(0, r).map((i): [number, number] => [w.pads[i], q[i] - op[i] + w.pads[i + r]]);
  if (crop.some(([a, b]) => a !== 0 || b !== 0)) y = cx.apply(node, new CROP[r - 1]({ cropping: amount(crop) as never }), y)[0];
  return [channelsFirstView(y)];
};

const POOL = { MaxPool: [P.MaxPooling1D, P.MaxPooling2D, P.MaxPooling3D], AveragePool: [P.AveragePooling1D, P.AveragePooling2D, P.AveragePooling3D] };

const pool = (kind: 'MaxPool' | 'AveragePool'): OpHandler => (cx, node) => {
  if (node.outputs.length > 1 && cx.consumers.has(node.outputs[1])) cx.fail(node, 'has its Indices output used');
  const w = window(cx, node, null);
  if (w.d.some((x) => x !== 1)) cx.fail(node, 'has dilations; Strata\'s pooling has none');
  if (cx.attrInt(node, 'ceil_mode', 0) === 1) {
    const span = (i: number): number => (w.sizes[i] ?? NaN) + w.pads[i] + w.pads[i + w.r] - w.k[i];
    if (w.sizes.some((_, i) => !(span(i) % w.s[i] === 0))) cx.fail(node, 'has ceil_mode = 1, which changes the output size here; Strata pools with floor');
  }
  let padding = keras(w);
  const countPad = kind === 'AveragePool' && cx.attrInt(node, 'count_include_pad', 0) === 1;
  if (padding === 'same' && countPad) padding = null;
  if (padding === null) {
    // Zeros count in the average with count_include_pad; for a max they act as ONNX's -inf padding
    // only over values that cannot be negative (the ReLU before ResNet's stem pooling).
    const zerosExact = countPad || (kind === 'MaxPool' && cx.nonNegative(node, 0));
    if (!zerosExact) cx.fail(node, `has pads [${w.pads.join(', ')}] that differ from Keras's 'same' rule; Strata can pad a ${kind} with them only after a Relu`);
    padFor(cx, node, w);
    padding = 'valid';
  }
  const y = cx.apply(node, new POOL[kind][w.r - 1]({ poolSize: w.k, strides: w.s, padding }), w.x)[0];
  return [channelsFirstView(y)];
};

const GLOBAL = { GlobalAveragePool: [GP.GlobalAveragePooling1D, GP.GlobalAveragePooling2D, GP.GlobalAveragePooling3D], GlobalMaxPool: [GP.GlobalMaxPooling1D, GP.GlobalMaxPooling2D, GP.GlobalMaxPooling3D] };

/** Global pooling to [N, C]; ONNX's [N, C, 1, ...] keeps the unit axes in the view only. */
const globalPool = (kind: 'GlobalAveragePool' | 'GlobalMaxPool'): OpHandler => (cx, node) => {
  const v = cx.sym(node, 0), r = v.axes.length - 2;
  if (r < 1 || r > 3) cx.fail(node, `has an input of rank ${r + 2}`);
  const y = cx.apply(node, new GLOBAL[kind][r - 1](), cx.arrange(node, v, channelsLastOrder(r + 2)))[0];
  return [{ kind: 'sym', t: y, axes: [0, 1, ...new Array<number>(r).fill(-1)] }];
};

/**
 * ReduceMean/ReduceMax over 1 to 3 non-batch axes → global pooling, the kept axes folded into its
 * channel axis (Strata's exporter writes global pooling this way, PyTorch's mean(dim=...) too).
 */
const reduce = (kind: 'GlobalAveragePool' | 'GlobalMaxPool'): OpHandler => (cx, node) => {
  const v = cx.sym(node, 0), rank = v.axes.length, dims = cx.dims(v), b = cx.batchAxis(v);
  const given = cx.has(node, 1) ? cx.ints(node, 1, 'axes') : cx.attrInts(node, 'axes', undefined);
  const R = (given ?? range(0, rank)).map((a) => (a < 0 ? a + rank : a)).sort((x, y) => x - y);
  const keep = cx.attrInt(node, 'keepdims', 1) === 1;
  if (R.some((a) => !(a >= 0 && a < rank)) || new Set(R).size !== R.length) cx.fail(node, `has axes [${(given ?? []).join(', ')}] out of range for rank ${rank}`);
  if (R.includes(b) || R.length < 1 || R.length > 3) cx.fail(node, 'reduces over the batch axis or more than 3 axes');
  const U = range(0, rank).filter((i) => i !== b && !R.includes(i)), uDims = U.map((j) => dims[j]);
  if (U.length === 0 && !keep) cx.fail(node, 'reduces every non-batch axis without keepdims');
  if (U.length !== 1 && uDims.some((d) => d === null)) cx.fail(node, 'reduces a tensor with unknown sizes');
  const order = [b, ...R, ...U];
  let t = cx.arrange(node, v, order);
  if (U.length !== 1) t = cx.apply(node, new Reshape({ targetShape: [...R.map((j) => dims[j] ?? -1), product(uDims as number[])] }), t)[0];
  t = cx.apply(node, new GLOBAL[kind][R.length - 1](), t)[0];
  if (U.length > 1) t = cx.apply(node, new Reshape({ targetShape: uDims as number[] }), t)[0];
  // Strata now holds [batch, ...U] ([batch, 1] when U is empty: that unit stands for the first reduced axis).
  const axes: number[] = [];
  for (let j = 0; j < rank; j++) {
    if (j === b) axes.push(0);
    else if (U.includes(j)) axes.push(1 + U.indexOf(j));
    else if (keep) axes.push(U.length === 0 && j === R[0] ? 1 : -1);
  }
  return [{ kind: 'sym', t, axes }];
};

/** BatchNormalization on the channel axis wherever Strata holds it (no transpose needed). */
const batchNorm: OpHandler = (cx, node) => {
  if (node.outputs.slice(1).some((o) => o !== '' && cx.consumers.has(o))) cx.fail(node, 'has its running-statistics outputs used (training mode)');
  let v = cx.sym(node, 0);
  if (v.axes.length < 2) cx.fail(node, 'has an input of rank below 2');
  if (v.axes[1] <= 0) v = cx.canonical(node, v);
  const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) => cx.floats(node, i, ['scale', 'bias', 'mean', 'var'][i - 1]));
  const C = cx.dims(v)[1];
  if ([gamma, beta, mean, variance].some((a) => a.length !== C)) cx.fail(node, `has statistics whose length is not the ${C} channels`);
  const layer = new BatchNormalization({ axis: v.axes[1], epsilon: Number(node.attrs.epsilon ?? 1e-5), momentum: Number(node.attrs.momentum ?? 0.9) });
  const t = cx.apply(node, layer, v.t, [gamma, beta, mean, variance].map((data) => ({ data, shape: [C!] })))[0];
  return [{ kind: 'sym', t, axes: v.axes }];
};

/**
 * Pad with zeros → ZeroPadding over the padded axes (1 to 3, not the batch), the other axes folded
 * into its channel axis. PyTorch writes it before AveragePool; Strata's exporter for ZeroPadding.
 */
const pad: OpHandler = (cx, node) => {
  const v = cx.sym(node, 0), rank = v.axes.length, dims = cx.dims(v), b = cx.batchAxis(v);
  if (cx.attrStr(node, 'mode', 'constant') !== 'constant') cx.fail(node, `has mode '${cx.attrStr(node, 'mode', '')}'; Strata reads constant (zero) padding`);
  if (cx.has(node, 2) && cx.floats(node, 2, 'constant_value')[0] !== 0) cx.fail(node, 'pads with a value other than 0');
  if (cx.has(node, 3)) cx.fail(node, 'has an axes input');
  const p = cx.ints(node, 1, 'pads');
  if (p.length !== 2 * rank || p.some((x) => !Number.isInteger(x) || x < 0 || x > 2 ** 20)) cx.fail(node, `has pads [${p.join(', ')}]; Strata reads ${2 * rank} non-negative amounts`);
  const P = range(0, rank).filter((i) => p[i] || p[i + rank]), U = range(0, rank).filter((i) => i !== b && !P.includes(i));
  if (P.length === 0) return [v];
  if (P.includes(b) || P.length > 3) cx.fail(node, 'pads the batch axis, or more than 3 axes');
  const uDims = U.map((j) => dims[j]), pDims = P.map((j) => dims[j]);
  const fold = U.length !== 1;
  if (fold && [...uDims, ...pDims].some((d) => d === null)) cx.fail(node, 'pads a tensor with unknown sizes');
  const order = [b, ...P, ...U];
  let t = cx.arrange(node, v, order);
  const channels = product(uDims as number[]);
  if (fold) t = cx.apply(node, new Reshape({ targetShape: [...pDims as number[], channels] }), t)[0];
  t = cx.apply(node, new ZERO_PAD[P.length - 1]({ padding: amount(P.map((j): [number, number] => [p[j], p[j + rank]])) as never }), t)[0];
  if (fold) t = cx.apply(node, new Reshape({ targetShape: [...P.map((j) => (dims[j] as number) + p[j] + p[j + rank]), ...uDims as number[]] }), t)[0];
  return [{ kind: 'sym', t, axes: range(0, rank).map((j) => order.indexOf(j)) }];
};

/** Handlers of this file, by ONNX op type. */
export const CONV_OPS: Record<string, OpHandler> = {
  Conv: conv, ConvTranspose: convTranspose, MaxPool: pool('MaxPool'), AveragePool: pool('AveragePool'),
  GlobalAveragePool: globalPool('GlobalAveragePool'), GlobalMaxPool: globalPool('GlobalMaxPool'),
  BatchNormalization: batchNorm, Pad: pad, ReduceMean: reduce('GlobalAveragePool'), ReduceMax: reduce('GlobalMaxPool'),
};
