import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { conv2d, depthwiseConv2d as depthwiseConv2dOp } from '../ops/index.js';
import type { Initializer, InitializerIdentifier } from '../initializers/index.js';
import type { Regularizer, RegularizerIdentifier } from '../regularizers/index.js';
import type { Constraint, ConstraintIdentifier } from '../constraints/index.js';
import type { Layer, LayerShape } from './layer.js';
import { BaseConv } from './conv-base.js';
import { type BaseConvOptions, weightOptions } from './conv-options.js';
import { registerLayer } from './serialization.js';

/** Options of DepthwiseConv2D. */
export interface DepthwiseConv2DOptions extends BaseConvOptions {
  /** Output channels per input channel (default 1): the output has inChannels · depthMultiplier channels. */
  depthMultiplier?: number;
  /** Default 'glorotUniform'. */
  depthwiseInitializer?: InitializerIdentifier;
  depthwiseRegularizer?: RegularizerIdentifier | null;
  depthwiseConstraint?: ConstraintIdentifier | null;
}

/** Options of SeparableConv2D. */
export interface SeparableConv2DOptions extends DepthwiseConv2DOptions {
  /** Number of output feature maps (required). */
  filters: number;
  /** Default 'glorotUniform'. */
  pointwiseInitializer?: InitializerIdentifier;
  pointwiseRegularizer?: RegularizerIdentifier | null;
  pointwiseConstraint?: ConstraintIdentifier | null;
}

function readMultiplier(where: string, m: unknown): number {
  if (m === undefined || m === null) return 1;
  if (!Number.isInteger(m) || (m as number) <= 0) {
    throw new ConfigError(`${where}: depthMultiplier must be a positive integer, got ${JSON.stringify(m)}`);
  }
  return m as number;
}

/** Keras-style 'kernel*' options make no sense here: say which options to use instead. */
function rejectKernelOptions(where: string, opts: object, instead: string): void {
  const given = ['kernelInitializer', 'kernelRegularizer', 'kernelConstraint'].filter((k) => (opts as Record<string, unknown>)[k] != null);
  if (given.length) throw new ConfigError(`${where}: ${given.join(', ')} do not apply to this layer; use ${instead}`);
}

/** Keras 2 files may carry the conv base's kernel* keys; they mean nothing here, so a load drops them. */
function withoutKernelKeys(config: Record<string, unknown>): Record<string, unknown> {
  const { kernelInitializer: _i, kernelRegularizer: _r, kernelConstraint: _c, ...rest } = config;
  return rest;
}

/**
 * Depthwise 2-D convolution: each input channel gets its own `depthMultiplier` filters, no mixing
 * across channels. Weights (Keras order): depthwise_kernel [kh, kw, inChannels, depthMultiplier],
 * bias [inChannels · depthMultiplier]. Options: kernelSize, strides (1), padding ('valid' | 'same'),
 * depthMultiplier (1), dilationRate (1), activation, useBias (true), depthwiseInitializer
 * ('glorotUniform'), biasInitializer ('zeros'), regularizers and constraints, pooling/dropout shorthands.
 * @example st.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu' })
 */
export class DepthwiseConv2D extends BaseConv {
  static override className = 'DepthwiseConv2D';
  readonly depthMultiplier: number;
  readonly depthwiseInitializer: Initializer;
  readonly depthwiseRegularizer: Regularizer | null;
  readonly depthwiseConstraint: Constraint | null;
  depthwiseKernel?: Variable;

  constructor(opts: DepthwiseConv2DOptions) {
    super(2, opts);
    const where = this.describe();
    rejectKernelOptions(where, opts, 'depthwiseInitializer, depthwiseRegularizer and depthwiseConstraint');
    this.depthMultiplier = readMultiplier(where, opts.depthMultiplier);
    const w = weightOptions(where, 'depthwise', opts.depthwiseInitializer, 'glorotUniform', opts.depthwiseRegularizer, opts.depthwiseConstraint);
    this.depthwiseInitializer = w.initializer;
    this.depthwiseRegularizer = w.regularizer;
    this.depthwiseConstraint = w.constraint;
  }

  static override fromConfig<T extends Layer>(this: new (opts: never) => T, config: Record<string, unknown>): T {
    return new this(withoutKernelKeys(config) as never);
  }

  override build(inputShape: LayerShape): void {
    const channels = this.checkInputShape(inputShape);
    this.depthwiseKernel = this.addWeight('depthwise_kernel', [...this.kernelSize, channels, this.depthMultiplier],
      this.depthwiseInitializer, { regularizer: this.depthwiseRegularizer, constraint: this.depthwiseConstraint });
    if (this.useBias) {
      this.bias = this.addWeight('bias', [channels * this.depthMultiplier], this.biasInitializer,
        { regularizer: this.biasRegularizer, constraint: this.biasConstraint });
    }
    super.build(inputShape);
  }

  protected outChannels(inChannels: number | null): number | null {
    return inChannels === null ? null : inChannels * this.depthMultiplier;
  }

  protected convolve(x: Tensor): Tensor {
    return depthwiseConv2dOp(x, this.depthwiseKernel!, { strides: this.strides, padding: this.padding, dilations: this.dilationRate });
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), depthMultiplier: this.depthMultiplier, depthwiseInitializer: this.depthwiseInitializer,
      depthwiseRegularizer: this.depthwiseRegularizer, depthwiseConstraint: this.depthwiseConstraint,
    };
  }
}

/**
 * Depthwise-separable 2-D convolution: a depthwise conv (per channel, `depthMultiplier` filters
 * each) followed by a pointwise 1×1 conv mixing the channels into `filters` maps — far fewer weights
 * than a Conv2D. Weights (Keras order): depthwise_kernel [kh, kw, inChannels, depthMultiplier],
 * pointwise_kernel [1, 1, inChannels · depthMultiplier, filters], bias [filters]. Options as
 * {@link DepthwiseConv2D} plus filters and pointwiseInitializer ('glorotUniform') / Regularizer / Constraint.
 * @example st.layers.separableConv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' })
 */
export class SeparableConv2D extends BaseConv {
  static override className = 'SeparableConv2D';
  readonly filters: number;
  readonly depthMultiplier: number;
  readonly depthwiseInitializer: Initializer;
  readonly depthwiseRegularizer: Regularizer | null;
  readonly depthwiseConstraint: Constraint | null;
  readonly pointwiseInitializer: Initializer;
  readonly pointwiseRegularizer: Regularizer | null;
  readonly pointwiseConstraint: Constraint | null;
  depthwiseKernel?: Variable;
  pointwiseKernel?: Variable;

  constructor(opts: SeparableConv2DOptions) {
    super(2, opts);
    const where = this.describe();
    if (!Number.isInteger(opts.filters) || opts.filters <= 0) {
      throw new ConfigError(`${where}: filters (number of feature maps) must be a positive integer, got ${JSON.stringify(opts.filters)}`);
    }
    rejectKernelOptions(where, opts, 'the depthwise* and pointwise* initializers, regularizers and constraints');
    this.filters = opts.filters;
    this.depthMultiplier = readMultiplier(where, opts.depthMultiplier);
    const d = weightOptions(where, 'depthwise', opts.depthwiseInitializer, 'glorotUniform', opts.depthwiseRegularizer, opts.depthwiseConstraint);
    const p = weightOptions(where, 'pointwise', opts.pointwiseInitializer, 'glorotUniform', opts.pointwiseRegularizer, opts.pointwiseConstraint);
    this.depthwiseInitializer = d.initializer;
    this.depthwiseRegularizer = d.regularizer;
    this.depthwiseConstraint = d.constraint;
    this.pointwiseInitializer = p.initializer;
    this.pointwiseRegularizer = p.regularizer;
    this.pointwiseConstraint = p.constraint;
  }

  static override fromConfig<T extends Layer>(this: new (opts: never) => T, config: Record<string, unknown>): T {
    return new this(withoutKernelKeys(config) as never);
  }

  override build(inputShape: LayerShape): void {
    const channels = this.checkInputShape(inputShape);
    this.depthwiseKernel = this.addWeight('depthwise_kernel', [...this.kernelSize, channels, this.depthMultiplier],
      this.depthwiseInitializer, { regularizer: this.depthwiseRegularizer, constraint: this.depthwiseConstraint });
    this.pointwiseKernel = this.addWeight('pointwise_kernel', [1, 1, channels * this.depthMultiplier, this.filters],
      this.pointwiseInitializer, { regularizer: this.pointwiseRegularizer, constraint: this.pointwiseConstraint });
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
    const y = depthwiseConv2dOp(x, this.depthwiseKernel!, { strides: this.strides, padding: this.padding, dilations: this.dilationRate });
    return conv2d(y, this.pointwiseKernel!);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), filters: this.filters, depthMultiplier: this.depthMultiplier,
      depthwiseInitializer: this.depthwiseInitializer, pointwiseInitializer: this.pointwiseInitializer,
      depthwiseRegularizer: this.depthwiseRegularizer, pointwiseRegularizer: this.pointwiseRegularizer,
      depthwiseConstraint: this.depthwiseConstraint, pointwiseConstraint: this.pointwiseConstraint,
    };
  }
}

registerLayer(DepthwiseConv2D);
registerLayer(SeparableConv2D, 'SeparableConvolution2D');

/** Depthwise 2-D convolution layer factory ({@link DepthwiseConv2D}). */
export const depthwiseConv2d = (opts: DepthwiseConv2DOptions): DepthwiseConv2D => new DepthwiseConv2D(opts);
/** Depthwise-separable 2-D convolution layer factory ({@link SeparableConv2D}). */
export const separableConv2d = (opts: SeparableConv2DOptions): SeparableConv2D => new SeparableConv2D(opts);
