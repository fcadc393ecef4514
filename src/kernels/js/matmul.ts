import type { DenseActivation, MatmulKernels } from '../matmul-kernels.js';
import { ShapeError, fmtShape } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import { alloc, upcast } from '../../tensor/dtype.js';
import { broadcastShapes, sizeOf } from '../../tensor/shape.js';
import { broadcastIndex } from './broadcast.js';
import { gemmRowMajor } from './gemm.js';
import { biasActivation } from './bias-activation.js';
import { softmaxAlong } from './softmax.js';

function matmul(a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean): Tensor {
  if (a.rank < 2 || b.rank < 2) {
    throw new ShapeError(`matmul kernel: both operands need rank ≥ 2, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  const ra = a.rank, rb = b.rank;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) {
    throw new ShapeError(`matmul kernel: inner dimensions differ: a is ${fmtShape(a.shape)}, b is ${fmtShape(b.shape)}`);
  }
  const batchA = a.shape.slice(0, -2), batchB = b.shape.slice(0, -2);
  const batch = broadcastShapes('matmul', batchA, batchB);
  const nb = sizeOf(batch);
  const out = alloc(upcast(a.dtype, b.dtype), nb * m * n);
  const shape = [...batch, m, n];
  if (out.length === 0) return new Tensor(out, shape);
  if (sizeOf(batchB) === 1 && !transposeA) {
    // One shared b (a dense layer on [batch, time, features], say): stack a's matrices into one tall product.
    gemmRowMajor(false, transposeB, nb * m, n, k, a.values, 0, b.values, 0, out, 0);
    return new Tensor(out, shape);
  }
  const ai = broadcastIndex(batchA, batch, nb), bi = broadcastIndex(batchB, batch, nb);
  const sa = m * k, sb = k * n, sc = m * n;
  for (let i = 0; i < nb; i++) {
    gemmRowMajor(transposeA, transposeB, m, n, k, a.values, ai[i] * sa, b.values, bi[i] * sb, out, i * sc);
  }
  return new Tensor(out, shape);
}

/** The reference dense forward pass: the product, then the bias and activation (softmax: along the last axis). */
function matmulBiasActivation(x: Tensor, w: Tensor, bias: Tensor | null, act: DenseActivation, alpha: number): Tensor {
  const y = matmul(x, w, false, false);
  if (act !== 'softmax') return biasActivation(y, bias, act, alpha);
  return softmaxAlong(bias ? biasActivation(y, bias, 'linear', 0) : y, y.rank - 1, false);
}

/** Reference matmul kernels. */
export const matmulKernels: MatmulKernels = { matmul, matmulBiasActivation };
