import { type FloatArray, type GradArray, allocLike, rmspropUpdate } from './update-rules.js';
import { Optimizer, type OptimizerOptions, type StepContext, checkNumber } from './optimizer.js';
import type { Config } from './schedules.js';

export interface RMSpropOptions extends OptimizerOptions {
  /** Default 0.001. */
  learningRate?: OptimizerOptions['learningRate'];
  /** Decay of the moving average of g², in [0, 1); default 0.9. */
  rho?: number;
  /** TF.js name of rho (its `decay` argument). */
  decay?: number;
  /** Momentum in [0, 1]; default 0. */
  momentum?: number;
  /** Default 1e-7 (inside the square root). */
  epsilon?: number;
  /** Normalise by the variance estimate v − E[g]² instead of v; default false. */
  centered?: boolean;
}

/**
 * RMSprop (Keras 3): v ← ρv + (1−ρ)g²; p ← p − lr·g/√(v + ε) (centered: √(v − a² + ε), a the mean of g),
 * through a momentum accumulator when momentum > 0. Slots: velocity, then momentum, then average_gradient.
 */
export class RMSprop extends Optimizer {
  static override className = 'RMSprop';
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;

  constructor(opts: RMSpropOptions = {}) {
    super(opts, 0.001);
    const w = this.describe();
    this.rho = checkNumber(w, 'rho', opts.rho ?? opts.decay, 0, 1, true, 0.9);
    this.momentum = checkNumber(w, 'momentum', opts.momentum, 0, 1, false, 0);
    this.epsilon = checkNumber(w, 'epsilon', opts.epsilon, 0, Infinity, false, 1e-7);
    this.centered = opts.centered ?? false;
  }

  protected slotNames(): string[] {
    const names = ['velocity'];
    if (this.momentum > 0) names.push('momentum');
    if (this.centered) names.push('average_gradient');
    return names;
  }

  protected update(ctx: StepContext, p: FloatArray, g: GradArray, slots: FloatArray[]): { p: FloatArray; slots: FloatArray[] } {
    const useMom = this.momentum > 0;
    const mom = useMom ? slots[1] : null;
    const avg = this.centered ? slots[useMom ? 2 : 1] : null;
    const outP = allocLike(p);
    const outV = allocLike(p);
    const outMom = mom ? allocLike(p) : null;
    const outAvg = avg ? allocLike(p) : null;
    rmspropUpdate(p, g, slots[0], mom, avg, ctx.lr, this.rho, this.momentum, this.epsilon, ctx.decay, outP, outV, outMom, outAvg);
    const out = [outV];
    if (outMom) out.push(outMom);
    if (outAvg) out.push(outAvg);
    return { p: outP, slots: out };
  }

  override getConfig(): Config {
    return { ...super.getConfig(), rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered };
  }
}
