/**
 * Learning-rate schedules (Keras 3 formulas): functions of the optimizer step (0 on the first
 * update) usable as an optimizer's `learningRate`. `schedule.call(step)` gives the value.
 */
import { ConfigError } from '../errors.js';
import { toCamelCase, toSnakeCase, convertKeys } from '../utils/case.js';

export type Config = Record<string, unknown>;

/** Base class: a learning rate as a function of the step, with a Keras className and config. */
export abstract class LearningRateSchedule {
  static className: string;
  /** The learning rate at `step` (the number of updates done before this one). */
  abstract call(step: number): number;
  /** The options that rebuild this schedule (camelCase; serialisation converts the case). */
  abstract getConfig(): Config;
  get className(): string {
    return (this.constructor as typeof LearningRateSchedule).className;
  }
}

function num(where: string, name: string, v: unknown, def?: number): number {
  if (v === undefined || v === null) {
    if (def !== undefined) return def;
    throw new ConfigError(`${where}: ${name} is required`);
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(`${where}: ${name} must be a finite number, got ${JSON.stringify(v)}`);
  return v;
}
const nonNeg = (where: string, name: string, v: unknown, def?: number): number => {
  const x = num(where, name, v, def);
  if (x < 0) throw new ConfigError(`${where}: ${name} must be ≥ 0, got ${x}`);
  return x;
};
const positive = (where: string, name: string, v: unknown, def?: number): number => {
  const x = num(where, name, v, def);
  if (!(x > 0)) throw new ConfigError(`${where}: ${name} must be > 0, got ${x}`);
  return x;
};

export interface ExponentialDecayOptions {
  initialLearningRate: number;
  /** Steps per decay period (> 0). */
  decaySteps: number;
  /** Factor per period. */
  decayRate: number;
  /** Decay in whole periods (floor(step / decaySteps)); default false. */
  staircase?: boolean;
  name?: string;
}

/** initialLearningRate · decayRate^(step / decaySteps) (exponent floored when staircase). */
export class ExponentialDecay extends LearningRateSchedule {
  static override className = 'ExponentialDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly decayRate: number;
  readonly staircase: boolean;
  readonly name: string;
  constructor(opts: ExponentialDecayOptions) {
    super();
    const w = 'exponentialDecay';
    this.initialLearningRate = nonNeg(w, 'initialLearningRate', opts?.initialLearningRate);
    this.decaySteps = positive(w, 'decaySteps', opts.decaySteps);
    this.decayRate = num(w, 'decayRate', opts.decayRate);
    this.staircase = opts.staircase ?? false;
    this.name = opts.name ?? 'ExponentialDecay';
  }
  call(step: number): number {
    let p = step / this.decaySteps;
    if (this.staircase) p = Math.floor(p);
    return this.initialLearningRate * Math.pow(this.decayRate, p);
  }
  getConfig(): Config {
    return { initialLearningRate: this.initialLearningRate, decaySteps: this.decaySteps, decayRate: this.decayRate,
      staircase: this.staircase, name: this.name };
  }
}

export type InverseTimeDecayOptions = ExponentialDecayOptions;

/** initialLearningRate / (1 + decayRate · step / decaySteps) (ratio floored when staircase). */
export class InverseTimeDecay extends LearningRateSchedule {
  static override className = 'InverseTimeDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly decayRate: number;
  readonly staircase: boolean;
  readonly name: string;
  constructor(opts: InverseTimeDecayOptions) {
    super();
    const w = 'inverseTimeDecay';
    this.initialLearningRate = nonNeg(w, 'initialLearningRate', opts?.initialLearningRate);
    this.decaySteps = positive(w, 'decaySteps', opts.decaySteps);
    this.decayRate = nonNeg(w, 'decayRate', opts.decayRate);
    this.staircase = opts.staircase ?? false;
    this.name = opts.name ?? 'InverseTimeDecay';
  }
  call(step: number): number {
    let p = step / this.decaySteps;
    if (this.staircase) p = Math.floor(p);
    return this.initialLearningRate / (1 + this.decayRate * p);
  }
  getConfig(): Config {
    return { initialLearningRate: this.initialLearningRate, decaySteps: this.decaySteps, decayRate: this.decayRate,
      staircase: this.staircase, name: this.name };
  }
}

export interface PiecewiseConstantDecayOptions {
  /** Increasing step boundaries. */
  boundaries: number[];
  /** One more value than boundaries: values[0] while step ≤ boundaries[0], ..., the last after. */
  values: number[];
  name?: string;
}

/** values[i] for boundaries[i−1] < step ≤ boundaries[i]; values[0] up to the first, the last beyond. */
export class PiecewiseConstantDecay extends LearningRateSchedule {
  static override className = 'PiecewiseConstantDecay';
  readonly boundaries: number[];
  readonly values: number[];
  readonly name: string;
  constructor(opts: PiecewiseConstantDecayOptions) {
    super();
    const w = 'piecewiseConstantDecay';
    if (!opts || !Array.isArray(opts.boundaries) || !Array.isArray(opts.values)) {
      throw new ConfigError(`${w}: boundaries and values must be arrays of numbers`);
    }
    if (opts.values.length !== opts.boundaries.length + 1) {
      throw new ConfigError(`${w}: values must have one more entry than boundaries, got ${opts.values.length} values ` +
        `for ${opts.boundaries.length} boundaries`);
    }
    this.boundaries = opts.boundaries.map((b, i) => num(w, `boundaries[${i}]`, b));
    this.values = opts.values.map((v, i) => nonNeg(w, `values[${i}]`, v));
    for (let i = 1; i < this.boundaries.length; i++) {
      if (!(this.boundaries[i] > this.boundaries[i - 1])) {
        throw new ConfigError(`${w}: boundaries must increase, got ${JSON.stringify(this.boundaries)}`);
      }
    }
    this.name = opts.name ?? 'PiecewiseConstant';
  }
  call(step: number): number {
    for (let i = 0; i < this.boundaries.length; i++) if (step <= this.boundaries[i]) return this.values[i];
    return this.values[this.values.length - 1];
  }
  getConfig(): Config {
    return { boundaries: this.boundaries.slice(), values: this.values.slice(), name: this.name };
  }
}

export interface PolynomialDecayOptions {
  initialLearningRate: number;
  /** Steps to reach endLearningRate (> 0). */
  decaySteps: number;
  /** Default 0.0001. */
  endLearningRate?: number;
  /** Default 1 (linear). */
  power?: number;
  /** Restart beyond decaySteps, over the next multiple of decaySteps; default false. */
  cycle?: boolean;
  name?: string;
}

/** (initial − end)·(1 − step/decaySteps)^power + end, step capped at decaySteps (or cycled). */
export class PolynomialDecay extends LearningRateSchedule {
  static override className = 'PolynomialDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly endLearningRate: number;
  readonly power: number;
  readonly cycle: boolean;
  readonly name: string;
  constructor(opts: PolynomialDecayOptions) {
    super();
    const w = 'polynomialDecay';
    this.initialLearningRate = nonNeg(w, 'initialLearningRate', opts?.initialLearningRate);
    this.decaySteps = positive(w, 'decaySteps', opts.decaySteps);
    this.endLearningRate = nonNeg(w, 'endLearningRate', opts.endLearningRate, 0.0001);
    this.power = num(w, 'power', opts.power, 1);
    this.cycle = opts.cycle ?? false;
    this.name = opts.name ?? 'PolynomialDecay';
  }
  call(step: number): number {
    let steps = this.decaySteps;
    let s = step;
    if (this.cycle) steps *= s === 0 ? 1 : Math.ceil(s / this.decaySteps);
    else s = Math.min(s, steps);
    const p = s / steps;
    return (this.initialLearningRate - this.endLearningRate) * Math.pow(1 - p, this.power) + this.endLearningRate;
  }
  getConfig(): Config {
    return { initialLearningRate: this.initialLearningRate, decaySteps: this.decaySteps,
      endLearningRate: this.endLearningRate, power: this.power, cycle: this.cycle, name: this.name };
  }
}

export interface CosineDecayOptions {
  initialLearningRate: number;
  /** Steps of the cosine decay (> 0), after the warm-up. */
  decaySteps: number;
  /** Final rate as a fraction of the rate the decay starts from; default 0. */
  alpha?: number;
  /** Rate reached by a linear warm-up from initialLearningRate; default none (no warm-up). */
  warmupTarget?: number | null;
  /** Steps of the warm-up; default 0. */
  warmupSteps?: number;
  name?: string;
}

/**
 * Cosine decay with optional linear warm-up: while step < warmupSteps, initial + (target − initial)·step/warmupSteps;
 * then from = target (or initial without warm-up), d = min(step − warmupSteps, decaySteps),
 * from·((1 − alpha)·½(1 + cos(π·d/decaySteps)) + alpha).
 */
export class CosineDecay extends LearningRateSchedule {
  static override className = 'CosineDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly alpha: number;
  readonly warmupTarget: number | null;
  readonly warmupSteps: number;
  readonly name: string;
  constructor(opts: CosineDecayOptions) {
    super();
    const w = 'cosineDecay';
    this.initialLearningRate = nonNeg(w, 'initialLearningRate', opts?.initialLearningRate);
    this.decaySteps = positive(w, 'decaySteps', opts.decaySteps);
    this.alpha = nonNeg(w, 'alpha', opts.alpha, 0);
    this.warmupTarget = opts.warmupTarget === undefined || opts.warmupTarget === null ? null : nonNeg(w, 'warmupTarget', opts.warmupTarget);
    this.warmupSteps = nonNeg(w, 'warmupSteps', opts.warmupSteps, 0);
    this.name = opts.name ?? 'CosineDecay';
  }
  private decayed(step: number, from: number): number {
    const cosine = 0.5 * (1 + Math.cos(Math.PI * (step / this.decaySteps)));
    return from * ((1 - this.alpha) * cosine + this.alpha);
  }
  call(step: number): number {
    if (this.warmupTarget === null) return this.decayed(Math.min(step, this.decaySteps), this.initialLearningRate);
    const s = Math.min(step, this.decaySteps + this.warmupSteps);
    if (s < this.warmupSteps) {
      return (this.warmupTarget - this.initialLearningRate) * (s / this.warmupSteps) + this.initialLearningRate;
    }
    return this.decayed(s - this.warmupSteps, this.warmupTarget);
  }
  getConfig(): Config {
    return { initialLearningRate: this.initialLearningRate, decaySteps: this.decaySteps, alpha: this.alpha,
      name: this.name, warmupTarget: this.warmupTarget, warmupSteps: this.warmupSteps };
  }
}

export interface CosineDecayRestartsOptions {
  initialLearningRate: number;
  /** Length of the first period (> 0). */
  firstDecaySteps: number;
  /** Each period is tMul times longer than the last; default 2. */
  tMul?: number;
  /** Each restart starts mMul times lower; default 1. */
  mMul?: number;
  /** Final rate of a period as a fraction of its start; default 0. */
  alpha?: number;
  name?: string;
}

/** Cosine decay with warm restarts (SGDR), as Keras 3's CosineDecayRestarts. */
export class CosineDecayRestarts extends LearningRateSchedule {
  static override className = 'CosineDecayRestarts';
  readonly initialLearningRate: number;
  readonly firstDecaySteps: number;
  readonly tMul: number;
  readonly mMul: number;
  readonly alpha: number;
  readonly name: string;
  constructor(opts: CosineDecayRestartsOptions) {
    super();
    const w = 'cosineDecayRestarts';
    this.initialLearningRate = nonNeg(w, 'initialLearningRate', opts?.initialLearningRate);
    this.firstDecaySteps = positive(w, 'firstDecaySteps', opts.firstDecaySteps);
    this.tMul = positive(w, 'tMul', opts.tMul, 2);
    this.mMul = nonNeg(w, 'mMul', opts.mMul, 1);
    this.alpha = nonNeg(w, 'alpha', opts.alpha, 0);
    this.name = opts.name ?? 'SGDRDecay';
  }
  call(step: number): number {
    let fraction = step / this.firstDecaySteps;
    let restart: number;
    if (this.tMul === 1) {
      restart = Math.floor(fraction);
      fraction -= restart;
    } else {
      restart = Math.floor(Math.log(1 - fraction * (1 - this.tMul)) / Math.log(this.tMul));
      const done = (1 - Math.pow(this.tMul, restart)) / (1 - this.tMul);
      fraction = (fraction - done) / Math.pow(this.tMul, restart);
    }
    const mFac = Math.pow(this.mMul, restart);
    const cosine = 0.5 * mFac * (1 + Math.cos(Math.PI * fraction));
    return this.initialLearningRate * ((1 - this.alpha) * cosine + this.alpha);
  }
  getConfig(): Config {
    return { initialLearningRate: this.initialLearningRate, firstDecaySteps: this.firstDecaySteps, tMul: this.tMul,
      mMul: this.mMul, alpha: this.alpha, name: this.name };
  }
}

/** Exponential decay. @example st.optimizers.schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 1000, decayRate: 0.96 }) */
export const exponentialDecay = (opts: ExponentialDecayOptions): ExponentialDecay => new ExponentialDecay(opts);
/** Inverse-time decay. @example st.optimizers.schedules.inverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5 }) */
export const inverseTimeDecay = (opts: InverseTimeDecayOptions): InverseTimeDecay => new InverseTimeDecay(opts);
/** Piecewise constant. @example st.optimizers.schedules.piecewiseConstantDecay({ boundaries: [100, 200], values: [1, 0.5, 0.1] }) */
export const piecewiseConstantDecay = (opts: PiecewiseConstantDecayOptions): PiecewiseConstantDecay => new PiecewiseConstantDecay(opts);
/** Polynomial decay. @example st.optimizers.schedules.polynomialDecay({ initialLearningRate: 0.1, decaySteps: 1000, power: 0.5 }) */
export const polynomialDecay = (opts: PolynomialDecayOptions): PolynomialDecay => new PolynomialDecay(opts);
/** Cosine decay with optional warm-up. @example st.optimizers.schedules.cosineDecay({ initialLearningRate: 0, decaySteps: 1000, warmupTarget: 0.1, warmupSteps: 100 }) */
export const cosineDecay = (opts: CosineDecayOptions): CosineDecay => new CosineDecay(opts);
/** Cosine decay with warm restarts. @example st.optimizers.schedules.cosineDecayRestarts({ initialLearningRate: 0.1, firstDecaySteps: 100 }) */
export const cosineDecayRestarts = (opts: CosineDecayRestartsOptions): CosineDecayRestarts => new CosineDecayRestarts(opts);

type ScheduleClass = { className: string; new (opts: never): LearningRateSchedule };
const CLASSES = [ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, PolynomialDecay, CosineDecay,
  CosineDecayRestarts] as unknown as ScheduleClass[];
const BY_NAME = new Map<string, ScheduleClass>(CLASSES.map((C) => [C.className.toLowerCase(), C]));

/**
 * Builds a schedule from its Keras JSON `{ class_name, config }` (snake_case or camelCase keys),
 * or returns the instance given.
 */
export function deserialize(obj: LearningRateSchedule | { class_name?: string; className?: string; config?: Config }): LearningRateSchedule {
  if (obj instanceof LearningRateSchedule) return obj;
  const name = obj?.class_name ?? obj?.className;
  if (typeof name !== 'string') throw new ConfigError(`schedules.deserialize: expected { class_name, config }, got ${JSON.stringify(obj)}`);
  const C = BY_NAME.get(name.replace(/_/g, '').toLowerCase());
  if (!C) {
    throw new ConfigError(`schedules.deserialize: unknown learning-rate schedule '${name}'; known: ${CLASSES.map((c) => c.className).join(', ')}`);
  }
  return new C(convertKeys(obj.config ?? {}, toCamelCase) as never);
}

/** The Keras JSON of a schedule: `{ module, class_name, config, registered_name }`, snake_case keys. */
export function serialize(schedule: LearningRateSchedule): { module: string; class_name: string; config: Config; registered_name: null } {
  return {
    module: 'keras.optimizers.schedules', class_name: schedule.className,
    config: convertKeys(schedule.getConfig(), toSnakeCase) as Config, registered_name: null,
  };
}
