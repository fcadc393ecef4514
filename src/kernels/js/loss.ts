import { Tensor } from '../../tensor/tensor.js';
import { alloc } from '../../tensor/dtype.js';
import { CROSSENTROPY_EPSILON as EPS, type LossKernels } from '../loss-kernels.js';

/**
 * Rows of the clipped, renormalised probabilities as the unfused ops see them: r_j = p_j / Σp rounded
 * to the storage type (`round`: Math.fround for float32, identity for float64), so the clip decisions
 * are the ops' own.
 */
function rowSum(p: ArrayLike<number>, base: number, n: number, round: (x: number) => number): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += p[base + j];
  return round(s);
}

const identity = (x: number): number => x;

function rounding(probs: Tensor): (x: number) => number {
  return probs.values instanceof Float64Array ? identity : Math.fround;
}

/** The reference fused softmax cross-entropy (see LossKernels). */
export const lossKernels: LossKernels = {
  softmaxCrossEntropy(labels, probs) {
    const n = probs.shape[probs.rank - 1];
    const rows = n === 0 ? 0 : probs.size / n;
    const out = alloc(probs.dtype, rows);
    const p = probs.values, t = labels.values, round = rounding(probs);
    for (let r = 0; r < rows; r++) {
      const base = r * n;
      const s = rowSum(p, base, n, round);
      let loss = 0;
      for (let j = 0; j < n; j++) {
        const q = Math.min(Math.max(round(p[base + j] / s), EPS), 1 - EPS);
        loss -= t[base + j] * Math.log(q);
      }
      out[r] = loss;
    }
    return new Tensor(out, probs.shape.slice(0, -1));
  },

  softmaxCrossEntropyGrad(labels, probs, dLoss) {
    const n = probs.shape[probs.rank - 1];
    const rows = n === 0 ? 0 : probs.size / n;
    const dz = alloc(probs.dtype, probs.size);
    const p = probs.values, t = labels.values, dl = dLoss.values, round = rounding(probs);
    const g = new Float64Array(n);
    for (let r = 0; r < rows; r++) {
      const base = r * n;
      const s = rowSum(p, base, n, round);
      // g = d loss / d r (zero where the clip is active); then through r = p / Σp, then through softmax.
      let gp = 0;
      for (let j = 0; j < n; j++) {
        const q = round(p[base + j] / s);
        g[j] = q >= EPS && q <= 1 - EPS ? (-t[base + j] * dl[r]) / q : 0;
        gp += g[j] * p[base + j];
      }
      const shift = gp / (s * s);
      let dot = 0;
      for (let j = 0; j < n; j++) {
        g[j] = g[j] / s - shift; // now d loss / d p_j
        dot += g[j] * p[base + j];
      }
      for (let j = 0; j < n; j++) dz[base + j] = p[base + j] * (g[j] - dot);
    }
    return new Tensor(dz, probs.shape);
  },
};
