import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { type Activation, applyDense, getActivation } from '../activations/index.js';
import { type Initializer, type InitializerIdentifier, getInitializer } from '../initializers/index.js';
import { type Regularizer, type RegularizerIdentifier, getRegularizer } from '../regularizers/index.js';
import { type Constraint, type ConstraintIdentifier, getConstraint } from '../constraints/index.js';
import { Layer, type CallOptions, type LayerOptions, type LayerShape } from './layer.js';
import { type DropoutShorthand, DropoutPart } from './shorthands.js';
import { registerLayer } from './serialization.js';

export interface DenseOptions extends LayerOptions {
  /** Number of neurons (output features). */
  units: number;
  /** Activation by name ('relu', 'softmax', ...) or function; default linear. */
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
  dropout?: number | DropoutShorthand | null;
  /** Fixed seed of the shorthand Dropout (same mask every call; for tests); default a fresh mask each call. */
  dropoutSeed?: number | null;
}

/**
 * Fully connected layer: activation(x · kernel + bias) on the last axis of inputs of rank ≥ 2.
 * Kernel [inputDim, units], bias [units], as Keras.
 * @example st.layers.dense({ units: 128, activation: 'relu', dropout: 0.2 })
 */
export class Dense extends Layer {
  static override className = 'Dense';
  readonly units: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  readonly kernelConstraint: Constraint | null;
  readonly biasConstraint: Constraint | null;
  kernel?: Variable;
  bias?: Variable;
  private readonly dropoutPart: DropoutPart;

  constructor(opts: DenseOptions) {
    super(opts);
    const where = this.describe();
    if (!opts || !Number.isInteger(opts.units) || opts.units <= 0) {
      throw new ConfigError(`${where}: units (number of neurons) must be a positive integer, got ${JSON.stringify(opts?.units)}`);
    }
    this.units = opts.units;
    this.activation = getActivation(opts.activation, `${where} activation`);
    this.useBias = opts.useBias ?? true;
    this.kernelInitializer = getInitializer(opts.kernelInitializer ?? 'glorotUniform', `${where} kernelInitializer`);
    this.biasInitializer = getInitializer(opts.biasInitializer ?? 'zeros', `${where} biasInitializer`);
    this.kernelRegularizer = getRegularizer(opts.kernelRegularizer, `${where} kernelRegularizer`);
    this.biasRegularizer = getRegularizer(opts.biasRegularizer, `${where} biasRegularizer`);
    this.kernelConstraint = getConstraint(opts.kernelConstraint, `${where} kernelConstraint`);
    this.biasConstraint = getConstraint(opts.biasConstraint, `${where} biasConstraint`);
    this.dropoutPart = new DropoutPart(this, opts.dropout, opts.dropoutSeed);
    this.supportsMasking = true;
  }

  override build(inputShape: LayerShape): void {
    const inDim = inputShape[inputShape.length - 1];
    if (inputShape.length < 2 || inDim === null) {
      throw new ShapeError(`${this.describe()}: expected input of rank ≥ 2 with a known last dimension, got shape ` +
        `${fmtShape(inputShape as number[])} — add a batch dimension or an inputShape`);
    }
    // Keras' input spec: any leading axes, the last one fixed to inDim.
    this.inputSpec = { minNdim: 2, axes: { [-1]: inDim }, fix: 'did you forget a flatten, or reuse the layer on other features?' };
    this.kernel = this.addWeight('kernel', [inDim, this.units], this.kernelInitializer,
      { regularizer: this.kernelRegularizer, constraint: this.kernelConstraint });
    if (this.useBias) {
      this.bias = this.addWeight('bias', [this.units], this.biasInitializer,
        { regularizer: this.biasRegularizer, constraint: this.biasConstraint });
    }
    this.built = true;
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    return [...inputShape.slice(0, -1), this.units];
  }

  protected call(x: Tensor, opts: CallOptions): Tensor {
    const inDim = this.kernel!.shape[0];
    if (x.shape[x.shape.length - 1] !== inDim) {
      throw new ShapeError(`${this.describe()}: expected input with last dimension ${inDim}, got shape ${fmtShape(x.shape)}` +
        (x.shape.length > 2 ? ' — did you forget a flatten?' : ''));
    }
    const y = applyDense(x, this.kernel!, this.bias ?? null, this.activation);
    return this.dropoutPart.apply(y, opts);
  }

  /** The rate of the dropout shorthand (0: none). */
  get dropoutRate(): number {
    return this.dropoutPart.spec?.rate ?? 0;
  }

  protected override shorthandLayers(): Layer[] {
    return this.dropoutPart.layer ? [this.dropoutPart.layer] : [];
  }

  protected override shapeBuiltFor(): LayerShape | null {
    return this.kernel ? [null, this.kernel.shape[0]] : null;
  }

  override getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = {
      ...super.getConfig(), units: this.units, activation: this.activation.name, useBias: this.useBias,
      kernelInitializer: this.kernelInitializer, biasInitializer: this.biasInitializer,
      kernelRegularizer: this.kernelRegularizer, biasRegularizer: this.biasRegularizer,
      kernelConstraint: this.kernelConstraint, biasConstraint: this.biasConstraint,
    };
    return this.dropoutPart.addTo(config);
  }
}
registerLayer(Dense);

/** Fully connected layer factory. */
export const dense = (opts: DenseOptions): Dense => new Dense(opts);
