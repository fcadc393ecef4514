import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/create.js';
import type { Random } from '../tensor/random.js';
import { add, clipByValue, gather, mean, mul, reshape, sub } from '../ops/index.js';
import { registerLayer } from './serialization.js';
import { RandomImageLayer, type RandomImageOptions, factorRange, uniformIn } from './augmentation-base.js';
import { oneOf } from './image-sampling.js';

export type FlipMode = 'horizontal' | 'vertical' | 'horizontal_and_vertical';
const FLIP_MODES: readonly FlipMode[] = ['horizontal', 'vertical', 'horizontal_and_vertical'];

export interface RandomFlipOptions extends RandomImageOptions {
  /** 'horizontal' (left-right), 'vertical' (top-bottom) or 'horizontal_and_vertical' (default). */
  mode?: FlipMode;
}

/**
 * While training, flips each image with probability ½ (Keras 3 `RandomFlip`): left-right,
 * top-bottom, or with 'horizontal_and_vertical' both axes together on one draw (a 180° turn), as
 * Keras 3 does. The identity at inference. Gradients pass through the flip.
 * Options: `mode` (default 'horizontal_and_vertical'), `seed`.
 * @example st.layers.randomFlip({ mode: 'horizontal', seed: 1 })
 */
export class RandomFlip extends RandomImageLayer {
  static override className = 'RandomFlip';
  readonly mode: FlipMode;

  constructor(opts: RandomFlipOptions = {}) {
    super(opts);
    this.mode = oneOf(this, 'mode', opts.mode, FLIP_MODES, 'horizontal_and_vertical');
  }

  protected augment(images: Tensor, rng: Random): Tensor {
    const [b, h, w, c] = images.shape;
    const flipRows = this.mode !== 'horizontal', flipCols = this.mode !== 'vertical';
    // One gather moves every pixel to its flipped place; Keras flips where uniform() ≤ 0.5.
    const idx = new Int32Array(b * h * w);
    for (let i = 0; i < b; i++) {
      const flip = rng.uniform() <= 0.5;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const sy = flip && flipRows ? h - 1 - y : y, sx = flip && flipCols ? w - 1 - x : x;
          idx[(i * h + y) * w + x] = (i * h + sy) * w + sx;
        }
      }
    }
    return reshape(gather(reshape(images, [b * h * w, c]), tensor(idx, [b * h * w], 'int32'), 0), [b, h, w, c]);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), mode: this.mode };
  }
}
registerLayer(RandomFlip);

export interface RandomContrastOptions extends RandomImageOptions {
  /** f in [0, 1] (contrast factor drawn from [1 − f, 1 + f]) or [lower, upper] (from [1 − lower, 1 + upper]). */
  factor: number | [number, number];
  /** Range of the pixel values; outputs are clipped to it (default [0, 255]). */
  valueRange?: [number, number];
}

/**
 * While training, scales each image's contrast by a random factor k (Keras 3 `RandomContrast`):
 * per image and channel, y = clip((x − mean)·k + mean, valueRange), mean over height and width.
 * The identity at inference. Differentiable with respect to the image.
 * Options: `factor` (required), `valueRange` (default [0, 255]), `seed`.
 * @example st.layers.randomContrast({ factor: 0.2, valueRange: [0, 1] })
 */
export class RandomContrast extends RandomImageLayer {
  static override className = 'RandomContrast';
  readonly factor: [number, number];
  readonly valueRange: [number, number];

  constructor(opts: RandomContrastOptions) {
    super(opts);
    this.factor = factorRange(this, 'factor', opts?.factor, 0, 1, false);
    const vr = opts.valueRange ?? [0, 255];
    if (!Array.isArray(vr) || vr.length !== 2 || !vr.every((v) => typeof v === 'number' && Number.isFinite(v)) || !(vr[0] < vr[1])) {
      throw new ConfigError(`${this.describe()}: valueRange must be [low, high] with low < high, e.g. [0, 1] or [0, 255]; ` +
        `got ${JSON.stringify(opts.valueRange)}`);
    }
    this.valueRange = [vr[0], vr[1]];
  }

  /** The contrast factors of a batch of b images, in drawing order. */
  drawFactors(b: number, rng: Random): number[] {
    return Array.from({ length: b }, () => uniformIn(rng, 1 - this.factor[0], 1 + this.factor[1]));
  }

  protected augment(images: Tensor, rng: Random): Tensor {
    const k = tensor(this.drawFactors(images.shape[0], rng), [images.shape[0], 1, 1, 1], images.dtype);
    const m = mean(images, [1, 2], true);
    return clipByValue(add(mul(sub(images, m), k), m), this.valueRange[0], this.valueRange[1]);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), factor: this.factor, valueRange: this.valueRange };
  }
}
registerLayer(RandomContrast);

/** RandomFlip layer factory: random flips while training. */
export const randomFlip = (opts: RandomFlipOptions = {}): RandomFlip => new RandomFlip(opts);
/** RandomContrast layer factory: random contrast while training. */
export const randomContrast = (opts: RandomContrastOptions): RandomContrast => new RandomContrast(opts);
