import type { ConvInfo, ConvKernels } from '../conv-kernels.js';
import { Tensor } from '../../tensor/tensor.js';
import { alloc, upcast } from '../../tensor/dtype.js';
import { depthwiseKernels } from './conv-depthwise.js';
import { directConv3d, directConv3dBackpropFilter, directConv3dBackpropInput } from './conv-direct.js';
import { gemm } from './gemm.js';
import { col2im, im2col, patchRows, patchWidth } from './im2col.js';
import { allFinite, density, sparseBackpropFilter, sparseBackpropInput } from './conv-sparse.js';
import { biasActivation } from './bias-activation.js';
import { poolKernels } from './pool.js';

// Convolution as matrix products (im2col): with P the output positions of the batch, K = KD·KH·KW·C
// the taps of one window and F the output channels,
//   forward         y[P, F]  = patches(x)[P, K] · w[K, F]
//   backprop filter dw[K, F] = patches(x)ᵀ · dy[P, F]
//   backprop input  dx       = col2im(dy[P, F] · wᵀ[F, K])  (scatter-add of each patch row)
// The patch matrix is built a block of rows at a time in reused scratch, so memory stays bounded,
// and the products run on the blocked GEMM. A 1×1 conv with stride 1 and no padding needs no
// patches at all: x itself is the [P, C] matrix. When dy is mostly zeros (ReLU and max pool make it
// so), the gradients skip them instead of running the GEMM (conv-sparse.ts). Tiny problems keep the
// direct loops (conv-direct.ts), whose lack of set-up wins there. Every sum is float64 until stored.

/** Patch-matrix entries built per block (512 KiB of float64): big enough to amortise the GEMM's packing of w. */
const BLOCK = 1 << 16;
/**
 * The gradients skip dy's zeros (conv-sparse.ts) when at most this fraction of dy is nonzero and a patch
 * row is at least SPARSE_MIN_K long. Measured on the W3 second layer (K = 288): the axpy4 loops beat the
 * GEMM up to about 70% density for the input gradient and about 50% for the filter gradient (2.5–4×
 * faster at W3's 14%); with K = 9 they only tie, the rows being too short.
 */
const SPARSE_INPUT = 0.5;
const SPARSE_FILTER = 0.3;
const SPARSE_MIN_K = 32;
/** Below this many multiply-adds the direct loops beat im2col's set-up. */
const SMALL = 1 << 14;

// Scratch reused across calls (JS is single-threaded and no kernel here calls another).
let colScratch = new Float64Array(BLOCK);
let accBuffer = new Float64Array(0);

/** The patch-block scratch, grown to n entries when needed (contents undefined). */
function scratch(n: number): Float64Array {
  if (colScratch.length < n) colScratch = new Float64Array(n);
  return colScratch;
}

/** Largest input-gradient scratch kept between calls (32 MiB); bigger ones are allocated per call. */
const KEEP_ACC = 1 << 22;

/** Zeroed float64 scratch of n entries for the input gradient's sums (a subarray view when larger). */
function accScratch(n: number): Float64Array {
  if (n > KEEP_ACC) return new Float64Array(n);
  if (accBuffer.length < n) accBuffer = new Float64Array(n);
  else accBuffer.fill(0, 0, n);
  return accBuffer.length === n ? accBuffer : accBuffer.subarray(0, n);
}

/** Rows per block: at least a few, so the GEMM gets a usable m even for very wide patches. */
function blockRows(K: number, P: number, block: number): number {
  return Math.min(P, Math.max(8, Math.floor(block / K)));
}

/** True when x already is the patch matrix: 1×1×1 kernel, unit strides, no padding (so outSize = inSize). */
function isPointwise(info: ConvInfo): boolean {
  const { kernel: k, strides: s, padBefore: p, inSize: i, outSize: o } = info;
  return k[0] === 1 && k[1] === 1 && k[2] === 1 && s[0] === 1 && s[1] === 1 && s[2] === 1 &&
    p[0] === 0 && p[1] === 0 && p[2] === 0 && i[0] === o[0] && i[1] === o[1] && i[2] === o[2];
}

/** Work of an m × n GEMM output counted in whole 4 × 3 register tiles (the GEMM's MR × NR). */
function tiles(m: number, n: number): number {
  return Math.ceil(m / 4) * Math.ceil(n / 3);
}

function isSmall(info: ConvInfo): boolean {
  return patchRows(info) * patchWidth(info) * info.outChannels < SMALL;
}

function conv3d(x: Tensor, w: Tensor, info: ConvInfo): Tensor {
  return isSmall(info) ? directConv3d(x, w, info) : im2colConv3d(x, w, info);
}

/** conv3d by im2col + GEMM whatever the size; `block` = patch entries per block (exported for tests). */
export function im2colConv3d(x: Tensor, w: Tensor, info: ConvInfo, block = BLOCK): Tensor {
  const F = info.outChannels, K = patchWidth(info), P = patchRows(info);
  const xv = x.values, wv = w.values;
  const out = alloc(upcast(x.dtype, w.dtype), P * F);
  const shape = [info.batch, ...info.outSize, F];
  if (isPointwise(info)) {
    gemm(P, F, K, xv, 0, K, 1, wv, 0, F, 1, out, 0, F);
    return new Tensor(out, shape);
  }
  const B = blockRows(K, P, block), col = scratch(B * K);
  for (let p0 = 0; p0 < P; p0 += B) {
    const rows = Math.min(B, P - p0);
    im2col(xv, info, p0, rows, col);
    gemm(rows, F, K, col, 0, K, 1, wv, 0, F, 1, out, p0 * F, F);
  }
  return new Tensor(out, shape);
}

function conv3dBackpropFilter(x: Tensor, dy: Tensor, info: ConvInfo): Tensor {
  return isSmall(info) ? directConv3dBackpropFilter(x, dy, info) : im2colConv3dBackpropFilter(x, dy, info);
}

/**
 * conv3dBackpropFilter by im2col + GEMM whatever the size (exported for tests): `block` = patch
 * entries per block; `sparse` = skip dy's zeros (default: when that pays, see SPARSE_FILTER).
 */
export function im2colConv3dBackpropFilter(x: Tensor, dy: Tensor, info: ConvInfo, block = BLOCK,
  sparse = patchWidth(info) >= SPARSE_MIN_K && density(dy.values) <= SPARSE_FILTER && allFinite(x.values)): Tensor {
  const F = info.outChannels, K = patchWidth(info), P = patchRows(info);
  const xv = x.values, dyv = dy.values;
  const out = alloc(upcast(x.dtype, dy.dtype), K * F);
  const shape = [...info.kernel, info.inChannels, F];
  if (sparse) {
    const B = blockRows(K, P, block), dwT = new Float64Array(F * K);
    sparseBackpropFilter(xv, dyv, info, B, scratch(B * K), dwT);
    for (let k = 0; k < K; k++) for (let f = 0; f < F; f++) out[k * F + f] = dwT[f * K + k];
    return new Tensor(out, shape);
  }
  if (isPointwise(info)) {
    gemm(K, F, P, xv, 0, 1, K, dyv, 0, F, 1, out, 0, F);
    return new Tensor(out, shape);
  }
  // Summed over every block in float64, so a float32 filter gradient does not lose the small terms.
  // The GEMM works in 4 × 3 tiles; when K is the worse fit for 4 rows (K = 9 for a 3×3 conv of one
  // channel pads to 12), it computes dwᵀ[F, K] = dyᵀ · patches instead and transposes at the end.
  const transposed = tiles(F, K) < tiles(K, F);
  const acc = !transposed && out instanceof Float64Array ? out : new Float64Array(K * F);
  const B = blockRows(K, P, block), col = scratch(B * K);
  for (let p0 = 0; p0 < P; p0 += B) {
    const rows = Math.min(B, P - p0);
    im2col(xv, info, p0, rows, col);
    if (transposed) gemm(F, K, rows, dyv, p0 * F, 1, F, col, 0, K, 1, acc, 0, K, true);
    else gemm(K, F, rows, col, 0, 1, K, dyv, p0 * F, F, 1, acc, 0, F, true);
  }
  if (transposed) {
    for (let k = 0; k < K; k++) for (let f = 0; f < F; f++) out[k * F + f] = acc[f * K + k];
  } else if (acc !== out) out.set(acc);
  return new Tensor(out, shape);
}

function conv3dBackpropInput(dy: Tensor, w: Tensor, info: ConvInfo): Tensor {
  return isSmall(info) ? directConv3dBackpropInput(dy, w, info) : im2colConv3dBackpropInput(dy, w, info);
}

/**
 * conv3dBackpropInput by im2col + GEMM whatever the size (exported for tests): `block` = patch
 * entries per block; `sparse` = skip dy's zeros (default: when that pays, see SPARSE_INPUT).
 */
export function im2colConv3dBackpropInput(dy: Tensor, w: Tensor, info: ConvInfo, block = BLOCK,
  sparse = patchWidth(info) >= SPARSE_MIN_K && density(dy.values) <= SPARSE_INPUT && allFinite(w.values)): Tensor {
  const F = info.outChannels, K = patchWidth(info), P = patchRows(info);
  const [D, H, W] = info.inSize;
  const size = info.batch * D * H * W * info.inChannels;
  const dyv = dy.values, wv = w.values;
  const out = alloc(upcast(dy.dtype, w.dtype), size);
  const shape = [info.batch, D, H, W, info.inChannels];
  if (isPointwise(info) && !sparse) {
    gemm(P, K, F, dyv, 0, F, 1, wv, 0, 1, F, out, 0, K);
    return new Tensor(out, shape);
  }
  // Scatter-adds summed in float64 (reused scratch) unless the output already is float64.
  const acc = out instanceof Float64Array ? out : accScratch(size);
  const B = blockRows(K, P, block), col = scratch(B * K);
  if (sparse) {
    sparseBackpropInput(dyv, wv, info, B, col, acc);
  } else {
    for (let p0 = 0; p0 < P; p0 += B) {
      const rows = Math.min(B, P - p0);
      gemm(rows, K, F, dyv, p0 * F, F, 1, wv, 0, 1, F, col, 0, K);
      col2im(col, info, p0, rows, acc);
    }
  }
  if (acc !== out) out.set(acc);
  return new Tensor(out, shape);
}

/** Reference conv kernels: im2col + GEMM, one N-dimensional (3-D) core for 1-D, 2-D and 3-D. */
export const convKernels: ConvKernels = {
  conv3d,
  conv3dBiasActivation: (x, filter, bias, act, alpha, info) => biasActivation(conv3d(x, filter, info), bias, act, alpha),
  conv3dBiasActivationMaxPool: (x, filter, bias, act, alpha, info, pool) =>
    poolKernels.maxPool3d(biasActivation(conv3d(x, filter, info), bias, act, alpha), pool),
  conv3dBackpropInput,
  conv3dBackpropFilter,
  ...depthwiseKernels,
};
