import type { Tensor } from '../tensor/tensor.js';
import type { FusedActivation } from './elementwise-kernels.js';

/** The activations of a dense layer's fused forward pass: the fused bias activations, and softmax along the units. */
export type DenseActivation = FusedActivation | 'softmax';

/** Kernel signatures of the matmul area (see backend.ts). */
export interface MatmulKernels {
  /**
   * Batched matrix product: a is [...batchA, m, k] ([..., k, m] when transposeA), b is [...batchB, k, n]
   * ([..., n, k] when transposeB), both rank ≥ 2; batch dims broadcast; the result is [...batch, m, n] in the
   * wider of the two dtypes.
   */
  matmul(a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean): Tensor;
  /**
   * A dense layer's forward pass: act(x · w + bias) for x [..., k] (rank ≥ 2), w [k, n], bias [n] or null,
   * of one dtype — what matmul, then biasActivation (for softmax: the bias added, then softmax along the
   * last axis) give, in one pass where the backend can fuse them. `reuse`: w is a layer's weights, passed
   * again unchanged while its storage is the same, so a backend may keep a copy of it prepared for its
   * GEMM, keyed by that storage (tensor storage is never written in place).
   */
  matmulBiasActivation(x: Tensor, w: Tensor, bias: Tensor | null, act: DenseActivation, alpha: number, reuse: boolean): Tensor;
}
