/**
 * Converters for the layers that move data around: Permute, RepeatVector, ZeroPadding, Cropping,
 * UpSampling (nearest), and PReLU. All work on the layer's own layout as it is (the spatial axes
 * start at 1 channels-last, at 2 channels-first).
 */
import { type Converter, refuse, weightData } from './convert-core.js';

/** The first spatial axis of a layer's tensors. */
const firstSpatial = (config: Record<string, unknown>): number => (config.dataFormat === 'channels_first' ? 2 : 1);

// Any end past the axis means "to the end" (Slice clamps); 2^63 − 1 is not exact in a double.
const TO_END = Number.MAX_SAFE_INTEGER;
const range1 = (r: number): number[] => Array.from({ length: r }, (_, i) => i + 1);

const permute: Converter = ({ g, layer, config, inputs }) => [g.op('Transpose', [inputs[0]], { perm: [0, ...(config.dims as number[])] }, layer.name)];

const repeatVector: Converter = ({ g, layer, config, inputs }) => {
  const x = g.op('Unsqueeze', [inputs[0], g.ints('axis1', [1])]);
  return [g.op('Tile', [x, g.ints(`${layer.name}/repeats`, [1, Number(config.n), 1])], {}, layer.name)];
};

/** `[before, after]` per spatial dim from a ZeroPadding/Cropping config (rank 1 stores one pair). */
const pairs = (v: unknown, r: number): number[][] => (r === 1 ? [v as number[]] : v as number[][]);

const zeroPadding = (r: number): Converter => ({ g, layer, config, inputs }) => {
  const p = pairs(config.padding, r), first = firstSpatial(config) === 2;
  const side = (j: 0 | 1): number[] => (first ? [0, 0, ...p.map((q) => q[j])] : [0, ...p.map((q) => q[j]), 0]);
  const pads = g.ints(`${layer.name}/pads`, [...side(0), ...side(1)]);
  return [g.op('Pad', [inputs[0], pads], { mode: 'constant' }, layer.name)];
};

const cropping = (r: number): Converter => ({ g, layer, config, inputs }) => {
  const c = pairs(config.cropping, r);
  const starts = g.ints(`${layer.name}/starts`, c.map((q) => q[0]));
  // A negative end counts from the end, so unknown sizes work too.
  const ends = g.ints(`${layer.name}/ends`, c.map((q) => (q[1] === 0 ? TO_END : -q[1])));
  const axes = range1(r).map((a) => a + firstSpatial(config) - 1);
  return [g.op('Slice', [inputs[0], starts, ends, g.ints(`${layer.name}/axes`, axes)], {}, layer.name)];
};

/** Nearest upsampling by whole factors: Resize with asymmetric coordinates and floor is an exact repeat. */
const upSampling = (r: number): Converter => ({ g, layer, config, inputs, where }) => {
  if (config.interpolation !== undefined && config.interpolation !== 'nearest') refuse(where, `has interpolation '${String(config.interpolation)}'`);
  const size = Array.isArray(config.size) ? config.size as number[] : new Array<number>(r).fill(Number(config.size));
  const scales = g.floats(`${layer.name}/scales`, firstSpatial(config) === 2 ? [1, 1, ...size] : [1, ...size, 1], [r + 2]);
  return [g.op('Resize', [inputs[0], '', scales], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }, layer.name)];
};

// alpha has the input's shape without the batch (1 along sharedAxes): it broadcasts as ONNX's slope.
const prelu: Converter = ({ g, layer, inputs }) => {
  const [alpha] = weightData(layer);
  return [g.op('PRelu', [inputs[0], g.floats(`${layer.name}/alpha`, alpha, layer.getWeights()[0].shape)], {}, layer.name)];
};

/** Converters of this file, by Keras class name. */
export const SHAPE_CONVERTERS: Record<string, Converter> = {
  Permute: permute, RepeatVector: repeatVector, PReLU: prelu,
  ZeroPadding1D: zeroPadding(1), ZeroPadding2D: zeroPadding(2), ZeroPadding3D: zeroPadding(3),
  Cropping1D: cropping(1), Cropping2D: cropping(2), Cropping3D: cropping(3),
  UpSampling1D: upSampling(1), UpSampling2D: upSampling(2), UpSampling3D: upSampling(3),
};
