import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose } from './helpers.js';

// fit options checked through what they change: the loss and the weights after real steps.

/** Flat copies of a model's weights. */
function snapshot(model: st.Model): number[][] {
  return model.getWeights().map((w) => Array.from(w.values));
}

/** A shared trunk and two heads ('out1' [1], 'out2' [2]), with the same weights on every call. */
function twoHeads(): st.Model {
  st.setSeed(11);
  const x = st.input({ shape: [4] });
  const trunk = st.layers.dense({ units: 3, activation: 'tanh' }).apply(x) as st.SymbolicTensor;
  const out1 = st.layers.dense({ units: 1, name: 'out1' }).apply(trunk) as st.SymbolicTensor;
  const out2 = st.layers.dense({ units: 2, name: 'out2' }).apply(trunk) as st.SymbolicTensor;
  return st.model({ inputs: x, outputs: [out1, out2] });
}

const mse = (p: st.Tensor, y: st.Tensor) => st.mean(st.square(st.sub(p, y))).item();

test('lossWeights [1, 0.5]: the total loss is the weighted sum of the outputs\' losses, and so is the gradient', async () => {
  const x = st.randomNormal([16, 4], { seed: 1 });
  const y1 = st.randomNormal([16, 1], { seed: 2 });
  const y2 = st.randomNormal([16, 2], { seed: 3 });
  const start = snapshot(twoHeads());
  // One full-batch SGD step per setting; the step is -lr · gradient, so steps add like gradients.
  const step = async (lossWeights: number[] | Record<string, number>) => {
    const m = twoHeads();
    m.compile({ optimizer: st.optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError', lossWeights });
    const [p1, p2] = m.predict(x) as st.Tensor[];
    const h = await m.fit(x, [y1, y2], { epochs: 1, batchSize: 16, shuffle: false, verbose: 0 });
    const delta = snapshot(m).map((w, i) => w.map((v, j) => v - start[i][j]));
    return { h: h.history, l1: mse(p1, y1), l2: mse(p2, y2), delta };
  };
  const both = await step([1, 0.5]);
  expectClose(both.h.out1_loss[0], both.l1, 1e-6, 1e-5, 'out1_loss');
  expectClose(both.h.out2_loss[0], both.l2, 1e-6, 1e-5, 'out2_loss');
  expectClose(both.h.loss[0], both.l1 + 0.5 * both.l2, 1e-6, 1e-5, 'loss = out1_loss + 0.5 · out2_loss');
  assert.ok(Math.abs(both.l1 + both.l2 - both.h.loss[0]) > 0.05, 'the weights matter for these numbers');
  const only1 = await step([1, 0]);
  const only2 = await step([0, 1]);
  both.delta.forEach((d, i) => expectClose(d, d.map((_, j) => only1.delta[i][j] + 0.5 * only2.delta[i][j]), 1e-6, 1e-4, `weight ${i}: step = step(out1) + 0.5 · step(out2)`));
  // The heads' own weights (kernel, bias of out1 then out2, after the trunk's two): each sees only its loss.
  expectClose(both.delta[2], only1.delta[2], 1e-7, 1e-5, 'out1 kernel');
  expectClose(both.delta[4], only2.delta[4].map((v) => 0.5 * v), 1e-7, 1e-5, 'out2 kernel moves half as far');
  assert.ok(only2.delta[4].some((v) => Math.abs(v) > 1e-3) && both.delta[0].some((v) => Math.abs(v) > 1e-3), 'the steps are not empty');
  // By output name, the same.
  const named = await step({ out2: 0.5, out1: 1 });
  named.delta.forEach((d, i) => expectClose(d, both.delta[i], 0, 0, `lossWeights by name, weight ${i}`));
});

test('lossWeights: the epoch\'s per-output losses are means over its batches, like its total', { todo: 'fit logs the last batch\'s per-output losses (src/model/fit.ts track())' }, async () => {
  const x = st.randomNormal([16, 4], { seed: 1 });
  const y1 = st.randomNormal([16, 1], { seed: 2 });
  const y2 = st.randomNormal([16, 2], { seed: 3 });
  const m = twoHeads();
  m.compile({ optimizer: st.optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError', lossWeights: [1, 0.5] });
  const h = await m.fit(x, [y1, y2], { epochs: 2, batchSize: 4, verbose: 0, seed: 1 });
  h.history.loss.forEach((l, e) => expectClose(l, h.history.out1_loss[e] + 0.5 * h.history.out2_loss[e], 1e-6, 1e-5, `epoch ${e}`));
});

/** A small regression with identical starting weights whatever the global seed, trained with fit's seed. */
async function lossCurve(fitSeed: number | undefined, globalSeed: number, dropout = 0): Promise<number[]> {
  st.setSeed(3);
  const x = st.randomNormal([48, 2], { seed: 4 });
  const y = st.sum(st.square(x), 1, true);
  const model = st.sequential({ layers: [
    st.layers.dense({ units: 8, activation: 'relu', inputShape: [2], dropout }),
    st.layers.dense({ units: 1 }),
  ] });
  model.compile({ optimizer: st.optimizers.adam({ learningRate: 0.05 }), loss: 'mse' });
  st.setSeed(globalSeed); // whatever the global generator gives from here on must not matter when fit has a seed
  const h = await model.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0, seed: fitSeed });
  return h.history.loss;
}

test('fit\'s seed alone decides the shuffling: same seed, same curve whatever the global seed; another seed, another curve', async () => {
  const a = await lossCurve(5, 100);
  assert.deepEqual(await lossCurve(5, 200), a, 'the global seed leaked into a seeded fit');
  assert.notDeepEqual(await lossCurve(6, 100), a, 'fit\'s seed changed nothing');
  // Without a seed, the global generator decides.
  assert.deepEqual(await lossCurve(undefined, 100), await lossCurve(undefined, 100));
  assert.notDeepEqual(await lossCurve(undefined, 100), await lossCurve(undefined, 200));
});

test('fit\'s seed also decides the dropout masks', { todo: 'dropout draws from the global generator, not from fit\'s seed (src/model/fit.ts)' }, async () => {
  const a = await lossCurve(5, 100, 0.3);
  assert.deepEqual(await lossCurve(5, 200, 0.3), a, 'the global seed leaked into the dropout of a seeded fit');
});
