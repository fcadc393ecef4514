import type { ShapeKernels } from '../shape-kernels.js';
import { Tensor } from '../../tensor/tensor.js';
import { type TypedArray, alloc, upcast } from '../../tensor/dtype.js';
import { sizeOf, stridesOf } from '../../tensor/shape.js';

// Runs shorter than this copy with a plain loop; longer ones with `set`, whose subarray view costs
// one small allocation per run (never per element).
const SET_MIN = 64;

function copyRun(src: TypedArray, s: number, dst: TypedArray, d: number, n: number): void {
  if (n >= SET_MIN) dst.set(src.subarray(s, s + n), d);
  else for (let j = 0; j < n; j++) dst[d + j] = src[s + j];
}

/**
 * Drops size-1 axes and merges neighbours that step through src contiguously, so a strided copy
 * runs over as few (and as long) dimensions as possible.
 */
function simplify(shape: readonly number[], steps: readonly number[]): [number[], number[]] {
  const sh: number[] = [];
  const st: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    const k = sh.length - 1;
    if (k >= 0 && st[k] === steps[i] * shape[i]) {
      sh[k] *= shape[i];
      st[k] = steps[i];
    } else {
      sh.push(shape[i]);
      st.push(steps[i]);
    }
  }
  return [sh, st];
}

/**
 * out[k] = src[start + Σ_d idx_d(k) · steps[d]] with k row-major over outShape: the loop behind
 * transpose (permuted strides) and reverse (negated strides). The innermost axis is a tight strided
 * loop, outer axes advance an odometer; a plain 2-D transpose (possibly batched) goes by tiles.
 */
function stridedCopy(src: TypedArray, start: number, outShape0: readonly number[], steps0: readonly number[], out: TypedArray): void {
  const size = out.length;
  if (size === 0) return;
  const [shape, steps] = simplify(outShape0, steps0);
  const r = shape.length;
  if (r === 0) {
    out[0] = src[start];
    return;
  }
  if (r >= 2 && steps[r - 2] === 1 && shape[r - 2] >= 16 && shape[r - 1] >= 16) {
    transposeTiles(src, start, shape, steps, out);
    return;
  }
  const n = shape[r - 1];
  const s = steps[r - 1];
  const counter = new Array<number>(r).fill(0);
  let pos = start;
  for (let o = 0; o < size; o += n) {
    if (s === 1) copyRun(src, pos, out, o, n);
    else for (let j = 0, p = pos; j < n; j++, p += s) out[o + j] = src[p];
    for (let d = r - 2; d >= 0; d--) {
      pos += steps[d];
      if (++counter[d] < shape[d]) break;
      pos -= steps[d] * shape[d];
      counter[d] = 0;
    }
  }
}

/** The last two output axes read src transposed (unit step on the second-last): copy by 32×32 tiles. */
function transposeTiles(src: TypedArray, start: number, shape: readonly number[], steps: readonly number[], out: TypedArray): void {
  const r = shape.length;
  const rows = shape[r - 2];
  const cols = shape[r - 1];
  const cs = steps[r - 1];
  const T = 32;
  const batch = out.length / (rows * cols);
  const counter = new Array<number>(r).fill(0);
  let pos = start;
  for (let b = 0; b < batch; b++) {
    const ob = b * rows * cols;
    for (let i0 = 0; i0 < rows; i0 += T) {
      const i1 = Math.min(rows, i0 + T);
      for (let j0 = 0; j0 < cols; j0 += T) {
        const j1 = Math.min(cols, j0 + T);
        for (let j = j0; j < j1; j++) {
          const p = pos + j * cs;
          for (let i = i0; i < i1; i++) out[ob + i * cols + j] = src[p + i];
        }
      }
    }
    for (let d = r - 3; d >= 0; d--) {
      pos += steps[d];
      if (++counter[d] < shape[d]) break;
      pos -= steps[d] * shape[d];
      counter[d] = 0;
    }
  }
}

/**
 * Copies the box `box` from src (shape srcShape, corner srcBegin) into dst (shape dstShape, corner
 * dstBegin): the block copy behind slice, pad and concat. Trailing axes that are whole in src and
 * dst merge into one contiguous run.
 */
function copyBox(src: TypedArray, srcShape: readonly number[], srcBegin: readonly number[],
  dst: TypedArray, dstShape: readonly number[], dstBegin: readonly number[], box: readonly number[]): void {
  const r = box.length;
  if (sizeOf(box) === 0) return;
  const ss = stridesOf(srcShape);
  const ds = stridesOf(dstShape);
  let sp = 0;
  let dp = 0;
  for (let i = 0; i < r; i++) {
    sp += srcBegin[i] * ss[i];
    dp += dstBegin[i] * ds[i];
  }
  if (r === 0) {
    dst[dp] = src[sp];
    return;
  }
  // Axes k..r-1 form one contiguous run in both src and dst.
  let k = r - 1;
  let run = box[r - 1];
  while (k > 0 && run === ss[k - 1] && run === ds[k - 1]) run *= box[--k];
  const outer = sizeOf(box.slice(0, k));
  const counter = new Array<number>(k).fill(0);
  for (let o = 0; o < outer; o++) {
    copyRun(src, sp, dst, dp, run);
    for (let d = k - 1; d >= 0; d--) {
      sp += ss[d];
      dp += ds[d];
      if (++counter[d] < box[d]) break;
      sp -= ss[d] * box[d];
      dp -= ds[d] * box[d];
      counter[d] = 0;
    }
  }
}

function transpose(x: Tensor, perm: readonly number[]): Tensor {
  const xs = stridesOf(x.shape);
  const shape = perm.map((p) => x.shape[p]);
  const out = alloc(x.dtype, x.size);
  stridedCopy(x.values, 0, shape, perm.map((p) => xs[p]), out);
  return new Tensor(out, shape);
}

function reverse(x: Tensor, axes: readonly number[]): Tensor {
  const xs = stridesOf(x.shape);
  const steps = xs.slice();
  let start = 0;
  for (const a of axes) {
    start += (x.shape[a] - 1) * xs[a];
    steps[a] = -xs[a];
  }
  const out = alloc(x.dtype, x.size);
  stridedCopy(x.values, start, x.shape, steps, out);
  return new Tensor(out, x.shape);
}

function slice(x: Tensor, begin: readonly number[], size: readonly number[]): Tensor {
  const out = alloc(x.dtype, sizeOf(size));
  copyBox(x.values, x.shape, begin, out, size, size.map(() => 0), size);
  return new Tensor(out, size);
}

function concat(xs: readonly Tensor[], axis: number): Tensor {
  const shape = xs[0].shape.slice();
  shape[axis] = 0;
  let dtype = xs[0].dtype;
  for (const x of xs) {
    shape[axis] += x.shape[axis];
    dtype = upcast(dtype, x.dtype);
  }
  const out = alloc(dtype, sizeOf(shape));
  const begin = shape.map(() => 0);
  for (const x of xs) {
    copyBox(x.values, x.shape, begin.map(() => 0), out, shape, begin, x.shape);
    begin[axis] += x.shape[axis];
  }
  return new Tensor(out, shape);
}

function pad(x: Tensor, paddings: readonly (readonly [number, number])[], value: number): Tensor {
  const shape = x.shape.map((d, i) => d + paddings[i][0] + paddings[i][1]);
  const out = alloc(x.dtype, sizeOf(shape));
  if (value !== 0) out.fill(value);
  copyBox(x.values, x.shape, x.shape.map(() => 0), out, shape, paddings.map((p) => p[0]), x.shape);
  return new Tensor(out, shape);
}

/**
 * Fills one copy of x along axis d (and, recursively, all axes after it) at dst offset `dp`,
 * then repeats that block reps[d] − 1 times with `copyWithin`.
 */
function tileAxis(src: TypedArray, xShape: readonly number[], xs: readonly number[], reps: readonly number[],
  os: readonly number[], out: TypedArray, d: number, sp: number, dp: number): void {
  const n = xShape[d];
  if (d === xShape.length - 1) copyRun(src, sp, out, dp, n);
  else for (let i = 0; i < n; i++) tileAxis(src, xShape, xs, reps, os, out, d + 1, sp + i * xs[d], dp + i * os[d]);
  const block = n * os[d];
  for (let k = 1; k < reps[d]; k++) out.copyWithin(dp + k * block, dp, dp + block);
}

function tile(x: Tensor, reps: readonly number[]): Tensor {
  const shape = x.shape.map((d, i) => d * reps[i]);
  const out = alloc(x.dtype, sizeOf(shape));
  if (out.length === 0) return new Tensor(out, shape);
  if (x.rank === 0) out[0] = x.values[0];
  else tileAxis(x.values, x.shape, stridesOf(x.shape), reps, stridesOf(shape), out, 0, 0, 0);
  return new Tensor(out, shape);
}

function gather(x: Tensor, indices: Tensor, axis: number): Tensor {
  const n = x.shape[axis];
  const outer = sizeOf(x.shape.slice(0, axis));
  const inner = sizeOf(x.shape.slice(axis + 1));
  const idx = indices.values;
  const m = idx.length;
  const shape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
  const out = alloc(x.dtype, outer * m * inner);
  const v = x.values;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) copyRun(v, (o * n + idx[j]) * inner, out, (o * m + j) * inner, inner);
  }
  return new Tensor(out, shape);
}

function unsortedSegmentSum(x: Tensor, segmentIds: Tensor, numSegments: number, axis: number): Tensor {
  const ids = segmentIds.values;
  const m = ids.length;
  const idRank = segmentIds.rank;
  const outer = sizeOf(x.shape.slice(0, axis));
  const innerShape = x.shape.slice(axis + idRank);
  const inner = sizeOf(innerShape);
  const shape = [...x.shape.slice(0, axis), numSegments, ...innerShape];
  const out = alloc(x.dtype, outer * numSegments * inner);
  const v = x.values;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const s = ids[j];
      if (s < 0 || s >= numSegments) continue;
      const src = (o * m + j) * inner;
      const dst = (o * numSegments + s) * inner;
      for (let t = 0; t < inner; t++) out[dst + t] += v[src + t];
    }
  }
  return new Tensor(out, shape);
}

function oneHot(indices: Tensor, depth: number, onValue: number, offValue: number): Tensor {
  const idx = indices.values;
  const out = new Float32Array(idx.length * depth);
  if (offValue !== 0) out.fill(offValue);
  for (let j = 0; j < idx.length; j++) {
    const k = idx[j];
    if (k >= 0 && k < depth) out[j * depth + k] = onValue;
  }
  return new Tensor(out, [...indices.shape, depth]);
}

/** Reference shape kernels. */
export const shapeKernels: ShapeKernels = {
  transpose, slice, concat, pad, tile, reverse, gather, unsortedSegmentSum, oneHot,
};
