import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { avgPool, avgPool1d, avgPool3d, maxPool, maxPool1d, maxPool3d } from '../ops/index.js';
import { planWindow } from '../ops/window.js';
import { type Activation, applyBiasActivation, getActivation } from '../activations/index.js';
import { type Initializer, getInitializer } from '../initializers/index.js';
import { type Regularizer, getRegularizer } from '../regularizers/index.js';
import { type Constraint, getConstraint } from '../constraints/index.js';
import { Layer, type CallOptions, type LayerShape } from './layer.js';
import { DropoutPart } from './shorthands.js';
import { AveragePooling1D, AveragePooling2D, AveragePooling3D, MaxPooling1D, MaxPooling2D, MaxPooling3D } from './pooling.js';
import { type BaseConvOptions, type DropoutShorthand, type Pooling, fmtValue, readPadding, readPooling, readSizes } from './conv-options.js';
import { type DataFormat, dataFormatConfig, layoutOf, readDataFormat, shapeToFirst, shapeToLast, toChannelsFirst, toChannelsLast } from './data-format.js';

export type { BaseConvOptions, DropoutShorthand, PoolingShorthand } from './conv-options.js';

const POOL_OPS = {
  max: [maxPool1d, maxPool, maxPool3d],
  avg: [avgPool1d, avgPool, avgPool3d],
} as const;
const POOL_LAYERS = {
  max: [MaxPooling1D, MaxPooling2D, MaxPooling3D],
  avg: [AveragePooling1D, AveragePooling2D, AveragePooling3D],
} as const;

/**
 * The part every convolution layer shares, plain or transposed, parameterised by the number of
 * spatial dims (PyTorch's _ConvNd idea): options, input checks, the output-shape arithmetic,
 * bias → activation → pooling → dropout after the convolution proper, and the shorthands.
 * Subclasses make their weights in `build` (after `checkInputShape`), convolve in `convolve`, and
 * say their channel count; a transposed one also says its output lengths (`spatialOutputShape`).
 */
export abstract class BaseConv extends Layer {
  readonly rank: 1 | 2 | 3;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: 'valid' | 'same' | 'causal';
  /** Whether this is a transposed convolution (PyTorch's `transposed` flag of _ConvNd). */
  readonly transposed: boolean;
  readonly dilationRate: number[];
  /** 'channelsLast' ([batch, ...spatial, channels], the default) or 'channelsFirst' ([batch, channels, ...spatial]). */
  readonly dataFormat: DataFormat;
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly biasInitializer: Initializer;
  readonly biasRegularizer: Regularizer | null;
  readonly biasConstraint: Constraint | null;
  readonly pooling: Pooling | null;
  bias?: Variable;
  /** The input shape the layer was built for (batch null). */
  protected builtShape?: LayerShape;
  private readonly dropoutPart: DropoutPart;
  /** A max pooling folded into the current call (applyWithMaxPool), applied as the pooling shorthand is. */
  private foldedPool: Pooling | null = null;

  constructor(rank: number, opts: BaseConvOptions, transposed = false) {
    super(opts);
    const where = this.describe();
    if (!opts || typeof opts !== 'object') throw new ConfigError(`${where}: expected an options object with kernelSize`);
    if (rank !== 1 && rank !== 2 && rank !== 3) throw new ConfigError(`${where}: rank must be 1, 2 or 3, got ${fmtValue(rank)}`);
    this.rank = rank;
    if (opts.kernelSize === undefined || opts.kernelSize === null) {
      throw new ConfigError(`${where}: kernelSize is required (a positive integer or a tuple of ${rank})`);
    }
    this.kernelSize = readSizes(where, 'kernelSize', opts.kernelSize, rank);
    this.strides = readSizes(where, 'strides', opts.strides, rank, 1);
    this.dilationRate = readSizes(where, 'dilationRate', opts.dilationRate, rank, 1);
    this.transposed = transposed;
    this.padding = readPadding(where, opts.padding, rank, this.className, transposed);
    this.dataFormat = readDataFormat(where, opts.dataFormat);
    this.activation = getActivation(opts.activation, `${where} activation`);
    this.useBias = opts.useBias ?? true;
    this.biasInitializer = getInitializer(opts.biasInitializer ?? 'zeros', `${where} biasInitializer`);
    this.biasRegularizer = getRegularizer(opts.biasRegularizer, `${where} biasRegularizer`);
    this.biasConstraint = getConstraint(opts.biasConstraint, `${where} biasConstraint`);
    if (transposed && opts.pooling) {
      throw new ConfigError(`${where}: the pooling shorthand is for convolutions, not transposed ones; add a pooling layer after it`);
    }
    this.pooling = opts.pooling ? readPooling(where, opts.pooling, rank) : null;
    this.dropoutPart = new DropoutPart(this, opts.dropout, opts.dropoutSeed);
  }

  /** The dropout shorthand, or null. */
  get dropout(): DropoutShorthand | null {
    return this.dropoutPart.spec;
  }

  /** Output channels for this many input channels (null: unknown). */
  protected abstract outChannels(inChannels: number | null): number | null;

  /** The convolution proper (no bias, activation or shorthands), on a checked input. */
  protected abstract convolve(x: Tensor): Tensor;

  /** The axis of the channels in this layer's inputs and outputs. */
  protected get channelsAxis(): number {
    return this.dataFormat === 'channelsFirst' ? 1 : this.rank + 1;
  }

  /**
   * Checks an input shape [batch, ...spatial, channels] (or [batch, channels, ...spatial] for
   * channels-first; batch null) for this layer's rank and a known channel count, and that the
   * window fits; returns the channel count.
   */
  protected checkInputShape(shape: LayerShape): number {
    const want = this.rank + 2, where = this.describe(), shown = fmtShape(shape.map((d) => d ?? 'null') as never);
    const first = this.dataFormat === 'channelsFirst';
    if (shape.length !== want) {
      let fix = 'reshape the input';
      if (shape.length === want - 1) {
        const target = (first ? [1, ...shape.slice(1)] : [...shape.slice(1), 1]).map((d) => d ?? -1);
        fix = `add a channels dimension with reshape (st.layers.reshape({ targetShape: ${fmtShape(target)} }))`;
      } else if (shape.length >= 3 && shape.length <= 5) {
        fix = `use Conv${shape.length - 2}D for inputs of rank ${shape.length}, or reshape the input`;
      }
      throw new ShapeError(`${where}: expected input of rank ${want} ${layoutOf(this.rank, this.dataFormat)}, got ${shown} — ${fix}`);
    }
    const channels = shape[this.channelsAxis];
    if (channels === null || channels === undefined) {
      throw new ShapeError(`${where}: the channels dimension (${first ? 'axis 1, channels-first' : 'last'}) of the input must be known, ` +
        `got ${shown} — give the layer an inputShape`);
    }
    this.computeOutputShape(shape); // throws when the window does not fit the input
    return channels;
  }

  override build(inputShape: LayerShape): void {
    this.builtShape = inputShape.slice();
    const axis = this.dataFormat === 'channelsFirst' ? 1 : -1;
    this.inputSpec = { ndim: this.rank + 2, axes: { [axis]: inputShape[this.channelsAxis] as number }, layout: layoutOf(this.rank, this.dataFormat) };
    this.built = true;
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    if (inputShape.length !== this.rank + 2) return this.checkInputShape(inputShape) as never; // throws
    if (this.dataFormat === 'channelsFirst') return shapeToFirst(this.outputShapeLast(shapeToLast(inputShape)));
    return this.outputShapeLast(inputShape);
  }

  /** The output shape for a channels-last input shape. */
  private outputShapeLast(inputShape: LayerShape): LayerShape {
    const where = this.describe();
    const plan = (n: number | null, i: number, k: number[], s: number[], d: number[], p: 'valid' | 'same' | 'causal'): number | null =>
      n === null ? null : planWindow(where, [n], [k[i]], [s[i]], [d[i]], p).outSize[0];
    let spatial = this.spatialOutputShape(inputShape);
    const pool = this.pooling;
    if (pool) {
      const ones = pool.poolSize.map(() => 1);
      spatial = spatial.map((n, i) => {
        if (n !== null && pool.padding === 'valid' && pool.poolSize[i] > n) {
          throw new ShapeError(`${where}: pooling.poolSize ${fmtShape(pool.poolSize)} is larger than the conv output's spatial size ` +
            `${fmtShape(spatial.map((d) => d ?? 'null') as never)}; use pooling.padding 'same' or a smaller poolSize`);
        }
        return plan(n, i, pool.poolSize, pool.strides, ones, pool.padding);
      });
    }
    return [inputShape[0], ...spatial, this.outChannels(inputShape[this.rank + 1])];
  }

  /** The spatial lengths of the convolution's output for a channels-last input shape (the window rule; transposed convs override). */
  protected spatialOutputShape(inputShape: LayerShape): (number | null)[] {
    return inputShape.slice(1, this.rank + 1).map((n, i) => (n === null ? null
      : planWindow(this.describe(), [n], [this.kernelSize[i]], [this.strides[i]], [this.dilationRate[i]], this.padding).outSize[0]));
  }

  protected call(x: Tensor, opts: CallOptions): Tensor {
    const shape: LayerShape = [null, ...x.shape.slice(1)];
    const channels = this.checkInputShape(shape);
    const built = this.builtShape![this.channelsAxis];
    if (channels !== built) {
      const dim = this.dataFormat === 'channelsFirst' ? 'axis 1, channels-first' : 'last dimension';
      throw new ShapeError(`${this.describe()}: expected input with ${built} channels (${dim}), got shape ` +
        `${fmtShape(x.shape)} — the layer was built for ${fmtShape(this.builtShape!.map((d) => d ?? 'null') as never)}`);
    }
    // The kernels are channels-last: a channels-first layer transposes around them.
    const first = this.dataFormat === 'channelsFirst';
    const xl = first ? toChannelsLast(x) : x;
    const pooling = this.pooling ?? this.foldedPool;
    let y = pooling?.type === 'max' ? this.convolveActivatedMaxPool(xl, pooling) : null;
    if (!y) {
      y = this.convolveActivated(xl);
      if (pooling) {
        const { type, poolSize, strides, padding } = pooling;
        y = POOL_OPS[type][this.rank - 1](y, { poolSize, strides, padding });
      }
    }
    return this.dropoutPart.apply(first ? toChannelsFirst(y) : y, opts);
  }

  /**
   * Inference through this layer and `pool`, the max pooling layer after it in a Sequential model, as
   * one call (Sequential.forward folds them when not training and no tape records): one kernel on the
   * compiled backends, the conv's full output never written. Null, having done nothing, where the pair
   * does not fold: another rank or data format, a pooling or dropout shorthand or an activity
   * regularizer here (the regularizer would see the pooled output), a layer not built yet.
   */
  applyWithMaxPool(x: Tensor, pool: Layer): Tensor | null {
    const max = POOL_LAYERS.max[this.rank - 1];
    if (!(pool instanceof max) || pool.dataFormat !== this.dataFormat || this.pooling || this.dropoutPart.layer ||
      this.activityRegularizer || !this.built || !pool.built) return null;
    this.foldedPool = { type: 'max', poolSize: pool.poolSize, strides: pool.strides, padding: pool.padding };
    try {
      return this.apply(x, { training: false }) as Tensor;
    } finally {
      this.foldedPool = null;
    }
  }

  /** maxPool(activation(conv(x) + bias)) as one op, or null where the layer has none (the plain conv layers override it). */
  protected convolveActivatedMaxPool(_x: Tensor, _pool: Pooling): Tensor | null {
    return null;
  }

  /** activation(conv(x) + bias); the plain conv layers override it with a fused kernel. */
  protected convolveActivated(x: Tensor): Tensor {
    return applyBiasActivation(this.convolve(x), this.bias ?? null, this.activation);
  }

  /** The pooling layer the shorthand stands for: MaxPoolingND or AveragePoolingND. */
  private poolingLayer({ type, poolSize, strides, padding }: Pooling, name: string): Layer {
    return new POOL_LAYERS[type][this.rank - 1]({ name, poolSize, strides, padding, dataFormat: this.dataFormat });
  }

  protected override shorthandLayers(): Layer[] {
    const out: Layer[] = [];
    if (this.pooling) out.push(this.poolingLayer(this.pooling, `${this.name}_pool`));
    if (this.dropoutPart.layer) out.push(this.dropoutPart.layer);
    return out;
  }

  protected override shapeBuiltFor(): LayerShape | null {
    return this.builtShape ?? null;
  }

  override getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = {
      ...super.getConfig(), kernelSize: this.kernelSize.slice(), strides: this.strides.slice(), padding: this.padding,
      // Keras's spelling: TensorFlow.js and Keras files both hold 'channels_last' / 'channels_first'.
      dataFormat: dataFormatConfig(this.dataFormat), dilationRate: this.dilationRate.slice(), activation: this.activation.name,
      useBias: this.useBias, biasInitializer: this.biasInitializer, biasRegularizer: this.biasRegularizer,
      biasConstraint: this.biasConstraint,
    };
    if (this.pooling) config.pooling = { ...this.pooling, poolSize: this.pooling.poolSize.slice(), strides: this.pooling.strides.slice() };
    return this.dropoutPart.addTo(config);
  }
}

