import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/create.js';
import type { Variable } from '../autograd/variable.js';
import * as ops from '../ops/index.js';
import { type Activation as ActivationFn, getActivation } from '../activations/index.js';
import { type Initializer, type InitializerIdentifier, getInitializer } from '../initializers/index.js';
import { type Regularizer, type RegularizerIdentifier, getRegularizer } from '../regularizers/index.js';
import { type Constraint, type ConstraintIdentifier, getConstraint } from '../constraints/index.js';
import { Layer, type CallOptions, type LayerOptions, type LayerShape } from './layer.js';
import { registerLayer } from './serialization.js';

/** An elementwise layer: output shape = input shape, masks pass through. */
abstract class Elementwise extends Layer {
  constructor(opts: LayerOptions) {
    super(opts ?? {});
    this.supportsMasking = true;
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }
}

function finite(layer: Layer, name: string, v: unknown, min = -Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
    throw new ConfigError(`${layer.describe()}: ${name} must be a finite number${min > -Infinity ? ` ≥ ${min}` : ''}, got ${JSON.stringify(v)}`);
  }
  return v;
}

export interface ActivationOptions extends LayerOptions {
  /** Activation by name ('relu', 'softmax', 'leaky_relu', ...) or an Activation object. */
  activation: string | ActivationFn;
}

/**
 * Applies an activation function to its input.
 * @example st.layers.activation({ activation: 'relu' })
 */
export class Activation extends Elementwise {
  static override className = 'Activation';
  readonly activation: ActivationFn;

  constructor(opts: ActivationOptions) {
    super(opts);
    if (opts?.activation === undefined) throw new ConfigError(`${this.describe()}: activation is required, e.g. { activation: 'relu' }`);
    this.activation = getActivation(opts.activation, `${this.describe()} activation`);
  }

  protected call(x: Tensor, _opts: CallOptions): Tensor {
    return this.activation.apply(x);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), activation: this.activation.name };
  }
}

export interface ReLUOptions extends LayerOptions {
  /** Upper bound of the output (default none). */
  maxValue?: number | null;
  /** Slope below the threshold (default 0). */
  negativeSlope?: number;
  /** Values below this are in the negative part (default 0). */
  threshold?: number;
}

/**
 * Rectified linear unit, Keras form: maxValue where x ≥ maxValue, x where threshold ≤ x < maxValue,
 * negativeSlope·(x − threshold) below. Defaults: no maxValue, negativeSlope 0, threshold 0.
 * @example st.layers.reLU({ maxValue: 6 })
 */
export class ReLU extends Elementwise {
  static override className = 'ReLU';
  readonly maxValue: number | null;
  readonly negativeSlope: number;
  readonly threshold: number;

  constructor(opts: ReLUOptions = {}) {
    super(opts);
    this.maxValue = opts?.maxValue === undefined || opts.maxValue === null ? null : finite(this, 'maxValue', opts.maxValue, 0);
    this.negativeSlope = finite(this, 'negativeSlope', opts?.negativeSlope ?? 0, 0);
    this.threshold = finite(this, 'threshold', opts?.threshold ?? 0);
  }

  protected call(x: Tensor, _opts: CallOptions): Tensor {
    let y: Tensor;
    if (this.negativeSlope === 0 && this.threshold === 0) {
      y = ops.relu(x);
    } else {
      const below = this.negativeSlope === 0 ? zerosLike(x) : ops.mul(ops.sub(x, this.threshold), this.negativeSlope);
      y = ops.where(ops.greaterEqual(x, this.threshold), x, below);
    }
    return this.maxValue === null ? y : ops.minimum(y, this.maxValue);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), maxValue: this.maxValue, negativeSlope: this.negativeSlope, threshold: this.threshold };
  }
}

export interface LeakyReLUOptions extends LayerOptions {
  /** Slope of the negative part (default 0.3); TensorFlow.js's name. */
  alpha?: number;
  /** Keras 3's name for alpha. */
  negativeSlope?: number;
}

/**
 * Leaky ReLU: x for x > 0, alpha·x otherwise (alpha default 0.3, as Keras).
 * @example st.layers.leakyReLU({ alpha: 0.1 })
 */
export class LeakyReLU extends Elementwise {
  static override className = 'LeakyReLU';
  readonly alpha: number;

  constructor(opts: LeakyReLUOptions = {}) {
    super(opts);
    if (opts?.alpha !== undefined && opts.negativeSlope !== undefined && opts.alpha !== opts.negativeSlope) {
      throw new ConfigError(`${this.describe()}: alpha ${opts.alpha} and negativeSlope ${opts.negativeSlope} disagree; give one of them`);
    }
    this.alpha = finite(this, 'alpha', opts?.alpha ?? opts?.negativeSlope ?? 0.3);
  }

  protected call(x: Tensor, _opts: CallOptions): Tensor {
    return ops.leakyRelu(x, this.alpha);
  }

  // Written as `alpha`, which both TensorFlow.js and Keras 3 read.
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}

export interface PReLUOptions extends LayerOptions {
  /** Initializer of the learned slopes (default 'zeros'). */
  alphaInitializer?: InitializerIdentifier;
  alphaRegularizer?: RegularizerIdentifier | null;
  alphaConstraint?: ConstraintIdentifier | null;
  /** Axes (1-based, batch excluded) along which one slope is shared, e.g. [1, 2] for one per channel of an image. */
  sharedAxes?: number | number[] | null;
}

/**
 * Parametric ReLU: x for x > 0, alpha·x otherwise, with alpha a learned weight of the input's
 * sample shape (size 1 along `sharedAxes`).
 * @example st.layers.prelu({ sharedAxes: [1, 2] })
 */
export class PReLU extends Elementwise {
  static override className = 'PReLU';
  readonly alphaInitializer: Initializer;
  readonly alphaRegularizer: Regularizer | null;
  readonly alphaConstraint: Constraint | null;
  readonly sharedAxes: number[] | null;
  alpha?: Variable;

  constructor(opts: PReLUOptions = {}) {
    super(opts);
    const where = this.describe();
    this.alphaInitializer = getInitializer(opts?.alphaInitializer ?? 'zeros', `${where} alphaInitializer`);
    this.alphaRegularizer = getRegularizer(opts?.alphaRegularizer, `${where} alphaRegularizer`);
    this.alphaConstraint = getConstraint(opts?.alphaConstraint, `${where} alphaConstraint`);
    const s = opts?.sharedAxes;
    const axes = s === undefined || s === null ? null : typeof s === 'number' ? [s] : Array.isArray(s) ? s.slice() : undefined;
    if (axes === undefined || (axes && axes.some((a) => !Number.isInteger(a) || a < 1))) {
      throw new ConfigError(`${where}: sharedAxes must be a positive axis or a list of them (1-based, batch excluded), got ${JSON.stringify(s)}`);
    }
    this.sharedAxes = axes;
  }

  override build(inputShape: LayerShape): void {
    const shape = inputShape.slice(1);
    for (const a of this.sharedAxes ?? []) {
      if (a > shape.length) {
        throw new ShapeError(`${this.describe()}: sharedAxes ${JSON.stringify(this.sharedAxes)} name axis ${a}, but the input ` +
          `${fmtShape(inputShape)} has ${shape.length} non-batch axes`);
      }
      shape[a - 1] = 1;
    }
    if (shape.includes(null)) {
      throw new ShapeError(`${this.describe()}: the input's non-batch dims must be known to size alpha, got ${fmtShape(inputShape)} — ` +
        'share alpha along the unknown axes with sharedAxes');
    }
    this.alpha = this.addWeight('alpha', shape as number[], this.alphaInitializer,
      { regularizer: this.alphaRegularizer, constraint: this.alphaConstraint });
    this.built = true;
  }

  protected call(x: Tensor, _opts: CallOptions): Tensor {
    return ops.prelu(x, this.alpha!);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), alphaInitializer: this.alphaInitializer, alphaRegularizer: this.alphaRegularizer,
      alphaConstraint: this.alphaConstraint, sharedAxes: this.sharedAxes };
  }
}

export interface ELUOptions extends LayerOptions {
  /** Scale of the negative part (default 1). */
  alpha?: number;
}

/**
 * Exponential linear unit: x for x > 0, alpha·(eˣ − 1) otherwise.
 * @example st.layers.elu({ alpha: 1 })
 */
export class ELU extends Elementwise {
  static override className = 'ELU';
  readonly alpha: number;

  constructor(opts: ELUOptions = {}) {
    super(opts);
    this.alpha = finite(this, 'alpha', opts?.alpha ?? 1);
  }

  protected call(x: Tensor, _opts: CallOptions): Tensor {
    return ops.elu(x, this.alpha);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}

export interface ThresholdedReLUOptions extends LayerOptions {
  /** Threshold (default 1): x where x > theta, 0 elsewhere. */
  theta?: number;
}

/**
 * Thresholded ReLU: x where x > theta, 0 elsewhere (theta default 1).
 * @example st.layers.thresholdedReLU({ theta: 0.5 })
 */
export class ThresholdedReLU extends Elementwise {
  static override className = 'ThresholdedReLU';
  readonly theta: number;

  constructor(opts: ThresholdedReLUOptions = {}) {
    super(opts);
    this.theta = finite(this, 'theta', opts?.theta ?? 1, 0);
  }

  protected call(x: Tensor, _opts: CallOptions): Tensor {
    return ops.mul(x, ops.cast(ops.greater(x, this.theta), x.dtype));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), theta: this.theta };
  }
}

export interface SoftmaxOptions extends LayerOptions {
  /** Axis (or axes) normalised over (default -1, as Keras 3). */
  axis?: number | number[];
}

/**
 * Softmax over `axis`. Given a mask (1 = keep, broadcasting against the input), masked positions
 * get probability ~0, as Keras.
 * @example st.layers.softmax({ axis: -1 })
 */
export class Softmax extends Elementwise {
  static override className = 'Softmax';
  readonly axis: number | number[];

  constructor(opts: SoftmaxOptions = {}) {
    super(opts);
    const axis = opts?.axis ?? -1;
    const list = Array.isArray(axis) ? axis : [axis];
    if (list.length === 0 || list.some((a) => !Number.isInteger(a))) {
      throw new ConfigError(`${this.describe()}: axis must be an integer or a list of them, got ${JSON.stringify(opts?.axis)}`);
    }
    this.axis = Array.isArray(axis) ? axis.slice() : axis;
  }

  protected call(x: Tensor, { mask }: CallOptions): Tensor {
    // A large negative number added at masked positions, as Keras, so they get ~0 probability.
    if (mask) x = ops.add(x, ops.mul(ops.sub(1, ops.cast(mask, x.dtype)), -1e9));
    const axes = Array.isArray(this.axis) ? this.axis : [this.axis];
    if (axes.length === 1) return ops.softmax(x, axes[0]);
    return ops.exp(ops.sub(x, ops.logSumExp(x, axes, true)));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}

registerLayer(Activation);
registerLayer(ReLU);
registerLayer(LeakyReLU);
registerLayer(PReLU);
registerLayer(ELU);
registerLayer(ThresholdedReLU);
registerLayer(Softmax);

/** Activation layer factory. */
export const activation = (opts: ActivationOptions): Activation => new Activation(opts);
/** ReLU layer factory. */
export const reLU = (opts: ReLUOptions = {}): ReLU => new ReLU(opts);
/** LeakyReLU layer factory. */
export const leakyReLU = (opts: LeakyReLUOptions = {}): LeakyReLU => new LeakyReLU(opts);
/** PReLU layer factory. */
export const prelu = (opts: PReLUOptions = {}): PReLU => new PReLU(opts);
/** ELU layer factory. */
export const elu = (opts: ELUOptions = {}): ELU => new ELU(opts);
/** ThresholdedReLU layer factory. */
export const thresholdedReLU = (opts: ThresholdedReLUOptions = {}): ThresholdedReLU => new ThresholdedReLU(opts);
/** Softmax layer factory. */
export const softmax = (opts: SoftmaxOptions = {}): Softmax => new Softmax(opts);
