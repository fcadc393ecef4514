import { type FloatArray, type GradArray, allocLike, sgdMomentumUpdate, sgdUpdate } from './update-rules.js';
import { Optimizer, type OptimizerOptions, type StepContext, checkNumber } from './optimizer.js';
import type { Config } from './schedules.js';

export interface SGDOptions extends OptimizerOptions {
  /** Default 0.01. */
  learningRate?: OptimizerOptions['learningRate'];
  /** Momentum in [0, 1]; default 0 (plain gradient descent). */
  momentum?: number;
  /** Nesterov momentum; default false. */
  nesterov?: boolean;
  /** TF.js spelling of nesterov. */
  useNesterov?: boolean;
}

/**
 * Gradient descent with optional (Nesterov) momentum, Keras 3 form:
 * m ← momentum·m − lr·g; p ← p + m (Nesterov: p ← p + momentum·m − lr·g).
 */
export class SGD extends Optimizer {
  static override className = 'SGD';
  readonly momentum: number;
  readonly nesterov: boolean;

  constructor(opts: SGDOptions = {}) {
    super(opts, 0.01);
    this.momentum = checkNumber('SGD', 'momentum', opts.momentum, 0, 1, false, 0);
    this.nesterov = opts.nesterov ?? opts.useNesterov ?? false;
  }

  protected slotNames(): string[] {
    return this.momentum !== 0 ? ['momentum'] : [];
  }

  protected update(ctx: StepContext, p: FloatArray, g: GradArray, slots: FloatArray[]): { p: FloatArray; slots: FloatArray[] } {
    const outP = allocLike(p);
    if (this.momentum === 0) {
      sgdUpdate(p, g, ctx.lr, ctx.decay, outP);
      return { p: outP, slots: [] };
    }
    const outM = allocLike(p);
    sgdMomentumUpdate(p, g, slots[0], ctx.lr, this.momentum, this.nesterov, ctx.decay, outP, outM);
    return { p: outP, slots: [outM] };
  }

  override getConfig(): Config {
    return { ...super.getConfig(), momentum: this.momentum, nesterov: this.nesterov };
  }
}
