import { ShapeError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { pad, slice } from '../ops/index.js';
import { Layer, type CallOptions, type LayerOptions, type LayerShape } from './layer.js';
import { registerLayer } from './serialization.js';
import { checkSpatialInput, pairsPerDim } from './spatial-args.js';
import { type DataFormat, dataFormatConfig, readDataFormat } from './data-format.js';

type Rank = 1 | 2 | 3;
type Pairs = [number, number][];
const AXIS_NAMES = [[], ['steps'], ['rows', 'columns'], ['depth slices', 'rows', 'columns']];

/** A number (both sides of every spatial dim), a number per dim, or a [before, after] pair per dim. */
export type SpatialAmount = number | number[] | [number, number][];

export interface ZeroPaddingOptions extends LayerOptions {
  /** Zeros added: n on both sides of every spatial dim, one number per dim, or [before, after] per dim (default 1). */
  padding?: SpatialAmount;
  /** 'channelsLast' (default) or 'channelsFirst' ([batch, channels, ...spatial]); Keras's 'channels_last' / 'channels_first' too. */
  dataFormat?: string;
}

export interface CroppingOptions extends LayerOptions {
  /** Elements removed: n from both ends of every spatial dim, one number per dim, or [before, after] per dim. */
  cropping?: SpatialAmount;
  /** 'channelsLast' (default) or 'channelsFirst' ([batch, channels, ...spatial]); Keras's 'channels_last' / 'channels_first' too. */
  dataFormat?: string;
}

/**
 * What ZeroPadding and Cropping share: rank, per-dim pairs, the data format, the config. Both
 * work on the spatial axes where they are (1.. channels-last, 2.. channels-first): no transpose.
 */
abstract class SpatialResize extends Layer {
  readonly pairs: Pairs;
  readonly dataFormat: DataFormat;

  constructor(readonly rank: Rank, readonly key: 'padding' | 'cropping', amount: unknown, opts: LayerOptions & { dataFormat?: string }) {
    super(opts);
    this.pairs = pairsPerDim(this.describe(), key, amount, rank);
    this.dataFormat = readDataFormat(this.describe(), opts.dataFormat);
  }

  /** The first spatial axis. */
  protected get from(): number {
    return this.dataFormat === 'channelsFirst' ? 2 : 1;
  }

  /** [before, after] for every axis of an input: zeros on the batch and channels axes. */
  protected allPairs(): Pairs {
    const none: [number, number] = [0, 0];
    return this.dataFormat === 'channelsFirst' ? [none, none, ...this.pairs] : [none, ...this.pairs, none];
  }

  override getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { ...super.getConfig(), [this.key]: this.rank === 1 ? this.pairs[0] : this.pairs };
    // The 1-D layers write it only for channels-first (TensorFlow.js and older Keras have no such key there).
    if (this.rank > 1 || this.dataFormat === 'channelsFirst') config.dataFormat = dataFormatConfig(this.dataFormat);
    return config;
  }
}

/**
 * Adds zeros around the spatial dims of a channels-last input (Keras `ZeroPadding1D/2D/3D`).
 * Use the rank-specific classes.
 */
export class ZeroPadding extends SpatialResize {
  computeOutputShape(inputShape: LayerShape): LayerShape {
    checkSpatialInput(this.describe(), this.rank, inputShape, false, this.dataFormat);
    const all = this.allPairs();
    return inputShape.map((d, i) => (d === null ? d : d + all[i][0] + all[i][1]));
  }

  protected call(x: Tensor, _opts: CallOptions): Tensor {
    checkSpatialInput(this.describe(), this.rank, x.shape, false, this.dataFormat);
    return pad(x, this.allPairs());
  }
}

/**
 * Removes elements from the ends of the spatial dims of a channels-last input (Keras
 * `Cropping1D/2D/3D`). Use the rank-specific classes.
 */
export class Cropping extends SpatialResize {
  override build(inputShape: LayerShape): void {
    this.computeOutputShape(inputShape); // fails early when the cropping removes a whole dim
    this.built = true;
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    checkSpatialInput(this.describe(), this.rank, inputShape, false, this.dataFormat);
    const from = this.from;
    return inputShape.map((d, i) => {
      if (i < from || i >= from + this.rank || d === null) return d;
      const [a, b] = this.pairs[i - from];
      if (a + b >= d) {
        throw new ShapeError(`${this.describe()}: cropping [${a}, ${b}] removes all ${d} ${AXIS_NAMES[this.rank][i - from]} ` +
          `of input [${inputShape.map((v) => v ?? 'null').join(', ')}] — crop less than ${d} in total along that dim`);
      }
      return d - a - b;
    });
  }

  protected call(x: Tensor, _opts: CallOptions): Tensor {
    const out = this.computeOutputShape(x.shape) as number[];
    return slice(x, this.allPairs().map(([a]) => a), out);
  }
}

/**
 * Pads the steps of [batch, steps, features] with zeros.
 * @param opts.padding n on both ends or [before, after] (default 1)
 * @example st.layers.zeroPadding1d({ padding: [1, 2] })
 */
export class ZeroPadding1D extends ZeroPadding {
  static override className = 'ZeroPadding1D';
  constructor(opts: ZeroPaddingOptions = {}) { super(1, 'padding', opts.padding ?? 1, opts); }
}

/**
 * Pads rows and columns of [batch, height, width, channels] with zeros.
 * @param opts.padding n, [rows, cols] (symmetric) or [[top, bottom], [left, right]] (default 1)
 * @example st.layers.zeroPadding2d({ padding: [[1, 0], [2, 2]] })
 */
export class ZeroPadding2D extends ZeroPadding {
  static override className = 'ZeroPadding2D';
  constructor(opts: ZeroPaddingOptions = {}) { super(2, 'padding', opts.padding ?? 1, opts); }
}

/**
 * Pads depth, rows and columns of [batch, depth, height, width, channels] with zeros.
 * @param opts.padding n, [d, h, w] (symmetric) or one [before, after] pair per dim (default 1)
 * @example st.layers.zeroPadding3d({ padding: 1 })
 */
export class ZeroPadding3D extends ZeroPadding {
  static override className = 'ZeroPadding3D';
  constructor(opts: ZeroPaddingOptions = {}) { super(3, 'padding', opts.padding ?? 1, opts); }
}

/**
 * Crops the steps of [batch, steps, features].
 * @param opts.cropping n from both ends or [before, after] (default [1, 1], as Keras)
 * @example st.layers.cropping1d({ cropping: [1, 2] })
 */
export class Cropping1D extends Cropping {
  static override className = 'Cropping1D';
  constructor(opts: CroppingOptions = {}) { super(1, 'cropping', opts.cropping ?? 1, opts); }
}

/**
 * Crops rows and columns of [batch, height, width, channels].
 * @param opts.cropping n, [rows, cols] (symmetric) or [[top, bottom], [left, right]] (default 0, as Keras)
 * @example st.layers.cropping2d({ cropping: [[2, 2], [4, 4]] })
 */
export class Cropping2D extends Cropping {
  static override className = 'Cropping2D';
  constructor(opts: CroppingOptions = {}) { super(2, 'cropping', opts.cropping ?? 0, opts); }
}

/**
 * Crops depth, rows and columns of [batch, depth, height, width, channels].
 * @param opts.cropping n, [d, h, w] (symmetric) or one [before, after] pair per dim (default 1, as Keras)
 * @example st.layers.cropping3d({ cropping: [[1, 1], [2, 2], [0, 0]] })
 */
export class Cropping3D extends Cropping {
  static override className = 'Cropping3D';
  constructor(opts: CroppingOptions = {}) { super(3, 'cropping', opts.cropping ?? 1, opts); }
}

for (const cls of [ZeroPadding1D, ZeroPadding2D, ZeroPadding3D, Cropping1D, Cropping2D, Cropping3D]) registerLayer(cls);

/** ZeroPadding1D layer factory. */
export const zeroPadding1d = (opts: ZeroPaddingOptions = {}): ZeroPadding1D => new ZeroPadding1D(opts);
/** ZeroPadding2D layer factory. */
export const zeroPadding2d = (opts: ZeroPaddingOptions = {}): ZeroPadding2D => new ZeroPadding2D(opts);
/** ZeroPadding3D layer factory. */
export const zeroPadding3d = (opts: ZeroPaddingOptions = {}): ZeroPadding3D => new ZeroPadding3D(opts);
/** Cropping1D layer factory. */
export const cropping1d = (opts: CroppingOptions = {}): Cropping1D => new Cropping1D(opts);
/** Cropping2D layer factory. */
export const cropping2d = (opts: CroppingOptions = {}): Cropping2D => new Cropping2D(opts);
/** Cropping3D layer factory. */
export const cropping3d = (opts: CroppingOptions = {}): Cropping3D => new Cropping3D(opts);
