// Internal differentiable conv ops shared by conv1d/2d/3d, the transposed convs and depthwiseConv2d.
// Forward conv, its input-gradient and its filter-gradient are each other's gradients, so the three
// close under differentiation: any order of derivative stays within these kernels.
import { Tensor } from '../tensor/tensor.js';
import { runOp } from './engine.js';
import type { ConvGeometry } from './conv-util.js';
import { type FusedActivation, biasActivationGrad } from './bias-activation.js';
import { markReluOutput, reluMaskedBiasGrad } from './relu-pool-grad.js';
import { isRecording } from '../autograd/tape.js';

/** The kernels work on 5-D storage; give the result the user-facing shape (same storage). */
function as(t: Tensor, shape: number[]): Tensor {
  return new Tensor(t.values, shape);
}

/** y = conv(x, filter) with the geometry's plan; x and y in their user-facing shapes. */
export function convForward(x: Tensor, filter: Tensor, g: ConvGeometry): Tensor {
  return runOp('Conv', [x, filter], (b) => as(b.conv3d(x, filter, g.info), g.yShape),
    (dy, _, needs) => [needs[0] ? convBackpropInput(dy, filter, g) : null, needs[1] ? convBackpropFilter(x, dy, g) : null]);
}

/**
 * act(conv(x, filter) + bias), bias [outChannels] or null, in one kernel pass (the layers' conv, bias and
 * activation). The gradient is biasActivation's (dz, db), then the conv's with dz: the same ops the
 * unfused chain records, so higher derivatives work too. Callers check dtypes (bias's equals x's, not int32).
 */
export function convBiasActivationForward(x: Tensor, filter: Tensor, bias: Tensor | null, act: FusedActivation, alpha: number,
  g: ConvGeometry): Tensor {
  const inputs = bias ? [x, filter, bias] : [x, filter];
  const out = runOp('ConvBiasActivation', inputs, (b) => as(b.conv3dBiasActivation(x, filter, bias, act, alpha, g.info), g.yShape),
    (dy, y, needs) => {
      // A max pool's gradient may come already masked by relu′ (relu-pool-grad.ts): dz is dy itself.
      const premasked = act === 'relu' ? reluMaskedBiasGrad(dy, y) : undefined;
      const [dz, db] = premasked !== undefined && (premasked !== null || bias === null || !needs[2])
        ? [dy, premasked] : biasActivationGrad(dy, y, act, alpha, bias !== null && needs[2]);
      const dx = needs[0] ? convBackpropInput(dz, filter, g) : null;
      const dw = needs[1] ? convBackpropFilter(x, dz, g) : null;
      return bias ? [dx, dw, db] : [dx, dw];
    });
  if (act === 'relu' && isRecording()) markReluOutput(out);
  return out;
}

/** dx = the gradient of convForward with respect to x, given dy (also: the transposed conv of dy). */
export function convBackpropInput(dy: Tensor, filter: Tensor, g: ConvGeometry): Tensor {
  return runOp('ConvBackpropInput', [dy, filter], (b) => as(b.conv3dBackpropInput(dy, filter, g.info), g.xShape),
    (ddx, _, needs) => [needs[0] ? convForward(ddx, filter, g) : null, needs[1] ? convBackpropFilter(ddx, dy, g) : null]);
}

/** dw = the gradient of convForward with respect to the filter, given x and dy. */
export function convBackpropFilter(x: Tensor, dy: Tensor, g: ConvGeometry): Tensor {
  return runOp('ConvBackpropFilter', [x, dy], (b) => as(b.conv3dBackpropFilter(x, dy, g.info), g.filterShape),
    (ddw, _, needs) => [needs[0] ? convBackpropInput(dy, ddw, g) : null, needs[1] ? convForward(x, ddw, g) : null]);
}

/** y = depthwiseConv(x, filter [..k, C, multiplier]). */
export function depthwiseForward(x: Tensor, filter: Tensor, g: ConvGeometry): Tensor {
  return runOp('DepthwiseConv', [x, filter], (b) => as(b.depthwiseConv3d(x, filter, g.info), g.yShape),
    (dy, _, needs) => [needs[0] ? depthwiseBackpropInput(dy, filter, g) : null, needs[1] ? depthwiseBackpropFilter(x, dy, g) : null]);
}

/** dx of depthwiseForward given dy. */
export function depthwiseBackpropInput(dy: Tensor, filter: Tensor, g: ConvGeometry): Tensor {
  return runOp('DepthwiseConvBackpropInput', [dy, filter],
    (b) => as(b.depthwiseConv3dBackpropInput(dy, filter, g.info), g.xShape),
    (ddx, _, needs) => [needs[0] ? depthwiseForward(ddx, filter, g) : null, needs[1] ? depthwiseBackpropFilter(ddx, dy, g) : null]);
}

/** dw of depthwiseForward given x and dy. */
export function depthwiseBackpropFilter(x: Tensor, dy: Tensor, g: ConvGeometry): Tensor {
  return runOp('DepthwiseConvBackpropFilter', [x, dy],
    (b) => as(b.depthwiseConv3dBackpropFilter(x, dy, g.info), g.filterShape),
    (ddw, _, needs) => [needs[0] ? depthwiseBackpropInput(dy, ddw, g) : null, needs[1] ? depthwiseForward(x, ddw, g) : null]);
}
