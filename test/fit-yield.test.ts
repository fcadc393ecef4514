import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';

test('fit yields to the event loop between batches', async () => {
  st.setSeed(3);
  const model = st.sequential({ layers: [st.layers.dense({ units: 1, inputShape: [2] })] });
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const x = st.randomNormal([64, 2], { seed: 1 }), y = st.randomNormal([64, 1], { seed: 2 });
  // Each tick records how many batches had ended when it ran; ticks are re-armed until fit resolves.
  const batchesSeenByTicks: number[] = [];
  let batchesEnded = 0, done = false;
  const tick = () => {
    batchesSeenByTicks.push(batchesEnded);
    if (!done) setImmediate(tick);
  };
  setImmediate(tick);
  await model.fit(x, y, {
    epochs: 1, batchSize: 8, verbose: 0, shuffle: false,
    callbacks: [{ onBatchEnd: () => { batchesEnded++; } }],
  });
  done = true;
  assert.equal(batchesEnded, 8);
  // A tick ran while fit was between batches, not only before the first or after the last.
  const during = batchesSeenByTicks.filter((b) => b > 0 && b < 8);
  assert.ok(during.length >= 4, `event-loop callbacks ran after batches ${JSON.stringify(batchesSeenByTicks)}`);
});
