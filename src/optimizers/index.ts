/**
 * Optimizers (Keras 3 semantics and defaults) and learning-rate schedules.
 * @example
 * const opt = st.optimizers.adam({ learningRate: 0.01, clipNorm: 1 });
 * for (let i = 0; i < 100; i++) opt.minimize(() => st.mean(st.square(st.sub(st.matmul(x, w), y))), [w]);
 */
import { ConfigError } from '../errors.js';
import { toCamelCase, toSnakeCase, convertKeys } from '../utils/case.js';
import { Optimizer, type OptimizerOptions, type LearningRate, type StepContext } from './optimizer.js';
import { SGD, type SGDOptions } from './sgd.js';
import { Adam, AdamW, Adamax, Nadam, type AdamOptions, type AdamWOptions, type AdamaxOptions, type NadamOptions } from './adam.js';
import { RMSprop, type RMSpropOptions } from './rmsprop.js';
import { Adagrad, Adadelta, type AdagradOptions, type AdadeltaOptions } from './adagrad.js';
import { LearningRateSchedule, InverseTimeDecay, type Config, deserialize as deserializeSchedule,
  serialize as serializeSchedule } from './schedules.js';

export { Optimizer, type OptimizerOptions, type LearningRate, type StepContext };
export { SGD, Adam, AdamW, Adamax, Nadam, RMSprop, Adagrad, Adadelta, LearningRateSchedule };
export type { SGDOptions, AdamOptions, AdamWOptions, AdamaxOptions, NadamOptions, RMSpropOptions, AdagradOptions, AdadeltaOptions };
export * as schedules from './schedules.js';

type Opt = number | null | undefined;
const isOpts = (x: unknown): boolean => x === undefined || (x !== null && typeof x === 'object');

/**
 * Stochastic gradient descent (learningRate 0.01, momentum 0, nesterov false). `sgd(0.1)` as TF.js.
 * @example st.optimizers.sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true })
 */
export function sgd(opts: SGDOptions | number = {}): SGD {
  return new SGD(isOpts(opts) ? (opts as SGDOptions) : { learningRate: opts as number });
}

/** TF.js `tf.train.momentum(learningRate, momentum, useNesterov)`: SGD with momentum. */
export function momentum(learningRate: number, momentumValue: number, useNesterov = false): SGD {
  return new SGD({ learningRate, momentum: momentumValue, nesterov: useNesterov });
}

/**
 * Adam (learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7, amsgrad false).
 * TF.js positional form `adam(learningRate, beta1, beta2, epsilon)` works too.
 * @example st.optimizers.adam({ learningRate: 3e-4, amsgrad: true })
 */
export function adam(opts: AdamOptions | number = {}, beta1?: Opt, beta2?: Opt, epsilon?: Opt): Adam {
  if (isOpts(opts)) return new Adam(opts as AdamOptions);
  return new Adam({ learningRate: opts as number, beta1: beta1 ?? undefined, beta2: beta2 ?? undefined, epsilon: epsilon ?? undefined });
}

/** AdamW: Adam with decoupled weight decay (weightDecay 0.004). @example st.optimizers.adamw({ learningRate: 1e-3, weightDecay: 0.01 }) */
export function adamw(opts: AdamWOptions = {}): AdamW {
  return new AdamW(opts);
}

/**
 * Adamax (learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7). TF.js positional form
 * `adamax(learningRate, beta1, beta2, epsilon, decay)`: decay > 0 becomes an inverseTimeDecay schedule.
 * @example st.optimizers.adamax({ learningRate: 0.002 })
 */
export function adamax(opts: AdamaxOptions | number = {}, beta1?: Opt, beta2?: Opt, epsilon?: Opt, decay?: Opt): Adamax {
  if (isOpts(opts)) return new Adamax(opts as AdamaxOptions);
  const lr = opts as number;
  const learningRate = decay ? new InverseTimeDecay({ initialLearningRate: lr, decaySteps: 1, decayRate: decay }) : lr;
  return new Adamax({ learningRate, beta1: beta1 ?? undefined, beta2: beta2 ?? undefined, epsilon: epsilon ?? undefined });
}

/** Nadam (learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7). @example st.optimizers.nadam({ learningRate: 0.002 }) */
export function nadam(opts: NadamOptions | number = {}): Nadam {
  return new Nadam(isOpts(opts) ? (opts as NadamOptions) : { learningRate: opts as number });
}

/**
 * RMSprop (learningRate 0.001, rho 0.9, momentum 0, epsilon 1e-7, centered false). TF.js positional
 * form `rmsprop(learningRate, decay, momentum, epsilon, centered)` (decay is rho).
 * @example st.optimizers.rmsprop({ learningRate: 0.01, centered: true })
 */
export function rmsprop(opts: RMSpropOptions | number = {}, decay?: Opt, momentumValue?: Opt, epsilon?: Opt, centered?: boolean): RMSprop {
  if (isOpts(opts)) return new RMSprop(opts as RMSpropOptions);
  return new RMSprop({ learningRate: opts as number, rho: decay ?? undefined, momentum: momentumValue ?? undefined,
    epsilon: epsilon ?? undefined, centered });
}

/**
 * Adagrad (learningRate 0.001, initialAccumulatorValue 0.1, epsilon 1e-7). TF.js form
 * `adagrad(learningRate, initialAccumulatorValue)`.
 * @example st.optimizers.adagrad({ learningRate: 0.1 })
 */
export function adagrad(opts: AdagradOptions | number = {}, initialAccumulatorValue?: Opt): Adagrad {
  if (isOpts(opts)) return new Adagrad(opts as AdagradOptions);
  return new Adagrad({ learningRate: opts as number, initialAccumulatorValue: initialAccumulatorValue ?? undefined });
}

/**
 * Adadelta (learningRate 0.001, rho 0.95, epsilon 1e-7). TF.js form `adadelta(learningRate, rho, epsilon)`.
 * @example st.optimizers.adadelta({ learningRate: 1 })
 */
export function adadelta(opts: AdadeltaOptions | number = {}, rho?: Opt, epsilon?: Opt): Adadelta {
  if (isOpts(opts)) return new Adadelta(opts as AdadeltaOptions);
  return new Adadelta({ learningRate: opts as number, rho: rho ?? undefined, epsilon: epsilon ?? undefined });
}

type OptimizerClass = { className: string; new (opts: never): Optimizer };
const CLASSES = [SGD, Adam, AdamW, Adamax, Nadam, RMSprop, Adagrad, Adadelta] as unknown as OptimizerClass[];
const BY_NAME = new Map<string, OptimizerClass>(CLASSES.map((C) => [C.className.toLowerCase(), C]));

/** The names `get` accepts. */
export const OPTIMIZER_NAMES = ['sgd', 'adam', 'adamw', 'adamax', 'nadam', 'rmsprop', 'adagrad', 'adadelta'];

function classFor(name: string, where: string): OptimizerClass {
  const key = name.replace(/[_-]/g, '').toLowerCase();
  const C = key === 'momentum' ? (SGD as unknown as OptimizerClass) : BY_NAME.get(key);
  if (!C) throw new ConfigError(`${where}: unknown optimizer '${name}'; known: ${OPTIMIZER_NAMES.join(', ')}`);
  return C;
}

// Keys of Keras/TF.js optimizer configs that configure nothing here (or are off by default).
const IGNORED = new Set(['name', 'decay', 'jitCompile', 'isLegacyOptimizer', 'useEma', 'emaMomentum',
  'emaOverwriteFrequency', 'lossScaleFactor', 'gradientAccumulationSteps']);

/** Builds an optimizer from Keras/TF.js JSON `{ class_name, config }` (snake_case or camelCase keys). */
export function deserialize(obj: { class_name?: string; className?: string; config?: Config }, where = 'optimizers.deserialize'): Optimizer {
  const name = obj?.class_name ?? obj?.className;
  if (typeof name !== 'string') throw new ConfigError(`${where}: expected { class_name, config }, got ${JSON.stringify(obj)}`);
  const C = classFor(name, where);
  const raw = convertKeys(obj.config ?? {}, toCamelCase) as Config;
  if (raw.useEma === true) throw new ConfigError(`${where}: use_ema (weight moving averages) is not supported`);
  for (const k of ['gradientAccumulationSteps', 'lossScaleFactor']) {
    if (raw[k] !== null && raw[k] !== undefined) throw new ConfigError(`${where}: ${toSnakeCase(k)} is not supported`);
  }
  const opts: Config = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === null || v === undefined) continue;
    if (k === 'name' && typeof v === 'string') opts.name = v;
    if (IGNORED.has(k)) continue;
    opts[k] = v;
  }
  // Keras 2 wrote `lr`; TF.js RMSProp's `decay` is rho, and its Momentum writes `useNesterov`.
  if (opts.learningRate === undefined && raw.lr !== undefined) opts.learningRate = raw.lr;
  delete opts.lr;
  if (C === RMSprop as unknown as OptimizerClass && opts.rho === undefined && typeof raw.decay === 'number') opts.rho = raw.decay;
  const lr = opts.learningRate;
  if (lr && typeof lr === 'object') opts.learningRate = deserializeSchedule(lr as Config);
  return new C(opts as never);
}

/** An optimizer given by name, Keras/TF.js JSON, or an instance. */
export type OptimizerIdentifier = string | Optimizer | { class_name?: string; className?: string; config?: Config };

/**
 * Resolves an optimizer: a name as Keras or TF.js spells it ('adam', 'Adam', 'rmsprop', 'RMSProp', 'sgd'),
 * `{ class_name, config }`, or an Optimizer (returned as is).
 * @example model.compile({ optimizer: st.optimizers.get('adam'), loss: 'mse' })
 */
export function get(id: OptimizerIdentifier, where = 'optimizer'): Optimizer {
  if (id instanceof Optimizer) return id;
  if (typeof id === 'string') return new (classFor(id, where))({} as never);
  if (id && typeof id === 'object') return deserialize(id, where);
  throw new ConfigError(`${where}: expected an optimizer name, { class_name, config } or an Optimizer, got ${JSON.stringify(id)}`);
}

// camelCase keys whose Keras spelling toSnakeCase cannot produce.
const KERAS_KEYS: Record<string, string> = { beta1: 'beta_1', beta2: 'beta_2' };

/**
 * The Keras JSON of an optimizer, `{ class_name, config }` with Keras 3 snake_case keys
 * (`learning_rate`, `beta_1`, `global_clipnorm`; a schedule as its own Keras JSON). TF.js reads it too.
 */
export function serialize(opt: Optimizer): { class_name: string; config: Config } {
  const config: Config = {};
  for (const [k, v] of Object.entries(opt.getConfig())) {
    config[KERAS_KEYS[k] ?? toSnakeCase(k)] = v instanceof LearningRateSchedule ? serializeSchedule(v) : v;
  }
  return { class_name: opt.className, config };
}
