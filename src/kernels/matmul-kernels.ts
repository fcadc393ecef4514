import type { Tensor } from '../tensor/tensor.js';

/** Kernel signatures of the matmul area (see backend.ts). */
export interface MatmulKernels {
  /**
   * Batched matrix product: a is [...batchA, m, k] ([..., k, m] when transposeA), b is [...batchB, k, n]
   * ([..., n, k] when transposeB), both rank ≥ 2; batch dims broadcast; the result is [...batch, m, n] in the
   * wider of the two dtypes.
   */
  matmul(a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean): Tensor;
}
