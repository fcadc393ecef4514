import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';

// Small real problems trained to a floor with a fixed seed: they fail if training stops learning.
test('an MLP learns real MNIST digits (5,000 training images) to ≥ 90% test accuracy', async () => {
  const { train, test: held } = await st.datasets.mnist({ limit: { train: 5000, test: 1000 }, flatten: true });
  st.setSeed(42);
  const model = st.sequential({ layers: [
    st.layers.dense({ units: 64, activation: 'relu', inputShape: [784] }),
    st.layers.dense({ units: 10, activation: 'softmax' }),
  ] });
  model.compile({ optimizer: st.optimizers.adam({ learningRate: 0.002 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const h = await model.fit(train.images, train.labels, { epochs: 8, batchSize: 64, verbose: 0, seed: 1, validationSplit: 0.1 });
  assert.ok(h.history.val_accuracy.at(-1)! > 0.85, `validation accuracy ${h.history.val_accuracy.join(', ')}`);
  const [, accuracy] = model.evaluate(held.images, held.labels) as st.Tensor[];
  assert.ok(accuracy.item() >= 0.9, `test accuracy ${accuracy.item()}`);
});

test('a small CNN learns real MNIST digits (1,000 training images) to ≥ 85% test accuracy', async () => {
  const { train, test: held } = await st.datasets.mnist({ limit: { train: 1000, test: 500 } });
  st.setSeed(7);
  const model = st.sequential({ layers: [
    st.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1], pooling: { type: 'max', poolSize: 2 } }),
    st.layers.flatten(),
    st.layers.dense({ units: 10, activation: 'softmax' }),
  ] });
  model.compile({ optimizer: st.optimizers.adam({ learningRate: 0.005 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(train.images, train.labels, { epochs: 4, batchSize: 32, verbose: 0, seed: 2 });
  const [, accuracy] = model.evaluate(held.images, held.labels) as st.Tensor[];
  assert.ok(accuracy.item() >= 0.85, `test accuracy ${accuracy.item()}`);
});
