import { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { runOp } from './engine.js';
import { sumToShape } from './broadcast-to.js';

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

/** a − b elementwise, broadcasting. */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  const [$a, $b] = operands('sub', a, b);
  return runOp('Sub', [$a, $b], (k) => k.binary('sub', $a, $b),
    (dy) => [sumToShape(dy, $a.shape), sumToShape(neg(dy), $b.shape)]);
}

/** a · b elementwise, broadcasting. */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  const [$a, $b] = operands('mul', a, b);
  return runOp('Mul', [$a, $b], (k) => k.binary('mul', $a, $b),
    (dy) => [sumToShape(mul(dy, $b), $a.shape), sumToShape(mul(dy, $a), $b.shape)]);
}

/** a / b elementwise, broadcasting (int32 ÷ int32 floors, as TensorFlow.js). */
export function div(a: TensorLike, b: TensorLike): Tensor {
  const [$a, $b] = operands('div', a, b);
  return runOp('Div', [$a, $b], (k) => k.binary('div', $a, $b),
    (dy) => [sumToShape(div(dy, $b), $a.shape), sumToShape(neg(div(mul(dy, $a), mul($b, $b))), $b.shape)]);
}

/** −x elementwise. */
export function neg(x: TensorLike): Tensor {
  const $x = toTensor(x, 'neg', 'x');
  return runOp('Neg', [$x], (k) => k.binary('mul', $x, new Tensor(new ($x.values.constructor as Float32ArrayConstructor)([-1]), [])),
    (dy) => [neg(dy)]);
}
