/**
 * Greedy decoding for the sequence examples (translate, caption). Their training models map
 * [source, previous tokens] → [batch, outLen, vocabulary] probabilities (teacher forcing). Decoding
 * runs, as Keras's seq2seq inference models do, an encoder once and then a one-step decoder model
 * that takes the previous token and the recurrent states and gives the next token's probabilities
 * and the new states: the cost is linear in the output length. `greedyDecodeFull` re-runs the whole
 * training model over the prefix at every step (quadratic); it stays as the reference the one-step
 * decoders are tested against.
 */
import * as st from 'strata';

/** The likeliest id of each of the n rows of probabilities [n, v] (or [n, 1, v]). */
function argmaxRows(probs: Float32Array, n: number): Int32Array {
  const v = probs.length / n;
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < v; k++) if (probs[i * v + k] > probs[i * v + best]) best = k;
    ids[i] = best;
  }
  return ids;
}

/**
 * One decoding step for all n sequences at once: the previous token ids [n, 1] and the states (the
 * encoder's context first, the recurrent states after, as each example arranges them) → the next
 * token's probabilities and the new states.
 */
export type DecodeStep = (previous: st.Tensor, t: number, states: st.Tensor[]) => { probs: st.Tensor; states: st.Tensor[] };

/** The greedy token ids, [n, outLen] row-major, from a one-step decoder started at `startId`. */
export function greedyDecodeSteps(n: number, outLen: number, startId: number, states: st.Tensor[], step: DecodeStep): Int32Array {
  const out = new Int32Array(n * outLen);
  let previous: Int32Array = new Int32Array(n).fill(startId);
  for (let t = 0; t < outLen; t++) {
    const next = step(st.tensor(previous, [n, 1], 'int32'), t, states);
    previous = argmaxRows(next.probs.dataSync() as Float32Array, n);
    for (let i = 0; i < n; i++) out[i * outLen + t] = previous[i];
    states = next.states;
  }
  return out;
}

/** Runs a one-step model on a batch in slices of 256 (its outputs: probabilities, then states). */
export function runStep(model: st.Model, inputs: st.Tensor[]): { probs: st.Tensor; states: st.Tensor[] } {
  const [probs, ...states] = model.predict(inputs, { batchSize: 256 }) as st.Tensor[];
  return { probs, states };
}

/**
 * A layer like `trained`, made from `make` and applied to `inputs` (which builds it), with the trained
 * layer's weights copied in: the one-step models get their own layers (an LSTM that also returns its
 * states, say) and leave the training model's graph and saved file as they were.
 */
export function copyOf<L extends st.layers.Layer>(trained: st.layers.Layer, make: () => L, inputs: st.SymbolicTensor | st.SymbolicTensor[]): { layer: L; out: st.SymbolicTensor | st.SymbolicTensor[] } {
  const layer = make();
  const out = layer.apply(inputs) as st.SymbolicTensor | st.SymbolicTensor[];
  layer.setWeights(trained.getWeights());
  return { layer, out };
}

/**
 * The reference decoder: runs the whole training model over the prefix at every step, so the cost
 * grows with outLen². The greedy token ids, [n, outLen] row-major, for the n sources in `source`.
 */
export function greedyDecodeFull(model: st.Model, source: st.Tensor, outLen: number, startId: number): Int32Array {
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
