import type { TypedArray } from '../../tensor/dtype.js';

/**
 * General matrix multiply on plain typed arrays: C (+)= op(A) · op(B), with op(A) of size m × k and
 * op(B) of size k × n. Each operand is described by an offset and two strides, so a transpose (or any
 * strided view) costs nothing: op(A)[i, p] = a[aOff + i·aRs + p·aCs], op(B)[p, j] = b[bOff + p·bRs + j·bCs],
 * C[i, j] = c[cOff + i·ldc + j]. Inputs of any dtype are read; C may be float32, float64 or int32
 * (int32 results are exact while every partial sum stays below 2^53, then wrap as int32 does).
 *
 * The work is cache-blocked (KC × NC panels of B, MC × KC blocks of A, both packed into contiguous
 * float64 scratch, zero-padded to whole tiles) and register-tiled: a micro-kernel computes an MR × NR
 * tile of C in local variables with the k-loop innermost over packed data. Float64 accumulation inside
 * a KC block also makes float32 results a little more accurate than a naive float32 loop.
 */

/** Rows of the micro-tile. 4 × 3 measured fastest in V8: 12 accumulators + 5 operands fit 16 xmm registers. */
const MR = 4;
/** Columns of the micro-tile. */
const NR = 3;
/** Depth of a packed block; KC × NR doubles of B (6 KiB) stay in L1 across a whole column of tiles. */
const KC = 256;
/** Rows of A packed at once (a multiple of MR); MC × KC doubles (192 KiB) sit in L2. */
const MC = 96;
/** Columns of B packed at once (a multiple of NR); KC × NC doubles (1.5 MiB) sit in L2/L3. */
const NC = 768;
/** Below this many multiply-adds packing costs more than it saves; plain loops run instead. */
const SMALL = 16 * 16 * 16;

// Scratch reused across calls (JS is single-threaded and gemm never calls itself).
let packA = new Float64Array(MC * KC);
let packB = new Float64Array(KC * NC);
const tile = new Float64Array(MR * NR);
let smallRow = new Float64Array(64);

/**
 * C (+)= op(A) · op(B) on raw arrays (see the file comment for the layout). `accumulate` false
 * overwrites the m × n block of C, true adds to it. C must not overlap A or B. Usable by other kernels
 * (conv via im2col, ...).
 */
export function gemm(
  m: number, n: number, k: number,
  a: TypedArray, aOff: number, aRs: number, aCs: number,
  b: TypedArray, bOff: number, bRs: number, bCs: number,
  c: TypedArray, cOff: number, ldc: number,
  accumulate = false,
): void {
  if (m <= 0 || n <= 0) return;
  if (!accumulate) for (let i = 0; i < m; i++) c.fill(0, cOff + i * ldc, cOff + i * ldc + n);
  if (k <= 0) return;
  if (m * n * k <= SMALL || m < MR || n === 1) {
    gemmSmall(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, ldc);
    return;
  }
  const ncMax = Math.min(NC, roundUp(n, NR));
  const kcMax = Math.min(KC, k);
  if (packB.length < kcMax * ncMax) packB = new Float64Array(kcMax * ncMax);
  if (packA.length < kcMax * MC) packA = new Float64Array(kcMax * MC);
  const ap = packA, bp = packB;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packPanelsB(kc, nc, b, bOff + pc * bRs + jc * bCs, bRs, bCs, bp);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packPanelsA(mc, kc, a, aOff + ic * aRs + pc * aCs, aRs, aCs, ap);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = Math.min(MR, mc - ir);
            micro4x3(kc, ap, ir * kc, bp, jr * kc, tile);
            addTile(tile, mr, nr, c, cOff + (ic + ir) * ldc + jc + jr, ldc);
          }
        }
      }
    }
  }
}

/**
 * gemm on row-major matrices stored contiguously: A is [m, k] ([k, m] when transposeA), B is [k, n]
 * ([n, k] when transposeB), C is [m, n].
 */
export function gemmRowMajor(
  transposeA: boolean, transposeB: boolean, m: number, n: number, k: number,
  a: TypedArray, aOff: number, b: TypedArray, bOff: number, c: TypedArray, cOff: number, accumulate = false,
): void {
  gemm(m, n, k,
    a, aOff, transposeA ? 1 : k, transposeA ? m : 1,
    b, bOff, transposeB ? 1 : n, transposeB ? k : 1,
    c, cOff, n, accumulate);
}

function roundUp(x: number, to: number): number {
  return Math.ceil(x / to) * to;
}

/** Packs an mc × kc block of op(A) into MR-row panels: panel r holds, for each p, its MR values. */
function packPanelsA(mc: number, kc: number, a: TypedArray, off: number, rs: number, cs: number, out: Float64Array): void {
  let o = 0;
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const r0 = off + i0 * rs;
    if (i0 + MR <= mc) {
      const r1 = r0 + rs, r2 = r1 + rs, r3 = r2 + rs;
      for (let p = 0; p < kc; p++) {
        const q = p * cs;
        out[o] = a[r0 + q];
        out[o + 1] = a[r1 + q];
        out[o + 2] = a[r2 + q];
        out[o + 3] = a[r3 + q];
        o += MR;
      }
    } else {
      const rows = mc - i0;
      for (let p = 0; p < kc; p++) {
        for (let i = 0; i < MR; i++) out[o + i] = i < rows ? a[r0 + i * rs + p * cs] : 0;
        o += MR;
      }
    }
  }
}

/** Packs a kc × nc block of op(B) into NR-column panels: panel r holds, for each p, its NR values. */
function packPanelsB(kc: number, nc: number, b: TypedArray, off: number, rs: number, cs: number, out: Float64Array): void {
  let o = 0;
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const c0 = off + j0 * cs;
    if (j0 + NR <= nc) {
      const c1 = c0 + cs, c2 = c1 + cs;
      for (let p = 0; p < kc; p++) {
        const q = p * rs;
        out[o] = b[c0 + q];
        out[o + 1] = b[c1 + q];
        out[o + 2] = b[c2 + q];
        o += NR;
      }
    } else {
      const cols = nc - j0;
      for (let p = 0; p < kc; p++) {
        for (let j = 0; j < NR; j++) out[o + j] = j < cols ? b[c0 + j * cs + p * rs] : 0;
        o += NR;
      }
    }
  }
}

/** The register tile: t = Ap(4 × kc) · Bp(kc × 3), both packed, k innermost. */
function micro4x3(kc: number, ap: Float64Array, ai: number, bp: Float64Array, bi: number, t: Float64Array): void {
  let c00 = 0, c01 = 0, c02 = 0;
  let c10 = 0, c11 = 0, c12 = 0;
  let c20 = 0, c21 = 0, c22 = 0;
  let c30 = 0, c31 = 0, c32 = 0;
  const end = ai + kc * MR;
  while (ai < end) {
    const a0 = ap[ai], a1 = ap[ai + 1], a2 = ap[ai + 2], a3 = ap[ai + 3];
    const b0 = bp[bi];
    c00 += a0 * b0; c10 += a1 * b0; c20 += a2 * b0; c30 += a3 * b0;
    const b1 = bp[bi + 1];
    c01 += a0 * b1; c11 += a1 * b1; c21 += a2 * b1; c31 += a3 * b1;
    const b2 = bp[bi + 2];
    c02 += a0 * b2; c12 += a1 * b2; c22 += a2 * b2; c32 += a3 * b2;
    ai += MR;
    bi += NR;
  }
  t[0] = c00; t[1] = c01; t[2] = c02;
  t[3] = c10; t[4] = c11; t[5] = c12;
  t[6] = c20; t[7] = c21; t[8] = c22;
  t[9] = c30; t[10] = c31; t[11] = c32;
}

/** C[0:mr, 0:nr] += t[0:mr, 0:nr]; edge tiles store only their valid part. */
function addTile(t: Float64Array, mr: number, nr: number, c: TypedArray, off: number, ldc: number): void {
  if (mr === MR && nr === NR) {
    c[off] += t[0]; c[off + 1] += t[1]; c[off + 2] += t[2];
    off += ldc;
    c[off] += t[3]; c[off + 1] += t[4]; c[off + 2] += t[5];
    off += ldc;
    c[off] += t[6]; c[off + 1] += t[7]; c[off + 2] += t[8];
    off += ldc;
    c[off] += t[9]; c[off + 1] += t[10]; c[off + 2] += t[11];
    return;
  }
  for (let i = 0; i < mr; i++) {
    for (let j = 0; j < nr; j++) c[off + i * ldc + j] += t[i * NR + j];
  }
}

/**
 * Unpacked loops for small or thin products (m < MR or n = 1: matrix-vector products, a batch of
 * one), where packing would cost as much as the arithmetic.
 */
function gemmSmall(
  m: number, n: number, k: number,
  a: TypedArray, aOff: number, aRs: number, aCs: number,
  b: TypedArray, bOff: number, bRs: number, bCs: number,
  c: TypedArray, cOff: number, ldc: number,
): void {
  if (n < NR) {
    // Dot products with four partial sums, so the adds do not wait on each other.
    for (let i = 0; i < m; i++) {
      const ar = aOff + i * aRs;
      for (let j = 0; j < n; j++) {
        const bc = bOff + j * bCs;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        let p = 0;
        for (; p + 4 <= k; p += 4) {
          s0 += a[ar + p * aCs] * b[bc + p * bRs];
          s1 += a[ar + (p + 1) * aCs] * b[bc + (p + 1) * bRs];
          s2 += a[ar + (p + 2) * aCs] * b[bc + (p + 2) * bRs];
          s3 += a[ar + (p + 3) * aCs] * b[bc + (p + 3) * bRs];
        }
        for (; p < k; p++) s0 += a[ar + p * aCs] * b[bc + p * bRs];
        c[cOff + i * ldc + j] += (s0 + s1) + (s2 + s3);
      }
    }
    return;
  }
  // Rows of C built in float64 from four rows of B at a time (one load and store of the row per 8 flops).
  if (smallRow.length < n) smallRow = new Float64Array(n);
  const row = smallRow;
  for (let i = 0; i < m; i++) {
    row.fill(0, 0, n);
    const ar = aOff + i * aRs;
    let p = 0;
    for (; p + 4 <= k; p += 4) {
      const a0 = a[ar + p * aCs], a1 = a[ar + (p + 1) * aCs], a2 = a[ar + (p + 2) * aCs], a3 = a[ar + (p + 3) * aCs];
      const b0 = bOff + p * bRs, b1 = b0 + bRs, b2 = b1 + bRs, b3 = b2 + bRs;
      for (let j = 0; j < n; j++) {
        const q = j * bCs;
        row[j] += a0 * b[b0 + q] + a1 * b[b1 + q] + a2 * b[b2 + q] + a3 * b[b3 + q];
      }
    }
    for (; p < k; p++) {
      const av = a[ar + p * aCs], br = bOff + p * bRs;
      for (let j = 0; j < n; j++) row[j] += av * b[br + j * bCs];
    }
    const co = cOff + i * ldc;
    for (let j = 0; j < n; j++) c[co + j] += row[j];
  }
}
