// A dense layer's forward pass as one op (internal: not in the public barrel): act(x · w + b) in one
// kernel call where the backend fuses them (the GEMM with the bias and activation as its epilogue, w
// packed once while it is unchanged). The numbers equal matmul then biasActivation (softmax: the bias
// added, then softmax along the last axis), and so does the gradient, written with those ops.
import type { Tensor } from '../tensor/tensor.js';
import type { DenseActivation } from '../kernels/matmul-kernels.js';
import { runOp } from './engine.js';
import { matmul } from './matmul.js';
import { reshape } from './reshape.js';
import { mul, sub } from './arithmetic.js';
import { sum } from './reduce.js';
import { sumToShape } from './broadcast-to.js';
import { biasActivationGrad } from './bias-activation.js';

export type { DenseActivation };

/**
 * act(x · w + bias) for x [..., k] (rank ≥ 2), w [k, n], bias [n] or null, all of one float dtype (the
 * caller checks). `reuseW`: w is a layer's weights, used again unchanged until its storage is replaced
 * (a Variable), so the backend may keep it packed for its GEMM. Differentiable in x, w and bias.
 * @example denseForward(x, kernel, bias, 'relu', true)
 */
export function denseForward(x: Tensor, w: Tensor, bias: Tensor | null, act: DenseActivation, reuseW: boolean): Tensor {
  const inputs = bias ? [x, w, bias] : [x, w];
  return runOp('DenseForward', inputs, (b) => b.matmulBiasActivation(x, w, bias, act, 1, reuseW), (dy, y, needs) => {
    const withBias = bias !== null && needs[2];
    let dz: Tensor, db: Tensor | null = null;
    if (act === 'softmax') {
      // Softmax's gradient along the last axis, y·(dy − Σ dy·y); the bias's is its sum over the rows.
      dz = mul(y, sub(dy, sum(mul(dy, y), y.rank - 1, true)));
      if (withBias) db = sumToShape(dz, bias.shape);
    } else {
      [dz, db] = biasActivationGrad(dy, y, act, 1, withBias);
    }
    const k = w.shape[0], n = w.shape[1], rows = x.size / Math.max(k, 1);
    const dx = needs[0] ? matmul(dz, w, false, true) : null;
    const dw = needs[1] ? matmul(reshape(x, [rows, k]), reshape(dz, [rows, n]), true, false) : null;
    return bias ? [dx, dw, db] : [dx, dw];
  });
}
