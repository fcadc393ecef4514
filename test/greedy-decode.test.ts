/**
 * The translate and caption examples decode with one-step decoder models (encoder once, then one
 * recurrent step per token): they must give the same tokens as re-running the whole training model
 * over the prefix at every step (greedyDecodeFull), for LSTM and GRU decoders, on seeded weights.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
// The examples import the built package ('strata'); tensors must come from the same copy.
import * as st from 'strata';
import { greedyDecodeFull } from '../examples/greedy-decode.js';
import { captioner } from '../examples/caption.js';
import { seq2seq } from '../examples/translate.js';

function randomIds(n: number, len: number, vocab: number, seed: number): st.Tensor {
  const rng = new st.Random(seed);
  return st.tensor(Int32Array.from({ length: n * len }, () => 1 + Math.floor(rng.uniform() * (vocab - 1))), [n, len], 'int32');
}

/** Random-walk nudges to the weights so the argmax is not decided by one dominant token. */
function perturb(model: st.Model, seed: number): void {
  const rng = new st.Random(seed);
  for (const layer of model.layers) {
    const ws = layer.getWeights();
    if (ws.length) layer.setWeights(ws.map((w) => st.tensor(Float32Array.from(w.dataSync(), (v) => v + 2 * (rng.uniform() - 0.5)), w.shape)));
  }
}

for (const cell of ['lstm', 'gru'] as const) {
  test(`translate's one-step ${cell} decoder gives the tokens of the whole-model re-run`, () => {
    st.setSeed(3);
    const len = 7, phonemes = 12;
    const s = seq2seq(cell, { units: 8, embed: 4 }, 10, phonemes, len);
    perturb(s.model, 5);
    const x = randomIds(6, len, 10, 11);
    const full = greedyDecodeFull(s.model, x, len, 2);
    const steps = s.decode(x, 2);
    assert.deepEqual([...steps], [...full]);
    assert.ok(new Set(full).size > 2, `a varied output, got ${[...full]}`);
  });
}

test("caption's one-step decoder (encoder → h0, c0) gives the tokens of the whole-model re-run", () => {
  st.setSeed(4);
  const outLen = 6, words = 12;
  const c = captioner({ units: 8 }, words, outLen);
  perturb(c.model, 6);
  const rng = new st.Random(9);
  const images = st.tensor(Float32Array.from({ length: 4 * 32 * 32 * 3 }, () => rng.uniform()), [4, 32, 32, 3]);
  const full = greedyDecodeFull(c.model, images, outLen, 2);
  const steps = c.decode(images, 2);
  assert.deepEqual([...steps], [...full]);
  assert.ok(new Set(full).size > 2, `a varied output, got ${[...full]}`);
});
