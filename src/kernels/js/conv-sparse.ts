import type { ConvInfo } from '../conv-kernels.js';
import type { TypedArray } from '../../tensor/dtype.js';
import { col2im, im2col } from './im2col.js';

// Conv gradients that skip the zeros of dy. Behind a ReLU and a max pool most of dy is zero (in the
// MNIST CNN W3, 85%: a 2×2 max pool passes one gradient in four, and ReLU drops more), and the GEMM
// cannot skip them. These kernels walk dy's nonzeros and add, for each, a scaled row of the other
// operand: four such rows per pass over the destination (axpy4), so each load and store of the
// destination carries four multiply-adds. Both write float64 sums.

let offs = new Int32Array(256);
let coefs = new Float64Array(256);

function lists(n: number): void {
  if (offs.length < n) {
    offs = new Int32Array(n);
    coefs = new Float64Array(n);
  }
}

/** dst[d + j] += Σ_t coef[t] · src[off[t] + j] for j < len, over the first n (off, coef) pairs. */
function axpyRows(dst: Float64Array, d: number, src: Float64Array, off: Int32Array, coef: Float64Array, n: number, len: number): void {
  let t = 0;
  for (; t + 4 <= n; t += 4) {
    const o0 = off[t], o1 = off[t + 1], o2 = off[t + 2], o3 = off[t + 3];
    const g0 = coef[t], g1 = coef[t + 1], g2 = coef[t + 2], g3 = coef[t + 3];
    for (let j = 0; j < len; j++) dst[d + j] += g0 * src[o0 + j] + g1 * src[o1 + j] + g2 * src[o2 + j] + g3 * src[o3 + j];
  }
  for (; t < n; t++) {
    const o = off[t], g = coef[t];
    for (let j = 0; j < len; j++) dst[d + j] += g * src[o + j];
  }
}

/** Fraction of nonzero entries, or 1 when some entry is not finite (skipping 0 · Inf would hide a NaN). */
export function density(v: TypedArray): number {
  let nz = 0;
  for (let i = 0; i < v.length; i++) {
    const a = v[i];
    if (a !== 0) {
      if (a - a !== 0) return 1;
      nz++;
    }
  }
  return v.length === 0 ? 1 : nz / v.length;
}

/** True when every entry is finite (so 0 · entry is 0 and skipping it changes nothing). */
export function allFinite(v: TypedArray): boolean {
  for (let i = 0; i < v.length; i++) if (v[i] - v[i] !== 0) return false;
  return true;
}

/**
 * Adds the input gradient to dx (float64, layout of x): for blocks of `rows` output positions, each
 * patch row Σ_f dy[p, f] · wᵀ[f, :] over the nonzero dy[p, f], then col2im. `col` holds rows × K.
 */
export function sparseBackpropInput(dyv: TypedArray, wv: TypedArray, info: ConvInfo, rows: number, col: Float64Array, dx: Float64Array): void {
  const F = info.outChannels, K = info.kernel[0] * info.kernel[1] * info.kernel[2] * info.inChannels;
  const P = info.batch * info.outSize[0] * info.outSize[1] * info.outSize[2];
  const wT = new Float64Array(F * K);
  for (let k = 0; k < K; k++) for (let f = 0; f < F; f++) wT[f * K + k] = wv[k * F + f];
  lists(F);
  const off = offs, coef = coefs;
  for (let p0 = 0; p0 < P; p0 += rows) {
    const r = Math.min(rows, P - p0);
    col.fill(0, 0, r * K);
    for (let i = 0; i < r; i++) {
      const yo = (p0 + i) * F;
      let n = 0;
      for (let f = 0; f < F; f++) {
        const g = dyv[yo + f];
        if (g !== 0) {
          off[n] = f * K;
          coef[n++] = g;
        }
      }
      axpyRows(col, i * K, wT, off, coef, n, K);
    }
    col2im(col, info, p0, r, dx);
  }
}

/**
 * The filter gradient, transposed: dwT[f, :] (float64, [F, K], zeroed by the caller) += Σ_p dy[p, f] ·
 * patches[p, :] over the nonzero dy[p, f], for blocks of `rows` patch rows built in `col`.
 */
export function sparseBackpropFilter(xv: TypedArray, dyv: TypedArray, info: ConvInfo, rows: number, col: Float64Array, dwT: Float64Array): void {
  const F = info.outChannels, K = info.kernel[0] * info.kernel[1] * info.kernel[2] * info.inChannels;
  const P = info.batch * info.outSize[0] * info.outSize[1] * info.outSize[2];
  lists(rows);
  const off = offs, coef = coefs;
  for (let p0 = 0; p0 < P; p0 += rows) {
    const r = Math.min(rows, P - p0);
    im2col(xv, info, p0, r, col);
    for (let f = 0; f < F; f++) {
      let n = 0;
      for (let i = 0, yo = p0 * F + f; i < r; i++, yo += F) {
        const g = dyv[yo];
        if (g !== 0) {
          off[n] = i * K;
          coef[n++] = g;
        }
      }
      axpyRows(dwT, f * K, col, off, coef, n, K);
    }
  }
}
