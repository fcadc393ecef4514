import { ConfigError, DTypeError, ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { alloc } from '../tensor/dtype.js';
import { sizeOf } from '../tensor/shape.js';
import { randomNormal } from '../tensor/create.js';
import { randomFor } from '../tensor/random.js';
import { add, mul } from '../ops/index.js';
import { Layer, type CallOptions, type LayerOptions, type LayerShape } from './layer.js';
import { registerLayer } from './serialization.js';

// Noise layers: random perturbations while training, the identity at inference. A layer given a
// `seed` draws the same noise at every call (deterministic tests, finite-difference checks); without
// one each call draws fresh noise from `st.setSeed`'s generator.

/** Rejects a rate outside [0, 1), naming the layer. */
function checkRate(layer: Layer, rate: unknown): number {
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
    throw new ConfigError(`${layer.describe()}: rate must be a number in [0, 1), got ${JSON.stringify(rate)}`);
  }
  return rate;
}

function checkSeed(layer: Layer, seed: unknown): number | undefined {
  if (seed !== undefined && seed !== null && (typeof seed !== 'number' || !Number.isFinite(seed))) {
    throw new ConfigError(`${layer.describe()}: seed must be a finite number, got ${JSON.stringify(seed)}`);
  }
  return seed ?? undefined;
}

function floatInput(layer: Layer, x: Tensor): void {
  if (x.dtype === 'int32') {
    throw new DTypeError(`${layer.describe()}: expected a float input, got int32 — cast it with st.cast(x, 'float32')`);
  }
}

export interface GaussianNoiseOptions extends LayerOptions {
  /** Standard deviation of the additive noise (≥ 0). */
  stddev: number;
  /** Fixed seed: the same noise at every call; omitted: fresh noise each call. */
  seed?: number;
}

/**
 * Adds zero-mean Gaussian noise N(0, stddev²) to its input while training (a regularizer, a
 * form of data augmentation); the identity at inference (Keras `GaussianNoise`).
 * Options: `stddev` (required, ≥ 0), `seed` (optional).
 * @example st.layers.gaussianNoise({ stddev: 0.1 })
 */
export class GaussianNoise extends Layer {
  static override className = 'GaussianNoise';
  readonly stddev: number;
  readonly seed?: number;

  constructor(opts: GaussianNoiseOptions) {
    super(opts);
    if (typeof opts?.stddev !== 'number' || !(opts.stddev >= 0) || !Number.isFinite(opts.stddev)) {
      throw new ConfigError(`${this.describe()}: stddev must be a finite number ≥ 0, got ${JSON.stringify(opts?.stddev)}`);
    }
    this.stddev = opts.stddev;
    this.seed = checkSeed(this, opts.seed);
    this.supportsMasking = true;
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }

  protected call(x: Tensor, { training = false }: CallOptions): Tensor {
    if (!training || this.stddev === 0) return x;
    floatInput(this, x);
    return add(x, randomNormal(x.shape, { stddev: this.stddev, seed: this.seed, dtype: x.dtype }));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), stddev: this.stddev, seed: this.seed ?? null };
  }
}
registerLayer(GaussianNoise);

export interface GaussianDropoutOptions extends LayerOptions {
  /** Drop probability in [0, 1): the multiplicative noise has stddev sqrt(rate / (1 − rate)). */
  rate: number;
  /** Fixed seed: the same noise at every call; omitted: fresh noise each call. */
  seed?: number;
}

/**
 * Multiplies its input by Gaussian noise N(1, rate / (1 − rate)) while training, which keeps the
 * expected value; the identity at inference (Keras `GaussianDropout`).
 * Options: `rate` (required, in [0, 1)), `seed` (optional).
 * @example st.layers.gaussianDropout({ rate: 0.2 })
 */
export class GaussianDropout extends Layer {
  static override className = 'GaussianDropout';
  readonly rate: number;
  readonly seed?: number;

  constructor(opts: GaussianDropoutOptions) {
    super(opts);
    this.rate = checkRate(this, opts?.rate);
    this.seed = checkSeed(this, opts.seed);
    this.supportsMasking = true;
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }

  protected call(x: Tensor, { training = false }: CallOptions): Tensor {
    if (!training || this.rate === 0) return x;
    floatInput(this, x);
    const stddev = Math.sqrt(this.rate / (1 - this.rate));
    return mul(x, randomNormal(x.shape, { mean: 1, stddev, seed: this.seed, dtype: x.dtype }));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed ?? null };
  }
}
registerLayer(GaussianDropout);

export interface AlphaDropoutOptions extends LayerOptions {
  /** Drop probability in [0, 1). */
  rate: number;
  /** Shape of the keep/drop mask (null = the input's size); 1s share one draw along an axis. */
  noiseShape?: (number | null)[];
  /** Fixed seed: the same mask at every call; omitted: a fresh mask each call. */
  seed?: number;
}

// SELU's negative saturation value, −scale·alpha (Klambauer et al., 2017).
const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;
const ALPHA_P = -SELU_ALPHA * SELU_SCALE;

/**
 * Dropout for self-normalizing (SELU) networks: while training, dropped units are set to SELU's
 * negative saturation α' = −1.7580993408473766 instead of 0, then an affine map restores the
 * input's mean and variance: y = a·(x·keep + α'·(1 − keep)) + b with
 * a = ((1 − rate)(1 + rate·α'²))^−½ and b = −a·α'·rate (Keras `AlphaDropout`). The identity at inference.
 * Options: `rate` (required, in [0, 1)), `noiseShape` (default the input's shape), `seed` (optional).
 * @example st.layers.alphaDropout({ rate: 0.1 })
 */
export class AlphaDropout extends Layer {
  static override className = 'AlphaDropout';
  readonly rate: number;
  readonly noiseShape?: (number | null)[];
  readonly seed?: number;

  constructor(opts: AlphaDropoutOptions) {
    super(opts);
    this.rate = checkRate(this, opts?.rate);
    if (opts.noiseShape !== undefined && opts.noiseShape !== null &&
        (!Array.isArray(opts.noiseShape) || opts.noiseShape.some((d) => d !== null && (!Number.isInteger(d) || d < 1)))) {
      throw new ConfigError(`${this.describe()}: noiseShape must be a list of positive integers or nulls, got ${JSON.stringify(opts.noiseShape)}`);
    }
    this.noiseShape = opts.noiseShape ?? undefined;
    this.seed = checkSeed(this, opts.seed);
    this.supportsMasking = true;
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }

  /** The mask shape for x: noiseShape with nulls filled in from x, checked to broadcast over x. */
  private maskShape(x: Tensor): number[] {
    if (!this.noiseShape) return x.shape.slice();
    const shape = this.noiseShape.map((d, i) => d ?? x.shape[i]);
    if (shape.length !== x.rank || shape.some((d, i) => d !== 1 && d !== x.shape[i])) {
      throw new ShapeError(`${this.describe()}: noiseShape [${this.noiseShape.map(String).join(', ')}] does not fit input of shape ` +
        `${fmtShape(x.shape)}: give one entry per dimension, each equal to the input's size, 1 or null`);
    }
    return shape;
  }

  protected call(x: Tensor, { training = false }: CallOptions): Tensor {
    if (!training || this.rate === 0) return x;
    floatInput(this, x);
    const shape = this.maskShape(x);
    const rate = this.rate;
    const a = ((1 - rate) * (1 + rate * ALPHA_P * ALPHA_P)) ** -0.5;
    const b = -a * ALPHA_P * rate;
    // Kept where u ≥ rate, the same draw as Dropout's, so a seed keeps the same units in both.
    const rng = randomFor(this.seed);
    const n = sizeOf(shape);
    const scale = alloc(x.dtype, n);
    const shift = alloc(x.dtype, n);
    const dropped = a * ALPHA_P + b;
    for (let i = 0; i < n; i++) {
      const keep = rng.uniform() >= rate;
      scale[i] = keep ? a : 0;
      shift[i] = keep ? b : dropped;
    }
    return add(mul(x, new Tensor(scale, shape)), new Tensor(shift, shape));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, noiseShape: this.noiseShape ?? null, seed: this.seed ?? null };
  }
}
registerLayer(AlphaDropout);

/** GaussianNoise layer factory: adds N(0, stddev²) noise while training. */
export const gaussianNoise = (opts: GaussianNoiseOptions): GaussianNoise => new GaussianNoise(opts);
/** GaussianDropout layer factory: multiplies by N(1, rate/(1 − rate)) noise while training. */
export const gaussianDropout = (opts: GaussianDropoutOptions): GaussianDropout => new GaussianDropout(opts);
/** AlphaDropout layer factory: dropout that keeps SELU's mean and variance. */
export const alphaDropout = (opts: AlphaDropoutOptions): AlphaDropout => new AlphaDropout(opts);
