import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { keras2H5 } from './keras-helpers.js';

// Keras 2 .h5 layouts written here with h5wasm (the real files are in keras-fixtures.test.ts):
// weights found through layer_names / weight_names (split attributes, scopes that differ from the
// layer name, datasets stored in another order), checked against the same network built directly.

function net(): st.Sequential {
  st.setSeed(11);
  return st.sequential({ layers: [
    st.layers.conv2d({ filters: 3, kernelSize: 2, activation: 'relu', inputShape: [5, 5, 2], name: 'conv0' }),
    st.layers.batchNormalization({ name: 'bn' }),
    st.layers.flatten({ name: 'flat' }),
    st.layers.dense({ units: 4, activation: 'tanh', name: 'fc' }),
    st.layers.dense({ units: 2, name: 'out' }),
  ] });
}

function randomized(m: st.Sequential): st.Sequential {
  m.setWeights(m.getWeights().map((w, i) => st.randomUniform(w.shape, 0.2, 1.2, 'float32', 100 + i)));
  return m;
}

const X = () => st.randomNormal([3, 5, 5, 2], 0, 1, 'float32', 5);

test('Keras 2 .h5: weights matched in weight_names order, scopes (conv0 holding conv0_5/kernel:0), split layer_names', async () => {
  const ref = randomized(net());
  const bytes = await keras2H5(ref, { split: true, scope: { conv0: 'conv0_5', fc: 'dense_17' } });
  const m = await st.loadKerasModel(bytes);
  assert.deepEqual(m.layers.map((l) => l.name), ['conv0', 'bn', 'flat', 'fc', 'out']);
  assert.deepEqual(Array.from((m.predict(X()) as st.Tensor).dataSync()), Array.from((ref.predict(X()) as st.Tensor).dataSync()));
  m.getWeights().forEach((w, i) => assert.deepEqual(Array.from(w.dataSync()), Array.from(ref.getWeights()[i].dataSync()), `weight ${i}`));
});

test('Keras 2 model.to_json() + weights-only .h5 (root layer_names), as text, object and bytes', async () => {
  const ref = randomized(net());
  const json = JSON.stringify({ ...st.io.modelArtifacts(ref).modelTopology, keras_version: '2.2.4', backend: 'tensorflow' });
  const weights = await keras2H5(ref, { weightsOnly: true });
  for (const src of [json, JSON.parse(json)]) {
    const m = await st.loadKerasModel(src, { weights });
    assert.deepEqual(Array.from((m.predict(X()) as st.Tensor).dataSync()), Array.from((ref.predict(X()) as st.Tensor).dataSync()));
  }
  // A weights-only file alone says what it lacks.
  await assert.rejects(st.loadKerasModel(weights), /weights-only file \(no model_config\)/);
});

test('Keras 2.1 Sequential config as a bare list of layers', async () => {
  const ref = randomized(net());
  const bytes = await keras2H5(ref, {
    edit: (f) => {
      const topo = JSON.parse(String(f.attrs.model_config.value));
      f.delete_attribute('model_config');
      f.create_attribute('model_config', JSON.stringify({ ...topo, config: topo.config.layers }));
    },
  });
  const m = await st.loadKerasModel(bytes);
  assert.deepEqual(Array.from((m.predict(X()) as st.Tensor).dataSync()), Array.from((ref.predict(X()) as st.Tensor).dataSync()));
});

test('Keras 2 .h5 from the Theano backend: conv layers refused by name, others honoured', async () => {
  const setBackend = (f: { delete_attribute(n: string): number; create_attribute(n: string, v: string): void }) => {
    f.delete_attribute('backend');
    f.create_attribute('backend', 'theano');
  };
  await assert.rejects(st.loadKerasModel(await keras2H5(randomized(net()), { edit: setBackend })),
    (e: Error) => e instanceof st.ModelFileError && /layer 'conv0' \(Conv2D\) was saved by the Theano backend/.test(e.message));
  st.setSeed(2);
  const mlp = st.sequential({ layers: [st.layers.dense({ units: 3, inputShape: [4] }), st.layers.dense({ units: 1 })] });
  const m = await st.loadKerasModel(await keras2H5(mlp, { edit: setBackend }));
  const x = st.randomNormal([2, 4], 0, 1, 'float32', 3);
  assert.deepEqual(Array.from((m.predict(x) as st.Tensor).dataSync()), Array.from((mlp.predict(x) as st.Tensor).dataSync()));
});

test('Keras 2 .h5 with hard_sigmoid and ReLU(max_value, negative_slope): Keras 2 semantics', async () => {
  st.setSeed(8);
  const ref = st.sequential({ layers: [
    st.layers.dense({ units: 6, inputShape: [3] }),
    st.layers.reLU({ maxValue: 1.4, negativeSlope: 0.2, threshold: 0.1 }),
    st.layers.reshape({ targetShape: [2, 3] }),
    st.layers.lstm({ units: 2, recurrentActivation: 'hardSigmoid' }),
  ] });
  const m = await st.loadKerasModel(await keras2H5(ref));
  const x = st.randomNormal([4, 3], 0, 4, 'float32', 1);
  assert.deepEqual(Array.from((m.predict(x) as st.Tensor).dataSync()), Array.from((ref.predict(x) as st.Tensor).dataSync()));
  // hard_sigmoid in a Keras 2 file is clip(0.2x + 0.5), checked directly on the loaded layer's config.
  assert.equal((m.layers[3].getConfig() as { recurrentActivation: string }).recurrentActivation, 'hard_sigmoid');
});

test('Keras 2 .h5 of a functional model holding a nested Sequential and a Bidirectional LSTM', async () => {
  st.setSeed(12);
  const inner = st.sequential({ layers: [st.layers.dense({ units: 4, activation: 'relu', inputShape: [6] })] });
  const a = st.input({ shape: [3, 2] });
  const h = st.layers.bidirectional({ layer: st.layers.lstm({ units: 3 }) }).apply(a) as st.SymbolicTensor;
  const out = st.layers.dense({ units: 2 }).apply(inner.apply(h) as st.SymbolicTensor) as st.SymbolicTensor;
  const ref = st.model({ inputs: a, outputs: out });
  ref.setWeights(ref.getWeights().map((w, i) => st.randomUniform(w.shape, -1, 1, 'float32', 50 + i)));
  const m = await st.loadKerasModel(await keras2H5(ref));
  const x = st.randomNormal([2, 3, 2], 0, 1, 'float32', 6);
  assert.deepEqual(Array.from((m.predict(x) as st.Tensor).dataSync()), Array.from((ref.predict(x) as st.Tensor).dataSync()));
});
