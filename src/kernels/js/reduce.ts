import type { ReduceKernels, ReduceOp } from '../reduce-kernels.js';
import { Tensor } from '../../tensor/tensor.js';
import { type TypedArray, alloc } from '../../tensor/dtype.js';
import { sizeOf } from '../../tensor/shape.js';
import { broadcastIndex } from './broadcast.js';

const INIT: Record<ReduceOp, number> = { sum: 0, prod: 1, max: -Infinity, min: Infinity };

function outShapeOf(shape: readonly number[], axes: readonly number[], keepDims: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (!axes.includes(i)) out.push(shape[i]);
    else if (keepDims) out.push(1);
  }
  return out;
}

/** Reduces contiguous blocks: x viewed as [outer, inner], reducing the inner axis. */
function reduceInner(op: ReduceOp, x: TypedArray, out: Float64Array, inner: number): void {
  const outer = out.length;
  for (let o = 0; o < outer; o++) {
    let acc = INIT[op];
    const base = o * inner;
    switch (op) {
      case 'sum': for (let i = 0; i < inner; i++) acc += x[base + i]; break;
      case 'prod': for (let i = 0; i < inner; i++) acc *= x[base + i]; break;
      case 'max': for (let i = 0; i < inner; i++) { const v = x[base + i]; if (v > acc || v !== v) acc = v; if (acc !== acc) break; } break;
      case 'min': for (let i = 0; i < inner; i++) { const v = x[base + i]; if (v < acc || v !== v) acc = v; if (acc !== acc) break; } break;
    }
    out[o] = acc;
  }
}

/** Reduces through an index map from each input element to its output element. */
function reduceMapped(op: ReduceOp, x: TypedArray, out: Float64Array, map: Int32Array): void {
  out.fill(INIT[op]);
  const n = x.length;
  switch (op) {
    case 'sum': for (let i = 0; i < n; i++) out[map[i]] += x[i]; break;
    case 'prod': for (let i = 0; i < n; i++) out[map[i]] *= x[i]; break;
    case 'max': for (let i = 0; i < n; i++) { const v = x[i], j = map[i]; if (v > out[j] || v !== v) out[j] = v !== v || out[j] !== out[j] ? NaN : v; } break;
    case 'min': for (let i = 0; i < n; i++) { const v = x[i], j = map[i]; if (v < out[j] || v !== v) out[j] = v !== v || out[j] !== out[j] ? NaN : v; } break;
  }
}

function reduce(op: ReduceOp, x: Tensor, axes: number[], keepDims: boolean): Tensor {
  const shape = outShapeOf(x.shape, axes, keepDims);
  const outSize = sizeOf(shape);
  // Accumulate in float64: sums of many float32 values stay accurate.
  const acc = new Float64Array(outSize);
  const rank = x.shape.length;
  const trailing = axes.every((a, i) => a === rank - axes.length + i);
  if (x.size === 0) acc.fill(INIT[op]);
  else if (trailing) reduceInner(op, x.values, acc, x.size / Math.max(outSize, 1));
  else {
    const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    reduceMapped(op, x.values, acc, broadcastIndex(kept, x.shape, x.size));
  }
  const out = alloc(x.dtype, outSize);
  out.set(acc);
  return new Tensor(out, shape);
}

function argReduce(op: 'argMax' | 'argMin', x: Tensor, axis: number): Tensor {
  const shape = x.shape;
  if (shape.length === 0) return new Tensor(new Int32Array(1), []);
  const n = shape[axis];
  const inner = sizeOf(shape.slice(axis + 1));
  const outer = sizeOf(shape.slice(0, axis));
  const out = new Int32Array(outer * inner);
  const v = x.values;
  const sign = op === 'argMax' ? 1 : -1;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let best = 0;
      let bestV = v[base] * sign;
      for (let k = 1; k < n; k++) {
        const c = v[base + k * inner] * sign;
        if (c > bestV) {
          bestV = c;
          best = k;
        }
      }
      out[o * inner + i] = best;
    }
  }
  return new Tensor(out, shape.filter((_, i) => i !== axis));
}

/** Reference reduction kernels. */
export const reduceKernels: ReduceKernels = { reduce, argReduce };
