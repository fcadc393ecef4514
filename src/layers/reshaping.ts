import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { expandDims, reshape as reshapeOp, tile, transpose } from '../ops/index.js';
import { Layer, type CallOptions, type LayerOptions, type LayerShape } from './layer.js';
import { registerLayer } from './serialization.js';
import { expectRank } from './pooling-util.js';
import { type DataFormat, dataFormatConfig, readDataFormat, toChannelsLast } from './data-format.js';

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

export interface FlattenOptions extends LayerOptions {
  /**
   * 'channelsLast' (default): values keep their storage order. 'channelsFirst' (Keras's 'channels_first'):
   * the channels axis moves last first, so a Dense after it sees the order a channels-last model would.
   */
  dataFormat?: string;
}

/**
 * Flattens every dimension but the batch: [batch, d1, d2, ...] → [batch, d1·d2·...].
 * @example st.layers.flatten() // [32, 7, 7, 64] → [32, 3136]
 */
export class Flatten extends Layer {
  static override className = 'Flatten';
  readonly dataFormat: DataFormat;

  constructor(opts: FlattenOptions = {}) {
    super(opts ?? {});
    this.dataFormat = readDataFormat(this.describe(), opts?.dataFormat);
  }

  override build(inputShape: LayerShape): void {
    this.computeOutputShape(inputShape);
    this.built = true;
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    if (inputShape.length < 2) {
      throw new ShapeError(`${this.describe()}: expected input of rank ≥ 2 [batch, ...], got ${fmtShape(inputShape)} — ` +
        'the input has no dimension to flatten besides the batch; add one with reshape or drop the Flatten');
    }
    const rest = inputShape.slice(1);
    return [inputShape[0], rest.includes(null) ? null : product(rest as number[])];
  }

  protected call(x: Tensor, _opts: CallOptions): Tensor {
    this.computeOutputShape(x.shape);
    const y = this.dataFormat === 'channelsFirst' && x.rank > 2 ? toChannelsLast(x) : x;
    return reshapeOp(y, [x.shape[0], product(x.shape.slice(1))]);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), dataFormat: dataFormatConfig(this.dataFormat) };
  }
}
registerLayer(Flatten);

export interface ReshapeOptions extends LayerOptions {
  /** Shape of one sample (without the batch dim); one entry may be -1 (or null, as files write it) to be inferred. */
  targetShape: (number | null)[];
}

/**
 * Reshapes each sample to `targetShape` (batch dimension kept); one dimension may be -1, inferred
 * from the sample size.
 * @example st.layers.reshape({ targetShape: [28, 28, 1] }); st.layers.reshape({ targetShape: [-1, 4] })
 */
export class Reshape extends Layer {
  static override className = 'Reshape';
  /** The target shape with the inferred dimension as -1. */
  readonly targetShape: number[];

  constructor(opts: ReshapeOptions) {
    super(opts);
    const t = opts?.targetShape;
    const fixed = Array.isArray(t) ? t.map((d) => (d === null || d === -1 ? -1 : d)) : null;
    if (!fixed || fixed.some((d) => !Number.isInteger(d) || (d <= 0 && d !== -1)) || fixed.filter((d) => d === -1).length > 1) {
      throw new ConfigError(`${this.describe()}: targetShape must be a list of positive integers with at most one -1 ` +
        `(the dimension to infer), got ${JSON.stringify(t)}`);
    }
    this.targetShape = fixed;
  }

  /** The target shape for samples of `sample` dims, with -1 resolved; a size mismatch names both shapes. */
  private resolve(inputShape: readonly (number | null)[]): (number | null)[] {
    const sample = inputShape.slice(1);
    if (sample.includes(null)) return this.targetShape.map((d) => (d === -1 ? null : d));
    const size = product(sample as number[]);
    const known = product(this.targetShape.filter((d) => d !== -1));
    const unknown = this.targetShape.indexOf(-1);
    if (unknown < 0 ? known !== size : size % known !== 0) {
      throw new ShapeError(`${this.describe()}: cannot reshape input ${fmtShape(inputShape)} (${size} values per sample) ` +
        `to targetShape ${fmtShape(this.targetShape)} (${unknown < 0 ? known : `a multiple of ${known}`} values); ` +
        'the sizes must agree — check targetShape or use -1 for one dimension');
    }
    return this.targetShape.map((d) => (d === -1 ? size / known : d));
  }

  override build(inputShape: LayerShape): void {
    this.resolve(inputShape);
    this.built = true;
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    return [inputShape[0], ...this.resolve(inputShape)];
  }

  protected call(x: Tensor, _opts: CallOptions): Tensor {
    return reshapeOp(x, [x.shape[0], ...(this.resolve(x.shape) as number[])]);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), targetShape: this.targetShape.slice() };
  }
}
registerLayer(Reshape);

export interface PermuteOptions extends LayerOptions {
  /** Permutation of the non-batch dims, 1-based as Keras: [2, 1] swaps the first two. */
  dims: number[];
}

/**
 * Reorders the non-batch dimensions: output dim i is input dim dims[i] (1-based; the batch stays first).
 * @example st.layers.permute({ dims: [2, 1] }) // [batch, 10, 64] → [batch, 64, 10]
 */
export class Permute extends Layer {
  static override className = 'Permute';
  readonly dims: number[];

  constructor(opts: PermuteOptions) {
    super(opts);
    const dims = opts?.dims;
    const ok = Array.isArray(dims) && dims.length > 0 && [...dims].sort((a, b) => a - b).every((d, i) => d === i + 1);
    if (!ok) {
      throw new ConfigError(`${this.describe()}: dims must be a permutation of 1..n (1-based, the batch dimension excluded), ` +
        `got ${JSON.stringify(dims)}`);
    }
    this.dims = dims.slice();
  }

  private check(shape: readonly (number | null)[]): void {
    expectRank(this, shape, this.dims.length + 1, `[batch, ${this.dims.length} dims] for dims ${JSON.stringify(this.dims)}`, '');
  }

  override build(inputShape: LayerShape): void {
    this.check(inputShape);
    this.built = true;
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    this.check(inputShape);
    return [inputShape[0], ...this.dims.map((d) => inputShape[d])];
  }

  protected call(x: Tensor, _opts: CallOptions): Tensor {
    this.check(x.shape);
    return transpose(x, [0, ...this.dims]);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), dims: this.dims.slice() };
  }
}
registerLayer(Permute);

export interface RepeatVectorOptions extends LayerOptions {
  /** Number of repetitions. */
  n: number;
}

/**
 * Repeats each input vector n times: [batch, features] → [batch, n, features].
 * @example st.layers.repeatVector({ n: 5 })
 */
export class RepeatVector extends Layer {
  static override className = 'RepeatVector';
  readonly n: number;

  constructor(opts: RepeatVectorOptions) {
    super(opts);
    if (!Number.isInteger(opts?.n) || opts.n <= 0) {
      throw new ConfigError(`${this.describe()}: n (number of repetitions) must be a positive integer, got ${JSON.stringify(opts?.n)}`);
    }
    this.n = opts.n;
  }

  private check(shape: readonly (number | null)[]): void {
    expectRank(this, shape, 2, '[batch, features]', shape.length > 2 ? 'flatten it first' : '');
  }

  override build(inputShape: LayerShape): void {
    this.check(inputShape);
    this.built = true;
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    this.check(inputShape);
    return [inputShape[0], this.n, inputShape[1]];
  }

  protected call(x: Tensor, _opts: CallOptions): Tensor {
    this.check(x.shape);
    return tile(expandDims(x, 1), [1, this.n, 1]);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), n: this.n };
  }
}
registerLayer(RepeatVector);

/** Flatten factory. */
export const flatten = (opts: FlattenOptions = {}): Flatten => new Flatten(opts);
/** Reshape factory. */
export const reshape = (opts: ReshapeOptions): Reshape => new Reshape(opts);
/** Permute factory. */
export const permute = (opts: PermuteOptions): Permute => new Permute(opts);
/** RepeatVector factory. */
export const repeatVector = (opts: RepeatVectorOptions): RepeatVector => new RepeatVector(opts);
