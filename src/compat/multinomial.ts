/**
 * `tf.multinomial`: draws class indices from categorical distributions given by logits (or by
 * probabilities). Sampling has no gradient, so it reads and writes typed arrays directly.
 */
import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { randomFor } from '../tensor/random.js';

/**
 * Draws `numSamples` class indices per row of `logits` ([numClasses] or [batch, numClasses]).
 * The result is int32, [numSamples] or [batch, numSamples].
 * @param seed same seed, same samples; omitted or null: drawn from `setSeed`'s generator.
 * @param normalized true when `logits` already are probabilities (as TF.js: not renormalised; the last
 *   class takes whatever mass the others leave). Default false: softmax of the logits.
 * @example st.multinomial(st.tensor([[0, 0, 2]]), 100, 7) // shape [1, 100], class 2 about 79% of the time
 */
export function multinomial(logits: TensorLike, numSamples: number, seed?: number | null, normalized = false): Tensor {
  const x = toTensor(logits, 'multinomial', 'logits');
  if (x.shape.length !== 1 && x.shape.length !== 2) {
    throw new ShapeError(`multinomial: logits must be [numClasses] or [batch, numClasses], got ${fmtShape(x.shape)}`);
  }
  if (!Number.isInteger(numSamples) || numSamples <= 0) {
    throw new ConfigError(`multinomial: numSamples must be a positive integer, got ${numSamples}`);
  }
  const classes = x.shape[x.shape.length - 1];
  if (classes < 2) throw new ShapeError(`multinomial: needs at least 2 classes, got logits of shape ${fmtShape(x.shape)}`);
  const rows = x.shape.length === 1 ? 1 : x.shape[0];
  const v = x.values;
  const rng = randomFor(seed ?? undefined);
  const out = new Int32Array(rows * numSamples);
  const cdf = new Float64Array(classes);
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    let max = -Infinity;
    if (!normalized) for (let c = 0; c < classes; c++) max = Math.max(max, v[o + c]);
    let total = 0;
    for (let c = 0; c < classes; c++) {
      total += normalized ? v[o + c] : Math.exp(v[o + c] - max);
      cdf[c] = total;
    }
    const scale = normalized ? 1 : total;
    for (let s = 0; s < numSamples; s++) {
      const u = rng.uniform() * scale;
      let k = classes - 1;
      for (let c = 0; c < classes - 1; c++) {
        if (u < cdf[c]) { k = c; break; }
      }
      out[r * numSamples + s] = k;
    }
  }
  return new Tensor(out, x.shape.length === 1 ? [numSamples] : [rows, numSamples]);
}
