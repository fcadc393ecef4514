import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import type { ConvInfo, Triple } from '../kernels/conv-kernels.js';
import { type Padding, expandTuple, planWindow } from './window.js';

/** Number of spatial dimensions of a convolution. */
export type ConvRank = 1 | 2 | 3;

/** Options of conv1d / conv2d / conv3d / depthwiseConv2d given as an object (third argument). */
export interface ConvOptions {
  /** Step of the window, one number or one per spatial dim (default 1). `stride` is an alias. */
  strides?: number | number[];
  stride?: number | number[];
  /** 'valid' (default), 'same', 'causal' (1-D only), a number, or [before, after] per spatial dim. `pad` is an alias. */
  padding?: Padding;
  pad?: Padding;
  /** Spacing between filter taps, one number or one per spatial dim (default 1). `dilation`/`dilationRate` are aliases. */
  dilations?: number | number[];
  dilation?: number | number[];
  dilationRate?: number | number[];
  /** Only channels-last ('NWC' / 'NHWC' / 'NDHWC') is supported. */
  dataFormat?: string;
}

/** Options of conv1dTranspose / conv2dTranspose / conv3dTranspose given as an object (third argument). */
export interface ConvTransposeOptions {
  strides?: number | number[];
  stride?: number | number[];
  /** 'valid' (default), 'same', a number, or [before, after] per spatial dim (cropped from the full result). */
  padding?: Padding;
  pad?: Padding;
  /** Extra rows added at the end of each spatial dim, each smaller than its stride (default none). */
  outputPadding?: number | number[];
  dilations?: number | number[];
  dilation?: number | number[];
  dilationRate?: number | number[];
  /** The output shape, with or without batch and channels; checked against what the arguments allow. */
  outputShape?: number[];
}

/** Parsed, validated conv arguments. */
export interface ConvArgs {
  strides: number[];
  dilations: number[];
  padding: Padding;
}

/** A planned conv: the kernel geometry plus the user-facing shapes of x, the filter and y. */
export interface ConvGeometry {
  info: ConvInfo;
  /** Shape of the conv's input (for a transposed conv: its output). */
  xShape: number[];
  filterShape: number[];
  /** Shape of the conv's output (for a transposed conv: its input). */
  yShape: number[];
}

const X_DIMS = ['', '[batch, width, channels]', '[batch, height, width, channels]', '[batch, depth, height, width, channels]'];
const SPATIAL = ['', 'filterWidth', 'filterHeight, filterWidth', 'filterDepth, filterHeight, filterWidth'];
const DIM_NAMES = [[], ['width'], ['height', 'width'], ['depth', 'height', 'width']];
const FORMATS = ['', 'NWC', 'NHWC', 'NDHWC'];
const CONV_KEYS = ['strides', 'stride', 'padding', 'pad', 'dilations', 'dilation', 'dilationRate', 'dataFormat'];
const TRANSPOSE_KEYS = ['strides', 'stride', 'padding', 'pad', 'outputPadding', 'dilations', 'dilation', 'dilationRate', 'outputShape'];

/** True for a plain options object (not an array, not a number). */
function isOptions(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pick<T>(op: string, o: Record<string, unknown>, names: string[]): T | undefined {
  const given = names.filter((n) => o[n] !== undefined);
  if (given.length > 1) throw new ConfigError(`${op}: give only one of ${given.map((n) => `'${n}'`).join(' and ')}`);
  return given.length ? (o[given[0]] as T) : undefined;
}

function checkKeys(op: string, o: Record<string, unknown>, allowed: string[]): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new ConfigError(`${op}: unknown option '${k}'; expected one of ${allowed.join(', ')}`);
  }
}

/** Accepts TensorFlow.js's 4-pair explicit padding ([[0, 0], ...spatial, [0, 0]]) beside one pair per spatial dim. */
function normalizePadding(op: string, rank: number, pad: Padding | undefined): Padding {
  if (pad === undefined) return 'valid';
  if (Array.isArray(pad) && pad.length === rank + 2 && Array.isArray(pad[0]) && Array.isArray(pad[rank + 1])) {
    const outer = [pad[0], pad[rank + 1]];
    if (outer.some((p) => p.length !== 2 || p[0] !== 0 || p[1] !== 0)) {
      throw new ConfigError(`${op}: explicit padding of the batch and channel dims must be [0, 0], got ${JSON.stringify(pad)}`);
    }
    return pad.slice(1, rank + 1);
  }
  return pad;
}

function checkDataFormat(op: string, rank: ConvRank, dataFormat: unknown): void {
  if (dataFormat === undefined || dataFormat === FORMATS[rank] || dataFormat === 'channelsLast') return;
  const perm = rank === 1 ? '[0, 2, 1]' : rank === 2 ? '[0, 2, 3, 1]' : '[0, 2, 3, 4, 1]';
  throw new ConfigError(`${op}: dataFormat ${JSON.stringify(dataFormat)} is not supported; use '${FORMATS[rank]}' ` +
    `(channels last), e.g. st.transpose(x, ${perm})`);
}

/**
 * Reads conv arguments given either TensorFlow.js-style (strides, pad, dataFormat, dilations,
 * dimRoundingMode) or as one options object in place of the strides.
 */
export function resolveConvArgs(op: string, rank: ConvRank, third: unknown, pad: unknown, dataFormat: unknown,
  dilations: unknown, dimRoundingMode?: unknown): ConvArgs {
  let strides: unknown = third, padding: unknown = pad, dil: unknown = dilations;
  if (isOptions(third)) {
    if (pad !== undefined || dilations !== undefined || dataFormat !== undefined) {
      throw new ConfigError(`${op}: pass either an options object or positional arguments after the filter, not both`);
    }
    checkKeys(op, third, CONV_KEYS);
    strides = pick(op, third, ['strides', 'stride']);
    padding = pick(op, third, ['padding', 'pad']);
    dil = pick(op, third, ['dilations', 'dilation', 'dilationRate']);
    dataFormat = third.dataFormat;
  }
  checkDataFormat(op, rank, dataFormat);
  if (dimRoundingMode !== undefined && dimRoundingMode !== 'floor') {
    throw new ConfigError(`${op}: dimRoundingMode ${JSON.stringify(dimRoundingMode)} is not supported; output sizes round down ('floor')`);
  }
  return {
    strides: expandTuple(op, 'strides', strides as number | number[] | undefined, rank, 1),
    dilations: expandTuple(op, 'dilations', dil as number | number[] | undefined, rank, 1),
    padding: normalizePadding(op, rank, padding as Padding | undefined),
  };
}

/** Shape [N, ...spatial, C] of x, adding a unit batch to a batchless x; names the op on a wrong rank. */
function batched(op: string, rank: ConvRank, xShape: readonly number[]): { shape: number[]; hasBatch: boolean } {
  if (xShape.length === rank + 2) return { shape: xShape.slice(), hasBatch: true };
  if (xShape.length === rank + 1) return { shape: [1, ...xShape], hasBatch: false };
  throw new ShapeError(`${op}: x must be rank ${rank + 2} ${X_DIMS[rank]} (or ${rank + 1} without batch), got shape ${fmtShape(xShape)}`);
}

function checkFilter(op: string, rank: ConvRank, filterShape: readonly number[], last: string): void {
  if (filterShape.length !== rank + 2) {
    throw new ShapeError(`${op}: filter must be rank ${rank + 2} [${SPATIAL[rank]}, ${last}], got shape ${fmtShape(filterShape)}`);
  }
  if (filterShape.slice(0, rank).some((k) => k < 1)) {
    throw new ShapeError(`${op}: filter has an empty spatial dimension: ${fmtShape(filterShape)}`);
  }
}

/** Pads a per-dim list on the left to three dims (1-D and 2-D convs run as 3-D). */
function toTriple(v: readonly number[], fill: number): Triple {
  const out: number[] = [fill, fill, fill];
  for (let i = 0; i < v.length; i++) out[3 - v.length + i] = v[i];
  return out as Triple;
}

/**
 * Plans a forward conv (or depthwise conv, whose filter's last dim is the channel multiplier) from
 * the shapes of x and the filter, with the padding arithmetic of `planWindow`.
 */
export function planConv(op: string, rank: ConvRank, xShape: readonly number[], filterShape: readonly number[],
  args: ConvArgs, depthwise = false): ConvGeometry {
  const { shape, hasBatch } = batched(op, rank, xShape);
  checkFilter(op, rank, filterShape, depthwise ? 'inChannels, channelMultiplier' : 'inChannels, outChannels');
  const C = shape[rank + 1];
  if (filterShape[rank] !== C) {
    throw new ShapeError(`${op}: filter has ${filterShape[rank]} input channels but x has ${C} ` +
      `(x is ${fmtShape(xShape)}, filter is ${fmtShape(filterShape)})`);
  }
  const spatial = shape.slice(1, rank + 1);
  if (spatial.some((d) => d < 1)) throw new ShapeError(`${op}: x has an empty spatial dimension: ${fmtShape(xShape)}`);
  const kernel = filterShape.slice(0, rank);
  const plan = planWindow(op, spatial, kernel, args.strides, args.dilations, args.padding);
  const F = depthwise ? C * filterShape[rank + 1] : filterShape[rank + 1];
  const info: ConvInfo = {
    batch: shape[0], inSize: toTriple(spatial, 1), outSize: toTriple(plan.outSize, 1),
    inChannels: C, outChannels: F, kernel: toTriple(kernel, 1), strides: toTriple(args.strides, 1),
    dilations: toTriple(args.dilations, 1), padBefore: toTriple(plan.padBefore, 0),
    multiplier: depthwise ? filterShape[rank + 1] : 1,
  };
  const yShape = hasBatch ? [shape[0], ...plan.outSize, F] : [...plan.outSize, F];
  return { info, xShape: xShape.slice(), filterShape: filterShape.slice(), yShape };
}

/** Reads transposed-conv arguments: TensorFlow.js-style (outputShape, strides, pad) or an options object. */
export function resolveConvTransposeArgs(op: string, rank: ConvRank, third: unknown, strides: unknown, pad: unknown,
  dimRoundingMode?: unknown): ConvArgs & { outputPadding?: number[]; outputShape?: number[] } {
  let outputShape: unknown = third, s: unknown = strides, padding: unknown = pad, dil: unknown, outPad: unknown;
  if (isOptions(third)) {
    if (strides !== undefined || pad !== undefined) {
      throw new ConfigError(`${op}: pass either an options object or positional arguments after the filter, not both`);
    }
    checkKeys(op, third, TRANSPOSE_KEYS);
    s = pick(op, third, ['strides', 'stride']);
    padding = pick(op, third, ['padding', 'pad']);
    dil = pick(op, third, ['dilations', 'dilation', 'dilationRate']);
    outPad = third.outputPadding;
    outputShape = third.outputShape;
  }
  if (outputShape !== undefined && outputShape !== null &&
      (!Array.isArray(outputShape) || outputShape.some((d) => !Number.isInteger(d) || d < 1))) {
    throw new ConfigError(`${op}: outputShape must be a list of positive integers, got ${JSON.stringify(outputShape)}`);
  }
  if (padding === 'causal') throw new ConfigError(`${op}: padding 'causal' is not supported by transposed convolutions; use 'valid' or 'same'`);
  if (dimRoundingMode !== undefined && dimRoundingMode !== 'floor') {
    throw new ConfigError(`${op}: dimRoundingMode ${JSON.stringify(dimRoundingMode)} is not supported`);
  }
  const args = {
    strides: expandTuple(op, 'strides', s as number | number[] | undefined, rank, 1),
    dilations: expandTuple(op, 'dilations', dil as number | number[] | undefined, rank, 1),
    padding: normalizePadding(op, rank, padding as Padding | undefined),
  };
  // Checks the padding's form only (pairs of non-negative integers, ...): the sizes are placeholders.
  planWindow(op, new Array<number>(rank).fill(1e9), new Array<number>(rank).fill(1), args.strides, args.dilations, args.padding);
  let outputPadding: number[] | undefined;
  if (outPad !== undefined && outPad !== null) {
    const list = typeof outPad === 'number' ? new Array<number>(rank).fill(outPad) : outPad;
    if (!Array.isArray(list) || list.length !== rank || list.some((p) => !Number.isInteger(p) || p < 0)) {
      throw new ConfigError(`${op}: outputPadding must be a non-negative integer or a tuple of ${rank}, got ${JSON.stringify(outPad)}`);
    }
    if (list.some((p, i) => p >= args.strides[i])) {
      throw new ConfigError(`${op}: outputPadding must be smaller than strides in every dim, got outputPadding ` +
        `${fmtShape(list)} with strides ${fmtShape(args.strides)}`);
    }
    outputPadding = list as number[];
  }
  return { ...args, outputPadding, outputShape: (outputShape ?? undefined) as number[] | undefined };
}

/**
 * Plans a transposed conv as the input-gradient of a forward conv: the returned geometry's x is the
 * transposed conv's output and its y the transposed conv's input. Output lengths follow DESIGN.md;
 * a given outputShape must be one the forward conv maps back onto x's size.
 */
export function planConvTranspose(op: string, rank: ConvRank, xShape: readonly number[], filterShape: readonly number[],
  args: ConvArgs & { outputPadding?: number[]; outputShape?: number[] }): ConvGeometry {
  const { shape, hasBatch } = batched(op, rank, xShape);
  checkFilter(op, rank, filterShape, 'outChannels, inChannels');
  const Cin = shape[rank + 1], Cout = filterShape[rank];
  if (filterShape[rank + 1] !== Cin) {
    throw new ShapeError(`${op}: filter has ${filterShape[rank + 1]} input channels (its last dim) but x has ${Cin} ` +
      `(x is ${fmtShape(xShape)}, filter is ${fmtShape(filterShape)})`);
  }
  const inSize = shape.slice(1, rank + 1);
  if (inSize.some((d) => d < 1)) throw new ShapeError(`${op}: x has an empty spatial dimension: ${fmtShape(xShape)}`);
  const kernel = filterShape.slice(0, rank);
  const { strides, dilations, padding, outputPadding } = args;
  const given = args.outputShape ? spatialOf(op, rank, args.outputShape, shape[0], Cout, hasBatch) : undefined;
  const outSize: number[] = [], padBefore: number[] = [];
  for (let i = 0; i < rank; i++) {
    const n = inSize[i], s = strides[i], kEff = (kernel[i] - 1) * dilations[i] + 1, op_ = outputPadding?.[i];
    let pb = 0, pa = 0;
    if (typeof padding === 'number') pb = pa = padding;
    else if (Array.isArray(padding)) [pb, pa] = padding[i];
    let lo: number, hi: number, out: number;
    if (padding === 'same') {
      lo = (n - 1) * s + 1;
      hi = n * s;
      out = op_ === undefined ? n * s : (n - 1) * s + (kEff % 2) + op_;
    } else {
      lo = (n - 1) * s + kEff - pb - pa;
      hi = lo + s - 1;
      out = op_ === undefined ? (padding === 'valid' ? n * s + Math.max(kEff - s, 0) : lo) : lo + op_;
    }
    if (given) {
      const what = `outputShape ${fmtShape(args.outputShape!)} does not fit x ${fmtShape(xShape)} with strides ` +
        `${fmtShape(strides)}, padding ${JSON.stringify(padding)}, kernel ${fmtShape(kernel)} and dilations ${fmtShape(dilations)}`;
      if (op_ !== undefined && given[i] !== out) {
        throw new ShapeError(`${op}: ${what}: with outputPadding ${fmtShape(outputPadding!)} the ${DIM_NAMES[rank][i]} is ${out}, got ${given[i]}`);
      }
      if (given[i] < lo || given[i] > hi) {
        throw new ShapeError(`${op}: ${what}: the ${DIM_NAMES[rank][i]} must be ${lo === hi ? lo : `${lo} to ${hi}`}, got ${given[i]}`);
      }
      out = given[i];
    }
    if (out < 1) {
      throw new ShapeError(`${op}: padding ${JSON.stringify(padding)} crops the whole ${DIM_NAMES[rank][i]} ` +
        `(the full result has length ${(n - 1) * s + kEff}); use less padding`);
    }
    if (padding === 'same') pb = Math.floor(Math.max(0, (n - 1) * s + kEff - out) / 2);
    outSize.push(out);
    padBefore.push(pb);
  }
  const info: ConvInfo = {
    batch: shape[0], inSize: toTriple(outSize, 1), outSize: toTriple(inSize, 1),
    inChannels: Cout, outChannels: Cin, kernel: toTriple(kernel, 1), strides: toTriple(strides, 1),
    dilations: toTriple(dilations, 1), padBefore: toTriple(padBefore, 0), multiplier: 1,
  };
  const outShape = hasBatch ? [shape[0], ...outSize, Cout] : [...outSize, Cout];
  return { info, xShape: outShape, filterShape: filterShape.slice(), yShape: xShape.slice() };
}

/** The spatial part of a user's outputShape (full, batchless, or spatial only), checking batch and channels. */
function spatialOf(op: string, rank: ConvRank, outputShape: number[], batch: number, channels: number, hasBatch: boolean): number[] {
  let spatial: number[];
  if (outputShape.length === rank) return outputShape.slice();
  if (outputShape.length === rank + 2 && hasBatch) {
    if (outputShape[0] !== batch) {
      throw new ShapeError(`${op}: outputShape ${fmtShape(outputShape)} has batch ${outputShape[0]} but x has ${batch}`);
    }
    spatial = outputShape.slice(1, rank + 1);
  } else if (outputShape.length === rank + 1 && !hasBatch) {
    spatial = outputShape.slice(0, rank);
  } else {
    throw new ShapeError(`${op}: outputShape must have ${hasBatch ? rank + 2 : rank + 1} dims like x (or ${rank} spatial dims), ` +
      `got ${fmtShape(outputShape)}`);
  }
  if (outputShape[outputShape.length - 1] !== channels) {
    throw new ShapeError(`${op}: outputShape ${fmtShape(outputShape)} has ${outputShape[outputShape.length - 1]} channels ` +
      `but the filter makes ${channels} (its second-to-last dim)`);
  }
  return spatial;
}
