import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { Random, randomFor } from '../tensor/random.js';
import { cast } from '../ops/index.js';
import { Layer, type CallOptions, type LayerOptions, type LayerShape } from './layer.js';
import { asImageBatch, channelsLast, checkImageShape } from './image-sampling.js';

// Base of the random image augmentation layers (Keras RandomFlip, RandomRotation, ...): active only
// when called with { training: true }, the identity otherwise. As Keras' SeedGenerator, a layer
// given a `seed` owns a generator seeded with it that every training call advances: two layers with
// the same seed apply the same sequence of augmentations, and one layer varies from call to call.
// Without a seed each call draws from the global generator (`st.setSeed` makes runs repeatable).

export interface RandomImageOptions extends LayerOptions {
  /** Seed of the layer's own generator (same seed, same sequence of augmentations). */
  seed?: number;
  /** Only 'channels_last'. */
  dataFormat?: string;
}

/** A random image layer: `augment` runs on a float batch [b, h, w, c] while training. */
export abstract class RandomImageLayer extends Layer {
  readonly seed?: number;
  private readonly generator: Random | null;

  constructor(opts: RandomImageOptions) {
    super(opts);
    const seed = opts?.seed;
    if (seed !== undefined && seed !== null && (typeof seed !== 'number' || !Number.isFinite(seed))) {
      throw new ConfigError(`${this.describe()}: seed must be a finite number, got ${JSON.stringify(seed)}`);
    }
    this.seed = seed ?? undefined;
    this.generator = this.seed === undefined ? null : new Random(this.seed);
    channelsLast(this, opts?.dataFormat);
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    checkImageShape(this, inputShape);
    return inputShape;
  }

  /** The augmentation of a float batch of images, drawing its parameters from `rng`. */
  protected abstract augment(images: Tensor, rng: Random): Tensor;

  protected call(x: Tensor, { training = false }: CallOptions): Tensor {
    if (!training) {
      checkImageShape(this, x.shape);
      return x.dtype === 'int32' ? cast(x, 'float32') : x;
    }
    const { images, restore } = asImageBatch(this, x);
    return restore(this.augment(images, this.generator ?? randomFor()));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), seed: this.seed ?? null, dataFormat: 'channels_last' };
  }
}

/** A uniform draw in [lo, hi) (exactly lo when the bounds agree). */
export function uniformIn(rng: Random, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.uniform();
}

/**
 * Parses a factor, a number f or a pair [a, b], into sorted [lower, upper] bounds, each within
 * [min, max]. A number means [−|f|, |f|] (`symmetric`) or [f, f].
 */
export function factorRange(layer: Layer, option: string, value: unknown, min: number, max: number, symmetric = true): [number, number] {
  const inRange = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
  const fail = (): never => {
    throw new ConfigError(`${layer.describe()}: ${option} must be a number or a pair [lower, upper] of numbers in ` +
      `[${min}, ${max}], got ${JSON.stringify(value)}`);
  };
  if (typeof value === 'number') {
    if (!inRange(value)) fail();
    const f = Math.abs(value);
    return symmetric ? [-f, f] : [f, f];
  }
  if (Array.isArray(value) && value.length === 2 && value.every(inRange)) {
    const [a, b] = value as number[];
    return a <= b ? [a, b] : [b, a];
  }
  return fail();
}
