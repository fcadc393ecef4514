import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { DType } from '../tensor/dtype.js';
import { randomNormal, randomUniform, truncatedNormal } from '../tensor/create.js';
import { type Config, Initializer, computeFans } from './initializer.js';

export type FanMode = 'fanIn' | 'fanOut' | 'fanAvg';
export type Distribution = 'truncatedNormal' | 'untruncatedNormal' | 'uniform' | 'normal';

export interface VarianceScalingOptions {
  /** Default 1. */
  scale?: number;
  /** Which fan divides the scale (default 'fanIn'); snake_case accepted. */
  mode?: FanMode | 'fan_in' | 'fan_out' | 'fan_avg';
  /** Default 'truncatedNormal'; 'normal' means truncated, as in Keras 2 and TensorFlow.js files. */
  distribution?: Distribution | 'truncated_normal' | 'untruncated_normal';
  seed?: number;
}

// Stddev of a unit normal truncated to ±2, which Keras divides out so the variance is as asked.
const TRUNCATION_STDDEV = 0.87962566103423978;

const MODES: Record<string, FanMode> = { fanIn: 'fanIn', fan_in: 'fanIn', fanOut: 'fanOut', fan_out: 'fanOut', fanAvg: 'fanAvg', fan_avg: 'fanAvg' };
const DISTRIBUTIONS: Record<string, Distribution> = {
  truncatedNormal: 'truncatedNormal', truncated_normal: 'truncatedNormal', normal: 'truncatedNormal',
  untruncatedNormal: 'untruncatedNormal', untruncated_normal: 'untruncatedNormal', uniform: 'uniform',
};

/**
 * Samples with variance scale / fan (Keras `VarianceScaling`), the family behind Glorot, He and LeCun.
 */
export class VarianceScaling extends Initializer {
  static override className = 'VarianceScaling';
  readonly scale: number;
  readonly mode: FanMode;
  readonly distribution: Distribution;
  readonly seed?: number;

  constructor(opts: VarianceScalingOptions = {}) {
    super();
    this.scale = opts.scale ?? 1;
    if (!(this.scale > 0)) throw new ConfigError(`VarianceScaling: scale must be positive, got ${opts.scale}`);
    const mode = MODES[opts.mode ?? 'fanIn'];
    if (!mode) throw new ConfigError(`VarianceScaling: mode must be 'fanIn', 'fanOut' or 'fanAvg', got '${opts.mode}'`);
    const dist = DISTRIBUTIONS[opts.distribution ?? 'truncatedNormal'];
    if (!dist) throw new ConfigError(`VarianceScaling: distribution must be 'truncatedNormal', 'untruncatedNormal' or 'uniform', got '${opts.distribution}'`);
    this.mode = mode;
    this.distribution = dist;
    this.seed = opts.seed ?? undefined;
  }

  apply(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    const [fanIn, fanOut] = computeFans(shape);
    const fan = this.mode === 'fanIn' ? fanIn : this.mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
    const scale = this.scale / Math.max(1, fan);
    const seed = this.seed;
    switch (this.distribution) {
      case 'truncatedNormal':
        return truncatedNormal(shape, { stddev: Math.sqrt(scale) / TRUNCATION_STDDEV, seed, dtype });
      case 'untruncatedNormal':
        return randomNormal(shape, { stddev: Math.sqrt(scale), seed, dtype });
      default: {
        const limit = Math.sqrt(3 * scale);
        return randomUniform(shape, { minval: -limit, maxval: limit, seed, dtype });
      }
    }
  }

  override getConfig(): Config {
    return { scale: this.scale, mode: this.mode, distribution: this.distribution, seed: this.seed ?? null };
  }
}

type Preset = { scale: number; mode: FanMode; distribution: Distribution };

function preset(className: string, p: Preset): new (opts?: { seed?: number }) => VarianceScaling {
  const C = class extends VarianceScaling {
    static override className = className;
    constructor(opts: { seed?: number } = {}) {
      super({ ...p, seed: opts.seed });
    }
    override getConfig(): Config {
      return { seed: this.seed ?? null };
    }
  };
  return C;
}

/** Uniform in ±sqrt(6 / (fanIn + fanOut)) — Keras' default kernel initializer. */
export const GlorotUniform = preset('GlorotUniform', { scale: 1, mode: 'fanAvg', distribution: 'uniform' });
/** Truncated normal with stddev sqrt(2 / (fanIn + fanOut)). */
export const GlorotNormal = preset('GlorotNormal', { scale: 1, mode: 'fanAvg', distribution: 'truncatedNormal' });
/** Truncated normal with stddev sqrt(2 / fanIn), for ReLU networks. */
export const HeNormal = preset('HeNormal', { scale: 2, mode: 'fanIn', distribution: 'truncatedNormal' });
/** Uniform in ±sqrt(6 / fanIn). */
export const HeUniform = preset('HeUniform', { scale: 2, mode: 'fanIn', distribution: 'uniform' });
/** Truncated normal with stddev sqrt(1 / fanIn), for SELU networks. */
export const LecunNormal = preset('LecunNormal', { scale: 1, mode: 'fanIn', distribution: 'truncatedNormal' });
/** Uniform in ±sqrt(3 / fanIn). */
export const LecunUniform = preset('LecunUniform', { scale: 1, mode: 'fanIn', distribution: 'uniform' });
