// Max pooling after a relu convolution (conv → relu → maxPool, the usual CNN block), backward pass in
// fewer full-size passes. Unfused, the pool's gradient is scattered into a tensor of the conv's output
// size, then the conv's gradient multiplies it by relu′(y) (a second full-size pass, read y, write dz).
// Here the pool applies relu′ to its small gradient first (relu′ at a window's argmax is "the pooled
// value > 0"), scatters that, and computes the bias gradient from the small tensor (a scatter keeps sums);
// the conv then takes the scattered gradient as dz as it is. Profiled on W3 (issue 13): the conv's
// biasActivationGrad was ~8% of a training step's CPU and 7 MB of its 30 MB of fresh arrays.
//
// Facts are kept by storage (the typed array), which is immutable and shared by reshapes of a tensor:
// the pool sees the conv's output through a 5-D reshape, the conv sees the pool's gradient through one.
import type { Tensor } from '../tensor/tensor.js';
import type { TypedArray } from '../tensor/dtype.js';

/** Storage of relu outputs (y = relu(z), so relu′(z) = [y > 0]) made by the fused conv + bias + relu op. */
const reluOutputs = new WeakSet<TypedArray>();

/** A gradient that is already zero wherever the relu output `y` is not positive, with its bias gradient. */
interface MaskedGradient {
  y: TypedArray;
  /** Σ over the leading axes of the gradient (its channels' sums), or null when not computed. */
  biasGrad: Tensor | null;
}

const maskedGradients = new WeakMap<TypedArray, MaskedGradient>();

/** Notes that `y`'s storage holds relu outputs (called by the conv + bias + relu op). */
export function markReluOutput(y: Tensor): void {
  reluOutputs.add(y.values);
}

/** Whether `x`'s storage holds relu outputs. */
export function isReluOutput(x: Tensor): boolean {
  return reluOutputs.has(x.values);
}

/** Notes that gradient `dy` is zero wherever relu output `y` is not positive; `biasGrad` = Σ dy over the leading axes. */
export function markReluMasked(dy: Tensor, y: Tensor, biasGrad: Tensor | null): void {
  maskedGradients.set(dy.values, { y: y.values, biasGrad });
}

/**
 * For the conv + bias + relu op's backward pass: when `dy` is already masked by relu′(y) (see above),
 * its bias gradient (or null if none was computed); undefined when `dy` needs the mask.
 */
export function reluMaskedBiasGrad(dy: Tensor, y: Tensor): Tensor | null | undefined {
  const m = maskedGradients.get(dy.values);
  return m && m.y === y.values ? m.biasGrad : undefined;
}
