import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/create.js';
import { add, cast, mul } from '../ops/index.js';
import { Layer, type CallOptions, type LayerOptions, type LayerShape } from './layer.js';
import { registerLayer } from './serialization.js';
import {
  INTERPOLATIONS, type Interpolation, asImageBatch, channelsLast, checkImageShape, cropToAspect, oneOf, resizeImages, sliceImages,
} from './image-sampling.js';

// Deterministic image preprocessing (Keras Rescaling, Resizing, CenterCrop): the same at training
// and inference, differentiable with respect to the image.

function positiveInt(layer: Layer, option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ConfigError(`${layer.describe()}: ${option} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A number, or one number per channel; the per-channel form broadcasts along the last axis. */
function scalarOrList(layer: Layer, option: string, value: unknown, fallback: number): number | number[] {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'number' && Number.isFinite(v))) return value.slice();
  throw new ConfigError(`${layer.describe()}: ${option} must be a finite number or a list of numbers (one per channel), ` +
    `got ${JSON.stringify(value)}`);
}

/** The image size a spatial output shape takes: [.., height, width, c] with the new height and width. */
function withSpatial(shape: LayerShape, height: number, width: number): LayerShape {
  const out = shape.slice();
  out[out.length - 3] = height;
  out[out.length - 2] = width;
  return out;
}

export interface RescalingOptions extends LayerOptions {
  /** Multiplier: a number or one per channel (e.g. 1/255). */
  scale: number | number[];
  /** Added after scaling: a number or one per channel (default 0). */
  offset?: number | number[];
}

/**
 * Maps inputs to x·scale + offset, e.g. pixels in [0, 255] to [0, 1] with scale 1/255 or to
 * [−1, 1] with scale 1/127.5 and offset −1 (Keras `Rescaling`); integer inputs become float32.
 * Options: `scale` (required), `offset` (default 0); lists apply per channel (last axis).
 * @example st.layers.rescaling({ scale: 1 / 255 })
 */
export class Rescaling extends Layer {
  static override className = 'Rescaling';
  readonly scale: number | number[];
  readonly offset: number | number[];

  constructor(opts: RescalingOptions) {
    super(opts);
    if (opts?.scale === undefined || opts.scale === null) {
      throw new ConfigError(`${this.describe()}: scale is required, e.g. { scale: 1 / 255 }`);
    }
    this.scale = scalarOrList(this, 'scale', opts.scale, 1);
    this.offset = scalarOrList(this, 'offset', opts.offset, 0);
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }

  private operand(v: number | number[], x: Tensor): Tensor | number {
    if (typeof v === 'number') return v;
    const c = x.shape[x.rank - 1];
    if (v.length !== c && v.length !== 1) {
      throw new ConfigError(`${this.describe()}: ${v.length} per-channel values do not fit input with ${c} channels ` +
        '(last axis); give one value per channel or a single number');
    }
    return tensor(v, [v.length], x.dtype);
  }

  protected call(input: Tensor, _opts: CallOptions): Tensor {
    const x = input.dtype === 'int32' ? cast(input, 'float32') : input;
    return add(mul(x, this.operand(this.scale, x)), this.operand(this.offset, x));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), scale: this.scale, offset: this.offset };
  }
}
registerLayer(Rescaling);

export interface ResizingOptions extends LayerOptions {
  /** Output height in pixels. */
  height: number;
  /** Output width in pixels. */
  width: number;
  /** 'bilinear' (default) or 'nearest', both with half-pixel centers as tf.image.resize. */
  interpolation?: Interpolation;
  /** Crop the largest centred window of the output's aspect ratio before resizing (default false). */
  cropToAspectRatio?: boolean;
  /** Only 'channels_last'. */
  dataFormat?: string;
}

/**
 * Resizes images [batch, h, w, c] (or one image [h, w, c]) to [height, width] (Keras `Resizing`):
 * bilinear or nearest, half-pixel centers, no antialiasing; `cropToAspectRatio` first crops the
 * centred window of the target aspect ratio so nothing is stretched. Differentiable.
 * (TensorFlow.js 4.22's Resizing samples with alignCorners instead; the config keys are the same.)
 * @example st.layers.resizing({ height: 64, width: 64, cropToAspectRatio: true })
 */
export class Resizing extends Layer {
  static override className = 'Resizing';
  readonly height: number;
  readonly width: number;
  readonly interpolation: Interpolation;
  readonly cropToAspectRatio: boolean;

  constructor(opts: ResizingOptions) {
    super(opts);
    this.height = positiveInt(this, 'height', opts?.height);
    this.width = positiveInt(this, 'width', opts.width);
    this.interpolation = oneOf(this, 'interpolation', opts.interpolation, INTERPOLATIONS, 'bilinear');
    this.cropToAspectRatio = Boolean(opts.cropToAspectRatio);
    // Keras 3 files may carry these; only their default (false) is supported.
    const { padToAspectRatio, antialias } = opts as { padToAspectRatio?: unknown; antialias?: unknown };
    if (padToAspectRatio) {
      throw new ConfigError(`${this.describe()}: padToAspectRatio is not supported; use cropToAspectRatio, or pad with ` +
        'st.layers.zeroPadding2d first');
    }
    if (antialias) {
      throw new ConfigError(`${this.describe()}: antialias is not supported; downsample in steps of at most 2× ` +
        '(e.g. two Resizing layers) to limit aliasing');
    }
    channelsLast(this, opts.dataFormat);
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    checkImageShape(this, inputShape);
    return withSpatial(inputShape, this.height, this.width);
  }

  protected call(x: Tensor, _opts: CallOptions): Tensor {
    const { images, restore } = asImageBatch(this, x);
    const src = this.cropToAspectRatio ? cropToAspect(images, this.height, this.width) : images;
    return restore(resizeImages(src, this.height, this.width, this.interpolation));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), height: this.height, width: this.width, interpolation: this.interpolation,
      cropToAspectRatio: this.cropToAspectRatio, dataFormat: 'channels_last' };
  }
}
registerLayer(Resizing);

export interface CenterCropOptions extends LayerOptions {
  /** Output height in pixels. */
  height: number;
  /** Output width in pixels. */
  width: number;
  /** Only 'channels_last'. */
  dataFormat?: string;
}

/**
 * Crops the central height × width window of images [batch, h, w, c] or [h, w, c] (Keras
 * `CenterCrop`): the window starts at floor((h − height)/2), floor((w − width)/2). An image smaller
 * than the target on either side is instead cropped to the target aspect ratio and resized
 * (bilinear), as Keras does. Differentiable.
 * @example st.layers.centerCrop({ height: 24, width: 24 })
 */
export class CenterCrop extends Layer {
  static override className = 'CenterCrop';
  readonly height: number;
  readonly width: number;

  constructor(opts: CenterCropOptions) {
    super(opts);
    this.height = positiveInt(this, 'height', opts?.height);
    this.width = positiveInt(this, 'width', opts.width);
    channelsLast(this, opts.dataFormat);
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    checkImageShape(this, inputShape);
    return withSpatial(inputShape, this.height, this.width);
  }

  protected call(x: Tensor, _opts: CallOptions): Tensor {
    const { images, restore } = asImageBatch(this, x);
    const [, h, w] = images.shape;
    const dh = h - this.height, dw = w - this.width;
    if (dh >= 0 && dw >= 0) {
      return restore(sliceImages(images, Math.trunc(dh / 2), Math.trunc(dw / 2), this.height, this.width));
    }
    return restore(resizeImages(cropToAspect(images, this.height, this.width), this.height, this.width, 'bilinear'));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), height: this.height, width: this.width, dataFormat: 'channels_last' };
  }
}
registerLayer(CenterCrop);

/** Rescaling layer factory: x·scale + offset. */
export const rescaling = (opts: RescalingOptions): Rescaling => new Rescaling(opts);
/** Resizing layer factory: images to [height, width]. */
export const resizing = (opts: ResizingOptions): Resizing => new Resizing(opts);
/** CenterCrop layer factory: the central [height, width] window. */
export const centerCrop = (opts: CenterCropOptions): CenterCrop => new CenterCrop(opts);
