import { type FloatArray, type GradArray, adadeltaUpdate, adagradUpdate, allocLike } from './update-rules.js';
import { Optimizer, type OptimizerOptions, type StepContext, checkNumber } from './optimizer.js';
import type { Config } from './schedules.js';

export interface AdagradOptions extends OptimizerOptions {
  /** Default 0.001. */
  learningRate?: OptimizerOptions['learningRate'];
  /** Starting value of the accumulator (≥ 0); default 0.1. */
  initialAccumulatorValue?: number;
  /** Default 1e-7 (inside the square root). */
  epsilon?: number;
}

/** Adagrad (Keras 3): acc ← acc + g²; p ← p − lr·g/√(acc + ε). Slot: accumulator. */
export class Adagrad extends Optimizer {
  static override className = 'Adagrad';
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;

  constructor(opts: AdagradOptions = {}) {
    super(opts, 0.001);
    const w = this.describe();
    this.initialAccumulatorValue = checkNumber(w, 'initialAccumulatorValue', opts.initialAccumulatorValue, 0, Infinity, false, 0.1);
    this.epsilon = checkNumber(w, 'epsilon', opts.epsilon, 0, Infinity, false, 1e-7);
  }

  protected slotNames(): string[] {
    return ['accumulator'];
  }

  protected override slotInitialValue(): number {
    return this.initialAccumulatorValue;
  }

  protected update(ctx: StepContext, p: FloatArray, g: GradArray, slots: FloatArray[]): { p: FloatArray; slots: FloatArray[] } {
    const outP = allocLike(p);
    const outAcc = allocLike(p);
    adagradUpdate(p, g, slots[0], ctx.lr, this.epsilon, ctx.decay, outP, outAcc);
    return { p: outP, slots: [outAcc] };
  }

  override getConfig(): Config {
    return { ...super.getConfig(), initialAccumulatorValue: this.initialAccumulatorValue, epsilon: this.epsilon };
  }
}

export interface AdadeltaOptions extends OptimizerOptions {
  /** Default 0.001 (Keras 3). */
  learningRate?: OptimizerOptions['learningRate'];
  /** Decay of both moving averages, in [0, 1); default 0.95. */
  rho?: number;
  /** Default 1e-7. */
  epsilon?: number;
}

/**
 * Adadelta (Keras 3): Eg ← ρEg + (1−ρ)g²; Δ = −√(Ed + ε)·g/√(Eg + ε); Ed ← ρEd + (1−ρ)Δ²; p ← p + lr·Δ.
 * Slots: accumulated_grad, accumulated_delta_var.
 */
export class Adadelta extends Optimizer {
  static override className = 'Adadelta';
  readonly rho: number;
  readonly epsilon: number;

  constructor(opts: AdadeltaOptions = {}) {
    super(opts, 0.001);
    const w = this.describe();
    this.rho = checkNumber(w, 'rho', opts.rho, 0, 1, true, 0.95);
    this.epsilon = checkNumber(w, 'epsilon', opts.epsilon, 0, Infinity, false, 1e-7);
  }

  protected slotNames(): string[] {
    return ['accumulated_grad', 'accumulated_delta_var'];
  }

  protected update(ctx: StepContext, p: FloatArray, g: GradArray, slots: FloatArray[]): { p: FloatArray; slots: FloatArray[] } {
    const outP = allocLike(p);
    const outG = allocLike(p);
    const outD = allocLike(p);
    adadeltaUpdate(p, g, slots[0], slots[1], ctx.lr, this.rho, this.epsilon, ctx.decay, outP, outG, outD);
    return { p: outP, slots: [outG, outD] };
  }

  override getConfig(): Config {
    return { ...super.getConfig(), rho: this.rho, epsilon: this.epsilon };
  }
}
