import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { dropout as dropoutOp } from '../ops/index.js';
import { Layer, type CallOptions, type LayerOptions, type LayerShape } from './layer.js';
import { registerLayer } from './serialization.js';

export interface DropoutOptions extends LayerOptions {
  /** Fraction of the inputs to drop, in [0, 1). */
  rate: number;
  /** Shape of the mask (null = the input's size); 1s share one draw along an axis. */
  noiseShape?: (number | null)[];
  /** Fixed seed: the same mask at every call (for tests); omitted: a fresh mask each call. */
  seed?: number;
}

/**
 * Zeroes a random `rate` fraction of the inputs while training and scales the rest by 1/(1 − rate);
 * the identity at inference (Keras `Dropout`).
 * @example st.layers.dropout({ rate: 0.5 })
 */
export class Dropout extends Layer {
  static override className = 'Dropout';
  readonly rate: number;
  readonly noiseShape?: (number | null)[];
  readonly seed?: number;

  constructor(opts: DropoutOptions) {
    super(opts);
    if (typeof opts?.rate !== 'number' || !(opts.rate >= 0 && opts.rate < 1)) {
      throw new ConfigError(`${this.describe()}: rate must be a number in [0, 1), got ${JSON.stringify(opts?.rate)}`);
    }
    this.rate = opts.rate;
    this.noiseShape = opts.noiseShape;
    this.seed = opts.seed;
    this.supportsMasking = true;
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }

  protected call(x: Tensor, { training = false }: CallOptions): Tensor {
    if (!training || this.rate === 0) return x;
    const noise = this.noiseShape?.map((d, i) => d ?? x.shape[i]);
    return dropoutOp(x, this.rate, noise, this.seed);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, noiseShape: this.noiseShape ?? null, seed: this.seed ?? null };
  }
}
registerLayer(Dropout);

/** Dropout layer factory. */
export const dropout = (opts: DropoutOptions): Dropout => new Dropout(opts);
