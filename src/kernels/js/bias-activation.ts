import { type FusedActivation, SELU_ALPHA, SELU_SCALE } from '../elementwise-kernels.js';
import { Tensor } from '../../tensor/tensor.js';
import { type TypedArray, alloc } from '../../tensor/dtype.js';
import { sigmoid } from './special-math.js';

/** The channel count (last axis) of x, 1 for a scalar. */
function channelsOf(x: Tensor): number {
  return x.rank === 0 ? 1 : x.shape[x.rank - 1];
}

/** act applied in place to z (which already holds x + bias, rounded to its dtype). */
function activate(act: FusedActivation, z: TypedArray, alpha: number): void {
  const n = z.length;
  switch (act) {
    case 'linear': return;
    case 'relu': for (let i = 0; i < n; i++) { const t = z[i]; z[i] = t > 0 ? t : t === t ? 0 : NaN; } return;
    case 'sigmoid': for (let i = 0; i < n; i++) z[i] = sigmoid(z[i]); return;
    case 'tanh': for (let i = 0; i < n; i++) z[i] = Math.tanh(z[i]); return;
    case 'elu': for (let i = 0; i < n; i++) { const t = z[i]; z[i] = t > 0 ? t : alpha * Math.expm1(t); } return;
    case 'selu': for (let i = 0; i < n; i++) { const t = z[i]; z[i] = t > 0 ? SELU_SCALE * t : SELU_SCALE * SELU_ALPHA * Math.expm1(t); } return;
    default: throw new Error(`biasActivation: unknown activation '${String(act)}'`);
  }
}

/** Reference fused bias + activation: one pass adding the bias (its index wraps per row), one activating. */
export function biasActivation(x: Tensor, bias: Tensor | null, act: FusedActivation, alpha: number): Tensor {
  const out = alloc(x.dtype, x.size);
  const v = x.values;
  if (bias) {
    const b = bias.values, c = channelsOf(x), n = x.size;
    for (let i = 0, j = 0; i < n; i++) {
      out[i] = v[i] + b[j];
      if (++j === c) j = 0;
    }
  } else {
    out.set(v);
  }
  activate(act, out, alpha);
  return new Tensor(out, x.shape);
}

/** Reference gradient: dx = dy · act′(y) elementwise, db = per-channel sums of dx (in float64). */
export function biasActivationGrad(dy: Tensor, y: Tensor, act: FusedActivation, alpha: number, withBias: boolean): [Tensor, Tensor | null] {
  const n = dy.size;
  const d = dy.values, v = y.values;
  const dx = alloc(dy.dtype, n);
  switch (act) {
    case 'linear': dx.set(d); break;
    case 'relu': for (let i = 0; i < n; i++) dx[i] = v[i] > 0 ? d[i] : 0 * d[i]; break;
    case 'sigmoid': for (let i = 0; i < n; i++) dx[i] = d[i] * (v[i] * (1 - v[i])); break;
    case 'tanh': for (let i = 0; i < n; i++) dx[i] = d[i] * (1 - v[i] * v[i]); break;
    case 'elu': for (let i = 0; i < n; i++) dx[i] = v[i] > 0 ? d[i] : d[i] * (v[i] + alpha); break;
    case 'selu': for (let i = 0; i < n; i++) dx[i] = d[i] * (v[i] > 0 ? SELU_SCALE : v[i] + SELU_SCALE * SELU_ALPHA); break;
    default: throw new Error(`biasActivationGrad: unknown activation '${String(act)}'`);
  }
  if (!withBias) return [new Tensor(dx, dy.shape), null];
  const c = channelsOf(dy);
  const acc = new Float64Array(c);
  for (let i = 0, j = 0; i < n; i++) {
    acc[j] += dx[i];
    if (++j === c) j = 0;
  }
  const db = alloc(dy.dtype, c);
  db.set(acc);
  return [new Tensor(dx, dy.shape), new Tensor(db, [c])];
}
