/**
 * `tf.train`: TensorFlow.js's optimizer factories with its positional arguments and defaults,
 * over Strata's optimizers (st.optimizers). The update rules are the ones of `tf.train.*` in
 * TF.js 4.22, with two exceptions where TF.js departs from TensorFlow and Keras (see below).
 * @example
 * import * as tf from 'strata';
 * const opt = tf.train.adam(0.01);
 * const cost = opt.minimize(() => tf.mean(tf.square(tf.sub(tf.matmul(x, w), y))), true); // trains w
 */
import { ConfigError } from '../errors.js';
import { Adam } from '../optimizers/adam.js';
import type { SGD } from '../optimizers/sgd.js';
import type { Adamax, RMSprop, Adagrad, Adadelta } from '../optimizers/index.js';
import * as optimizers from '../optimizers/index.js';

/** TF.js's epsilon when none is given: the float32 backend epsilon. */
const BACKEND_EPSILON = 1e-7;

function rate(where: string, lr: unknown, def?: number): number {
  if (lr === undefined || lr === null) {
    if (def !== undefined) return def;
    throw new ConfigError(`${where}: learningRate (the first argument) is required, e.g. ${where}(0.01)`);
  }
  if (typeof lr !== 'number') {
    throw new ConfigError(`${where}: expected a learning rate number as the first argument (TF.js positional form), got ` +
      `${JSON.stringify(lr)}; for an options object use st.optimizers.${where.split('.').pop()}({...})`);
  }
  return lr;
}

/**
 * Adam with TF.js's update: p ← p − lr·m̂ / (√v̂ + ε), m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ).
 * Keras adds ε to √v instead; that equals ε·√(1 − β2ᵗ) added to √v here, so the same kernel serves both.
 */
export class TfjsAdam extends Adam {
  protected override epsilonAt(t: number): number {
    return this.epsilon * Math.sqrt(1 - Math.pow(this.beta2, t));
  }
}

/**
 * Plain gradient descent, `tf.train.sgd(learningRate)`: p ← p − lr·g.
 * @example const opt = tf.train.sgd(0.1);
 */
export function sgd(learningRate: number): SGD {
  return optimizers.sgd({ learningRate: rate('train.sgd', learningRate) });
}

/**
 * Momentum SGD, `tf.train.momentum(learningRate, momentum, useNesterov = false)`:
 * a ← momentum·a + g; p ← p − lr·a (Nesterov: p ← p − lr·(g + momentum·a)).
 * @example const opt = tf.train.momentum(0.01, 0.9, true);
 */
export function momentum(learningRate: number, momentumValue: number, useNesterov = false): SGD {
  if (typeof momentumValue !== 'number') {
    throw new ConfigError(`train.momentum: momentum (the second argument) must be a number, got ${JSON.stringify(momentumValue)}`);
  }
  return optimizers.momentum(rate('train.momentum', learningRate), momentumValue, useNesterov);
}

/**
 * Adam, `tf.train.adam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7)`, with TF.js's
 * placement of epsilon (added to the bias-corrected √v̂; Keras and st.optimizers.adam add it to √v).
 * @example const opt = tf.train.adam(1e-3, 0.5);
 */
export function adam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null): Adam {
  return new TfjsAdam({ learningRate: rate('train.adam', learningRate, 0.001), beta1, beta2, epsilon: epsilon ?? BACKEND_EPSILON });
}

/**
 * Adagrad, `tf.train.adagrad(learningRate, initialAccumulatorValue = 0.1)`: acc ← acc + g²; p ← p − lr·g/√(acc + 1e-7).
 * @example const opt = tf.train.adagrad(0.1);
 */
export function adagrad(learningRate: number, initialAccumulatorValue = 0.1): Adagrad {
  return optimizers.adagrad(rate('train.adagrad', learningRate), initialAccumulatorValue);
}

/**
 * Adadelta, `tf.train.adadelta(learningRate = 0.001, rho = 0.95, epsilon = 1e-7)`.
 * The step divides by √(E[g²] + ε) with E[g²] already updated by this step's gradient, as TensorFlow
 * and Keras do; TF.js 4.22 divides by the value from before the update (a departure we do not copy).
 * @example const opt = tf.train.adadelta(1.0);
 */
export function adadelta(learningRate = 0.001, rho = 0.95, epsilon: number | null = null): Adadelta {
  return optimizers.adadelta(rate('train.adadelta', learningRate, 0.001), rho, epsilon ?? BACKEND_EPSILON);
}

/**
 * Adamax, `tf.train.adamax(learningRate = 0.002, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7, decay = 0)`:
 * u ← max(β2·u, |g|); p ← p − lrₜ·m / ((1 − β1ᵗ)(u + ε)), lrₜ = lr / (1 + decay·iterations).
 * @example const opt = tf.train.adamax(0.002);
 */
export function adamax(learningRate = 0.002, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null, decay = 0): Adamax {
  return optimizers.adamax(rate('train.adamax', learningRate, 0.002), beta1, beta2, epsilon ?? BACKEND_EPSILON, decay);
}

/**
 * RMSprop, `tf.train.rmsprop(learningRate, decay = 0.9, momentum = 0, epsilon = 1e-7, centered = false)`:
 * ms ← decay·ms + (1 − decay)·g²; mom ← momentum·mom + lr·g/√(ms + ε); p ← p − mom.
 * Centered, the denominator is √(ms − mg² + ε) as in TensorFlow and Keras (TF.js 4.22 writes
 * √(ms − mg² − ε), a sign slip we do not copy).
 * @example const opt = tf.train.rmsprop(0.01, 0.95, 0.9);
 */
export function rmsprop(learningRate: number, decay = 0.9, momentumValue = 0, epsilon: number | null = null, centered = false): RMSprop {
  return optimizers.rmsprop(rate('train.rmsprop', learningRate), decay, momentumValue, epsilon ?? BACKEND_EPSILON, centered);
}
