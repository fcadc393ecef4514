// Categorical cross-entropy of probabilities, and its fused form for softmax outputs (internal: not in
// the public barrel). The loss of probabilities p = softmax(z) is computed from p in one kernel, with
// the formula of the unfused ops (crossEntropyOfProbs), and its gradient goes straight to the logits z
// in one more kernel: the softmax's own backward pass and the seven ops of the loss and their gradients
// are skipped. Results equal the unfused ops up to float rounding.
import type { Tensor } from '../tensor/tensor.js';
import { CROSSENTROPY_EPSILON } from '../kernels/loss-kernels.js';
import { isGradientRoot, recordingDepth, valueAndGrads } from '../autograd/tape.js';
import { runOp } from './engine.js';
import { div, mul, neg } from './arithmetic.js';
import { clipByValue, log } from './unary.js';
import { sum } from './reduce.js';
import { expandDims } from './reshape.js';
import { softmaxLogitsOf } from './softmax.js';

/** clip(p/Σp, ε, 1 − ε) along the last axis. */
function clippedProbs(probs: Tensor): Tensor {
  return clipByValue(div(probs, sum(probs, -1, true)), CROSSENTROPY_EPSILON, 1 - CROSSENTROPY_EPSILON);
}

/** −Σ t·log clip(p/Σp, ε, 1 − ε) over the last axis, as ops (Keras' categorical cross-entropy of probabilities). */
export function crossEntropyOfProbs(labels: Tensor, probs: Tensor): Tensor {
  return neg(sum(mul(labels, log(clippedProbs(probs))), -1));
}

/**
 * `crossEntropyOfProbs` in one kernel when `probs` is a softmax output (of its last axis) and no
 * higher-order gradient can be taken (the fused gradient is not differentiable); null otherwise, for the
 * caller to run the ops. `labels` must have probs' shape and dtype. The gradient goes to the logits,
 * or to the probabilities themselves when the caller asked for theirs (they are a gradient root; the
 * softmax then carries it on to the logits as usual).
 */
export function fusedSoftmaxCrossEntropy(labels: Tensor, probs: Tensor): Tensor | null {
  const logits = softmaxLogitsOf(probs);
  if (!logits || probs.rank < 1 || recordingDepth() > 1 || labels.dtype !== probs.dtype || probs.dtype === 'int32') return null;
  return runOp('SoftmaxCrossEntropy', [logits, labels, probs], (k) => k.softmaxCrossEntropy(labels, probs), (dLoss, _y, needs) => {
    const toProbs = needs[2] && isGradientRoot(probs.values);
    return [
      needs[0] && !toProbs ? runOp('SoftmaxCrossEntropyGrad', [dLoss], (k) => k.softmaxCrossEntropyGrad(labels, probs, dLoss)) : null,
      // d loss / d t = −log q: the ops, for the rare caller that differentiates with respect to the labels.
      needs[1] ? mul(neg(log(clippedProbs(probs))), expandDims(dLoss, -1)) : null,
      toProbs ? valueAndGrads(() => sum(mul(crossEntropyOfProbs(labels, probs), dLoss)), [probs]).grads[0] : null,
    ];
  });
}
