import { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { runOp } from './engine.js';
import { sumToShape } from './broadcast-to.js';
import { constLike, mask } from './elementwise-util.js';
import { log } from './unary.js';

/** Converts both operands, naming the op when one is not a tensor. */
export function operands(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  return [toTensor(a, op, 'a'), toTensor(b, op, 'b')];
}

/**
 * a + b elementwise, broadcasting by NumPy rules.
 * @example st.add(x, st.tensor([1, 2, 3]))
 */
export function add(a: TensorLike, b: TensorLike): Tensor {
  const [$a, $b] = operands('add', a, b);
  return runOp('Add', [$a, $b], (k) => k.binary('add', $a, $b),
    (dy) => [sumToShape(dy, $a.shape), sumToShape(dy, $b.shape)]);
}

/**
 * a − b elementwise, broadcasting.
 * @example st.sub(x, 1)
 */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  const [$a, $b] = operands('sub', a, b);
  return runOp('Sub', [$a, $b], (k) => k.binary('sub', $a, $b),
    (dy) => [sumToShape(dy, $a.shape), sumToShape(neg(dy), $b.shape)]);
}

/**
 * a · b elementwise, broadcasting.
 * @example st.mul(x, 2)
 */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  const [$a, $b] = operands('mul', a, b);
  return runOp('Mul', [$a, $b], (k) => k.binary('mul', $a, $b),
    (dy) => [sumToShape(mul(dy, $b), $a.shape), sumToShape(mul(dy, $a), $b.shape)]);
}

/**
 * a / b elementwise, broadcasting (int32 ÷ int32 floors, as TensorFlow.js).
 * @example st.div(x, st.sum(x))
 */
export function div(a: TensorLike, b: TensorLike): Tensor {
  const [$a, $b] = operands('div', a, b);
  return runOp('Div', [$a, $b], (k) => k.binary('div', $a, $b),
    (dy) => [sumToShape(div(dy, $b), $a.shape), sumToShape(neg(div(mul(dy, $a), mul($b, $b))), $b.shape)]);
}

/**
 * −x elementwise.
 * @example st.neg(st.tensor([1, -2])) // [-1, 2]
 */
export function neg(x: TensorLike): Tensor {
  const $x = toTensor(x, 'neg', 'x');
  return runOp('Neg', [$x], (k) => k.unary('neg', $x), (dy) => [neg(dy)]);
}

/**
 * a to the power b elementwise, broadcasting (int32 ** int32 stays int32). The gradient for the
 * exponent uses log(a) where a > 0 and 0 elsewhere, as TensorFlow.js.
 * @example st.pow(st.tensor([2, 3]), 2) // [4, 9]
 */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  const [$a, $b] = operands('pow', a, b);
  return runOp('Pow', [$a, $b], (k) => k.binary('pow', $a, $b), (dy, y) => {
    const da = mul(dy, mul($b, pow($a, sub($b, constLike($b, 1)))));
    // log(a) where a > 0, else log(1) = 0: a' = a·m + (1 − m) keeps the log finite and differentiable.
    const m = mask('greater', $a, 0, dy);
    const logA = log(add(mul($a, m), sub(constLike(m, 1), m)));
    return [sumToShape(da, $a.shape), sumToShape(mul(mul(dy, y), logA), $b.shape)];
  });
}

/**
 * The larger of a and b elementwise, broadcasting; NaN if either is NaN. On ties the gradient goes
 * to a (TensorFlow.js: a gets it where a ≥ b, b where a < b).
 * @example st.maximum(x, 0)
 */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  const [$a, $b] = operands('maximum', a, b);
  return runOp('Maximum', [$a, $b], (k) => k.binary('maximum', $a, $b), (dy) => [
    sumToShape(mul(dy, mask('greaterEqual', $a, $b, dy)), $a.shape),
    sumToShape(mul(dy, mask('less', $a, $b, dy)), $b.shape),
  ]);
}

/**
 * The smaller of a and b elementwise, broadcasting; NaN if either is NaN. On ties the gradient goes
 * to a (a gets it where a ≤ b, b where a > b).
 * @example st.minimum(x, 1)
 */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  const [$a, $b] = operands('minimum', a, b);
  return runOp('Minimum', [$a, $b], (k) => k.binary('minimum', $a, $b), (dy) => [
    sumToShape(mul(dy, mask('lessEqual', $a, $b, dy)), $a.shape),
    sumToShape(mul(dy, mask('greater', $a, $b, dy)), $b.shape),
  ]);
}

/**
 * (a − b)² elementwise, broadcasting.
 * @example st.squaredDifference(predictions, labels)
 */
export function squaredDifference(a: TensorLike, b: TensorLike): Tensor {
  const [$a, $b] = operands('squaredDifference', a, b);
  return runOp('SquaredDifference', [$a, $b], (k) => k.binary('squaredDifference', $a, $b), (dy) => {
    const g = mul(dy, mul(sub($a, $b), constLike(dy, 2)));
    return [sumToShape(g, $a.shape), sumToShape(neg(g), $b.shape)];
  });
}
