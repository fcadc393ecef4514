import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { cast, max, mul, notEqual } from '../ops/index.js';
import { Layer, type CallOptions, type LayerOptions, type LayerShape } from './layer.js';
import { registerLayer } from './serialization.js';

export interface MaskingOptions extends LayerOptions {
  /** Timesteps whose features all equal this value are padding. Default 0. */
  maskValue?: number;
}

/**
 * Marks padding timesteps of [batch, time, features] input: a step whose every feature equals
 * `maskValue` is masked (its output zeroed, as Keras), and `computeMask` gives 1 for the real steps
 * ([batch, time], int32), which recurrent layers use to skip padding.
 * @example st.layers.masking({ maskValue: 0, inputShape: [null, 8] })
 */
export class Masking extends Layer {
  static override className = 'Masking';
  readonly maskValue: number;

  constructor(opts: MaskingOptions = {}) {
    super(opts);
    const v = opts.maskValue ?? 0;
    if (typeof v !== 'number' || Number.isNaN(v)) {
      throw new ConfigError(`${this.describe()}: maskValue must be a number, got ${JSON.stringify(opts.maskValue)}`);
    }
    this.maskValue = v;
    this.supportsMasking = true;
  }

  override build(inputShape: LayerShape): void {
    if (inputShape.length < 2) {
      throw new ShapeError(`${this.describe()}: expected input of rank ≥ 2 [batch, ..., features], got ` +
        `${fmtShape(inputShape as number[])} — masking looks at the last axis of each step`);
    }
    this.built = true;
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }

  protected call(x: Tensor, _opts: CallOptions): Tensor {
    // A 0/1 factor per step; comparisons carry no gradient, so the gradient is the mask itself.
    return mul(x, cast(this.keep(x, true), x.dtype));
  }

  /** 1 for steps with any feature ≠ maskValue (int32, the input's shape without the last axis). */
  override computeMask(inputs: Tensor | Tensor[], _mask?: Tensor | null): Tensor {
    return this.keep(Array.isArray(inputs) ? inputs[0] : inputs, false);
  }

  private keep(x: Tensor, keepDims: boolean): Tensor {
    return max(notEqual(x, this.maskValue), -1, keepDims);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), maskValue: this.maskValue };
  }
}
registerLayer(Masking);

/**
 * Masking layer factory: skip padding steps equal to `maskValue` in later recurrent layers.
 * @example st.layers.masking({ maskValue: -1 })
 */
export const masking = (opts: MaskingOptions = {}): Masking => new Masking(opts);
