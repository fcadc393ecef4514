import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Random } from '../tensor/random.js';
import { registerLayer } from './serialization.js';
import { RandomImageLayer, type RandomImageOptions, factorRange, uniformIn } from './augmentation-base.js';
import { FILL_MODES, type FillMode, INTERPOLATIONS, type Interpolation, affineTransform, oneOf } from './image-sampling.js';

// Random geometric augmentations (Keras 3 RandomRotation, RandomZoom, RandomTranslation): each
// draws one transform per image, then samples the image through it with `affineTransform`
// (bilinear or nearest, positions outside the image filled by `fillMode`). The sampling is a sum of
// gathered pixels, so gradients reach the image; the drawn parameters are constants.

export interface RandomAffineOptions extends RandomImageOptions {
  /** How positions outside the image are filled: 'reflect' (default), 'wrap', 'constant' or 'nearest'. */
  fillMode?: FillMode;
  /** 'bilinear' (default) or 'nearest'. */
  interpolation?: Interpolation;
  /** The value outside the image with fillMode 'constant' (default 0). */
  fillValue?: number;
}

/** Shared options and sampling of the three random affine layers. */
abstract class RandomAffine extends RandomImageLayer {
  readonly fillMode: FillMode;
  readonly interpolation: Interpolation;
  readonly fillValue: number;

  constructor(opts: RandomAffineOptions) {
    super(opts);
    this.fillMode = oneOf(this, 'fillMode', opts?.fillMode, FILL_MODES, 'reflect');
    this.interpolation = oneOf(this, 'interpolation', opts?.interpolation, INTERPOLATIONS, 'bilinear');
    const fv = opts?.fillValue ?? 0;
    if (typeof fv !== 'number' || !Number.isFinite(fv)) {
      throw new ConfigError(`${this.describe()}: fillValue must be a finite number, got ${JSON.stringify(opts.fillValue)}`);
    }
    this.fillValue = fv;
  }

  /**
   * The transforms of a batch of b images of h × w, 8 numbers per image
   * ([a0, a1, a2, b0, b1, b2, 0, 0]: output (x, y) reads input (a0·x + a1·y + a2, b0·x + b1·y + b2)).
   */
  abstract drawTransforms(b: number, h: number, w: number, rng: Random): Float64Array;

  protected augment(images: Tensor, rng: Random): Tensor {
    const [b, h, w] = images.shape;
    return affineTransform(images, this.drawTransforms(b, h, w, rng), this.interpolation, this.fillMode, this.fillValue);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), fillMode: this.fillMode, fillValue: this.fillValue, interpolation: this.interpolation };
  }
}

export interface RandomRotationOptions extends RandomAffineOptions {
  /** Fraction of a full turn: f in [−1, 1] (angles in [−f, f]·360°) or [lower, upper]; positive turns counter-clockwise. */
  factor: number | [number, number];
}

/**
 * While training, rotates each image about its centre by a random angle in [lower, upper]·2π
 * (Keras 3 `RandomRotation`; positive angles turn counter-clockwise). The identity at inference.
 * Options: `factor` (required), `fillMode` ('reflect'), `interpolation` ('bilinear'), `fillValue` (0), `seed`.
 * @example st.layers.randomRotation({ factor: 0.1, fillMode: 'constant' })
 */
export class RandomRotation extends RandomAffine {
  static override className = 'RandomRotation';
  readonly factor: [number, number];

  constructor(opts: RandomRotationOptions) {
    super(opts);
    this.factor = factorRange(this, 'factor', opts?.factor, -1, 1);
  }

  drawTransforms(b: number, h: number, w: number, rng: Random): Float64Array {
    const t = new Float64Array(8 * b);
    for (let i = 0; i < b; i++) {
      const angle = uniformIn(rng, this.factor[0] * 2 * Math.PI, this.factor[1] * 2 * Math.PI);
      const cos = Math.cos(angle), sin = Math.sin(angle);
      // Rotation about the image centre ((w − 1)/2, (h − 1)/2), in Keras' output → input form.
      const xOff = ((w - 1) - (cos * (w - 1) - sin * (h - 1))) / 2;
      const yOff = ((h - 1) - (sin * (w - 1) + cos * (h - 1))) / 2;
      t.set([cos, -sin, xOff, sin, cos, yOff, 0, 0], 8 * i);
    }
    return t;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), factor: this.factor };
  }
}
registerLayer(RandomRotation);

export interface RandomZoomOptions extends RandomAffineOptions {
  /** f in [−1, 1] or [lower, upper]: the height is scaled by 1 + a draw from [−|f|, |f|]; positive zooms out. */
  heightFactor: number | [number, number];
  /** The same for the width; omitted or null: the height's draw, keeping the aspect ratio. */
  widthFactor?: number | [number, number] | null;
}

/**
 * While training, zooms each image about its centre by random factors (Keras 3 `RandomZoom`):
 * output (x, y) reads input ((x − cx)·zx + cx, (y − cy)·zy + cy), zy = 1 + a draw from
 * heightFactor's range, zx likewise (or = zy). Factors above 0 zoom out, below 0 zoom in.
 * Options: `heightFactor` (required), `widthFactor`, `fillMode` ('reflect'), `interpolation`, `fillValue`, `seed`.
 * @example st.layers.randomZoom({ heightFactor: [-0.2, 0.2] })
 */
export class RandomZoom extends RandomAffine {
  static override className = 'RandomZoom';
  readonly heightFactor: number | [number, number];
  readonly widthFactor: number | [number, number] | null;
  private readonly heightRange: [number, number];
  private readonly widthRange: [number, number] | null;

  constructor(opts: RandomZoomOptions) {
    super(opts);
    this.heightRange = factorRange(this, 'heightFactor', opts?.heightFactor, -1, 1);
    this.heightFactor = opts.heightFactor;
    this.widthFactor = opts.widthFactor ?? null;
    this.widthRange = this.widthFactor === null ? null : factorRange(this, 'widthFactor', this.widthFactor, -1, 1);
  }

  drawTransforms(b: number, h: number, w: number, rng: Random): Float64Array {
    // As Keras: all height zooms of the batch, then all width zooms.
    const zy = Array.from({ length: b }, () => uniformIn(rng, 1 + this.heightRange[0], 1 + this.heightRange[1]));
    const wr = this.widthRange;
    const zx = wr ? Array.from({ length: b }, () => uniformIn(rng, 1 + wr[0], 1 + wr[1])) : zy;
    const t = new Float64Array(8 * b);
    for (let i = 0; i < b; i++) {
      t.set([zx[i], 0, ((w - 1) / 2) * (1 - zx[i]), 0, zy[i], ((h - 1) / 2) * (1 - zy[i]), 0, 0], 8 * i);
    }
    return t;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), heightFactor: this.heightFactor, widthFactor: this.widthFactor };
  }
}
registerLayer(RandomZoom);

export interface RandomTranslationOptions extends RandomAffineOptions {
  /** f in [−1, 1] or [lower, upper]: vertical shift by a draw from the range times the height (positive: down). */
  heightFactor: number | [number, number];
  /** The same for the horizontal shift, times the width (positive: right). */
  widthFactor: number | [number, number];
}

/**
 * While training, shifts each image by random fractions of its size (Keras 3 `RandomTranslation`):
 * output (x, y) reads input (x − dx, y − dy) with dy = height·draw(heightFactor), dx = width·draw(widthFactor).
 * Options: `heightFactor`, `widthFactor` (required), `fillMode` ('reflect'), `interpolation`, `fillValue`, `seed`.
 * @example st.layers.randomTranslation({ heightFactor: 0.1, widthFactor: 0.1, fillMode: 'nearest' })
 */
export class RandomTranslation extends RandomAffine {
  static override className = 'RandomTranslation';
  readonly heightFactor: number | [number, number];
  readonly widthFactor: number | [number, number];
  private readonly heightRange: [number, number];
  private readonly widthRange: [number, number];

  constructor(opts: RandomTranslationOptions) {
    super(opts);
    this.heightRange = factorRange(this, 'heightFactor', opts?.heightFactor, -1, 1);
    this.widthRange = factorRange(this, 'widthFactor', opts.widthFactor, -1, 1);
    this.heightFactor = opts.heightFactor;
    this.widthFactor = opts.widthFactor;
  }

  drawTransforms(b: number, h: number, w: number, rng: Random): Float64Array {
    // As Keras: all vertical shifts of the batch, then all horizontal ones.
    const dy = Array.from({ length: b }, () => uniformIn(rng, this.heightRange[0], this.heightRange[1]) * h);
    const dx = Array.from({ length: b }, () => uniformIn(rng, this.widthRange[0], this.widthRange[1]) * w);
    const t = new Float64Array(8 * b);
    for (let i = 0; i < b; i++) t.set([1, 0, -dx[i], 0, 1, -dy[i], 0, 0], 8 * i);
    return t;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), heightFactor: this.heightFactor, widthFactor: this.widthFactor };
  }
}
registerLayer(RandomTranslation);

/** RandomRotation layer factory: random rotations while training. */
export const randomRotation = (opts: RandomRotationOptions): RandomRotation => new RandomRotation(opts);
/** RandomZoom layer factory: random zooms while training. */
export const randomZoom = (opts: RandomZoomOptions): RandomZoom => new RandomZoom(opts);
/** RandomTranslation layer factory: random shifts while training. */
export const randomTranslation = (opts: RandomTranslationOptions): RandomTranslation => new RandomTranslation(opts);
