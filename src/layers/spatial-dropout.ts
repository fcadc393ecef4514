import { ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { dropout as dropoutOp } from '../ops/index.js';
import type { CallOptions, LayerOptions, LayerShape } from './layer.js';
import { Dropout } from './dropout.js';
import { registerLayer } from './serialization.js';
import { type DataFormat, dataFormatConfig, layoutOf, readDataFormat } from './data-format.js';

export interface SpatialDropoutOptions extends LayerOptions {
  /** Fraction of the feature maps (channels) to drop, in [0, 1). */
  rate: number;
  /** Fixed seed: the same mask at every call (for tests); omitted: a fresh mask each call. */
  seed?: number;
  /** 'channels_last' (default) or 'channels_first' (the channels on axis 1); 'channelsLast' / 'channelsFirst' too. */
  dataFormat?: string;
}


/**
 * Dropout of whole feature maps: one keep/drop decision per sample and channel (noise shape
 * [batch, 1, …, 1, channels]), the kept maps scaled by 1/(1 − rate). Adjacent pixels of a feature
 * map are strongly correlated, so element dropout barely regularizes convolution outputs while
 * dropping whole maps does (Tompson et al., 2014). Shared by SpatialDropout1D/2D/3D.
 */
abstract class SpatialDropout extends Dropout {
  /** Number of spatial dimensions (1, 2 or 3). */
  protected abstract readonly spatialRank: number;
  readonly dataFormat: DataFormat;

  constructor(opts: SpatialDropoutOptions) {
    // Files written by Keras 2 / TF.js may carry noise_shape: the noise shape is fixed here.
    super({ ...opts, noiseShape: undefined } as SpatialDropoutOptions);
    this.dataFormat = readDataFormat(this.describe(), opts.dataFormat);
  }

  private checkRank(shape: readonly (number | null)[]): void {
    const rank = this.spatialRank + 2;
    if (shape.length !== rank) {
      throw new ShapeError(`${this.describe()}: expected input of rank ${rank} ${layoutOf(this.spatialRank, this.dataFormat, this.spatialRank === 1 ? ['steps'] : undefined)}, got ${fmtShape(shape.map((d) => d ?? 'null') as never)}` +
        ` — use SpatialDropout${shape.length - 2 >= 1 && shape.length - 2 <= 3 ? `${shape.length - 2}D` : '1D/2D/3D'} for this rank, or Dropout`);
    }
  }

  override build(inputShape: LayerShape): void {
    this.checkRank(inputShape);
    this.built = true;
  }

  override computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }

  protected override call(x: Tensor, { training = false }: CallOptions): Tensor {
    this.checkRank(x.shape);
    if (!training || this.rate === 0) return x;
    const channels = this.dataFormat === 'channelsFirst' ? 1 : x.rank - 1;
    const noise = x.shape.map((d, i) => (i === 0 || i === channels ? d : 1));
    return dropoutOp(x, this.rate, noise, this.seed);
  }

  override getConfig(): Record<string, unknown> {
    const { noiseShape: _unused, ...config } = super.getConfig();
    const withFormat = this.spatialRank > 1 || this.dataFormat === 'channelsFirst';
    return withFormat ? { ...config, dataFormat: dataFormatConfig(this.dataFormat) } : config;
  }
}

/**
 * Drops whole 1-D feature maps of [batch, steps, channels] inputs while training (Keras `SpatialDropout1D`).
 * Options: `rate` (required, in [0, 1)), `seed` (optional).
 * @example st.layers.spatialDropout1d({ rate: 0.2 })
 */
export class SpatialDropout1D extends SpatialDropout {
  static override className = 'SpatialDropout1D';
  protected readonly spatialRank = 1;
}

/**
 * Drops whole 2-D feature maps of [batch, height, width, channels] inputs while training (Keras `SpatialDropout2D`).
 * Options: `rate` (required, in [0, 1)), `seed` (optional), `dataFormat` ('channels_last' only).
 * @example st.layers.spatialDropout2d({ rate: 0.2 })
 */
export class SpatialDropout2D extends SpatialDropout {
  static override className = 'SpatialDropout2D';
  protected readonly spatialRank = 2;
}

/**
 * Drops whole 3-D feature maps of [batch, depth, height, width, channels] inputs while training
 * (Keras `SpatialDropout3D`). Options: `rate` (required, in [0, 1)), `seed` (optional), `dataFormat`.
 * @example st.layers.spatialDropout3d({ rate: 0.2 })
 */
export class SpatialDropout3D extends SpatialDropout {
  static override className = 'SpatialDropout3D';
  protected readonly spatialRank = 3;
}

registerLayer(SpatialDropout1D);
registerLayer(SpatialDropout2D);
registerLayer(SpatialDropout3D);

/** SpatialDropout1D layer factory. */
export const spatialDropout1d = (opts: SpatialDropoutOptions): SpatialDropout1D => new SpatialDropout1D(opts);
/** SpatialDropout2D layer factory. */
export const spatialDropout2d = (opts: SpatialDropoutOptions): SpatialDropout2D => new SpatialDropout2D(opts);
/** SpatialDropout3D layer factory. */
export const spatialDropout3d = (opts: SpatialDropoutOptions): SpatialDropout3D => new SpatialDropout3D(opts);
