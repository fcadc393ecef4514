// The fused bias + activation of dense and convolution layers (internal: not in the public barrel).
// One kernel pass for act(x + b) instead of a broadcast add then an activation, and one for the
// gradient (dx = dy·act′ from the output y, db = Σ dx over the leading axes) instead of a mask, a
// multiply and a reduction. Results equal the unfused ops up to float rounding.
import { ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { FusedActivation } from '../kernels/elementwise-kernels.js';
import { runOp, runOpMulti } from './engine.js';
import { add, mul, sub } from './arithmetic.js';
import { relu, elu, selu } from './activations.js';
import { sigmoid, tanh } from './activations-smooth.js';
import { constLike, mask } from './elementwise-util.js';

export type { FusedActivation };

/** The unfused activation, for inputs the kernels do not take (int32, mixed dtypes). */
function activateUnfused(x: Tensor, act: FusedActivation, alpha: number): Tensor {
  switch (act) {
    case 'linear': return x;
    case 'relu': return relu(x);
    case 'sigmoid': return sigmoid(x);
    case 'tanh': return tanh(x);
    case 'elu': return elu(x, alpha);
    case 'selu': return selu(x);
  }
}

/**
 * act(x + bias) with bias [C] added along the last axis of x [..., C] (bias null: act(x)).
 * Differentiable in x and bias, to any order. `alpha` is elu's (default 1, as the 'elu' activation).
 * @example biasActivation(matmul(x, kernel), bias, 'relu')
 */
export function biasActivation(x: Tensor, bias: Tensor | null, act: FusedActivation, alpha = 1): Tensor {
  const c = x.rank === 0 ? 1 : x.shape[x.rank - 1];
  if (bias && (bias.rank !== 1 || bias.shape[0] !== c)) {
    throw new ShapeError(`biasActivation: bias must have shape [${c}] to match the last axis of x ${fmtShape(x.shape)}, ` +
      `got ${fmtShape(bias.shape)}`);
  }
  if (x.dtype === 'int32' || (bias && bias.dtype !== x.dtype)) return activateUnfused(bias ? add(x, bias) : x, act, alpha);
  const inputs = bias ? [x, bias] : [x];
  return runOp('BiasActivation', inputs, (k) => k.biasActivation(x, bias, act, alpha), (dy, y, needs) => {
    const [dx, db] = biasActivationGrad(dy, y, act, alpha, bias !== null && needs[1]);
    return bias ? [dx, db] : [dx];
  });
}

/**
 * The gradient of {@link biasActivation} as an op of its own (so second derivatives work):
 * [dx = dy·act′(y), db = Σ dx over the leading axes] — db null unless `withBias`.
 */
export function biasActivationGrad(dy: Tensor, y: Tensor, act: FusedActivation, alpha: number, withBias: boolean): [Tensor, Tensor | null] {
  const outs = runOpMulti('BiasActivationGrad', [dy, y], (k) => {
    const [dx, db] = k.biasActivationGrad(dy, y, act, alpha, withBias);
    return db ? [dx, db] : [dx];
  }, (gs) => {
    // Both outputs are linear in dx, so their gradients combine into one G (db's broadcast along rows).
    const g = gs.length > 1 ? add(gs[0], gs[1]) : gs[0];
    const second = secondDerivative(y, act);
    return [biasActivationGrad(g, y, act, alpha, false)[0], second ? mul(mul(g, dy), second) : null];
  });
  return [outs[0], outs[1] ?? null];
}

/** d(act′)/dy as a function of y, written with ops; null where it is zero (linear, relu). */
function secondDerivative(y: Tensor, act: FusedActivation): Tensor | null {
  switch (act) {
    case 'linear':
    case 'relu': return null;
    case 'sigmoid': return sub(constLike(y, 1), mul(constLike(y, 2), y));   // act′ = y(1 − y)
    case 'tanh': return mul(constLike(y, -2), y);                             // act′ = 1 − y²
    case 'elu':                                                               // act′ = y + alpha where y ≤ 0
    case 'selu': return mask('lessEqual', y, 0, y);                           // act′ = y + scale·alpha where y ≤ 0
  }
}
