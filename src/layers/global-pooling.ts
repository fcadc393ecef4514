import { ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { cast, div, expandDims, max, mean, mul, sum } from '../ops/index.js';
import { Layer, type CallOptions, type LayerOptions, type LayerShape } from './layer.js';
import { registerLayer } from './serialization.js';
import { expectRank } from './pooling-util.js';
import { type DataFormat, dataFormatConfig, layoutOf, readDataFormat } from './data-format.js';

/** Options of the global pooling layers. */
export interface GlobalPoolingOptions extends LayerOptions {
  /** Keep the pooled spatial dims as size 1 ([batch, 1, 1, channels]); default false ([batch, channels]). */
  keepdims?: boolean;
  /** 'channelsLast' (default) or 'channelsFirst' ([batch, channels, ...spatial]); Keras's 'channels_last' / 'channels_first' too. */
  dataFormat?: string;
}

const layout = (rank: number, f: DataFormat): string => layoutOf(rank, f, rank === 1 ? ['steps'] : undefined);

/**
 * Max or mean over every spatial position, one value per channel (channels last or, with
 * dataFormat 'channelsFirst', first: then the spatial axes reduced are 2.., no transpose needed).
 * The 1-D/2-D/3-D max and average variants are thin subclasses.
 */
export abstract class GlobalPooling extends Layer {
  readonly keepdims: boolean;
  readonly dataFormat: DataFormat;
  protected abstract readonly rank: 1 | 2 | 3;
  protected abstract readonly kind: 'max' | 'avg';

  constructor(opts: GlobalPoolingOptions = {}) {
    super(opts ?? {});
    this.keepdims = opts?.keepdims ?? false;
    this.dataFormat = readDataFormat(this.describe(), opts?.dataFormat);
  }

  protected get axes(): number[] {
    const from = this.dataFormat === 'channelsFirst' ? 2 : 1;
    return Array.from({ length: this.rank }, (_, i) => i + from);
  }

  protected check(shape: readonly (number | null)[]): void {
    expectRank(this, shape, this.rank + 2, layout(this.rank, this.dataFormat),
      [shape.length === this.rank + 1 ? 'add a channels dimension with reshape' : '',
        shape.length >= 3 && shape.length <= 5 ? `use the ${shape.length - 2}-D global pooling layer for ${layout(shape.length - 2, this.dataFormat)}` : '']
        .filter(Boolean).join(', or '));
  }

  override build(inputShape: LayerShape): void {
    this.check(inputShape);
    this.built = true;
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    this.check(inputShape);
    const first = this.dataFormat === 'channelsFirst';
    const channels = inputShape[first ? 1 : inputShape.length - 1], ones = this.axes.map(() => 1);
    if (!this.keepdims) return [inputShape[0], channels];
    return first ? [inputShape[0], channels, ...ones] : [inputShape[0], ...ones, channels];
  }

  protected call(x: Tensor, _opts: CallOptions): Tensor {
    this.check(x.shape);
    return (this.kind === 'max' ? max : mean)(x, this.axes, this.keepdims);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), dataFormat: dataFormatConfig(this.dataFormat), keepdims: this.keepdims };
  }
}

/**
 * Largest value over the steps of [batch, steps, channels] → [batch, channels].
 * Options: keepdims (false).
 * @example st.layers.globalMaxPooling1d()
 */
export class GlobalMaxPooling1D extends GlobalPooling {
  static override className = 'GlobalMaxPooling1D';
  protected readonly rank = 1;
  protected readonly kind = 'max';
}

/**
 * Mean over the steps of [batch, steps, channels] → [batch, channels]. Given a mask [batch, steps]
 * (1 = real step), the mean is over the unmasked steps only, as Keras. Options: keepdims (false).
 * @example st.layers.globalAveragePooling1d().apply(x, { mask })
 */
export class GlobalAveragePooling1D extends GlobalPooling {
  static override className = 'GlobalAveragePooling1D';
  protected readonly rank = 1;
  protected readonly kind = 'avg';

  protected override call(x: Tensor, opts: CallOptions): Tensor {
    if (!opts.mask) return super.call(x, opts);
    this.check(x.shape);
    const m = opts.mask, first = this.dataFormat === 'channelsFirst', steps = first ? 2 : 1;
    if (m.rank !== 2 || m.shape[0] !== x.shape[0] || m.shape[1] !== x.shape[steps]) {
      throw new ShapeError(`${this.describe()}: the mask must be [batch, steps] = ${fmtShape([x.shape[0], x.shape[steps]])}, got ${fmtShape(m.shape)}`);
    }
    const w = expandDims(cast(m, x.dtype), first ? 1 : 2);
    return div(sum(mul(x, w), steps, this.keepdims), sum(w, steps, this.keepdims));
  }
}

/** Largest value over height and width: [batch, h, w, channels] → [batch, channels]. @example st.layers.globalMaxPooling2d() */
export class GlobalMaxPooling2D extends GlobalPooling {
  static override className = 'GlobalMaxPooling2D';
  protected readonly rank = 2;
  protected readonly kind = 'max';
}

/** Mean over height and width: [batch, h, w, channels] → [batch, channels]. @example st.layers.globalAveragePooling2d({ keepdims: true }) */
export class GlobalAveragePooling2D extends GlobalPooling {
  static override className = 'GlobalAveragePooling2D';
  protected readonly rank = 2;
  protected readonly kind = 'avg';
}

/** Largest value over depth, height and width of [batch, d, h, w, channels]. @example st.layers.globalMaxPooling3d() */
export class GlobalMaxPooling3D extends GlobalPooling {
  static override className = 'GlobalMaxPooling3D';
  protected readonly rank = 3;
  protected readonly kind = 'max';
}

/** Mean over depth, height and width of [batch, d, h, w, channels]. @example st.layers.globalAveragePooling3d() */
export class GlobalAveragePooling3D extends GlobalPooling {
  static override className = 'GlobalAveragePooling3D';
  protected readonly rank = 3;
  protected readonly kind = 'avg';
}

registerLayer(GlobalMaxPooling1D, 'GlobalMaxPool1D');
registerLayer(GlobalMaxPooling2D, 'GlobalMaxPool2D');
registerLayer(GlobalMaxPooling3D, 'GlobalMaxPool3D');
registerLayer(GlobalAveragePooling1D, 'GlobalAvgPool1D');
registerLayer(GlobalAveragePooling2D, 'GlobalAvgPool2D');
registerLayer(GlobalAveragePooling3D, 'GlobalAvgPool3D');

/** GlobalMaxPooling1D factory. */
export const globalMaxPooling1d = (opts: GlobalPoolingOptions = {}): GlobalMaxPooling1D => new GlobalMaxPooling1D(opts);
/** GlobalMaxPooling2D factory. */
export const globalMaxPooling2d = (opts: GlobalPoolingOptions = {}): GlobalMaxPooling2D => new GlobalMaxPooling2D(opts);
/** GlobalMaxPooling3D factory. */
export const globalMaxPooling3d = (opts: GlobalPoolingOptions = {}): GlobalMaxPooling3D => new GlobalMaxPooling3D(opts);
/** GlobalAveragePooling1D factory. */
export const globalAveragePooling1d = (opts: GlobalPoolingOptions = {}): GlobalAveragePooling1D => new GlobalAveragePooling1D(opts);
/** GlobalAveragePooling2D factory. */
export const globalAveragePooling2d = (opts: GlobalPoolingOptions = {}): GlobalAveragePooling2D => new GlobalAveragePooling2D(opts);
/** GlobalAveragePooling3D factory. */
export const globalAveragePooling3d = (opts: GlobalPoolingOptions = {}): GlobalAveragePooling3D => new GlobalAveragePooling3D(opts);

// The aliases TensorFlow.js exports.
export const globalMaxPool1d = globalMaxPooling1d;
export const globalMaxPool2d = globalMaxPooling2d;
