/**
 * Converters for convolution, transposed convolution and pooling (1-3 spatial dims). ONNX's
 * Conv/ConvTranspose/*Pool are channels-first: a channels-last layer (Strata's default) is wrapped
 * in a Transpose pair (NHWC → NCHW → op → NHWC), so every other layer sees the layer's own layout;
 * a channelsFirst layer maps onto the op as it is. ONNX Runtime's optimizer cancels the
 * back-to-back pairs between consecutive convolutions.
 */
import type { LayerShape } from '../../layers/layer.js';
import { emitActivation } from './activations.js';
import { type ConvertArgs, type Converter, refuse, weightData } from './convert-core.js';
import type { AttrValue, OnnxGraph } from './graph-builder.js';

/** `data` of `shape` with its axes permuted (out axis i = in axis perm[i]). */
export function permute(data: Float32Array, shape: number[], perm: number[]): Float32Array {
  const rank = shape.length, outShape = perm.map((p) => shape[p]);
  const inStrides = new Array<number>(rank);
  for (let i = rank - 1, s = 1; i >= 0; i--) { inStrides[i] = s; s *= shape[i]; }
  const out = new Float32Array(data.length), idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < data.length; o++) {
    let src = 0;
    for (let i = 0; i < rank; i++) src += idx[i] * inStrides[perm[i]];
    out[o] = data[src];
    for (let i = rank - 1; i >= 0; i--) { if (++idx[i] < outShape[i]) break; idx[i] = 0; }
  }
  return out;
}

const toFirst = (g: OnnxGraph, x: string, r: number): string => g.op('Transpose', [x], { perm: [0, r + 1, ...range(1, r + 1)] });
const toLast = (g: OnnxGraph, x: string, r: number): string => g.op('Transpose', [x], { perm: [0, ...range(2, r + 2), 1] });
function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}

/**
 * The pads attributes of a window op, Keras rules: 'valid' none; 'same' total max(0, (out−1)·s + kEff − in),
 * the smaller half first; 'causal' kEff − 1 before. Unknown sizes with 'same' fall back to SAME_UPPER (same rule).
 */
function padAttrs(padding: string, inShape: LayerShape, k: number[], s: number[], d: number[]): Record<string, AttrValue> {
  const r = k.length;
  if (padding === 'valid') return { pads: new Array<number>(2 * r).fill(0) };
  const kEff = k.map((ki, i) => (ki - 1) * d[i] + 1);
  if (padding === 'causal') return { pads: [kEff[0] - 1, 0] };
  const sizes = inShape.slice(1, r + 1);
  if (sizes.some((x) => x === null)) return { auto_pad: 'SAME_UPPER' };
  const total = sizes.map((n, i) => Math.max(0, (Math.ceil(n! / s[i]) - 1) * s[i] + kEff[i] - n!));
  return { pads: [...total.map((t) => Math.floor(t / 2)), ...total.map((t) => t - Math.floor(t / 2))] };
}

const sizes = (v: unknown, r: number): number[] => (Array.isArray(v) ? v as number[] : new Array<number>(r).fill(Number(v)));

/** Whether a layer's config says channels-first (its tensors are already ONNX's layout). */
export const isChannelsFirst = (config: Record<string, unknown>): boolean => config.dataFormat === 'channels_first';

/** A shape in channels-last order (the order padAttrs and the length arithmetic read). */
const lastOrder = (shape: LayerShape, first: boolean): LayerShape => (first ? [shape[0], ...shape.slice(2), shape[1]] : shape);

/** Checks the layer and says whether it is channels-first. */
function checkPlain({ config, where }: ConvertArgs): boolean {
  if (config.pooling) refuse(where, 'has the pooling shorthand');
  const f = config.dataFormat;
  if (f !== undefined && f !== null && f !== 'channels_last' && f !== 'channels_first') refuse(where, `has dataFormat '${String(f)}'`);
  return isChannelsFirst(config);
}

/** The op's input: the layer's input, moved to channels-first unless it is already. */
const opInput = (g: OnnxGraph, x: string, r: number, first: boolean): string => (first ? x : toFirst(g, x, r));
/** The layer's output from the op's: moved back to channels-last unless the layer is channels-first. */
const layerOutput = (g: OnnxGraph, y: string, r: number, first: boolean): string => (first ? y : toLast(g, y, r));

const conv = (r: number): Converter => (a) => {
  const first = checkPlain(a);
  const { g, layer, config, inputs, inputShapes, where } = a;
  const k = sizes(config.kernelSize, r), s = sizes(config.strides, r), d = sizes(config.dilationRate, r);
  const [kernel, bias] = weightData(layer);
  const kShape = layer.getWeights()[0].shape;
  const w = g.floats(`${layer.name}/kernel`, permute(kernel, kShape, [r + 1, r, ...range(0, r)]), [kShape[r + 1], kShape[r], ...k]);
  const ins = [opInput(g, inputs[0], r, first), w];
  if (config.useBias !== false && bias) ins.push(g.floats(`${layer.name}/bias`, bias, [bias.length]));
  const y = g.op('Conv', ins, { kernel_shape: k, strides: s, dilations: d, ...padAttrs(String(config.padding), lastOrder(inputShapes[0], first), k, s, d) }, layer.name);
  return [emitActivation(g, String(config.activation ?? 'linear'), layerOutput(g, y, r, first), where)];
};

/**
 * ConvTranspose with explicit pads: ONNX's length is s·(in−1) + outputPadding + kEff − pads; the
 * pads (or, when negative, an output padding) are solved from the length Strata's layer gives.
 */
const convTranspose = (r: number): Converter => (a) => {
  const first = checkPlain(a);
  const { g, layer, config, inputs, inputShapes, outputShapes, where } = a;
  const k = sizes(config.kernelSize, r), s = sizes(config.strides, r), d = sizes(config.dilationRate, r);
  if (config.outputPadding !== null && config.outputPadding !== undefined && config.padding === 'same') refuse(where, 'has outputPadding with padding \'same\'');
  const [kernel, bias] = weightData(layer);
  const kShape = layer.getWeights()[0].shape; // [...k, filters, in]
  const w = g.floats(`${layer.name}/kernel`, permute(kernel, kShape, [r + 1, r, ...range(0, r)]), [kShape[r + 1], kShape[r], ...k]);
  const begin: number[] = [], end: number[] = [], outPad: number[] = [];
  for (let i = 0; i < r; i++) {
    const n = lastOrder(inputShapes[0], first)[i + 1], out = lastOrder(outputShapes[0], first)[i + 1];
    if (n === null || out === null) refuse(where, 'has an input of unknown spatial size');
    const total = s[i] * (n - 1) + (k[i] - 1) * d[i] + 1 - out;
    const b = total > 0 ? Math.floor(total / 2) : 0;
    begin.push(b); end.push(Math.max(total, 0) - b); outPad.push(Math.max(-total, 0));
  }
  const ins = [opInput(g, inputs[0], r, first), w];
  if (config.useBias !== false && bias) ins.push(g.floats(`${layer.name}/bias`, bias, [bias.length]));
  const y = g.op('ConvTranspose', ins, { kernel_shape: k, strides: s, dilations: d, pads: [...begin, ...end], output_padding: outPad }, layer.name);
  return [emitActivation(g, String(config.activation ?? 'linear'), layerOutput(g, y, r, first), where)];
};

/**
 * DepthwiseConv2D (and SeparableConv2D's first half): a grouped Conv, one group per input channel.
 * Keras's kernel [...k, C, M] makes output channel c·M + m, which is ONNX's [C·M, 1, ...k] order.
 */
const depthwise = (separable: boolean): Converter => (a) => {
  const first = checkPlain(a);
  const r = 2;
  const { g, layer, config, inputs, inputShapes, where } = a;
  const k = sizes(config.kernelSize, r), s = sizes(config.strides, r), d = sizes(config.dilationRate, r);
  const ws = weightData(layer), shapes = layer.getWeights().map((w) => w.shape);
  const [C, M] = [shapes[0][r], shapes[0][r + 1]];
  const dw = g.floats(`${layer.name}/depthwise_kernel`, permute(ws[0], shapes[0], [r, r + 1, ...range(0, r)]), [C * M, 1, ...k]);
  const bias = config.useBias !== false ? ws[separable ? 2 : 1] : undefined;
  const dIns = [opInput(g, inputs[0], r, first), dw];
  if (!separable && bias) dIns.push(g.floats(`${layer.name}/bias`, bias, [bias.length]));
  let y = g.op('Conv', dIns, { group: C, kernel_shape: k, strides: s, dilations: d, ...padAttrs(String(config.padding), lastOrder(inputShapes[0], first), k, s, d) }, layer.name);
  if (separable) {
    const F = shapes[1][r + 1];
    const pw = g.floats(`${layer.name}/pointwise_kernel`, permute(ws[1], shapes[1], [r + 1, r, ...range(0, r)]), [F, C * M, 1, 1]);
    const pIns = [y, pw];
    if (bias) pIns.push(g.floats(`${layer.name}/bias`, bias, [bias.length]));
    y = g.op('Conv', pIns, { kernel_shape: [1, 1] });
  }
  return [emitActivation(g, String(config.activation ?? 'linear'), layerOutput(g, y, r, first), where)];
};

const pool = (opType: 'MaxPool' | 'AveragePool', r: number): Converter => (a) => {
  const first = checkPlain(a);
  const { g, layer, config, inputs, inputShapes } = a;
  const k = sizes(config.poolSize, r), s = config.strides === null || config.strides === undefined ? k : sizes(config.strides, r);
  // count_include_pad stays 0: Keras averages over the window's valid cells only.
  const y = g.op(opType, [opInput(g, inputs[0], r, first)], { kernel_shape: k, strides: s,
    ...padAttrs(String(config.padding), lastOrder(inputShapes[0], first), k, s, k.map(() => 1)) }, layer.name);
  return [layerOutput(g, y, r, first)];
};

const globalPool = (opType: 'ReduceMean' | 'ReduceMax', r: number): Converter => ({ g, layer, config, inputs }) => {
  const from = isChannelsFirst(config) ? 2 : 1;
  return [g.op(opType, [inputs[0]], { axes: range(from, from + r), keepdims: config.keepdims ? 1 : 0 }, layer.name)];
};

/** Converters of this file, by Keras class name. */
export const CONV_CONVERTERS: Record<string, Converter> = {
  Conv1D: conv(1), Conv2D: conv(2), Conv3D: conv(3),
  DepthwiseConv2D: depthwise(false), SeparableConv2D: depthwise(true),
  Conv1DTranspose: convTranspose(1), Conv2DTranspose: convTranspose(2), Conv3DTranspose: convTranspose(3),
  MaxPooling1D: pool('MaxPool', 1), MaxPooling2D: pool('MaxPool', 2), MaxPooling3D: pool('MaxPool', 3),
  AveragePooling1D: pool('AveragePool', 1), AveragePooling2D: pool('AveragePool', 2), AveragePooling3D: pool('AveragePool', 3),
  GlobalAveragePooling1D: globalPool('ReduceMean', 1), GlobalAveragePooling2D: globalPool('ReduceMean', 2), GlobalAveragePooling3D: globalPool('ReduceMean', 3),
  GlobalMaxPooling1D: globalPool('ReduceMax', 1), GlobalMaxPooling2D: globalPool('ReduceMax', 2), GlobalMaxPooling3D: globalPool('ReduceMax', 3),
};
