import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { conv1dTranspose as conv1dT, conv2dTranspose as conv2dT, conv3dTranspose as conv3dT } from '../ops/index.js';
import { type ConvRank, planConvTranspose } from '../ops/conv-util.js';
import type { Initializer, InitializerIdentifier } from '../initializers/index.js';
import type { Regularizer, RegularizerIdentifier } from '../regularizers/index.js';
import type { Constraint, ConstraintIdentifier } from '../constraints/index.js';
import type { LayerShape } from './layer.js';
import { BaseConv } from './conv-base.js';
import { type BaseConvOptions, weightOptions } from './conv-options.js';
import { registerLayer } from './serialization.js';
import { intTuple } from './spatial-args.js';

export interface ConvTransposeLayerOptions extends Omit<BaseConvOptions, 'padding' | 'pooling'> {
  /** Number of output channels. */
  filters: number;
  /** 'valid' (default): output (in−1)·s + kEff (at least in·s); 'same': output in·s. */
  padding?: 'valid' | 'same';
  /** Extra rows at the end of each spatial dim, each smaller than its stride; default null (none). */
  outputPadding?: number | number[] | null;
  /** Default 'glorotUniform'. */
  kernelInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  kernelConstraint?: ConstraintIdentifier | null;
}

const OPS = [null, conv1dT, conv2dT, conv3dT] as const;

/**
 * Transposed convolution ("deconvolution") of any rank 1–3, the gradient of a convolution with
 * respect to its input: it upsamples by `strides`. Kernel [...kernelSize, filters, inChannels]
 * (output channels before input channels, as Keras), bias [filters]. It shares the convolution
 * base (options, checks, bias and activation, the dropout shorthand). Use the rank-specific
 * classes Conv1DTranspose / Conv2DTranspose / Conv3DTranspose.
 */
export class ConvTranspose extends BaseConv {
  declare readonly rank: ConvRank;
  declare readonly padding: 'valid' | 'same';
  readonly filters: number;
  readonly outputPadding: number[] | null;
  readonly kernelInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly kernelConstraint: Constraint | null;
  kernel?: Variable;

  constructor(rank: ConvRank, opts: ConvTransposeLayerOptions) {
    super(rank, opts as BaseConvOptions, true);
    const where = this.describe();
    if (!Number.isInteger(opts.filters) || opts.filters <= 0) {
      throw new ConfigError(`${where}: filters (number of output channels) must be a positive integer, got ${JSON.stringify(opts?.filters)}`);
    }
    this.filters = opts.filters;
    this.outputPadding = opts.outputPadding === undefined || opts.outputPadding === null ? null
      : intTuple(where, 'outputPadding', opts.outputPadding, rank, 0);
    if (this.outputPadding?.some((p, i) => p >= this.strides[i])) {
      throw new ConfigError(`${where}: outputPadding must be smaller than strides in every dimension (Keras' rule), ` +
        `got outputPadding [${this.outputPadding.join(', ')}] with strides [${this.strides.join(', ')}]`);
    }
    const w = weightOptions(where, 'kernel', opts.kernelInitializer, 'glorotUniform', opts.kernelRegularizer, opts.kernelConstraint);
    this.kernelInitializer = w.initializer;
    this.kernelRegularizer = w.regularizer;
    this.kernelConstraint = w.constraint;
  }

  override build(inputShape: LayerShape): void {
    const inChannels = this.checkInputShape(inputShape);
    this.kernel = this.addWeight('kernel', [...this.kernelSize, this.filters, inChannels], this.kernelInitializer,
      { regularizer: this.kernelRegularizer, constraint: this.kernelConstraint });
    if (this.useBias) {
      this.bias = this.addWeight('bias', [this.filters], this.biasInitializer,
        { regularizer: this.biasRegularizer, constraint: this.biasConstraint });
    }
    super.build(inputShape);
  }

  private get opArgs() {
    return { strides: this.strides, padding: this.padding, dilations: this.dilationRate,
      ...(this.outputPadding ? { outputPadding: this.outputPadding } : {}) };
  }

  protected outChannels(): number {
    return this.filters;
  }

  /** The op's planner gives the lengths; unknown dims are planned as 1 and reported as null. */
  protected override spatialOutputShape(inputShape: LayerShape): (number | null)[] {
    const known = inputShape.map((d) => d ?? 1);
    const filter = [...this.kernelSize, this.filters, known[this.rank + 1]];
    const out = planConvTranspose(this.className, this.rank, known, filter, this.opArgs).xShape;
    return out.slice(1, this.rank + 1).map((d, i) => (inputShape[i + 1] === null ? null : d));
  }

  protected convolve(x: Tensor): Tensor {
    return OPS[this.rank]!(x, this.kernel!, this.opArgs);
  }

  override getConfig(): Record<string, unknown> {
    const { pooling: _p, ...config } = super.getConfig();
    return { ...config, filters: this.filters, outputPadding: this.outputPadding, kernelInitializer: this.kernelInitializer,
      kernelRegularizer: this.kernelRegularizer, kernelConstraint: this.kernelConstraint };
  }
}

/**
 * 1-D transposed convolution on [batch, width, channels]; kernel [k, filters, inChannels].
 * Options as {@link ConvTransposeLayerOptions} (strides 1, padding 'valid', glorotUniform kernel, zero bias).
 * @example st.layers.conv1dTranspose({ filters: 8, kernelSize: 3, strides: 2, padding: 'same' })
 */
export class Conv1DTranspose extends ConvTranspose {
  static override className = 'Conv1DTranspose';
  constructor(opts: ConvTransposeLayerOptions) { super(1, opts); }
}

/**
 * 2-D transposed convolution on [batch, height, width, channels]; kernel [kh, kw, filters, inChannels].
 * @example st.layers.conv2dTranspose({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', outputPadding: 1 })
 */
export class Conv2DTranspose extends ConvTranspose {
  static override className = 'Conv2DTranspose';
  constructor(opts: ConvTransposeLayerOptions) { super(2, opts); }
}

/**
 * 3-D transposed convolution on [batch, depth, height, width, channels]; kernel [kd, kh, kw, filters, inChannels].
 * @example st.layers.conv3dTranspose({ filters: 4, kernelSize: 2, strides: 2 })
 */
export class Conv3DTranspose extends ConvTranspose {
  static override className = 'Conv3DTranspose';
  constructor(opts: ConvTransposeLayerOptions) { super(3, opts); }
}

registerLayer(Conv1DTranspose, 'Convolution1DTranspose');
registerLayer(Conv2DTranspose, 'Deconvolution2D', 'Convolution2DTranspose');
registerLayer(Conv3DTranspose, 'Deconvolution3D', 'Convolution3DTranspose');

/** 1-D transposed convolution layer factory. */
export const conv1dTranspose = (opts: ConvTransposeLayerOptions): Conv1DTranspose => new Conv1DTranspose(opts);
/** 2-D transposed convolution layer factory. */
export const conv2dTranspose = (opts: ConvTransposeLayerOptions): Conv2DTranspose => new Conv2DTranspose(opts);
/** 3-D transposed convolution layer factory. */
export const conv3dTranspose = (opts: ConvTransposeLayerOptions): Conv3DTranspose => new Conv3DTranspose(opts);

/**
 * Transposed convolution with the dimensionality as a hyperparameter.
 * @example st.layers.convTranspose({ rank: 2, filters: 8, kernelSize: 3, strides: 2 })
 */
export function convTranspose(opts: ConvTransposeLayerOptions & { rank: ConvRank }): ConvTranspose {
  const { rank, ...rest } = opts ?? ({} as never);
  if (rank === 1) return new Conv1DTranspose(rest);
  if (rank === 2) return new Conv2DTranspose(rest);
  if (rank === 3) return new Conv3DTranspose(rest);
  throw new ConfigError(`convTranspose: rank must be 1, 2 or 3 (spatial dimensions), got ${JSON.stringify(rank)}`);
}
