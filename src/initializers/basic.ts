import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { DType } from '../tensor/dtype.js';
import { fill, randomNormal, randomUniform, truncatedNormal, zeros } from '../tensor/create.js';
import { type Config, Initializer } from './initializer.js';

/** All zeros (Keras `Zeros`). */
export class Zeros extends Initializer {
  static override className = 'Zeros';
  apply(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    return zeros(shape, dtype);
  }
}

/** All ones (Keras `Ones`). */
export class Ones extends Initializer {
  static override className = 'Ones';
  apply(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    return fill(shape, 1, dtype);
  }
}

/** Every element equal to `value` (Keras `Constant`, default 0). */
export class Constant extends Initializer {
  static override className = 'Constant';
  readonly value: number;
  constructor(opts: { value?: number } = {}) {
    super();
    this.value = opts.value ?? 0;
    if (typeof this.value !== 'number') throw new ConfigError(`Constant: value must be a number, got ${JSON.stringify(this.value)}`);
  }
  apply(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    return fill(shape, this.value, dtype);
  }
  override getConfig(): Config {
    return { value: this.value };
  }
}

export interface RandomNormalInitOptions {
  mean?: number;
  /** Default 0.05, as Keras. */
  stddev?: number;
  seed?: number;
}

/** Normal samples (Keras `RandomNormal`: mean 0, stddev 0.05). */
export class RandomNormal extends Initializer {
  static override className = 'RandomNormal';
  readonly mean: number;
  readonly stddev: number;
  readonly seed?: number;
  constructor(opts: RandomNormalInitOptions = {}) {
    super();
    this.mean = opts.mean ?? 0;
    this.stddev = opts.stddev ?? 0.05;
    this.seed = opts.seed ?? undefined;
  }
  apply(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    return randomNormal(shape, { mean: this.mean, stddev: this.stddev, seed: this.seed, dtype });
  }
  override getConfig(): Config {
    return { mean: this.mean, stddev: this.stddev, seed: this.seed ?? null };
  }
}

/** Normal samples redrawn beyond two stddevs (Keras `TruncatedNormal`: mean 0, stddev 0.05). */
export class TruncatedNormal extends RandomNormal {
  static override className = 'TruncatedNormal';
  override apply(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    return truncatedNormal(shape, { mean: this.mean, stddev: this.stddev, seed: this.seed, dtype });
  }
}

export interface RandomUniformInitOptions {
  /** Default −0.05, as Keras. */
  minval?: number;
  /** Default 0.05. */
  maxval?: number;
  seed?: number;
}

/** Uniform samples in [minval, maxval) (Keras `RandomUniform`: ±0.05). */
export class RandomUniform extends Initializer {
  static override className = 'RandomUniform';
  readonly minval: number;
  readonly maxval: number;
  readonly seed?: number;
  constructor(opts: RandomUniformInitOptions = {}) {
    super();
    this.minval = opts.minval ?? -0.05;
    this.maxval = opts.maxval ?? 0.05;
    this.seed = opts.seed ?? undefined;
  }
  apply(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    return randomUniform(shape, { minval: this.minval, maxval: this.maxval, seed: this.seed, dtype });
  }
  override getConfig(): Config {
    return { minval: this.minval, maxval: this.maxval, seed: this.seed ?? null };
  }
}
