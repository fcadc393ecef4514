// The 5-D pooling ops behind maxPool/avgPool 1-D, 2-D and 3-D, each with its gradient as an op, so
// that gradients are differentiable too. Internal: the public ops are in pool.ts.
import type { Tensor } from '../tensor/tensor.js';
import type { Pool3dInfo } from '../kernels/pool-kernels.js';
import { kernels } from '../kernels/registry.js';
import { isGradientRoot, isRecording } from '../autograd/tape.js';
import { runOp } from './engine.js';
import { biasActivationGrad } from './bias-activation.js';
import { isReluOutput, markReluMasked } from './relu-pool-grad.js';

/** Max pooling of x [N, D, H, W, C]. When a tape records, the argmax is kept for the backward pass. */
export function maxPool5d(x: Tensor, info: Pool3dInfo): Tensor {
  let argmax: Tensor | null = null;
  return runOp('MaxPool3D', [x], (k) => {
    if (!isRecording()) return k.maxPool3d(x, info);
    const r = k.maxPool3dWithArgmax(x, info);
    argmax = r.argmax;
    return r.values;
  }, (dy, y) => {
    argmax ??= kernels().maxPool3dArgmax(x, info);
    // x from a conv + bias + relu: relu′ applied here to the small gradient (see relu-pool-grad.ts).
    if (isReluOutput(x) && !isGradientRoot(x.values)) {
      const [masked, biasGrad] = biasActivationGrad(dy, y, 'relu', 0, true);
      const dx = scatterArgmax(masked, argmax, x.shape);
      markReluMasked(dx, x, biasGrad);
      return [dx];
    }
    return [scatterArgmax(dy, argmax, x.shape)];
  });
}

/** Values of x at the flat positions `argmax` (int32, constant): max pooling with its argmax known. */
export function gatherArgmax(x: Tensor, argmax: Tensor): Tensor {
  return runOp('GatherArgmax', [x], (k) => k.gatherFlat(x, argmax),
    (dy) => [scatterArgmax(dy, argmax, x.shape)]);
}

/** Max pooling's backward pass: dy routed to each window's argmax in a tensor of `shape`. */
export function scatterArgmax(dy: Tensor, argmax: Tensor, shape: readonly number[]): Tensor {
  return runOp('MaxPoolGrad', [dy], (k) => k.scatterAddFlat(dy, argmax, shape),
    (ddx) => [gatherArgmax(ddx, argmax)]);
}

/** Average pooling of x [N, D, H, W, C] over the valid elements of each window. */
export function avgPool5d(x: Tensor, info: Pool3dInfo): Tensor {
  return runOp('AvgPool3D', [x], (k) => k.avgPool3d(x, info), (dy) => [avgPoolGrad5d(dy, info)]);
}

/** Average pooling's backward pass; it is linear, and its own gradient is average pooling. */
export function avgPoolGrad5d(dy: Tensor, info: Pool3dInfo): Tensor {
  return runOp('AvgPool3DGrad', [dy], (k) => k.avgPool3dBackward(dy, info), (ddx) => [avgPool5d(ddx, info)]);
}
