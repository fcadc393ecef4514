import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Pool3dInfo } from '../kernels/pool-kernels.js';
import { expandTuple, planWindow } from './window.js';

/** Padding of a pooling op: 'valid' (no padding) or 'same' (output size ceil(in / stride)). */
export type PoolPadding = 'valid' | 'same';

/**
 * Options of the pooling ops, as a second argument (with the size) or a third (after the size).
 * `poolSize` (Keras) and `filterSize` (TensorFlow.js) are the same option.
 */
export interface PoolOptions {
  /** Window size: one number for every spatial dim, or one per dim. */
  poolSize?: number | number[];
  /** Alias of poolSize, TensorFlow.js's name. */
  filterSize?: number | number[];
  /** Step between windows (default: the pool size, as Keras). */
  strides?: number | number[];
  /** Alias of strides for the 1-D ops. */
  stride?: number;
  /** 'valid' (default) or 'same'. */
  padding?: PoolPadding;
}

/** Pool size argument: a size, or the options object holding it. */
export type PoolSizeArg<T extends number[]> = number | T | PoolOptions;

const OPTION_KEYS = new Set(['poolSize', 'filterSize', 'strides', 'stride', 'padding']);
const LAYOUT: Record<number, [string, string]> = {
  1: ['[batch, width, channels]', '[width, channels]'],
  2: ['[batch, height, width, channels]', '[height, width, channels]'],
  3: ['[batch, depth, height, width, channels]', '[depth, height, width, channels]'],
};
const RANKED_NAME: Record<number, string> = { 1: '1d', 2: '', 3: '3d' };

/** The pool size, strides and padding of one call, read from positional or options arguments. */
export interface PoolArgs {
  poolSize: number[];
  strides: number[];
  padding: PoolPadding;
}

function isOptions(v: unknown): v is PoolOptions {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkKeys(op: string, o: PoolOptions): void {
  for (const k of Object.keys(o)) {
    if (!OPTION_KEYS.has(k)) {
      throw new ConfigError(`${op}: unknown option '${k}'; pooling takes poolSize (or filterSize), strides and padding`);
    }
  }
}

/** Reads (x, size, strides, pad), (x, options) or (x, size, options) into one set of arguments. */
export function readPoolArgs(op: string, rank: number, size: unknown, strides: unknown, pad: unknown): PoolArgs {
  let sizeV: unknown, stridesV: unknown, padV: unknown;
  if (isOptions(size)) {
    checkKeys(op, size);
    if (strides !== undefined || pad !== undefined) {
      throw new ConfigError(`${op}: give strides and padding inside the options object, not after it`);
    }
    if (size.poolSize !== undefined && size.filterSize !== undefined &&
        JSON.stringify(size.poolSize) !== JSON.stringify(size.filterSize)) {
      throw new ConfigError(`${op}: poolSize ${JSON.stringify(size.poolSize)} and filterSize ${JSON.stringify(size.filterSize)} disagree; give one of them`);
    }
    sizeV = size.poolSize ?? size.filterSize;
    stridesV = size.strides ?? size.stride;
    padV = size.padding;
  } else if (isOptions(strides)) {
    checkKeys(op, strides);
    if (strides.poolSize !== undefined || strides.filterSize !== undefined) {
      throw new ConfigError(`${op}: the pool size is given twice, as an argument and in the options object`);
    }
    if (pad !== undefined) throw new ConfigError(`${op}: give padding inside the options object, not after it`);
    sizeV = size;
    stridesV = strides.strides ?? strides.stride;
    padV = strides.padding;
  } else {
    [sizeV, stridesV, padV] = [size, strides, pad];
  }
  if (sizeV === undefined || sizeV === null) {
    throw new ConfigError(`${op}: the pool size is required, e.g. ${op}(x, 2) or ${op}(x, { poolSize: 2 })`);
  }
  const poolSize = expandTuple(op, 'poolSize', sizeV as number | number[], rank, 1);
  const stridesList = stridesV === undefined || stridesV === null
    ? poolSize.slice()
    : expandTuple(op, 'strides', stridesV as number | number[], rank, 1);
  const padding = padV ?? 'valid';
  if (padding !== 'valid' && padding !== 'same') {
    throw new ConfigError(`${op}: padding must be 'valid' or 'same', got ${JSON.stringify(padding)}`);
  }
  return { poolSize, strides: stridesList, padding };
}

/**
 * Checks x's rank for `rank` spatial dims (a batchless x, one rank less, is accepted) and gives the
 * 5-D shape [N, D, H, W, C] that the 3-D kernels see; storage is the same.
 */
export function poolShape5d(op: string, x: Tensor, rank: number): { shape5d: number[]; batchless: boolean } {
  const [withBatch, without] = LAYOUT[rank];
  const batchless = x.rank === rank + 1;
  if (x.rank !== rank + 2 && !batchless) {
    const others = [1, 2, 3].filter((r) => r !== rank)
      .map((r) => `${op.replace(/(1d|3d)?$/, RANKED_NAME[r])} for ${LAYOUT[r][0]}`).join(' or ');
    throw new ShapeError(`${op}: x must be rank ${rank + 2} ${withBatch} or rank ${rank + 1} ${without}, ` +
      `got rank ${x.rank} (shape ${fmtShape(x.shape)}); use ${others}`);
  }
  const s = batchless ? [1, ...x.shape] : x.shape.slice();
  const spatial = s.slice(1, 1 + rank);
  while (spatial.length < 3) spatial.unshift(1);
  return { shape5d: [s[0], ...spatial, s[s.length - 1]], batchless };
}

/** Plans the windows over the 5-D view (leading unit dims get a unit window) with window.ts's arithmetic. */
export function planPool(op: string, xShape: readonly number[], shape5d: number[], rank: number, args: PoolArgs): Pool3dInfo {
  const inSize = shape5d.slice(4 - rank, 4);
  if (args.padding === 'valid') {
    const i = args.poolSize.findIndex((k, d) => k > inSize[d]);
    if (i >= 0) {
      throw new ShapeError(`${op}: poolSize ${fmtShape(args.poolSize)} is larger than the input's spatial size ` +
        `${fmtShape(inSize)} with padding 'valid' (x is ${fmtShape(xShape)}); use padding 'same' or a smaller poolSize`);
    }
  }
  const plan = planWindow(op, inSize, args.poolSize, args.strides, args.poolSize.map(() => 1), args.padding);
  const pad3 = (v: number[], fill: number): number[] => [...new Array<number>(3 - rank).fill(fill), ...v];
  const [filterD, filterH, filterW] = pad3(args.poolSize, 1);
  const [strideD, strideH, strideW] = pad3(args.strides, 1);
  const [padFront, padTop, padLeft] = pad3(plan.padBefore, 0);
  const [outD, outH, outW] = pad3(plan.outSize, 1);
  const [batch, inD, inH, inW, channels] = shape5d;
  return { batch, inD, inH, inW, channels, filterD, filterH, filterW, strideD, strideH, strideW, padFront, padTop, padLeft, outD, outH, outW };
}
