import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose } from './helpers.js';

// The convenience hyperparameters stand for standard layers: a model reports and saves those,
// so its files stay plain Keras / TensorFlow.js topologies.
test('a model built with the shorthands reports and saves the standard layers they stand for', async () => {
  st.setSeed(3);
  const model = st.sequential({ layers: [
    st.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [8, 8, 1], pooling: { type: 'max', poolSize: 2 }, dropout: 0.25, name: 'c1' }),
    st.layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same', dropout: 0.1, name: 't1' }),
    st.layers.flatten(),
    st.layers.dense({ units: 3, activation: 'softmax', dropout: 0.2, name: 'd1' }),
  ] });
  const types = model.layers.map((l) => l.className);
  assert.deepEqual(types, ['Conv2D', 'MaxPooling2D', 'Dropout', 'Conv2DTranspose', 'Dropout', 'Flatten', 'Dense', 'Dropout']);
  const lines: string[] = [];
  model.summary(90, (l) => lines.push(l));
  for (const t of ['Conv2D', 'MaxPooling2D', 'Dropout', 'Conv2DTranspose', 'Dense']) assert.match(lines.join('\n'), new RegExp(`\\(${t}\\)`));

  let saved: st.io.ModelArtifacts | null = null;
  await model.save(st.io.withSaveHandler((a) => { saved = a; }));
  const topology = JSON.stringify(saved!.modelTopology);
  const classes = [...topology.matchAll(/"class_name":"(\w+)"/g)].map((m) => m[1]).filter((c) => c !== 'Sequential' && !/Uniform|Zeros|Normal|Scaling/.test(c));
  assert.deepEqual(classes, types);
  assert.ok(!/"pooling"|"dropout"/.test(topology), 'no shorthand keys in the saved topology');

  const x = st.randomNormal([2, 8, 8, 1], { seed: 1 });
  const loaded = await st.loadLayersModel(st.io.fromMemory(
    { modelTopology: saved!.modelTopology, weightsManifest: [{ paths: ['w.bin'], weights: saved!.weightSpecs }] },
    { 'w.bin': saved!.weightData! }));
  expectClose(loaded.predict(x) as st.Tensor, model.predict(x) as st.Tensor, 1e-6);
});
