import type { FloatArray, GradArray } from '../optimizers/update-rules.js';

/**
 * Fused optimizer updates on raw storage, the one kernel area that works on typed arrays instead of
 * tensors: an optimizer step touches every parameter once per step, and a tensor around each array
 * would only add allocations. The contract is the js rule's (src/optimizers/update-rules.ts): read
 * the inputs, write the `out*` arrays the caller allocated, never an input.
 */
export interface OptimizerKernels {
  /** Adam / AdamW (Keras 3); see `adamUpdate` in update-rules.ts for the formulas. */
  adamUpdate(
    p: FloatArray, g: GradArray, m: FloatArray, v: FloatArray, vHat: FloatArray | null,
    alpha: number, beta1: number, beta2: number, epsilon: number, decay: number,
    outP: FloatArray, outM: FloatArray, outV: FloatArray, outVHat: FloatArray | null,
  ): void;
}
