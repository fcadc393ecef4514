import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { noGrad } from '../autograd/tape.js';
import { add, broadcastTo, cast, div, expandDims, mean, mul, reshape, rsqrt, square, sub, sum } from '../ops/index.js';
import { type Initializer, type InitializerIdentifier, getInitializer } from '../initializers/index.js';
import { type Regularizer, type RegularizerIdentifier, getRegularizer } from '../regularizers/index.js';
import { type Constraint, type ConstraintIdentifier, getConstraint } from '../constraints/index.js';
import { Layer, type CallOptions, type LayerOptions, type LayerShape } from './layer.js';
import { registerLayer } from './serialization.js';

export interface BatchNormalizationOptions extends LayerOptions {
  /** The features axis, normalised per entry (default -1; 1 for channels-first data). */
  axis?: number;
  /** Momentum of the moving averages (default 0.99, Keras 3 and TF.js). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-3). */
  epsilon?: number;
  /** Add the learned offset beta (default true). */
  center?: boolean;
  /** Multiply by the learned scale gamma (default true). */
  scale?: boolean;
  /** Default 'zeros'. */
  betaInitializer?: InitializerIdentifier;
  /** Default 'ones'. */
  gammaInitializer?: InitializerIdentifier;
  /** Default 'zeros'. */
  movingMeanInitializer?: InitializerIdentifier;
  /** Default 'ones'. */
  movingVarianceInitializer?: InitializerIdentifier;
  betaRegularizer?: RegularizerIdentifier | null;
  gammaRegularizer?: RegularizerIdentifier | null;
  betaConstraint?: ConstraintIdentifier | null;
  gammaConstraint?: ConstraintIdentifier | null;
  /** Keras 3 multi-device option; accepted and ignored (one device). */
  synchronized?: boolean;
}

/** A shape for error messages, with unknown dimensions printed as null. */

// Keras' backend epsilon, which its masked moments add to the count of real entries.
const MASK_EPSILON = 1e-7;

/**
 * Batch normalisation (Ioffe & Szegedy, 2015): y = gamma·(x − mean)/sqrt(variance + epsilon) + beta
 * per entry of `axis`. While training (`apply(x, { training: true })`) it uses the batch's mean and
 * population variance over every other axis and updates the moving statistics,
 * moving = moving·momentum + batch·(1 − momentum) (Keras 3 and TF.js both use the biased batch
 * variance here); at inference, and whenever the layer is frozen (`trainable = false`, as Keras 3),
 * it uses the moving statistics. A mask ([batch, steps] for [batch, steps, features]) excludes
 * padded steps from the batch statistics, as Keras 3.
 * Weights in Keras order: [gamma, beta, moving_mean, moving_variance] (gamma only with `scale`,
 * beta only with `center`); the moving statistics are non-trainable.
 * Options: axis (-1), momentum (0.99), epsilon (1e-3), center (true), scale (true), the four
 * initializers (zeros/ones/zeros/ones), beta/gamma regularizers and constraints.
 * @example st.layers.batchNormalization({ momentum: 0.9 })
 */
export class BatchNormalization extends Layer {
  static override className = 'BatchNormalization';
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly betaInitializer: Initializer;
  readonly gammaInitializer: Initializer;
  readonly movingMeanInitializer: Initializer;
  readonly movingVarianceInitializer: Initializer;
  readonly betaRegularizer: Regularizer | null;
  readonly gammaRegularizer: Regularizer | null;
  readonly betaConstraint: Constraint | null;
  readonly gammaConstraint: Constraint | null;
  gamma?: Variable;
  beta?: Variable;
  movingMean?: Variable;
  movingVariance?: Variable;
  /** The resolved (non-negative) axis and the input rank, fixed by build. */
  private builtAxis = -1;
  private builtRank = 0;

  constructor(opts: BatchNormalizationOptions = {}) {
    super(opts);
    const where = this.describe();
    const o = opts ?? {};
    this.axis = o.axis ?? -1;
    if (!Number.isInteger(this.axis)) throw new ConfigError(`${where}: axis must be an integer, got ${JSON.stringify(o.axis)}`);
    this.momentum = o.momentum ?? 0.99;
    if (typeof this.momentum !== 'number' || !(this.momentum >= 0 && this.momentum <= 1)) {
      throw new ConfigError(`${where}: momentum must be a number in [0, 1], got ${JSON.stringify(o.momentum)}`);
    }
    this.epsilon = o.epsilon ?? 1e-3;
    if (typeof this.epsilon !== 'number' || !(this.epsilon > 0) || !Number.isFinite(this.epsilon)) {
      throw new ConfigError(`${where}: epsilon must be a positive number, got ${JSON.stringify(o.epsilon)}`);
    }
    this.center = o.center ?? true;
    this.scale = o.scale ?? true;
    this.betaInitializer = getInitializer(o.betaInitializer ?? 'zeros', `${where} betaInitializer`);
    this.gammaInitializer = getInitializer(o.gammaInitializer ?? 'ones', `${where} gammaInitializer`);
    this.movingMeanInitializer = getInitializer(o.movingMeanInitializer ?? 'zeros', `${where} movingMeanInitializer`);
    this.movingVarianceInitializer = getInitializer(o.movingVarianceInitializer ?? 'ones', `${where} movingVarianceInitializer`);
    this.betaRegularizer = getRegularizer(o.betaRegularizer, `${where} betaRegularizer`);
    this.gammaRegularizer = getRegularizer(o.gammaRegularizer, `${where} gammaRegularizer`);
    this.betaConstraint = getConstraint(o.betaConstraint, `${where} betaConstraint`);
    this.gammaConstraint = getConstraint(o.gammaConstraint, `${where} gammaConstraint`);
    this.supportsMasking = true;
  }

  override build(inputShape: LayerShape): void {
    const rank = inputShape.length;
    if (this.axis < -rank || this.axis >= rank) {
      throw new ShapeError(`${this.describe()}: axis ${this.axis} is out of range for input shape ${fmtShape(inputShape)} ` +
        `(rank ${rank}: use -${rank} to ${rank - 1})`);
    }
    const axis = this.axis < 0 ? this.axis + rank : this.axis;
    const dim = inputShape[axis];
    if (axis === 0 || dim === null) {
      throw new ShapeError(`${this.describe()}: the normalised axis ${this.axis} of input shape ${fmtShape(inputShape)} must be a known ` +
        `feature dimension, not the batch — use axis -1 for channels-last data`);
    }
    this.builtAxis = axis;
    this.inputSpec = { ndim: rank, axes: { [axis]: dim } };
    this.builtRank = rank;
    if (this.scale) {
      this.gamma = this.addWeight('gamma', [dim], this.gammaInitializer, { regularizer: this.gammaRegularizer, constraint: this.gammaConstraint });
    }
    if (this.center) {
      this.beta = this.addWeight('beta', [dim], this.betaInitializer, { regularizer: this.betaRegularizer, constraint: this.betaConstraint });
    }
    this.movingMean = this.addWeight('moving_mean', [dim], this.movingMeanInitializer, { trainable: false });
    this.movingVariance = this.addWeight('moving_variance', [dim], this.movingVarianceInitializer, { trainable: false });
    this.built = true;
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }

  protected call(x: Tensor, { training = false, mask }: CallOptions): Tensor {
    const dim = this.movingMean!.shape[0];
    if (x.rank !== this.builtRank || x.shape[this.builtAxis] !== dim) {
      throw new ShapeError(`${this.describe()}: built for inputs of rank ${this.builtRank} with ${dim} features on axis ${this.axis}, ` +
        `got shape ${fmtShape(x.shape)}`);
    }
    // Per-feature tensors broadcast along every other axis.
    const bshape = x.shape.map((d, i) => (i === this.builtAxis ? d : 1));
    const perFeature = (v: Tensor): Tensor => (this.builtAxis === x.rank - 1 ? v : reshape(v, bshape));
    let m: Tensor;
    let v: Tensor;
    if (training && this.trainable) {
      ({ mean: m, variance: v } = this.batchMoments(x, mask ?? null));
      this.updateMovingStatistics(m, v);
    } else {
      m = perFeature(this.movingMean!);
      v = perFeature(this.movingVariance!);
    }
    // y = x·inv + (beta − mean·inv) with inv = gamma/sqrt(variance + epsilon): two full-size ops.
    let inv = rsqrt(add(v, this.epsilon));
    if (this.gamma) inv = mul(inv, perFeature(this.gamma));
    let shift = mul(m, inv);
    shift = this.beta ? sub(perFeature(this.beta), shift) : mul(shift, -1);
    return add(mul(x, inv), shift);
  }

  /** Mean and population variance over every axis but the features axis, kept as size-1 dims. */
  private batchMoments(x: Tensor, mask: Tensor | null): { mean: Tensor; variance: Tensor } {
    const axes = x.shape.map((_, i) => i).filter((i) => i !== this.builtAxis);
    if (!mask) {
      const m = mean(x, axes, true);
      return { mean: m, variance: mean(square(sub(x, m)), axes, true) };
    }
    if (mask.rank !== x.rank - 1 || mask.shape.some((d, i) => d !== x.shape[i])) {
      throw new ShapeError(`${this.describe()}: the mask must have the input's shape without its last dimension, ` +
        `got mask ${fmtShape(mask.shape)} for input ${fmtShape(x.shape)}`);
    }
    const w = broadcastTo(expandDims(cast(mask, x.dtype), -1), x.shape);
    const count = add(sum(w, axes, true), MASK_EPSILON);
    const m = div(sum(mul(w, x), axes, true), count);
    return { mean: m, variance: div(sum(mul(w, square(sub(x, m))), axes, true), count) };
  }

  /** moving ← moving·momentum + batch·(1 − momentum), off the gradient tape. */
  private updateMovingStatistics(m: Tensor, v: Tensor): void {
    noGrad(() => {
      for (const [moving, batch] of [[this.movingMean!, m], [this.movingVariance!, v]] as const) {
        const next = add(mul(moving, this.momentum), mul(reshape(batch, moving.shape), 1 - this.momentum));
        moving.assign(next.dtype === moving.dtype ? next : cast(next, moving.dtype));
      }
    });
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), axis: this.axis, momentum: this.momentum, epsilon: this.epsilon, center: this.center, scale: this.scale,
      betaInitializer: this.betaInitializer, gammaInitializer: this.gammaInitializer,
      movingMeanInitializer: this.movingMeanInitializer, movingVarianceInitializer: this.movingVarianceInitializer,
      betaRegularizer: this.betaRegularizer, gammaRegularizer: this.gammaRegularizer,
      betaConstraint: this.betaConstraint, gammaConstraint: this.gammaConstraint,
    };
  }
}
registerLayer(BatchNormalization);

/** BatchNormalization layer factory. */
export const batchNormalization = (opts: BatchNormalizationOptions = {}): BatchNormalization => new BatchNormalization(opts);
