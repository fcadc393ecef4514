import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { conv1d as conv1dOp, conv2d as conv2dOp, conv3d as conv3dOp } from '../ops/index.js';
import { convBiasActivation } from '../ops/conv.js';
import { convBiasActivationMaxPool } from '../ops/conv-pool.js';
import type { Pooling } from './conv-options.js';
import { fusedActivationOf } from '../activations/index.js';
import type { Initializer, InitializerIdentifier } from '../initializers/index.js';
import type { Regularizer, RegularizerIdentifier } from '../regularizers/index.js';
import type { Constraint, ConstraintIdentifier } from '../constraints/index.js';
import type { LayerShape } from './layer.js';
import { BaseConv } from './conv-base.js';
import { type BaseConvOptions, weightOptions } from './conv-options.js';
import { registerLayer } from './serialization.js';

/** Options of Conv1D / Conv2D / Conv3D. */
export interface ConvLayerOptions extends BaseConvOptions {
  /** Number of output feature maps (required). */
  filters: number;
  /** Default 'glorotUniform' (Keras 3). */
  kernelInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  kernelConstraint?: ConstraintIdentifier | null;
  /** Grouped convolution is not supported: only 1 (Keras 3 files write groups: 1). */
  groups?: number;
}

const OPS = [conv1dOp, conv2dOp, conv3dOp];

/**
 * N-dimensional convolution layer behind Conv1D/2D/3D: activation(conv(x, kernel) + bias), then the
 * optional pooling and dropout shorthands. Kernel [...kernelSize, inChannels, filters], bias [filters].
 */
export abstract class Conv extends BaseConv {
  readonly filters: number;
  readonly kernelInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly kernelConstraint: Constraint | null;
  kernel?: Variable;

  constructor(rank: number, opts: ConvLayerOptions) {
    super(rank, opts);
    const where = this.describe();
    if (!Number.isInteger(opts.filters) || opts.filters <= 0) {
      throw new ConfigError(`${where}: filters (number of feature maps) must be a positive integer, got ${JSON.stringify(opts.filters)}`);
    }
    if (opts.groups !== undefined && opts.groups !== null && opts.groups !== 1) {
      throw new ConfigError(`${where}: groups ${JSON.stringify(opts.groups)} is not supported (grouped convolution); use groups 1, ` +
        `or a DepthwiseConv2D when groups equals the input channels`);
    }
    this.filters = opts.filters;
    const w = weightOptions(where, 'kernel', opts.kernelInitializer, 'glorotUniform', opts.kernelRegularizer, opts.kernelConstraint);
    this.kernelInitializer = w.initializer;
    this.kernelRegularizer = w.regularizer;
    this.kernelConstraint = w.constraint;
  }

  override build(inputShape: LayerShape): void {
    const channels = this.checkInputShape(inputShape);
    this.kernel = this.addWeight('kernel', [...this.kernelSize, channels, this.filters], this.kernelInitializer,
      { regularizer: this.kernelRegularizer, constraint: this.kernelConstraint });
    if (this.useBias) {
      this.bias = this.addWeight('bias', [this.filters], this.biasInitializer,
        { regularizer: this.biasRegularizer, constraint: this.biasConstraint });
    }
    super.build(inputShape);
  }

  protected outChannels(): number {
    return this.filters;
  }

  protected convolve(x: Tensor): Tensor {
    return OPS[this.rank - 1](x, this.kernel!, this.convOptions());
  }

  /** The conv, bias add and a built-in activation as one op (one pass over the output on the native backend). */
  protected override convolveActivated(x: Tensor): Tensor {
    const act = fusedActivationOf(this.activation), bias = this.bias, kernel = this.kernel!;
    if (act === null || !bias || x.dtype === 'int32' || kernel.dtype !== x.dtype || bias.dtype !== x.dtype) {
      return super.convolveActivated(x);
    }
    return convBiasActivation(this.rank, x, kernel, bias, act, this.convOptions());
  }

  /** The fused conv, bias add and activation, then the max pool, as one op (inference: see BaseConv.applyWithMaxPool). */
  protected override convolveActivatedMaxPool(x: Tensor, pool: Pooling): Tensor | null {
    const act = fusedActivationOf(this.activation), bias = this.bias, kernel = this.kernel!;
    if (act === null || !bias || x.dtype === 'int32' || kernel.dtype !== x.dtype || bias.dtype !== x.dtype) return null;
    return convBiasActivationMaxPool(this.rank as 1 | 2 | 3, x, kernel, bias, act, this.convOptions(), pool);
  }

  private convOptions() {
    return { strides: this.strides, padding: this.padding, dilations: this.dilationRate };
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), filters: this.filters, kernelInitializer: this.kernelInitializer,
      kernelRegularizer: this.kernelRegularizer, kernelConstraint: this.kernelConstraint,
    };
  }
}

/**
 * 1-D convolution over [batch, width, channels] (sequences): kernel [k, inChannels, filters].
 * Options: filters, kernelSize, strides (1), padding ('valid' | 'same' | 'causal'), dilationRate (1),
 * activation (linear), useBias (true), kernelInitializer ('glorotUniform'), biasInitializer ('zeros'),
 * regularizers, constraints, and the `pooling` / `dropout` shorthands.
 * @example st.layers.conv1d({ filters: 16, kernelSize: 3, padding: 'causal', dilationRate: 2, activation: 'relu' })
 */
export class Conv1D extends Conv {
  static override className = 'Conv1D';
  constructor(opts: ConvLayerOptions) {
    super(1, opts);
  }
}

/**
 * 2-D convolution over [batch, height, width, channels] (images): kernel [kh, kw, inChannels, filters].
 * Options as {@link Conv1D} (padding 'valid' | 'same'); `pooling: { type: 'max', poolSize: 2 }` and
 * `dropout: 0.25` stand for MaxPooling2D and Dropout layers after it.
 * @example st.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', pooling: { type: 'max', poolSize: 2 }, dropout: 0.25 })
 */
export class Conv2D extends Conv {
  static override className = 'Conv2D';
  constructor(opts: ConvLayerOptions) {
    super(2, opts);
  }
}

/**
 * 3-D convolution over [batch, depth, height, width, channels] (volumes, video): kernel
 * [kd, kh, kw, inChannels, filters]. Options as {@link Conv2D}.
 * @example st.layers.conv3d({ filters: 8, kernelSize: [3, 3, 3], strides: [1, 2, 2], padding: 'same' })
 */
export class Conv3D extends Conv {
  static override className = 'Conv3D';
  constructor(opts: ConvLayerOptions) {
    super(3, opts);
  }
}

registerLayer(Conv1D, 'Convolution1D');
registerLayer(Conv2D, 'Convolution2D');
registerLayer(Conv3D, 'Convolution3D');

/** 1-D convolution layer factory ({@link Conv1D}). */
export const conv1d = (opts: ConvLayerOptions): Conv1D => new Conv1D(opts);
/** 2-D convolution layer factory ({@link Conv2D}). */
export const conv2d = (opts: ConvLayerOptions): Conv2D => new Conv2D(opts);
/** 3-D convolution layer factory ({@link Conv3D}). */
export const conv3d = (opts: ConvLayerOptions): Conv3D => new Conv3D(opts);

/**
 * Convolution layer whose dimensionality is a hyperparameter: `rank` 1, 2 or 3 gives a Conv1D,
 * Conv2D or Conv3D with the other options.
 * @example st.layers.conv({ rank: 2, filters: 16, kernelSize: 3, padding: 'same' })
 */
export function conv(opts: ConvLayerOptions & { rank: 1 | 2 | 3 }): Conv {
  const { rank, ...rest } = opts ?? ({} as never);
  if (rank === 1) return new Conv1D(rest);
  if (rank === 2) return new Conv2D(rest);
  if (rank === 3) return new Conv3D(rest);
  throw new ConfigError(`conv: rank must be 1, 2 or 3 (the number of spatial dimensions), got ${JSON.stringify(rank)}`);
}
