// Internal helpers of the elementwise ops (not re-exported by the barrel).
import { ConfigError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { type DType, alloc } from '../tensor/dtype.js';
import { kernels } from '../kernels/registry.js';
import type { BinaryOp, UnaryOp } from '../kernels/elementwise-kernels.js';
import { runOp } from './engine.js';
import { mul } from './arithmetic.js';

/** The float dtype results on x take: x's own, float32 for int32. */
export function floatOf(x: Tensor): DType {
  return x.dtype === 'int32' ? 'float32' : x.dtype;
}

/** A scalar in x's float dtype, so float64 gradient formulas keep their constants exact. */
export function constLike(x: Tensor, value: number): Tensor {
  const v = alloc(floatOf(x), 1);
  v[0] = value;
  return new Tensor(v, []);
}

/**
 * A 0/1 mask `a op b` (a comparison) in `like`'s float dtype. Masks are piecewise constant, so they
 * are treated as constants by the gradients that multiply by them.
 */
export function mask(op: BinaryOp, a: Tensor, b: Tensor | number, like: Tensor): Tensor {
  const k = kernels();
  const $b = typeof b === 'number' ? constLike(a, b) : b;
  return k.cast(k.binary(op, a, $b), floatOf(like));
}

/**
 * The derivative kernel `op` at x (e.g. 'geluGrad'), as an op. `second` gives the second
 * derivative written with ops, so gradients of gradients work; without it the derivative is
 * piecewise constant and has no gradient.
 */
export function derivative(op: UnaryOp, x: Tensor, alpha = 0, beta = 0, second?: (x: Tensor) => Tensor): Tensor {
  return runOp(`${op[0].toUpperCase()}${op.slice(1)}`, [x], (k) => k.unary(op, x, alpha, beta),
    second ? (g) => [mul(g, second(x))] : undefined);
}

/** Checks that an option is a finite number, naming the op and the option. */
export function assertNumber(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    const shown = typeof v === 'string' ? `'${v}'` : typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v);
    throw new ConfigError(`${op}: ${name} must be a finite number, got ${shown}`);
  }
  return v;
}
