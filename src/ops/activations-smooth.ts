// Smooth activations: sigmoid, tanh and the softplus / swish / GELU / mish family.
import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { GELU_C, GELU_K } from '../kernels/elementwise-kernels.js';
import { runOp } from './engine.js';
import { add, div, mul, neg, sub } from './arithmetic.js';
import { abs, exp, square } from './unary.js';
import { constLike, derivative } from './elementwise-util.js';

/**
 * 1 / (1 + e^(−x)) elementwise, stable for large |x|.
 * @example st.sigmoid(st.tensor([0])) // [0.5]
 */
export function sigmoid(x: TensorLike): Tensor {
  const $x = toTensor(x, 'sigmoid', 'x');
  return runOp('Sigmoid', [$x], (k) => k.unary('sigmoid', $x),
    (dy, y) => [mul(dy, mul(y, sub(constLike(y, 1), y)))]);
}

/**
 * Hyperbolic tangent elementwise.
 * @example st.tanh(st.tensor([0, 1])) // [0, 0.7616…]
 */
export function tanh(x: TensorLike): Tensor {
  const $x = toTensor(x, 'tanh', 'x');
  return runOp('Tanh', [$x], (k) => k.unary('tanh', $x), (dy, y) => [mul(dy, sub(constLike(y, 1), square(y)))]);
}

/**
 * log(1 + e^x) elementwise, computed as max(x, 0) + log1p(e^(−|x|)) so it never overflows.
 * @example st.softplus(st.tensor([0])) // [0.693…]
 */
export function softplus(x: TensorLike): Tensor {
  const $x = toTensor(x, 'softplus', 'x');
  return runOp('Softplus', [$x], (k) => k.unary('softplus', $x), (dy) => [mul(dy, sigmoid($x))]);
}

/**
 * log(sigmoid(x)) = −softplus(−x) elementwise, stable for large |x|.
 * @example st.logSigmoid(st.tensor([0])) // [-0.693…]
 */
export function logSigmoid(x: TensorLike): Tensor {
  return neg(softplus(neg(toTensor(x, 'logSigmoid', 'x'))));
}

/**
 * x / (1 + |x|) elementwise.
 * @example st.softsign(st.tensor([1])) // [0.5]
 */
export function softsign(x: TensorLike): Tensor {
  const $x = toTensor(x, 'softsign', 'x');
  return runOp('Softsign', [$x], (k) => k.unary('softsign', $x),
    (dy) => [div(dy, square(add(abs($x), constLike($x, 1))))]);
}

/**
 * Swish / SiLU: x·sigmoid(x) elementwise.
 * @example st.swish(st.tensor([1])) // [0.731…]
 */
export function swish(x: TensorLike): Tensor {
  const $x = toTensor(x, 'swish', 'x');
  // swish'' = s(1 − s)(2 + x(1 − 2s)), s = sigmoid(x)
  const second = (t: Tensor): Tensor => {
    const s = sigmoid(t);
    const one = constLike(t, 1);
    return mul(mul(s, sub(one, s)), add(constLike(t, 2), mul(t, sub(one, mul(s, constLike(t, 2))))));
  };
  return runOp('Swish', [$x], (k) => k.unary('swish', $x), (dy) => [mul(dy, derivative('swishGrad', $x, 0, 0, second))]);
}

/**
 * SiLU, the same function as {@link swish}: x·sigmoid(x).
 * @example st.silu(x)
 */
export const silu = swish;

/**
 * Gaussian error linear unit.
 * @param approximate false (default): exact x·Φ(x) = ½x(1 + erf(x/√2));
 *   true: the tanh form ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
 * @example st.gelu(st.tensor([1])) // [0.8413447460685429]
 */
export function gelu(x: TensorLike, approximate = false): Tensor {
  const $x = toTensor(x, 'gelu', 'x');
  if (typeof approximate !== 'boolean') {
    throw new ConfigError(`gelu: approximate must be true (tanh form) or false (exact), got ${JSON.stringify(approximate)}`);
  }
  if (!approximate) {
    // gelu'' = φ(x)(2 − x²)
    const second = (t: Tensor): Tensor => {
      const t2 = square(t);
      return mul(mul(exp(mul(t2, constLike(t, -0.5))), constLike(t, 0.3989422804014327)), sub(constLike(t, 2), t2));
    };
    return runOp('Gelu', [$x], (k) => k.unary('gelu', $x), (dy) => [mul(dy, derivative('geluGrad', $x, 0, 0, second))]);
  }
  // With u = c(x + kx³), t = tanh(u): gelu'' = (1 − t²)(u' + 3ckx² − x·t·u'²), u' = c(1 + 3kx²).
  const second = (t: Tensor): Tensor => {
    const t2 = square(t);
    const th = tanh(mul(add(t, mul(mul(t2, t), constLike(t, GELU_K))), constLike(t, GELU_C)));
    const du = mul(add(constLike(t, 1), mul(t2, constLike(t, 3 * GELU_K))), constLike(t, GELU_C));
    const inner = sub(add(du, mul(t2, constLike(t, 3 * GELU_C * GELU_K))), mul(mul(t, th), square(du)));
    return mul(sub(constLike(t, 1), square(th)), inner);
  };
  return runOp('GeluTanh', [$x], (k) => k.unary('geluTanh', $x),
    (dy) => [mul(dy, derivative('geluTanhGrad', $x, 0, 0, second))]);
}

/**
 * Mish: x·tanh(softplus(x)) elementwise.
 * @example st.mish(st.tensor([1])) // [0.865…]
 */
export function mish(x: TensorLike): Tensor {
  const $x = toTensor(x, 'mish', 'x');
  // With t = tanh(softplus(x)), s = sigmoid(x): mish'' = (1 − t²)·s·(2 + x(1 − s − 2ts)).
  const second = (u: Tensor): Tensor => {
    const t = tanh(softplus(u));
    const s = sigmoid(u);
    const one = constLike(u, 1);
    const inner = add(constLike(u, 2), mul(u, sub(sub(one, s), mul(mul(t, s), constLike(u, 2)))));
    return mul(mul(sub(one, square(t)), s), inner);
  };
  return runOp('Mish', [$x], (k) => k.unary('mish', $x), (dy) => [mul(dy, derivative('mishGrad', $x, 0, 0, second))]);
}
