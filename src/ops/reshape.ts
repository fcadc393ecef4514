import { ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { normalizeAxis, shapesEqual, sizeOf } from '../tensor/shape.js';
import { runOp } from './engine.js';

/**
 * Gives the tensor a new shape with the same number of elements; one dimension may be -1 (inferred).
 * Shares storage: tensors are immutable, so no copy is needed.
 * @example st.reshape(x, [-1, 784])
 */
export function reshape(x: TensorLike, shape: readonly number[]): Tensor {
  const $x = toTensor(x, 'reshape', 'x');
  const out = resolveShape($x, shape);
  if (shapesEqual(out, $x.shape)) return $x;
  return runOp('Reshape', [$x], () => new Tensor($x.values, out), (dy) => [reshape(dy, $x.shape)]);
}

function resolveShape(x: Tensor, shape: readonly number[]): number[] {
  if (!Array.isArray(shape)) throw new ShapeError(`reshape: shape must be an array of integers, got ${JSON.stringify(shape)}`);
  const out = shape.slice();
  const unknown = out.indexOf(-1);
  if (out.some((d, i) => !Number.isInteger(d) || d < -1 || (d === -1 && i !== unknown))) {
    throw new ShapeError(`reshape: shape ${fmtShape(out)} must hold non-negative integers and at most one -1`);
  }
  if (unknown >= 0) {
    const known = sizeOf(out.filter((_, i) => i !== unknown));
    if (known === 0 || x.size % known !== 0) {
      throw new ShapeError(`reshape: cannot reshape a tensor of shape ${fmtShape(x.shape)} (${x.size} values) into ${fmtShape(shape)}`);
    }
    out[unknown] = x.size / known;
  }
  if (sizeOf(out) !== x.size) {
    throw new ShapeError(`reshape: cannot reshape a tensor of shape ${fmtShape(x.shape)} (${x.size} values) into ${fmtShape(shape)} (${sizeOf(out)} values)`);
  }
  return out;
}

/** Inserts a dimension of size 1 at `axis` (default 0; negative counts from the end of the result). */
export function expandDims(x: TensorLike, axis = 0): Tensor {
  const $x = toTensor(x, 'expandDims', 'x');
  const a = normalizeAxis('expandDims', axis, $x.rank + 1);
  const shape = $x.shape.slice();
  shape.splice(a, 0, 1);
  return reshape($x, shape);
}

/** Removes dimensions of size 1: all of them, or those listed in `axis`. */
export function squeeze(x: TensorLike, axis?: number | number[]): Tensor {
  const $x = toTensor(x, 'squeeze', 'x');
  const axes = axis === undefined ? null : (typeof axis === 'number' ? [axis] : axis).map((a) => normalizeAxis('squeeze', a, $x.rank));
  for (const a of axes ?? []) {
    if ($x.shape[a] !== 1) throw new ShapeError(`squeeze: axis ${a} of shape ${fmtShape($x.shape)} has size ${$x.shape[a]}, not 1`);
  }
  return reshape($x, $x.shape.filter((d, i) => (axes ? !axes.includes(i) : d !== 1)));
}
