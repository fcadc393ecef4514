import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { runOp } from './engine.js';
import { add, div, mul, neg } from './arithmetic.js';
import { assertNumber, constLike, derivative } from './elementwise-util.js';

/**
 * e^x elementwise (int32 gives float32).
 * @example st.exp(st.tensor([0, 1])) // [1, 2.718…]
 */
export function exp(x: TensorLike): Tensor {
  const $x = toTensor(x, 'exp', 'x');
  return runOp('Exp', [$x], (k) => k.unary('exp', $x), (dy, y) => [mul(dy, y)]);
}

/**
 * Natural logarithm elementwise (NaN below 0, −Infinity at 0).
 * @example st.log(st.tensor([1, Math.E])) // [0, 1]
 */
export function log(x: TensorLike): Tensor {
  const $x = toTensor(x, 'log', 'x');
  return runOp('Log', [$x], (k) => k.unary('log', $x), (dy) => [div(dy, $x)]);
}

/**
 * log(1 + x) elementwise, accurate for small x.
 * @example st.log1p(st.tensor([1e-10]))
 */
export function log1p(x: TensorLike): Tensor {
  const $x = toTensor(x, 'log1p', 'x');
  return runOp('Log1p', [$x], (k) => k.unary('log1p', $x), (dy) => [div(dy, add($x, constLike($x, 1)))]);
}

/**
 * e^x − 1 elementwise, accurate for small x.
 * @example st.expm1(st.tensor([1e-10]))
 */
export function expm1(x: TensorLike): Tensor {
  const $x = toTensor(x, 'expm1', 'x');
  return runOp('Expm1', [$x], (k) => k.unary('expm1', $x), (dy, y) => [mul(dy, add(y, constLike(y, 1)))]);
}

/**
 * √x elementwise.
 * @example st.sqrt(st.tensor([4, 9])) // [2, 3]
 */
export function sqrt(x: TensorLike): Tensor {
  const $x = toTensor(x, 'sqrt', 'x');
  return runOp('Sqrt', [$x], (k) => k.unary('sqrt', $x), (dy, y) => [div(dy, mul(y, constLike(y, 2)))]);
}

/**
 * 1/√x elementwise.
 * @example st.rsqrt(st.tensor([4])) // [0.5]
 */
export function rsqrt(x: TensorLike): Tensor {
  const $x = toTensor(x, 'rsqrt', 'x');
  // d/dx x^(−1/2) = −½·x^(−3/2) = −½·y/x
  return runOp('Rsqrt', [$x], (k) => k.unary('rsqrt', $x), (dy, y) => [mul(dy, mul(div(y, $x), constLike(y, -0.5)))]);
}

/**
 * x² elementwise (int32 stays int32).
 * @example st.square(st.tensor([-3])) // [9]
 */
export function square(x: TensorLike): Tensor {
  const $x = toTensor(x, 'square', 'x');
  return runOp('Square', [$x], (k) => k.unary('square', $x), (dy) => [mul(dy, mul($x, constLike($x, 2)))]);
}

/**
 * 1/x elementwise.
 * @example st.reciprocal(st.tensor([4])) // [0.25]
 */
export function reciprocal(x: TensorLike): Tensor {
  const $x = toTensor(x, 'reciprocal', 'x');
  return runOp('Reciprocal', [$x], (k) => k.unary('reciprocal', $x), (dy, y) => [neg(mul(dy, mul(y, y)))]);
}

/**
 * |x| elementwise (int32 stays int32); the gradient is sign(x), 0 at 0.
 * @example st.abs(st.tensor([-2, 3])) // [2, 3]
 */
export function abs(x: TensorLike): Tensor {
  const $x = toTensor(x, 'abs', 'x');
  return runOp('Abs', [$x], (k) => k.unary('abs', $x), (dy) => [mul(dy, sign($x))]);
}

/**
 * −1, 0 or 1 by the sign of x (NaN stays NaN); zero gradient.
 * @example st.sign(st.tensor([-2, 0, 3])) // [-1, 0, 1]
 */
export function sign(x: TensorLike): Tensor {
  const $x = toTensor(x, 'sign', 'x');
  return runOp('Sign', [$x], (k) => k.unary('sign', $x));
}

/**
 * Largest integer ≤ x elementwise; zero gradient.
 * @example st.floor(st.tensor([1.7, -1.2])) // [1, -2]
 */
export function floor(x: TensorLike): Tensor {
  const $x = toTensor(x, 'floor', 'x');
  return runOp('Floor', [$x], (k) => k.unary('floor', $x));
}

/**
 * Smallest integer ≥ x elementwise; zero gradient.
 * @example st.ceil(st.tensor([1.2, -1.7])) // [2, -1]
 */
export function ceil(x: TensorLike): Tensor {
  const $x = toTensor(x, 'ceil', 'x');
  return runOp('Ceil', [$x], (k) => k.unary('ceil', $x));
}

/**
 * Nearest integer elementwise, halves to even (banker's rounding, as TensorFlow.js); zero gradient.
 * @example st.round(st.tensor([0.5, 1.5, 2.5])) // [0, 2, 2]
 */
export function round(x: TensorLike): Tensor {
  const $x = toTensor(x, 'round', 'x');
  return runOp('Round', [$x], (k) => k.unary('round', $x));
}

/**
 * sin(x) elementwise (radians).
 * @example st.sin(st.tensor([Math.PI / 2])) // [1]
 */
export function sin(x: TensorLike): Tensor {
  const $x = toTensor(x, 'sin', 'x');
  return runOp('Sin', [$x], (k) => k.unary('sin', $x), (dy) => [mul(dy, cos($x))]);
}

/**
 * cos(x) elementwise (radians).
 * @example st.cos(st.tensor([0])) // [1]
 */
export function cos(x: TensorLike): Tensor {
  const $x = toTensor(x, 'cos', 'x');
  return runOp('Cos', [$x], (k) => k.unary('cos', $x), (dy) => [neg(mul(dy, sin($x)))]);
}

/**
 * The Gauss error function elementwise, accurate to about 1e-15.
 * @example st.erf(st.tensor([1])) // [0.8427…]
 */
export function erf(x: TensorLike): Tensor {
  const $x = toTensor(x, 'erf', 'x');
  // d/dx erf(x) = 2/√π·e^(−x²)
  return runOp('Erf', [$x], (k) => k.unary('erf', $x),
    (dy) => [mul(dy, mul(exp(neg(square($x))), constLike($x, 1.1283791670955126)))]);
}

/**
 * Clamps x to [clipValueMin, clipValueMax] elementwise. The gradient passes where
 * clipValueMin ≤ x ≤ clipValueMax (bounds included, as TensorFlow.js) and is 0 elsewhere.
 * @example st.clipByValue(x, -1, 1)
 */
export function clipByValue(x: TensorLike, clipValueMin: number, clipValueMax: number): Tensor {
  const $x = toTensor(x, 'clipByValue', 'x');
  const lo = assertNumberOrInf('clipValueMin', clipValueMin);
  const hi = assertNumberOrInf('clipValueMax', clipValueMax);
  if (lo > hi) {
    throw new ConfigError(`clipByValue: clipValueMin (${lo}) must be ≤ clipValueMax (${hi}); swap them`);
  }
  return runOp('ClipByValue', [$x], (k) => k.unary('clip', $x, lo, hi),
    (dy) => [mul(dy, derivative('clipGrad', $x, lo, hi))]);
}

function assertNumberOrInf(name: string, v: unknown): number {
  return v === Infinity || v === -Infinity ? v : assertNumber('clipByValue', name, v);
}
