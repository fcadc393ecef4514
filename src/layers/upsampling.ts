import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/create.js';
import { add, broadcastTo, gather, mul, reshape } from '../ops/index.js';
import { Layer, type CallOptions, type LayerOptions, type LayerShape } from './layer.js';
import { registerLayer } from './serialization.js';
import { checkSpatialInput, intTuple } from './spatial-args.js';
import { type DataFormat, dataFormatConfig, readDataFormat, toChannelsFirst, toChannelsLast } from './data-format.js';

type Rank = 1 | 2 | 3;

/** Repeats every element `size[i]` times along spatial axis i, via a broadcast (its gradient sums the copies). */
function repeatNearest(x: Tensor, size: number[]): Tensor {
  const [n, ...rest] = x.shape;
  const c = rest.pop()!;
  const spread = [n, ...rest.flatMap((d) => [d, 1]), c];
  const tiled = [n, ...rest.flatMap((d, i) => [d, size[i]]), c];
  return reshape(broadcastTo(reshape(x, spread), tiled), [n, ...rest.map((d, i) => d * size[i]), c]);
}

/**
 * Linear interpolation along one axis to `factor`× its length, as tf.image.resizeBilinear with
 * alignCorners false. Without half-pixel centres (what TensorFlow.js's UpSampling2D calls), output
 * row r reads source position r/factor; with them (Keras 2 and 3, whose image resize samples pixel
 * centres), (r + 0.5)/factor − 0.5. It blends rows floor and ceil of it, clamped to the first and
 * last rows. Built from gathers and products so autograd supplies the gradient.
 */
function lerpAxis(x: Tensor, axis: number, factor: number, halfPixel: boolean): Tensor {
  const n = x.shape[axis], out = n * factor;
  const lo = new Int32Array(out), hi = new Int32Array(out), w = new Float64Array(out);
  for (let r = 0; r < out; r++) {
    const src = halfPixel ? Math.max(0, (r + 0.5) / factor - 0.5) : (r * n) / out;
    lo[r] = Math.floor(src);
    hi[r] = Math.min(n - 1, Math.ceil(src));
    w[r] = src - lo[r];
  }
  const wShape = [out, ...new Array<number>(x.rank - axis - 1).fill(1)];
  const wHi = tensor(w, wShape, x.dtype);
  const wLo = tensor(w.map((v) => 1 - v), wShape, x.dtype);
  return add(mul(gather(x, tensor(lo, [out], 'int32'), axis), wLo), mul(gather(x, tensor(hi, [out], 'int32'), axis), wHi));
}

interface UpSamplingBaseOptions extends LayerOptions {
  /** 'channelsLast' (default) or 'channelsFirst' ([batch, channels, ...spatial]); Keras's 'channels_last' / 'channels_first' too. */
  dataFormat?: string;
}

/**
 * Upsampling of rank 1–3 by repeating (or, in 2-D, interpolating) along the spatial axes; a
 * channels-first layer transposes around the channels-last computation.
 */
abstract class UpSampling extends Layer {
  readonly size: number[];
  readonly dataFormat: DataFormat;

  constructor(readonly rank: Rank, size: unknown, opts: UpSamplingBaseOptions) {
    super(opts);
    this.size = intTuple(this.describe(), 'size', size, rank, 1);
    this.dataFormat = readDataFormat(this.describe(), opts.dataFormat);
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    checkSpatialInput(this.describe(), this.rank, inputShape, false, this.dataFormat);
    const from = this.dataFormat === 'channelsFirst' ? 2 : 1;
    return inputShape.map((d, i) => (i < from || i >= from + this.rank || d === null ? d : d * this.size[i - from]));
  }

  protected call(x: Tensor, _opts: CallOptions): Tensor {
    checkSpatialInput(this.describe(), this.rank, x.shape, false, this.dataFormat);
    return this.dataFormat === 'channelsFirst' ? toChannelsFirst(this.upsampleLast(toChannelsLast(x))) : this.upsampleLast(x);
  }

  /** The upsampling of a channels-last tensor. */
  protected upsampleLast(x: Tensor): Tensor {
    return repeatNearest(x, this.size);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), size: this.size, dataFormat: dataFormatConfig(this.dataFormat) };
  }
}

export interface UpSampling1DOptions extends UpSamplingBaseOptions {
  /** Repetitions of each step (default 2). */
  size?: number;
}

/**
 * Repeats each step of [batch, steps, features] `size` times (Keras `UpSampling1D`).
 * @example st.layers.upSampling1d({ size: 3 })
 */
export class UpSampling1D extends UpSampling {
  static override className = 'UpSampling1D';
  constructor(opts: UpSampling1DOptions = {}) {
    // Files may hold the 1-D size as [n].
    const s = opts.size as number | number[] | undefined;
    super(1, s === undefined ? 2 : Array.isArray(s) && s.length === 1 ? s[0] : s, opts);
  }

  override getConfig(): Record<string, unknown> {
    // Keras's UpSampling1D has no data_format: written only when it says channels-first.
    const { dataFormat, ...config } = super.getConfig();
    return { ...config, size: this.size[0], ...(this.dataFormat === 'channelsFirst' ? { dataFormat } : {}) };
  }
}

export interface UpSampling2DOptions extends UpSamplingBaseOptions {
  /** Factor per axis, a number or [rows, cols] (default [2, 2]). */
  size?: number | number[];
  /** 'nearest' (default: repeat) or 'bilinear' (sampling as `halfPixelCenters` says). */
  interpolation?: 'nearest' | 'bilinear';
  /**
   * For 'bilinear': sample at pixel centres, as Keras 2 and 3 do (tf.image.resize / ops.image.resize);
   * default false, as TensorFlow.js 4.22's UpSampling2D (resizeBilinear with alignCorners and
   * halfPixelCenters false). A loader of Keras's own files sets it true; TensorFlow.js files leave it out.
   */
  halfPixelCenters?: boolean;
}

/**
 * Upsamples [batch, height, width, channels] by `size` (Keras `UpSampling2D`), by repetition or
 * bilinear interpolation.
 * @example st.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear' })
 */
export class UpSampling2D extends UpSampling {
  static override className = 'UpSampling2D';
  readonly interpolation: 'nearest' | 'bilinear';
  readonly halfPixelCenters: boolean;

  constructor(opts: UpSampling2DOptions = {}) {
    super(2, opts.size ?? [2, 2], opts);
    const interp = opts.interpolation ?? 'nearest';
    if (interp !== 'nearest' && interp !== 'bilinear') {
      throw new ConfigError(`${this.describe()}: interpolation must be 'nearest' or 'bilinear', got ${JSON.stringify(opts.interpolation)}`);
    }
    this.interpolation = interp;
    const half = opts.halfPixelCenters ?? false;
    if (typeof half !== 'boolean') {
      throw new ConfigError(`${this.describe()}: halfPixelCenters must be true (Keras's sampling) or false (TensorFlow.js's), got ${JSON.stringify(half)}`);
    }
    this.halfPixelCenters = half;
  }

  protected override upsampleLast(x: Tensor): Tensor {
    if (this.interpolation === 'nearest') return super.upsampleLast(x);
    return lerpAxis(lerpAxis(x, 1, this.size[0], this.halfPixelCenters), 2, this.size[1], this.halfPixelCenters);
  }

  override getConfig(): Record<string, unknown> {
    // halfPixelCenters only when set: TensorFlow.js files stay as they were, and Keras's own loader knows no such key.
    return { ...super.getConfig(), interpolation: this.interpolation, ...(this.halfPixelCenters ? { halfPixelCenters: true } : {}) };
  }
}

export interface UpSampling3DOptions extends UpSamplingBaseOptions {
  /** Factor per axis, a number or [depth, rows, cols] (default [2, 2, 2]). */
  size?: number | number[];
}

/**
 * Repeats the voxels of [batch, depth, height, width, channels] by `size` (Keras `UpSampling3D`).
 * @example st.layers.upSampling3d({ size: 2 })
 */
export class UpSampling3D extends UpSampling {
  static override className = 'UpSampling3D';
  constructor(opts: UpSampling3DOptions = {}) {
    super(3, opts.size ?? [2, 2, 2], opts);
  }

}

registerLayer(UpSampling1D);
registerLayer(UpSampling2D);
registerLayer(UpSampling3D);

/** UpSampling1D layer factory. */
export const upSampling1d = (opts: UpSampling1DOptions = {}): UpSampling1D => new UpSampling1D(opts);
/** UpSampling2D layer factory. */
export const upSampling2d = (opts: UpSampling2DOptions = {}): UpSampling2D => new UpSampling2D(opts);
/** UpSampling3D layer factory. */
export const upSampling3d = (opts: UpSampling3DOptions = {}): UpSampling3D => new UpSampling3D(opts);
