import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { conv1dTranspose as conv1dT, conv2dTranspose as conv2dT, conv3dTranspose as conv3dT } from '../ops/index.js';
import { type ConvRank, planConvTranspose } from '../ops/conv-util.js';
import { type Activation, applyBiasActivation, getActivation } from '../activations/index.js';
import { type Initializer, type InitializerIdentifier, getInitializer } from '../initializers/index.js';
import { type Regularizer, type RegularizerIdentifier, getRegularizer } from '../regularizers/index.js';
import { type Constraint, type ConstraintIdentifier, getConstraint } from '../constraints/index.js';
import { Layer, type CallOptions, type LayerOptions, type LayerShape } from './layer.js';
import { Dropout } from './dropout.js';
import { registerLayer } from './serialization.js';
import { checkDataFormat, checkSpatialInput, intTuple } from './spatial-args.js';
import { type DropoutShorthand, readDropout } from './conv-options.js';

export interface ConvTransposeLayerOptions extends LayerOptions {
  /** Number of output channels. */
  filters: number;
  /** Window size: one number or one per spatial dim. */
  kernelSize: number | number[];
  /** Upsampling factor, one number or one per spatial dim (default 1). */
  strides?: number | number[];
  /** 'valid' (default): output (in−1)·s + kEff (at least in·s); 'same': output in·s. */
  padding?: 'valid' | 'same';
  /** Extra rows at the end of each spatial dim, each smaller than its stride; default null (none). */
  outputPadding?: number | number[] | null;
  /** Spacing between kernel taps, one number or one per spatial dim (default 1). */
  dilationRate?: number | number[];
  /** Only 'channels_last' (the default) is supported. */
  dataFormat?: string;
  /** Activation by name or function; default linear. */
  activation?: string | Activation | ((x: Tensor) => Tensor) | null;
  /** Default true. */
  useBias?: boolean;
  /** Default 'glorotUniform'. */
  kernelInitializer?: InitializerIdentifier;
  /** Default 'zeros'. */
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
  kernelConstraint?: ConstraintIdentifier | null;
  biasConstraint?: ConstraintIdentifier | null;
  /** Shorthand: a Dropout of this rate after the layer (a separate Dropout layer in a model); `{ rate, seed, noiseShape }` also works. */
  dropout?: number | { rate: number; seed?: number; noiseShape?: (number | null)[] } | null;
  /** Fixed seed of the shorthand Dropout (same mask every call; for tests); default a fresh mask each call. */
  dropoutSeed?: number | null;
}

const OPS = [null, conv1dT, conv2dT, conv3dT] as const;

/**
 * Transposed convolution ("deconvolution") of any rank 1–3, the gradient of a convolution with
 * respect to its input: it upsamples by `strides`. Kernel [...kernelSize, filters, inChannels]
 * (output channels before input channels, as Keras), bias [filters]. Use the rank-specific
 * classes Conv1DTranspose / Conv2DTranspose / Conv3DTranspose.
 */
export class ConvTranspose extends Layer {
  readonly rank: ConvRank;
  readonly filters: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: 'valid' | 'same';
  readonly outputPadding: number[] | null;
  readonly dilationRate: number[];
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  readonly kernelConstraint: Constraint | null;
  readonly biasConstraint: Constraint | null;
  /** The dropout shorthand, or null. */
  readonly dropout: DropoutShorthand | null;
  kernel?: Variable;
  bias?: Variable;
  private readonly dropoutLayer: Dropout | null;

  constructor(rank: ConvRank, opts: ConvTransposeLayerOptions) {
    super(opts);
    const where = this.describe();
    this.rank = rank;
    if (!opts || !Number.isInteger(opts.filters) || opts.filters <= 0) {
      throw new ConfigError(`${where}: filters (number of output channels) must be a positive integer, got ${JSON.stringify(opts?.filters)}`);
    }
    this.filters = opts.filters;
    this.kernelSize = intTuple(where, 'kernelSize', opts.kernelSize, rank, 1);
    this.strides = intTuple(where, 'strides', opts.strides ?? 1, rank, 1);
    this.dilationRate = intTuple(where, 'dilationRate', opts.dilationRate ?? 1, rank, 1);
    const padding = typeof opts.padding === 'string' ? opts.padding.toLowerCase() : opts.padding ?? 'valid';
    if (padding !== 'valid' && padding !== 'same') {
      throw new ConfigError(`${where}: padding must be 'valid' or 'same', got ${JSON.stringify(opts.padding)}`);
    }
    this.padding = padding;
    this.outputPadding = opts.outputPadding === undefined || opts.outputPadding === null ? null
      : intTuple(where, 'outputPadding', opts.outputPadding, rank, 0);
    if (this.outputPadding?.some((p, i) => p >= this.strides[i])) {
      throw new ConfigError(`${where}: outputPadding must be smaller than strides in every dimension (Keras' rule), ` +
        `got outputPadding [${this.outputPadding.join(', ')}] with strides [${this.strides.join(', ')}]`);
    }
    checkDataFormat(where, opts.dataFormat);
    this.activation = getActivation(opts.activation, `${where} activation`);
    this.useBias = opts.useBias ?? true;
    this.kernelInitializer = getInitializer(opts.kernelInitializer ?? 'glorotUniform', `${where} kernelInitializer`);
    this.biasInitializer = getInitializer(opts.biasInitializer ?? 'zeros', `${where} biasInitializer`);
    this.kernelRegularizer = getRegularizer(opts.kernelRegularizer, `${where} kernelRegularizer`);
    this.biasRegularizer = getRegularizer(opts.biasRegularizer, `${where} biasRegularizer`);
    this.kernelConstraint = getConstraint(opts.kernelConstraint, `${where} kernelConstraint`);
    this.biasConstraint = getConstraint(opts.biasConstraint, `${where} biasConstraint`);
    this.dropout = readDropout(where, opts.dropout, opts.dropoutSeed);
    this.dropoutLayer = this.dropout ? new Dropout({ ...this.dropout, name: `${this.name}_dropout` }) : null;
  }

  override build(inputShape: LayerShape): void {
    checkSpatialInput(this.describe(), this.rank, inputShape, true);
    const inChannels = inputShape[this.rank + 1] as number;
    this.inputSpec = { ndim: this.rank + 2, axes: { [-1]: inChannels } };
    this.kernel = this.addWeight('kernel', [...this.kernelSize, this.filters, inChannels], this.kernelInitializer,
      { regularizer: this.kernelRegularizer, constraint: this.kernelConstraint });
    if (this.useBias) {
      this.bias = this.addWeight('bias', [this.filters], this.biasInitializer,
        { regularizer: this.biasRegularizer, constraint: this.biasConstraint });
    }
    this.built = true;
  }

  private get opArgs() {
    return { strides: this.strides, padding: this.padding, dilations: this.dilationRate,
      ...(this.outputPadding ? { outputPadding: this.outputPadding } : {}) };
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    checkSpatialInput(this.describe(), this.rank, inputShape);
    // The op's planner gives the lengths; unknown dims are planned as 1 and reported as null.
    const known = inputShape.map((d) => d ?? 1);
    const filter = [...this.kernelSize, this.filters, known[this.rank + 1]];
    const out: LayerShape = planConvTranspose(this.className, this.rank, known, filter, this.opArgs).xShape;
    return out.map((d, i) => (i <= this.rank && inputShape[i] === null ? null : d));
  }

  protected call(x: Tensor, opts: CallOptions): Tensor {
    checkSpatialInput(this.describe(), this.rank, x.shape);
    const inChannels = this.kernel!.shape[this.rank + 1];
    if (x.shape[this.rank + 1] !== inChannels) {
      throw new ShapeError(`${this.describe()}: expected input with ${inChannels} channels (last dim), as when it was built, ` +
        `got shape ${fmtShape(x.shape)}`);
    }
    const y = applyBiasActivation(OPS[this.rank]!(x, this.kernel!, this.opArgs), this.bias ?? null, this.activation);
    return this.dropoutLayer ? (this.dropoutLayer.apply(y, opts) as Tensor) : y;
  }

  override expand(): Layer[] {
    if (!this.dropoutLayer) return [this];
    const Cls = this.constructor as unknown as { fromConfig(c: Record<string, unknown>): ConvTranspose };
    const plain = Cls.fromConfig({ ...this.getConfig(), dropout: null, dropoutSeed: null });
    if (this.built) {
      plain.build([null, ...new Array<null>(this.rank).fill(null), this.kernel!.shape[this.rank + 1]]);
      plain.setWeights(this.getWeights());
    }
    return [plain, this.dropoutLayer];
  }

  override getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = {
      ...super.getConfig(), filters: this.filters, kernelSize: this.kernelSize, strides: this.strides,
      padding: this.padding, outputPadding: this.outputPadding, dataFormat: 'channels_last', dilationRate: this.dilationRate,
      activation: this.activation.name, useBias: this.useBias,
      kernelInitializer: this.kernelInitializer, biasInitializer: this.biasInitializer,
      kernelRegularizer: this.kernelRegularizer, biasRegularizer: this.biasRegularizer,
      kernelConstraint: this.kernelConstraint, biasConstraint: this.biasConstraint,
    };
    if (this.dropout?.noiseShape) config.dropout = { ...this.dropout };
    else if (this.dropout) {
      config.dropout = this.dropout.rate;
      if (this.dropout.seed !== undefined) config.dropoutSeed = this.dropout.seed;
    }
    return config;
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
