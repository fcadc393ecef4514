import type { Tensor } from '../tensor/tensor.js';

/**
 * Fused loss kernels. `probs` [..., C] is a softmax output (rows along the last axis); `labels` has its
 * shape and dtype class (float32 or float64). The formula is the one categoricalCrossentropy writes with
 * ops (src/losses/losses.ts): q = clip(p / Σp, ε, 1 − ε), loss = −Σ t·log q per row, ε = 1e-7; one pass
 * instead of seven ops, and the gradient goes to the softmax's logits in one more pass.
 */
export interface LossKernels {
  /** −Σ_j t_j·log clip(p_j / Σp, ε, 1 − ε) per row: shape [...] (probs' shape without its last axis), probs' dtype. */
  softmaxCrossEntropy(labels: Tensor, probs: Tensor): Tensor;
  /**
   * The gradient of that loss with respect to the logits z of p = softmax(z), given the loss's gradient
   * `dLoss` [...]: the exact derivative of the composite (zero through clipped entries), shaped as probs.
   */
  softmaxCrossEntropyGrad(labels: Tensor, probs: Tensor, dLoss: Tensor): Tensor;
}

/** The fuzz factor of the fused cross-entropy (Keras' epsilon, src/losses/losses.ts EPSILON). */
export const CROSSENTROPY_EPSILON = 1e-7;
