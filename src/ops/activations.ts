// Piecewise activations: the ReLU family, ELU/SELU, hard sigmoid.
import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { broadcastShapes } from '../tensor/shape.js';
import { runOp } from './engine.js';
import { add, mul } from './arithmetic.js';
import { exp } from './unary.js';
import { sumToShape } from './broadcast-to.js';
import { assertNumber, constLike, derivative, mask } from './elementwise-util.js';
import { SELU_ALPHA, SELU_SCALE } from '../kernels/elementwise-kernels.js';

/**
 * max(x, 0) elementwise (int32 stays int32). Gradient 1 where x > 0, else 0.
 * @example st.relu(st.tensor([-1, 2])) // [0, 2]
 */
export function relu(x: TensorLike): Tensor {
  const $x = toTensor(x, 'relu', 'x');
  return runOp('Relu', [$x], (k) => k.unary('relu', $x), (dy) => [mul(dy, derivative('reluGrad', $x))]);
}

/**
 * min(max(x, 0), 6) elementwise. Gradient 1 where 0 < x ≤ 6, else 0 (as TensorFlow.js).
 * @example st.relu6(st.tensor([-1, 3, 9])) // [0, 3, 6]
 */
export function relu6(x: TensorLike): Tensor {
  const $x = toTensor(x, 'relu6', 'x');
  return runOp('Relu6', [$x], (k) => k.unary('relu6', $x), (dy) => [mul(dy, derivative('relu6Grad', $x))]);
}

/**
 * x where x > 0, alpha·x elsewhere.
 * @param alpha slope for x ≤ 0 (default 0.2, as TensorFlow.js).
 * @example st.leakyRelu(st.tensor([-1, 2]), 0.1) // [-0.1, 2]
 */
export function leakyRelu(x: TensorLike, alpha = 0.2): Tensor {
  const $x = toTensor(x, 'leakyRelu', 'x');
  const a = assertNumber('leakyRelu', 'alpha', alpha);
  return runOp('LeakyRelu', [$x], (k) => k.unary('leakyRelu', $x, a),
    (dy) => [mul(dy, derivative('leakyReluGrad', $x, a))]);
}

/**
 * Parametric ReLU: x where x > 0, alpha·x elsewhere, with a learned `alpha` that broadcasts
 * against x (e.g. one slope per channel, shape [C]). Differentiable in both x and alpha.
 * @example st.prelu(x, st.fill([x.shape.at(-1)!], 0.25))
 */
export function prelu(x: TensorLike, alpha: TensorLike): Tensor {
  const $x = toTensor(x, 'prelu', 'x');
  const $a = toTensor(alpha, 'prelu', 'alpha');
  broadcastShapes('prelu', $x.shape, $a.shape);
  return runOp('Prelu', [$x, $a], (k) => {
    const negPart = k.binary('minimum', $x, constLike($x, 0));
    return k.binary('add', k.unary('relu', $x), k.binary('mul', $a, negPart));
  }, (dy) => {
    const pos = mask('greater', $x, 0, dy);
    const neg = mask('lessEqual', $x, 0, dy);
    // dy/dx = 1 where x > 0, alpha elsewhere; dy/dalpha = x where x ≤ 0, 0 elsewhere.
    return [sumToShape(mul(dy, add(pos, mul($a, neg))), $x.shape), sumToShape(mul(dy, mul($x, neg)), $a.shape)];
  });
}

/**
 * Exponential linear unit: x where x > 0, alpha·(e^x − 1) elsewhere.
 * @param alpha scale of the negative part (default 1).
 * @example st.elu(st.tensor([-1, 2])) // [-0.632…, 2]
 */
export function elu(x: TensorLike, alpha = 1): Tensor {
  const $x = toTensor(x, 'elu', 'x');
  const a = assertNumber('elu', 'alpha', alpha);
  // The derivative is alpha·e^x for x ≤ 0, whose own derivative is the same again.
  const second = (t: Tensor): Tensor => mul(mask('lessEqual', t, 0, t), mul(exp(t), constLike(t, a)));
  return runOp('Elu', [$x], (k) => k.unary('elu', $x, a), (dy) => [mul(dy, derivative('eluGrad', $x, a, 0, second))]);
}

/**
 * Scaled ELU: scale·x where x > 0, scale·alpha·(e^x − 1) elsewhere, with
 * scale = 1.0507009873554805 and alpha = 1.6732632423543772 (self-normalising constants).
 * @example st.selu(st.tensor([-1, 1]))
 */
export function selu(x: TensorLike): Tensor {
  const $x = toTensor(x, 'selu', 'x');
  const second = (t: Tensor): Tensor => mul(mask('lessEqual', t, 0, t), mul(exp(t), constLike(t, SELU_SCALE * SELU_ALPHA)));
  return runOp('Selu', [$x], (k) => k.unary('selu', $x), (dy) => [mul(dy, derivative('seluGrad', $x, 0, 0, second))]);
}

/**
 * Piecewise-linear sigmoid.
 * @param form 'keras2' (default; TensorFlow.js and Keras 2 files): clip(0.2·x + 0.5, 0, 1);
 *   'keras3': clip(x/6 + 0.5, 0, 1) = relu6(x + 3)/6.
 * @example st.hardSigmoid(st.tensor([-3, 0, 1])) // [0, 0.5, 0.7]
 */
export function hardSigmoid(x: TensorLike, form: 'keras2' | 'keras3' = 'keras2'): Tensor {
  const $x = toTensor(x, 'hardSigmoid', 'x');
  if (form !== 'keras2' && form !== 'keras3') {
    throw new ConfigError(`hardSigmoid: form must be 'keras2' or 'keras3', got ${JSON.stringify(form)}`);
  }
  const op = form === 'keras2' ? 'hardSigmoid' : 'hardSigmoidKeras3';
  const grad = form === 'keras2' ? 'hardSigmoidGrad' : 'hardSigmoidKeras3Grad';
  return runOp('HardSigmoid', [$x], (k) => k.unary(op, $x), (dy) => [mul(dy, derivative(grad, $x))]);
}
