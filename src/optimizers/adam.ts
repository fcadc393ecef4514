import { type FloatArray, type GradArray, adamaxUpdate, allocLike, nadamUpdate } from './update-rules.js';
import { kernels } from '../kernels/registry.js';
import { Optimizer, type OptimizerOptions, type StepContext, checkNumber } from './optimizer.js';
import type { Config } from './schedules.js';
import { ConfigError } from '../errors.js';

export interface AdamOptions extends OptimizerOptions {
  /** Default 0.001. */
  learningRate?: OptimizerOptions['learningRate'];
  /** Decay of the first-moment average, in [0, 1); default 0.9. */
  beta1?: number;
  /** Decay of the second-moment average, in [0, 1); default 0.999. */
  beta2?: number;
  /** Default 1e-7 ("epsilon hat", added to √v). */
  epsilon?: number;
  /** Use the running maximum of v (AMSGrad); default false. */
  amsgrad?: boolean;
}

function betas(where: string, opts: AdamOptions): [number, number, number] {
  return [
    checkNumber(where, 'beta1', opts.beta1, 0, 1, true, 0.9),
    checkNumber(where, 'beta2', opts.beta2, 0, 1, true, 0.999),
    checkNumber(where, 'epsilon', opts.epsilon, 0, Infinity, false, 1e-7),
  ];
}

/**
 * Adam (Keras 3): m, v moving averages of g and g²; p ← p − lr·√(1−β2ᵗ)/(1−β1ᵗ)·m / (√v + ε).
 * Slots per variable: momentum, velocity (and velocityHat with amsgrad).
 */
export class Adam extends Optimizer {
  static override className = 'Adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly amsgrad: boolean;

  constructor(opts: AdamOptions = {}) {
    super(opts, 0.001);
    [this.beta1, this.beta2, this.epsilon] = betas(this.describe(), opts);
    this.amsgrad = opts.amsgrad ?? false;
  }

  protected slotNames(): string[] {
    return this.amsgrad ? ['momentum', 'velocity', 'velocity_hat'] : ['momentum', 'velocity'];
  }

  /** The ε added to √v at step t (Keras: ε itself; TF.js's `tf.train.adam` adds ε to √v̂ instead, see compat/train.ts). */
  protected epsilonAt(_t: number): number {
    return this.epsilon;
  }

  protected update(ctx: StepContext, p: FloatArray, g: GradArray, slots: FloatArray[]): { p: FloatArray; slots: FloatArray[] } {
    const t = ctx.iteration + 1;
    const alpha = (ctx.lr * Math.sqrt(1 - Math.pow(this.beta2, t))) / (1 - Math.pow(this.beta1, t));
    const outP = allocLike(p);
    const outM = this.slotOutput(slots[0]);
    const outV = this.slotOutput(slots[1]);
    const outVHat = this.amsgrad ? this.slotOutput(slots[2]) : null;
    kernels().adamUpdate(p, g, slots[0], slots[1], this.amsgrad ? slots[2] : null, alpha, this.beta1, this.beta2,
      this.epsilonAt(t), ctx.decay, outP, outM, outV, outVHat);
    return { p: outP, slots: outVHat ? [outM, outV, outVHat] : [outM, outV] };
  }

  override getConfig(): Config {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, amsgrad: this.amsgrad };
  }
}

export interface AdamWOptions extends AdamOptions {
  /** Decoupled weight decay; default 0.004. */
  weightDecay?: number;
}

/** Adam with decoupled weight decay (Keras 3 AdamW): p ← p − p·weightDecay·lr, then the Adam step. */
export class AdamW extends Adam {
  static override className = 'AdamW';
  constructor(opts: AdamWOptions = {}) {
    if (opts.weightDecay === null) {
      throw new ConfigError('AdamW: weightDecay must be a number (default 0.004); use Adam for no weight decay');
    }
    super({ ...opts, weightDecay: opts.weightDecay ?? 0.004 });
  }
}

export interface AdamaxOptions extends OptimizerOptions {
  /** Default 0.001. */
  learningRate?: OptimizerOptions['learningRate'];
  /** Default 0.9. */
  beta1?: number;
  /** Decay of the infinity norm; default 0.999. */
  beta2?: number;
  /** Default 1e-7. */
  epsilon?: number;
}

/** Adamax (Keras 3): u ← max(β2·u, |g|); p ← p − lr·m / ((1 − β1ᵗ)(u + ε)). Slots: momentum, norm. */
export class Adamax extends Optimizer {
  static override className = 'Adamax';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor(opts: AdamaxOptions = {}) {
    super(opts, 0.001);
    [this.beta1, this.beta2, this.epsilon] = betas(this.describe(), opts);
  }

  protected slotNames(): string[] {
    return ['momentum', 'norm'];
  }

  protected update(ctx: StepContext, p: FloatArray, g: GradArray, slots: FloatArray[]): { p: FloatArray; slots: FloatArray[] } {
    const bias1 = 1 - Math.pow(this.beta1, ctx.iteration + 1);
    const outP = allocLike(p);
    const outM = allocLike(p);
    const outU = allocLike(p);
    adamaxUpdate(p, g, slots[0], slots[1], ctx.lr, this.beta1, this.beta2, this.epsilon, bias1, ctx.decay, outP, outM, outU);
    return { p: outP, slots: [outM, outU] };
  }

  override getConfig(): Config {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

export type NadamOptions = AdamaxOptions;

/**
 * Nadam (Keras 3): Adam with Nesterov momentum and the momentum schedule u_t = β1·(1 − ½·0.96ᵗ).
 * Slots: momentum, velocity. The product of the u_t is derived from `iterations`, so it needs no slot.
 */
export class Nadam extends Optimizer {
  static override className = 'Nadam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  // Π u_1..u_t after `iterations` updates (Keras' _u_product).
  private uProduct = 1;
  private uProductStep = 0;

  constructor(opts: NadamOptions = {}) {
    super(opts, 0.001);
    [this.beta1, this.beta2, this.epsilon] = betas(this.describe(), opts);
  }

  private u(t: number): number {
    return this.beta1 * (1 - 0.5 * Math.pow(0.96, t));
  }

  protected slotNames(): string[] {
    return ['momentum', 'velocity'];
  }

  protected override onIterationsSet(): void {
    this.uProduct = 1;
    for (let t = 1; t <= this.iterations; t++) this.uProduct *= this.u(t);
    this.uProductStep = this.iterations;
  }

  protected override prepareStep(ctx: StepContext): void {
    if (this.uProductStep !== ctx.iteration) this.onIterationsSet();
    this.uProduct *= this.u(ctx.iteration + 1);
    this.uProductStep = ctx.iteration + 1;
  }

  protected update(ctx: StepContext, p: FloatArray, g: GradArray, slots: FloatArray[]): { p: FloatArray; slots: FloatArray[] } {
    const t = ctx.iteration + 1;
    const u = this.u(t);
    const uNext = this.u(t + 1);
    const bias2 = 1 - Math.pow(this.beta2, t);
    const outP = allocLike(p);
    const outM = allocLike(p);
    const outV = allocLike(p);
    nadamUpdate(p, g, slots[0], slots[1], ctx.lr, this.beta1, this.beta2, this.epsilon, u, uNext, this.uProduct,
      this.uProduct * uNext, bias2, ctx.decay, outP, outM, outV);
    return { p: outP, slots: [outM, outV] };
  }

  override getConfig(): Config {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}
