import type { ReduceKernels, ReduceOp } from '../reduce-kernels.js';
import type { NativeAddon } from './addon.js';
import { Tensor } from '../../tensor/tensor.js';
import { sizeOf } from '../../tensor/shape.js';
import { reduceKernels as js } from '../js/reduce.js';

/** The addon's reductions (native/src/bind-elementwise.cc); arrays are used in place. */
export interface ReduceAddon {
  /** out = op over the flagged axes of x; shapes = [rank, shape…, reduced flags (0/1)…]. */
  reduce(op: number, x: Float32Array, out: Float32Array, shapes: Int32Array): void;
  /** argMax (sign 1) / argMin (sign −1) of x viewed as [outer, n, inner] along n. */
  argReduce(sign: number, x: Float32Array, out: Int32Array, outer: number, n: number, inner: number): void;
}

// The op codes of native/src/elementwise.h, in the same order.
const REDUCE_CODE: Record<ReduceOp, number> = { sum: 0, max: 1, min: 2, prod: 3 };
/** Inputs below this many elements reduce in js (the call would cost more than the work). */
export const NATIVE_MIN_REDUCE = 64;
const MAX_RANK = 8;
const scratch = new Int32Array(1 + 2 * MAX_RANK);

/** Native float32 reductions; other dtypes, tiny and empty inputs run the js reference. */
export function nativeReduceKernels(addon: NativeAddon): ReduceKernels {
  const rd = addon as NativeAddon & ReduceAddon;

  function reduce(op: ReduceOp, x: Tensor, axes: number[], keepDims: boolean): Tensor {
    if (!(x.values instanceof Float32Array) || x.size < NATIVE_MIN_REDUCE || x.rank > MAX_RANK || !(op in REDUCE_CODE)) {
      return js.reduce(op, x, axes, keepDims);
    }
    const rank = x.rank;
    const shape: number[] = [];
    scratch[0] = rank;
    for (let d = 0; d < rank; d++) {
      const r = axes.includes(d);
      scratch[1 + d] = x.shape[d];
      scratch[1 + rank + d] = r ? 1 : 0;
      if (!r) shape.push(x.shape[d]);
      else if (keepDims) shape.push(1);
    }
    const out = new Float32Array(sizeOf(shape));
    rd.reduce(REDUCE_CODE[op], x.values, out, scratch);
    return new Tensor(out, shape);
  }

  function argReduce(op: 'argMax' | 'argMin', x: Tensor, axis: number): Tensor {
    if (!(x.values instanceof Float32Array) || x.size < NATIVE_MIN_REDUCE || !(axis >= 0 && axis < x.rank)) {
      return js.argReduce(op, x, axis);
    }
    const n = x.shape[axis];
    const inner = sizeOf(x.shape.slice(axis + 1));
    const outer = x.size / (n * inner);
    const out = new Int32Array(outer * inner);
    rd.argReduce(op === 'argMax' ? 1 : -1, x.values, out, outer, n, inner);
    return new Tensor(out, x.shape.filter((_, i) => i !== axis));
  }

  return { reduce, argReduce };
}
