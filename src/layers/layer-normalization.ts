import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { add, mean, mul, reshape, rsqrt, square, sub } from '../ops/index.js';
import { type Initializer, type InitializerIdentifier, getInitializer } from '../initializers/index.js';
import { type Regularizer, type RegularizerIdentifier, getRegularizer } from '../regularizers/index.js';
import { type Constraint, type ConstraintIdentifier, getConstraint } from '../constraints/index.js';
import { Layer, type LayerOptions, type LayerShape } from './layer.js';
import { registerLayer } from './serialization.js';

export interface LayerNormalizationOptions extends LayerOptions {
  /** The axis or axes normalised over, per sample (default -1). */
  axis?: number | number[];
  /** Added to the variance before the square root (default 1e-3). */
  epsilon?: number;
  /** Add the learned offset beta (default true). */
  center?: boolean;
  /** Multiply by the learned scale gamma (default true). */
  scale?: boolean;
  /**
   * Keras 3's `rms_scaling` (default false): y = x·gamma/sqrt(variance + epsilon), with no centring
   * and no beta (`center`/`scale` ignored). Note Keras divides by the variance about the mean here, not
   * by mean(x²) as RMSNorm does; we follow Keras so its files load unchanged.
   */
  rmsScaling?: boolean;
  /** Default 'zeros'. */
  betaInitializer?: InitializerIdentifier;
  /** Default 'ones'. */
  gammaInitializer?: InitializerIdentifier;
  betaRegularizer?: RegularizerIdentifier | null;
  gammaRegularizer?: RegularizerIdentifier | null;
  betaConstraint?: ConstraintIdentifier | null;
  gammaConstraint?: ConstraintIdentifier | null;
}


/**
 * Layer normalisation (Ba et al., 2016): normalises each sample over `axis` with its own mean and
 * population variance, y = gamma·(x − mean)/sqrt(variance + epsilon) + beta, the same in training
 * and inference. gamma and beta have the input's sizes on `axis`, in the order given (Keras).
 * Options: axis (-1; a number or a list), epsilon (1e-3), center (true), scale (true), rmsScaling
 * (false), gamma/beta initializers (ones/zeros), regularizers and constraints.
 * @example st.layers.layerNormalization({ axis: [1, 2] })
 */
export class LayerNormalization extends Layer {
  static override className = 'LayerNormalization';
  readonly axis: number | number[];
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly rmsScaling: boolean;
  readonly betaInitializer: Initializer;
  readonly gammaInitializer: Initializer;
  readonly betaRegularizer: Regularizer | null;
  readonly gammaRegularizer: Regularizer | null;
  readonly betaConstraint: Constraint | null;
  readonly gammaConstraint: Constraint | null;
  gamma?: Variable;
  beta?: Variable;
  /** The resolved (non-negative) axes, in the order given, and the input rank, fixed by build. */
  private axes: number[] = [];
  private paramShape: number[] = [];
  private builtRank = 0;

  constructor(opts: LayerNormalizationOptions = {}) {
    super(opts);
    const where = this.describe();
    const o = opts ?? {};
    const axis = o.axis ?? -1;
    const list = Array.isArray(axis) ? axis : [axis];
    if (list.length === 0 || list.some((a) => !Number.isInteger(a)) || new Set(list).size !== list.length) {
      throw new ConfigError(`${where}: axis must be an integer or a non-empty list of distinct integers, got ${JSON.stringify(o.axis)}`);
    }
    this.axis = Array.isArray(axis) ? axis.slice() : axis;
    this.epsilon = o.epsilon ?? 1e-3;
    if (typeof this.epsilon !== 'number' || !(this.epsilon > 0) || !Number.isFinite(this.epsilon)) {
      throw new ConfigError(`${where}: epsilon must be a positive number, got ${JSON.stringify(o.epsilon)}`);
    }
    this.center = o.center ?? true;
    this.scale = o.scale ?? true;
    this.rmsScaling = o.rmsScaling ?? false;
    this.betaInitializer = getInitializer(o.betaInitializer ?? 'zeros', `${where} betaInitializer`);
    this.gammaInitializer = getInitializer(o.gammaInitializer ?? 'ones', `${where} gammaInitializer`);
    this.betaRegularizer = getRegularizer(o.betaRegularizer, `${where} betaRegularizer`);
    this.gammaRegularizer = getRegularizer(o.gammaRegularizer, `${where} gammaRegularizer`);
    this.betaConstraint = getConstraint(o.betaConstraint, `${where} betaConstraint`);
    this.gammaConstraint = getConstraint(o.gammaConstraint, `${where} gammaConstraint`);
    this.supportsMasking = true;
  }

  override build(inputShape: LayerShape): void {
    const rank = inputShape.length;
    const list = Array.isArray(this.axis) ? this.axis : [this.axis];
    const axes = list.map((a) => {
      if (a < -rank || a >= rank) {
        throw new ShapeError(`${this.describe()}: axis ${a} is out of range for input shape ${fmtShape(inputShape)} ` +
          `(rank ${rank}: use -${rank} to ${rank - 1})`);
      }
      return a < 0 ? a + rank : a;
    });
    if (new Set(axes).size !== axes.length) {
      throw new ShapeError(`${this.describe()}: axis ${JSON.stringify(this.axis)} names one dimension twice for input shape ${fmtShape(inputShape)}`);
    }
    const shape = axes.map((a) => inputShape[a]);
    if (axes.includes(0) || shape.some((d) => d === null)) {
      throw new ShapeError(`${this.describe()}: the normalised axes ${JSON.stringify(this.axis)} of input shape ${fmtShape(inputShape)} ` +
        `must be known feature dimensions, not the batch — e.g. axis -1`);
    }
    this.axes = axes;
    this.paramShape = shape as number[];
    this.builtRank = rank;
    if (this.scale || this.rmsScaling) {
      this.gamma = this.addWeight('gamma', shape as number[], this.gammaInitializer, { regularizer: this.gammaRegularizer, constraint: this.gammaConstraint });
    }
    if (this.center && !this.rmsScaling) {
      this.beta = this.addWeight('beta', shape as number[], this.betaInitializer, { regularizer: this.betaRegularizer, constraint: this.betaConstraint });
    }
    this.built = true;
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }

  protected call(x: Tensor): Tensor {
    if (x.rank !== this.builtRank || this.axes.some((a, i) => x.shape[a] !== this.paramShape[i])) {
      throw new ShapeError(`${this.describe()}: built for inputs of rank ${this.builtRank} normalised over axes ${JSON.stringify(this.axis)}, ` +
        `got shape ${fmtShape(x.shape)}`);
    }
    // gamma/beta hold the axes' sizes; Keras reshapes them (no transpose) to broadcast over the rest.
    const bshape = x.shape.map(() => 1);
    for (const a of this.axes) bshape[a] = x.shape[a];
    const perFeature = (v: Tensor): Tensor => reshape(v, bshape);
    const m = mean(x, this.axes, true);
    const v = mean(square(sub(x, m)), this.axes, true);
    let inv = rsqrt(add(v, this.epsilon));
    if (this.gamma) inv = mul(inv, perFeature(this.gamma));
    if (this.rmsScaling) return mul(x, inv);
    // y = x·inv + (beta − mean·inv): two full-size ops after the statistics.
    const shift = mul(m, inv);
    return add(mul(x, inv), this.beta ? sub(perFeature(this.beta), shift) : mul(shift, -1));
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), axis: Array.isArray(this.axis) ? this.axis.slice() : this.axis, epsilon: this.epsilon,
      center: this.center, scale: this.scale, rmsScaling: this.rmsScaling,
      betaInitializer: this.betaInitializer, gammaInitializer: this.gammaInitializer,
      betaRegularizer: this.betaRegularizer, gammaRegularizer: this.gammaRegularizer,
      betaConstraint: this.betaConstraint, gammaConstraint: this.gammaConstraint,
    };
  }
}
registerLayer(LayerNormalization);

/** LayerNormalization layer factory. */
export const layerNormalization = (opts: LayerNormalizationOptions = {}): LayerNormalization => new LayerNormalization(opts);
