/**
 * Greedy decoding for the sequence examples (translate, caption): a model of [source, previous tokens]
 * → [batch, outLen, vocabulary] probabilities (teacher forcing during training). Start from
 * [<start>], run the model, write the likeliest token at the next position, repeat; the whole set is
 * decoded at once. Each step re-runs the model over the whole prefix, so the cost grows with outLen²:
 * fine for the examples' short outputs.
 */
import * as st from 'strata';

/** The greedy token ids, [n, outLen] row-major, for the n sources in `source`. */
export function greedyDecode(model: st.Model, source: st.Tensor, outLen: number, startId: number): Int32Array {
  const n = source.shape[0];
  const prev = new Int32Array(n * outLen);
  for (let i = 0; i < n; i++) prev[i * outLen] = startId;
  const out = new Int32Array(n * outLen);
  for (let t = 0; t < outLen; t++) {
    const probs = (model.predict([source, st.tensor(prev, [n, outLen], 'int32')], { batchSize: 256 }) as st.Tensor).dataSync();
    const v = probs.length / (n * outLen);
    for (let i = 0; i < n; i++) {
      const row = probs.subarray((i * outLen + t) * v, (i * outLen + t + 1) * v);
      let best = 0;
      for (let k = 1; k < v; k++) if (row[k] > row[best]) best = k;
      out[i * outLen + t] = best;
      if (t + 1 < outLen) prev[i * outLen + t + 1] = best;
    }
  }
  return out;
}
