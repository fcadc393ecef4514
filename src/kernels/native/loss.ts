import { Tensor } from '../../tensor/tensor.js';
import { writeOnlyFloat32 } from '../../tensor/write-only.js';
import type { LossKernels } from '../loss-kernels.js';
import type { NativeAddon } from './addon.js';
import { lossKernels as js } from '../js/loss.js';

/** The addon's fused loss kernels (native/src/softmax-cross-entropy.cc). */
interface LossAddon {
  softmaxCrossEntropy(labels: Float32Array, probs: Float32Array, out: Float32Array, n: number): void;
  softmaxCrossEntropyGrad(labels: Float32Array, probs: Float32Array, dLoss: Float32Array, dz: Float32Array, n: number): void;
}

const f32 = (t: Tensor): t is Tensor & { values: Float32Array } => t.values instanceof Float32Array;

/** Native fused softmax cross-entropy for float32 (others, and empty rows, run the js reference). */
export function nativeLossKernels(addon: NativeAddon): LossKernels {
  const loss = addon as NativeAddon & LossAddon;
  return {
    softmaxCrossEntropy(labels, probs) {
      const n = probs.shape[probs.rank - 1];
      if (!f32(labels) || !f32(probs) || !(n > 0) || labels.size !== probs.size) return js.softmaxCrossEntropy(labels, probs);
      const out = writeOnlyFloat32(probs.size / n);
      loss.softmaxCrossEntropy(labels.values, probs.values, out, n);
      return new Tensor(out, probs.shape.slice(0, -1));
    },
    softmaxCrossEntropyGrad(labels, probs, dLoss) {
      const n = probs.shape[probs.rank - 1];
      if (!f32(labels) || !f32(probs) || !f32(dLoss) || !(n > 0) || labels.size !== probs.size) {
        return js.softmaxCrossEntropyGrad(labels, probs, dLoss);
      }
      const dz = writeOnlyFloat32(probs.size);
      loss.softmaxCrossEntropyGrad(labels.values, probs.values, dLoss.values, dz, n);
      return new Tensor(dz, probs.shape);
    },
  };
}
