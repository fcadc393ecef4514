// The fused softmax + categorical cross-entropy (internal: not in the public barrel). The loss of
// probabilities p = softmax(z) is computed from p in one kernel, with the formula of the unfused ops
// (src/losses/losses.ts categoricalCrossentropy), and its gradient goes straight to the logits z in one
// more kernel: the softmax's own backward pass and the seven ops of the loss and their gradients are
// skipped. Results equal the unfused ops up to float rounding.
import type { Tensor } from '../tensor/tensor.js';
import { CROSSENTROPY_EPSILON } from '../kernels/loss-kernels.js';
import { recordingDepth } from '../autograd/tape.js';
import { runOp } from './engine.js';
import { div, mul, neg } from './arithmetic.js';
import { clipByValue, log } from './unary.js';
import { sum } from './reduce.js';
import { expandDims } from './reshape.js';
import { softmaxLogitsOf } from './softmax.js';

/**
 * −Σ t·log clip(p/Σp, ε, 1 − ε) over the last axis when `probs` is a softmax output (of its last
 * axis) and no higher-order gradient can be taken (the fused gradient is not differentiable); null
 * otherwise, for the caller to run the unfused ops. `labels` must have probs' shape and dtype.
 */
export function fusedSoftmaxCrossEntropy(labels: Tensor, probs: Tensor): Tensor | null {
  const logits = softmaxLogitsOf(probs);
  if (!logits || probs.rank < 1 || recordingDepth() > 1 || labels.dtype !== probs.dtype || probs.dtype === 'int32') return null;
  return runOp('SoftmaxCrossEntropy', [logits, labels], (k) => k.softmaxCrossEntropy(labels, probs), (dLoss, _y, needs) => [
    needs[0] ? runOp('SoftmaxCrossEntropyGrad', [dLoss], (k) => k.softmaxCrossEntropyGrad(labels, probs, dLoss)) : null,
    // d loss / d t = −log q: the unfused ops, for the rare caller that differentiates with respect to the labels.
    needs[1] ? mul(neg(log(clipByValue(div(probs, sum(probs, -1, true)), CROSSENTROPY_EPSILON, 1 - CROSSENTROPY_EPSILON))),
      expandDims(dLoss, -1)) : null,
  ]);
}
