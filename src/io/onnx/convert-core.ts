/**
 * Converters for the layers without spatial layout: Dense, activation layers, dropout and noise
 * (identity at inference), Flatten, Reshape, merges, Embedding, BatchNormalization.
 */
import type { Layer, LayerShape } from '../../layers/layer.js';
import { ModelFileError } from '../errors.js';
import { emitActivation } from './activations.js';
import type { OnnxGraph } from './graph-builder.js';

/** What a converter gets: the graph, the layer, its config (camelCase) and its inputs' names and shapes. */
export interface ConvertArgs {
  g: OnnxGraph;
  layer: Layer;
  config: Record<string, unknown>;
  inputs: string[];
  inputShapes: LayerShape[];
  outputShapes: LayerShape[];
  where: string;
}

/** A converter appends the layer's nodes and returns the names of its outputs, in the layer's order. */
export type Converter = (a: ConvertArgs) => string[];

/** The layer's weights as float32 arrays, Keras order. */
export function weightData(layer: Layer): Float32Array[] {
  return layer.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array));
}

/** Refuses an option value the exporter cannot write, naming the layer and the option. */
export function refuse(where: string, what: string): never {
  throw new ModelFileError(`exportOnnx: ${where} ${what}, which cannot be exported to ONNX yet; export a model without it`);
}

const identity: Converter = ({ inputs }) => [inputs[0]];

const dense: Converter = ({ g, layer, config, inputs, where }) => {
  const [kernel, bias] = weightData(layer);
  const [inDim, units] = layer.getWeights()[0].shape;
  let y = g.op('MatMul', [inputs[0], g.floats(`${layer.name}/kernel`, kernel, [inDim, units])], {}, layer.name);
  if (config.useBias !== false && bias) y = g.op('Add', [y, g.floats(`${layer.name}/bias`, bias, [units])]);
  return [emitActivation(g, String(config.activation ?? 'linear'), y, where)];
};

const activation: Converter = ({ g, config, inputs, where }) => [emitActivation(g, String(config.activation), inputs[0], where)];

const relu: Converter = ({ g, config, inputs, where }) => {
  const slope = Number(config.negativeSlope ?? 0), threshold = Number(config.threshold ?? 0);
  const maxValue = config.maxValue as number | null | undefined;
  if (threshold !== 0) refuse(where, `has threshold ${threshold}`);
  let y = slope === 0 ? g.op('Relu', [inputs[0]]) : g.op('LeakyRelu', [inputs[0]], { alpha: { f: slope } });
  if (maxValue !== null && maxValue !== undefined) y = g.op('Min', [y, g.floats('max_value', [maxValue], [])]);
  return [y];
};

const leakyRelu: Converter = ({ g, config, inputs }) => [g.op('LeakyRelu', [inputs[0]], { alpha: { f: Number(config.alpha ?? 0.3) } })];
const elu: Converter = ({ g, config, inputs }) => [g.op('Elu', [inputs[0]], { alpha: { f: Number(config.alpha ?? 1) } })];
const thresholdedRelu: Converter = ({ g, config, inputs }) => [g.op('ThresholdedRelu', [inputs[0]], { alpha: { f: Number(config.theta ?? 1) } })];
const softmax: Converter = ({ g, config, inputs, where }) => {
  if (Array.isArray(config.axis)) refuse(where, `has several softmax axes ${JSON.stringify(config.axis)}`);
  return [g.op('Softmax', [inputs[0]], { axis: Number(config.axis ?? -1) })];
};

// Keras's row-major flatten is ONNX's Flatten at axis 1; a channels-first Flatten moves the channels last first.
const flatten: Converter = ({ g, config, inputs, inputShapes }) => {
  const r = inputShapes[0].length;
  const x = config.dataFormat === 'channels_first' && r > 2
    ? g.op('Transpose', [inputs[0]], { perm: [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1] }) : inputs[0];
  return [g.op('Flatten', [x], { axis: 1 })];
};

const reshape: Converter = ({ g, layer, config, inputs }) => {
  // 0 copies the batch dimension (allowzero is 0 in opset 13); the target may hold one -1.
  const shape = g.ints(`${layer.name}/shape`, [0, ...(config.targetShape as number[])]);
  return [g.op('Reshape', [inputs[0], shape], {}, layer.name)];
};

const chain = (opType: string): Converter => ({ g, inputs }) => [inputs.slice(1).reduce((acc, x) => g.op(opType, [acc, x]), inputs[0])];
const average: Converter = ({ g, inputs }) => [g.op('Mean', inputs)];
const concatenate: Converter = ({ g, config, inputs }) => [g.op('Concat', inputs, { axis: Number(config.axis ?? -1) })];

const embedding: Converter = ({ g, layer, config, inputs, where }) => {
  // The mask would change what later layers compute (recurrent layers skip masked steps); ONNX has no masks.
  if (config.maskZero) refuse(where, 'has maskZero (a mask for the layers after it)');
  const [table] = weightData(layer);
  const [rows, cols] = layer.getWeights()[0].shape;
  // Strata feeds indices as float32 or int32 tensors; Gather wants integers.
  const idx = g.op('Cast', [inputs[0]], { to: 7 /* INT64 */ });
  return [g.op('Gather', [g.floats(`${layer.name}/embeddings`, table, [rows, cols]), idx], { axis: 0 }, layer.name)];
};

/** Inference form: y = x·scale + shift with scale = γ/√(var+ε), shift = β − mean·scale, folded here in float64. */
const batchNorm: Converter = ({ g, layer, config, inputs, inputShapes, where }) => {
  const ws = weightData(layer);
  const useScale = config.scale !== false, useCenter = config.center !== false;
  const gamma = useScale ? ws.shift()! : null, beta = useCenter ? ws.shift()! : null;
  const [mean, variance] = ws;
  const rank = inputShapes[0].length;
  const axes = Array.isArray(config.axis) ? config.axis as number[] : [Number(config.axis ?? -1)];
  if (axes.length !== 1) refuse(where, `normalises over several axes ${JSON.stringify(config.axis)}`);
  const axis = axes[0] < 0 ? axes[0] + rank : axes[0];
  const n = mean.length, eps = Number(config.epsilon ?? 1e-3);
  const scale = new Float32Array(n), shift = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const s = (gamma ? gamma[i] : 1) / Math.sqrt(variance[i] + eps);
    scale[i] = s;
    shift[i] = (beta ? beta[i] : 0) - mean[i] * s;
  }
  const dims = Array.from({ length: rank }, (_, i) => (i === axis ? n : 1));
  const y = g.op('Mul', [inputs[0], g.floats(`${layer.name}/scale`, scale, dims)], {}, layer.name);
  return [g.op('Add', [y, g.floats(`${layer.name}/shift`, shift, dims)])];
};

/** LayerNormalization from opset-13 reductions (the LayerNormalization op is opset 17). */
const layerNorm: Converter = ({ g, layer, config, inputs, inputShapes, where }) => {
  if (config.rmsScaling) refuse(where, 'has rmsScaling');
  const rank = inputShapes[0].length;
  const axes = (Array.isArray(config.axis) ? config.axis as number[] : [Number(config.axis ?? -1)]).map((a) => (a < 0 ? a + rank : a)).sort();
  const ws = weightData(layer);
  const dims = Array.from({ length: rank }, (_, i) => (axes.includes(i) ? inputShapes[0][i] as number : 1));
  const m = g.op('ReduceMean', [inputs[0]], { axes, keepdims: 1 });
  const dx = g.op('Sub', [inputs[0], m]);
  const v = g.op('ReduceMean', [g.op('Mul', [dx, dx])], { axes, keepdims: 1 });
  let y = g.op('Div', [dx, g.op('Sqrt', [g.op('Add', [v, g.floats('epsilon', [Number(config.epsilon ?? 1e-3)], [])])])], {}, layer.name);
  const gamma = config.scale !== false ? ws.shift() : undefined, beta = config.center !== false ? ws.shift() : undefined;
  if (gamma) y = g.op('Mul', [y, g.floats(`${layer.name}/gamma`, gamma, dims)]);
  if (beta) y = g.op('Add', [y, g.floats(`${layer.name}/beta`, beta, dims)]);
  return [y];
};

/** x·scale + offset, per channel (last axis) when given as lists; integer inputs become float first, as in the layer. */
const rescaling: Converter = ({ g, layer, config, inputs }) => {
  const vec = (v: unknown): number[] => (Array.isArray(v) ? v as number[] : [Number(v ?? 0)]);
  const scale = vec(config.scale), offset = vec(config.offset);
  const x = g.op('Cast', [inputs[0]], { to: 1 /* FLOAT */ });
  const y = g.op('Mul', [x, g.floats(`${layer.name}/scale`, scale, scale.length > 1 ? [scale.length] : [])], {}, layer.name);
  return [g.op('Add', [y, g.floats(`${layer.name}/offset`, offset, offset.length > 1 ? [offset.length] : [])])];
};

/** Converters of this file, by Keras class name. */
export const CORE_CONVERTERS: Record<string, Converter> = {
  Dense: dense, Activation: activation, ReLU: relu, LeakyReLU: leakyRelu, ELU: elu, ThresholdedReLU: thresholdedRelu,
  Softmax: softmax, Dropout: identity, SpatialDropout1D: identity, SpatialDropout2D: identity, SpatialDropout3D: identity,
  GaussianNoise: identity, GaussianDropout: identity, AlphaDropout: identity, Flatten: flatten, Reshape: reshape,
  Add: chain('Add'), Subtract: chain('Sub'), Multiply: chain('Mul'), Maximum: chain('Max'), Minimum: chain('Min'),
  Average: average, Concatenate: concatenate, Embedding: embedding, BatchNormalization: batchNorm, LayerNormalization: layerNorm,
  Rescaling: rescaling,
};
