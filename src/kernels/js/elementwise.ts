import type { ElementwiseKernels, BinaryOp } from '../elementwise-kernels.js';
import { Tensor } from '../../tensor/tensor.js';
import { type DType, type TypedArray, alloc, upcast } from '../../tensor/dtype.js';
import { broadcastShapes, shapesEqual, sizeOf } from '../../tensor/shape.js';
import { broadcastIndex } from './broadcast.js';
import { unary } from './unary.js';
import { softmaxAlong } from './softmax.js';
import { biasActivation, biasActivationGrad } from './bias-activation.js';

const COMPARISONS = new Set<BinaryOp>(['equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual']);

/**
 * How a broadcast binary op walks memory: the output as `rows` contiguous runs of `len` elements;
 * within a run each operand advances by 0 (repeated) or 1 (read in order), and each run starts at
 * aRow[r] / bRow[r]. Same shapes give one run; a scalar operand a step of 0; `[..., C] op [C]`
 * runs of C with b restarting at 0; `[N, C] op [N, 1]` runs of C with b fixed per run.
 */
interface Walk {
  rows: number;
  len: number;
  sa: number;
  sb: number;
  aRow: Int32Array;
  bRow: Int32Array;
}

/** Merges adjacent output axes on which each operand is broadcast (or not) alike, then plans runs. */
function planWalk(aShape: readonly number[], bShape: readonly number[], outShape: readonly number[]): Walk {
  const rank = outShape.length;
  // Merged axes, innermost first: size and each operand's element stride (0 = broadcast).
  const sizes: number[] = [], aStr: number[] = [], bStr: number[] = [];
  let ra = 1, rb = 1;
  for (let d = rank - 1; d >= 0; d--) {
    const n = outShape[d];
    if (n === 1) continue;
    const da = aShape[d - rank + aShape.length] ?? 1;
    const db = bShape[d - rank + bShape.length] ?? 1;
    const sa = da === 1 ? 0 : ra, sb = db === 1 ? 0 : rb;
    ra *= da;
    rb *= db;
    const last = sizes.length - 1;
    if (last >= 0 && (sa === 0) === (aStr[last] === 0) && (sb === 0) === (bStr[last] === 0)) sizes[last] *= n;
    else { sizes.push(n); aStr.push(sa); bStr.push(sb); }
  }
  if (sizes.length === 0) return { rows: 1, len: 1, sa: 0, sb: 0, aRow: new Int32Array(1), bRow: new Int32Array(1) };
  const len = sizes[0];
  let rows = 1;
  for (let k = 1; k < sizes.length; k++) rows *= sizes[k];
  const aRow = new Int32Array(rows), bRow = new Int32Array(rows);
  // Odometer over the outer merged axes (innermost of them first).
  const counter = new Array<number>(sizes.length).fill(0);
  let pa = 0, pb = 0;
  for (let r = 0; r < rows; r++) {
    aRow[r] = pa;
    bRow[r] = pb;
    for (let k = 1; k < sizes.length; k++) {
      counter[k]++;
      pa += aStr[k];
      pb += bStr[k];
      if (counter[k] < sizes[k]) break;
      pa -= aStr[k] * counter[k];
      pb -= bStr[k] * counter[k];
      counter[k] = 0;
    }
  }
  return { rows, len, sa: aStr[0], sb: bStr[0], aRow, bRow };
}

/** out = a op b along the walk; one doubly nested loop per op, so no closure runs per element. */
function binaryLoop(op: BinaryOp | 'floorDiv', a: TypedArray, b: TypedArray, out: TypedArray, w: Walk): void {
  const { rows, len, sa, sb, aRow, bRow } = w;
  let r = 0;
  switch (op) {
    case 'add': for (; r < rows; r++) { let i = aRow[r], j = bRow[r]; const o = r * len; for (let k = 0; k < len; k++, i += sa, j += sb) out[o + k] = a[i] + b[j]; } return;
    case 'sub': for (; r < rows; r++) { let i = aRow[r], j = bRow[r]; const o = r * len; for (let k = 0; k < len; k++, i += sa, j += sb) out[o + k] = a[i] - b[j]; } return;
    case 'mul': for (; r < rows; r++) { let i = aRow[r], j = bRow[r]; const o = r * len; for (let k = 0; k < len; k++, i += sa, j += sb) out[o + k] = a[i] * b[j]; } return;
    case 'div': for (; r < rows; r++) { let i = aRow[r], j = bRow[r]; const o = r * len; for (let k = 0; k < len; k++, i += sa, j += sb) out[o + k] = a[i] / b[j]; } return;
    case 'floorDiv': for (; r < rows; r++) { let i = aRow[r], j = bRow[r]; const o = r * len; for (let k = 0; k < len; k++, i += sa, j += sb) out[o + k] = Math.floor(a[i] / b[j]); } return;
    case 'pow': for (; r < rows; r++) { let i = aRow[r], j = bRow[r]; const o = r * len; for (let k = 0; k < len; k++, i += sa, j += sb) out[o + k] = Math.pow(a[i], b[j]); } return;
    case 'maximum': for (; r < rows; r++) { let i = aRow[r], j = bRow[r]; const o = r * len; for (let k = 0; k < len; k++, i += sa, j += sb) { const x = a[i], y = b[j]; out[o + k] = x !== x || y !== y ? NaN : x > y ? x : y; } } return;
    case 'minimum': for (; r < rows; r++) { let i = aRow[r], j = bRow[r]; const o = r * len; for (let k = 0; k < len; k++, i += sa, j += sb) { const x = a[i], y = b[j]; out[o + k] = x !== x || y !== y ? NaN : x < y ? x : y; } } return;
    case 'squaredDifference': for (; r < rows; r++) { let i = aRow[r], j = bRow[r]; const o = r * len; for (let k = 0; k < len; k++, i += sa, j += sb) { const d = a[i] - b[j]; out[o + k] = d * d; } } return;
    case 'equal': for (; r < rows; r++) { let i = aRow[r], j = bRow[r]; const o = r * len; for (let k = 0; k < len; k++, i += sa, j += sb) out[o + k] = a[i] === b[j] ? 1 : 0; } return;
    case 'notEqual': for (; r < rows; r++) { let i = aRow[r], j = bRow[r]; const o = r * len; for (let k = 0; k < len; k++, i += sa, j += sb) out[o + k] = a[i] !== b[j] ? 1 : 0; } return;
    case 'greater': for (; r < rows; r++) { let i = aRow[r], j = bRow[r]; const o = r * len; for (let k = 0; k < len; k++, i += sa, j += sb) out[o + k] = a[i] > b[j] ? 1 : 0; } return;
    case 'greaterEqual': for (; r < rows; r++) { let i = aRow[r], j = bRow[r]; const o = r * len; for (let k = 0; k < len; k++, i += sa, j += sb) out[o + k] = a[i] >= b[j] ? 1 : 0; } return;
    case 'less': for (; r < rows; r++) { let i = aRow[r], j = bRow[r]; const o = r * len; for (let k = 0; k < len; k++, i += sa, j += sb) out[o + k] = a[i] < b[j] ? 1 : 0; } return;
    case 'lessEqual': for (; r < rows; r++) { let i = aRow[r], j = bRow[r]; const o = r * len; for (let k = 0; k < len; k++, i += sa, j += sb) out[o + k] = a[i] <= b[j] ? 1 : 0; } return;
    default: throw new Error(`binary: unknown op '${String(op)}'`);
  }
}

/**
 * Bias-style broadcasting with short rows ([N, H, W, C] + [C] with small C): one flat loop in
 * which the small operand's index wraps around, instead of one short run per row. `small` says
 * which operand repeats (a or b) with period m.
 */
function tileLoop(op: 'add' | 'sub' | 'mul' | 'div', a: TypedArray, b: TypedArray, out: TypedArray, m: number, smallIsB: boolean): void {
  const n = out.length;
  const big = smallIsB ? a : b, small = smallIsB ? b : a;
  let j = 0;
  switch (op) {
    case 'add': for (let i = 0; i < n; i++) { out[i] = big[i] + small[j]; if (++j === m) j = 0; } return;
    case 'mul': for (let i = 0; i < n; i++) { out[i] = big[i] * small[j]; if (++j === m) j = 0; } return;
    case 'sub':
      if (smallIsB) for (let i = 0; i < n; i++) { out[i] = big[i] - small[j]; if (++j === m) j = 0; }
      else for (let i = 0; i < n; i++) { out[i] = small[j] - big[i]; if (++j === m) j = 0; }
      return;
    case 'div':
      if (smallIsB) for (let i = 0; i < n; i++) { out[i] = big[i] / small[j]; if (++j === m) j = 0; }
      else for (let i = 0; i < n; i++) { out[i] = small[j] / big[i]; if (++j === m) j = 0; }
      return;
  }
}

/** True when `small` (after dropping leading 1s) is the trailing part of `full`: it repeats as a block. */
function isTrailingBlock(small: readonly number[], full: readonly number[]): boolean {
  let s = 0;
  while (s < small.length && small[s] === 1) s++;
  const k = small.length - s;
  if (k === 0 || k > full.length) return false;
  for (let i = 0; i < k; i++) if (small[s + i] !== full[full.length - k + i]) return false;
  return true;
}

const TILE_OPS = new Set<BinaryOp>(['add', 'sub', 'mul', 'div']);

function binary(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  const outShape = shapesEqual(a.shape, b.shape) ? a.shape : broadcastShapes(op, a.shape, b.shape);
  const size = sizeOf(outShape);
  const dtype: DType = COMPARISONS.has(op) ? 'int32' : upcast(a.dtype, b.dtype);
  const out = alloc(dtype, size);
  if (size === 0) return new Tensor(out, outShape);
  // Integer division floors, as TensorFlow.js's div of int32 tensors.
  const floorDiv = op === 'div' && dtype === 'int32';
  if (TILE_OPS.has(op) && !floorDiv && a.size !== b.size && Math.min(a.size, b.size) < 64) {
    const smallIsB = b.size < a.size;
    const [big, small] = smallIsB ? [a, b] : [b, a];
    if (big.size === size && small.size > 1 && isTrailingBlock(small.shape, outShape)) {
      tileLoop(op as 'add' | 'sub' | 'mul' | 'div', a.values, b.values, out, small.size, smallIsB);
      return new Tensor(out, outShape);
    }
  }
  binaryLoop(floorDiv ? 'floorDiv' : op, a.values, b.values, out, planWalk(a.shape, b.shape, outShape));
  return new Tensor(out, outShape);
}

function cast(x: Tensor, dtype: DType): Tensor {
  const out = alloc(dtype, x.size);
  out.set(x.values); // typed-array set truncates toward zero when narrowing to int32
  return new Tensor(out, x.shape);
}

function where(cond: Tensor, a: Tensor, b: Tensor): Tensor {
  const outShape = broadcastShapes('where', broadcastShapes('where', cond.shape, a.shape), b.shape);
  const size = sizeOf(outShape);
  const out = alloc(upcast(a.dtype, b.dtype), size);
  const ci = broadcastIndex(cond.shape, outShape, size);
  const ai = broadcastIndex(a.shape, outShape, size);
  const bi = broadcastIndex(b.shape, outShape, size);
  const c = cond.values, av = a.values, bv = b.values;
  for (let i = 0; i < size; i++) out[i] = c[ci[i]] !== 0 ? av[ai[i]] : bv[bi[i]];
  return new Tensor(out, outShape);
}

/** Reference elementwise kernels. */
export const elementwiseKernels: ElementwiseKernels = {
  binary,
  cast,
  where,
  unary,
  softmax: (x, axis) => softmaxAlong(x, axis, false),
  logSoftmax: (x, axis) => softmaxAlong(x, axis, true),
  biasActivation,
  biasActivationGrad,
};
