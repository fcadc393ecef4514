import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/create.js';
import { add, broadcastTo, gather, mul, reshape } from '../ops/index.js';
import { Layer, type CallOptions, type LayerOptions, type LayerShape } from './layer.js';
import { registerLayer } from './serialization.js';
import { checkDataFormat, checkSpatialInput, intTuple } from './spatial-args.js';

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
 * alignCorners false and halfPixelCenters false (what TensorFlow.js's UpSampling2D calls): output
 * row r reads source position r/factor, blending rows floor and ceil of it (clamped to the last row).
 * Built from gathers and products so autograd supplies the gradient.
 */
function lerpAxis(x: Tensor, axis: number, factor: number): Tensor {
  const n = x.shape[axis], out = n * factor;
  const lo = new Int32Array(out), hi = new Int32Array(out), w = new Float64Array(out);
  for (let r = 0; r < out; r++) {
    const src = (r * n) / out;
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
  /** Only 'channels_last' (the default) is supported. */
  dataFormat?: string;
}

/** Upsampling of rank 1–3 by repeating (or, in 2-D, interpolating) along the spatial axes. */
abstract class UpSampling extends Layer {
  readonly size: number[];

  constructor(readonly rank: Rank, size: unknown, opts: UpSamplingBaseOptions) {
    super(opts);
    this.size = intTuple(this.describe(), 'size', size, rank, 1);
    checkDataFormat(this.describe(), opts.dataFormat);
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    checkSpatialInput(this.describe(), this.rank, inputShape);
    return inputShape.map((d, i) => (i === 0 || i > this.rank || d === null ? d : d * this.size[i - 1]));
  }

  protected call(x: Tensor, _opts: CallOptions): Tensor {
    checkSpatialInput(this.describe(), this.rank, x.shape);
    return repeatNearest(x, this.size);
  }
}

export interface UpSampling1DOptions extends LayerOptions {
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
    return { ...super.getConfig(), size: this.size[0] };
  }
}

export interface UpSampling2DOptions extends UpSamplingBaseOptions {
  /** Factor per axis, a number or [rows, cols] (default [2, 2]). */
  size?: number | number[];
  /** 'nearest' (default: repeat) or 'bilinear' (as TensorFlow.js: alignCorners and halfPixelCenters false). */
  interpolation?: 'nearest' | 'bilinear';
}

/**
 * Upsamples [batch, height, width, channels] by `size` (Keras `UpSampling2D`), by repetition or
 * bilinear interpolation.
 * @example st.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear' })
 */
export class UpSampling2D extends UpSampling {
  static override className = 'UpSampling2D';
  readonly interpolation: 'nearest' | 'bilinear';

  constructor(opts: UpSampling2DOptions = {}) {
    super(2, opts.size ?? [2, 2], opts);
    const interp = opts.interpolation ?? 'nearest';
    if (interp !== 'nearest' && interp !== 'bilinear') {
      throw new ConfigError(`${this.describe()}: interpolation must be 'nearest' or 'bilinear', got ${JSON.stringify(opts.interpolation)}`);
    }
    this.interpolation = interp;
  }

  protected override call(x: Tensor, opts: CallOptions): Tensor {
    if (this.interpolation === 'nearest') return super.call(x, opts);
    checkSpatialInput(this.describe(), 2, x.shape);
    return lerpAxis(lerpAxis(x, 1, this.size[0]), 2, this.size[1]);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), size: this.size, dataFormat: 'channels_last', interpolation: this.interpolation };
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

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), size: this.size, dataFormat: 'channels_last' };
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
