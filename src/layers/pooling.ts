import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import * as ops from '../ops/index.js';
import { planWindow } from '../ops/window.js';
import { Layer, type CallOptions, type LayerOptions, type LayerShape } from './layer.js';
import { registerLayer } from './serialization.js';
import { expectRank, readTuple } from './pooling-util.js';
import { type DataFormat, dataFormatConfig, layoutOf, readDataFormat, shapeToFirst, shapeToLast, toChannelsFirst, toChannelsLast } from './data-format.js';

/** Options of the pooling layers (1-D, 2-D and 3-D). */
export interface PoolingOptions extends LayerOptions {
  /** Window size: a number for every spatial dim or one per dim; default 2 in every dim. */
  poolSize?: number | number[];
  /** Step between windows; default (and null): the pool size. */
  strides?: number | number[] | null;
  /** 'valid' (default: only whole windows) or 'same' (output size ceil(in / stride)). */
  padding?: 'valid' | 'same';
  /** 'channelsLast' (default) or 'channelsFirst' ([batch, channels, ...spatial]); Keras's 'channels_last' / 'channels_first' too. */
  dataFormat?: string;
}

type PoolOp = (x: Tensor, opts: { poolSize: number[]; strides: number[]; padding: 'valid' | 'same' }) => Tensor;

const FIX: Record<number, string> = {
  1: 'add a channels dimension with reshape, or use the 2-D layer for images',
  2: 'add a channels dimension with reshape (e.g. [28, 28] → [28, 28, 1])',
  3: 'add a channels dimension with reshape',
};

/**
 * Max or average pooling over `rank` spatial dims: one window size, stride and padding per spatial
 * dim. MaxPooling1D/2D/3D and AveragePooling1D/2D/3D are thin subclasses. The kernels are
 * channels-last; a channels-first layer transposes around them.
 */
export abstract class Pooling extends Layer {
  readonly poolSize: number[];
  readonly strides: number[];
  readonly padding: 'valid' | 'same';
  readonly dataFormat: DataFormat;
  protected abstract readonly op: PoolOp;

  constructor(opts: PoolingOptions, protected readonly rank: 1 | 2 | 3) {
    super(opts ?? {});
    const o = opts ?? {};
    this.poolSize = readTuple(this, 'poolSize', o.poolSize ?? 2, rank);
    this.strides = o.strides === undefined || o.strides === null ? this.poolSize.slice() : readTuple(this, 'strides', o.strides, rank);
    const padding = o.padding ?? 'valid';
    if (padding !== 'valid' && padding !== 'same') {
      throw new ConfigError(`${this.describe()}: padding must be 'valid' or 'same', got ${JSON.stringify(padding)}`);
    }
    this.padding = padding;
    this.dataFormat = readDataFormat(this.describe(), o.dataFormat);
  }

  override build(inputShape: LayerShape): void {
    this.computeOutputShape(inputShape); // checks the rank and that a window fits
    this.built = true;
  }

  private get layout(): string {
    return layoutOf(this.rank, this.dataFormat, this.rank === 1 ? ['steps'] : undefined);
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    expectRank(this, inputShape, this.rank + 2, this.layout, FIX[this.rank]);
    return this.dataFormat === 'channelsFirst' ? shapeToFirst(this.outputShapeLast(shapeToLast(inputShape))) : this.outputShapeLast(inputShape);
  }

  private outputShapeLast(inputShape: LayerShape): LayerShape {
    const spatial = inputShape.slice(1, -1).map((n, i) => {
      if (n === null) return null;
      const k = this.poolSize[i];
      if (this.padding === 'valid' && n < k) {
        throw new ShapeError(`${this.describe()}: poolSize ${JSON.stringify(this.poolSize)} is larger than the input's spatial size ` +
          `in ${fmtShape(inputShape)} with padding 'valid'; use padding 'same' or a smaller poolSize`);
      }
      return planWindow(this.describe(), [n], [k], [this.strides[i]], [1], this.padding).outSize[0];
    });
    return [inputShape[0], ...spatial, inputShape[inputShape.length - 1]];
  }

  protected call(x: Tensor, _opts: CallOptions): Tensor {
    expectRank(this, x.shape, this.rank + 2, this.layout, FIX[this.rank]);
    const opts = { poolSize: this.poolSize, strides: this.strides, padding: this.padding };
    return this.dataFormat === 'channelsFirst' ? toChannelsFirst(this.op(toChannelsLast(x), opts)) : this.op(x, opts);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), poolSize: this.poolSize.slice(), strides: this.strides.slice(), padding: this.padding,
      dataFormat: dataFormatConfig(this.dataFormat) };
  }
}

/**
 * Max pooling over time: the largest value of each window of `poolSize` steps, per channel.
 * Input [batch, steps, channels]. Options: poolSize (2), strides (poolSize), padding ('valid').
 * @example st.layers.maxPooling1d({ poolSize: 2 })
 */
export class MaxPooling1D extends Pooling {
  static override className = 'MaxPooling1D';
  protected readonly op: PoolOp = (x, o) => ops.maxPool1d(x, o);
  constructor(opts: PoolingOptions = {}) { super(opts, 1); }
}

/**
 * Max pooling over images [batch, height, width, channels].
 * Options: poolSize ([2, 2]), strides (poolSize), padding ('valid').
 * @example st.layers.maxPooling2d({ poolSize: [2, 2], strides: 2, padding: 'same' })
 */
export class MaxPooling2D extends Pooling {
  static override className = 'MaxPooling2D';
  protected readonly op: PoolOp = (x, o) => ops.maxPool(x, o);
  constructor(opts: PoolingOptions = {}) { super(opts, 2); }
}

/**
 * Max pooling over volumes [batch, depth, height, width, channels].
 * Options: poolSize ([2, 2, 2]), strides (poolSize), padding ('valid').
 * @example st.layers.maxPooling3d({ poolSize: 2 })
 */
export class MaxPooling3D extends Pooling {
  static override className = 'MaxPooling3D';
  protected readonly op: PoolOp = (x, o) => ops.maxPool3d(x, o);
  constructor(opts: PoolingOptions = {}) { super(opts, 3); }
}

/**
 * Average pooling over time [batch, steps, channels]; with 'same' padding the padded positions are
 * not counted. Options as {@link MaxPooling1D}.
 * @example st.layers.averagePooling1d({ poolSize: 3, strides: 1, padding: 'same' })
 */
export class AveragePooling1D extends Pooling {
  static override className = 'AveragePooling1D';
  protected readonly op: PoolOp = (x, o) => ops.avgPool1d(x, o);
  constructor(opts: PoolingOptions = {}) { super(opts, 1); }
}

/**
 * Average pooling over images [batch, height, width, channels] (padding not counted).
 * Options as {@link MaxPooling2D}.
 * @example st.layers.averagePooling2d({ poolSize: 2 })
 */
export class AveragePooling2D extends Pooling {
  static override className = 'AveragePooling2D';
  protected readonly op: PoolOp = (x, o) => ops.avgPool(x, o);
  constructor(opts: PoolingOptions = {}) { super(opts, 2); }
}

/**
 * Average pooling over volumes [batch, depth, height, width, channels] (padding not counted).
 * Options as {@link MaxPooling3D}.
 * @example st.layers.averagePooling3d({ poolSize: [1, 2, 2] })
 */
export class AveragePooling3D extends Pooling {
  static override className = 'AveragePooling3D';
  protected readonly op: PoolOp = (x, o) => ops.avgPool3d(x, o);
  constructor(opts: PoolingOptions = {}) { super(opts, 3); }
}

// Keras registers the short spellings as aliases of the same classes.
registerLayer(MaxPooling1D, 'MaxPool1D');
registerLayer(MaxPooling2D, 'MaxPool2D');
registerLayer(MaxPooling3D, 'MaxPool3D');
registerLayer(AveragePooling1D, 'AvgPool1D');
registerLayer(AveragePooling2D, 'AvgPool2D');
registerLayer(AveragePooling3D, 'AvgPool3D');

/** MaxPooling1D factory. */
export const maxPooling1d = (opts: PoolingOptions = {}): MaxPooling1D => new MaxPooling1D(opts);
/** MaxPooling2D factory. */
export const maxPooling2d = (opts: PoolingOptions = {}): MaxPooling2D => new MaxPooling2D(opts);
/** MaxPooling3D factory. */
export const maxPooling3d = (opts: PoolingOptions = {}): MaxPooling3D => new MaxPooling3D(opts);
/** AveragePooling1D factory. */
export const averagePooling1d = (opts: PoolingOptions = {}): AveragePooling1D => new AveragePooling1D(opts);
/** AveragePooling2D factory. */
export const averagePooling2d = (opts: PoolingOptions = {}): AveragePooling2D => new AveragePooling2D(opts);
/** AveragePooling3D factory. */
export const averagePooling3d = (opts: PoolingOptions = {}): AveragePooling3D => new AveragePooling3D(opts);

// The aliases TensorFlow.js exports (st.layers.maxPool2d, st.layers.avgPool2d, ...).
export const maxPool1d = maxPooling1d;
export const maxPool2d = maxPooling2d;
export const maxPool3d = maxPooling3d;
export const avgPool1d = averagePooling1d;
export const avgPool2d = averagePooling2d;
export const avgPool3d = averagePooling3d;
export const avgPooling1d = averagePooling1d;
export const avgPooling2d = averagePooling2d;
export const avgPooling3d = averagePooling3d;
