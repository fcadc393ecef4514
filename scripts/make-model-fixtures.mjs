// Builds small models with TensorFlow.js 4.22, gives them deterministic weights, and saves each one
// in the TensorFlow.js layers format under test/fixtures/models/<name>/ (model.json + weight shard),
// with a fixed input and TensorFlow.js's prediction (io.json). test/model-io.test.ts loads them in
// Strata and compares predictions. Run: node scripts/make-model-fixtures.mjs
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

await tf.setBackend('cpu');
const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'models');

/** Deterministic values in about [-scale, scale]. */
function values(n, seed, scale = 0.5) {
  return Array.from({ length: n }, (_, i) => scale * Math.sin(0.37 * i + 1.3 * seed + 0.1));
}

function setDeterministicWeights(model) {
  model.weights.forEach((w, k) => {
    model.weights[k].write(tf.tensor(values(w.shape.reduce((a, b) => a * b, 1), k + 1), w.shape, w.dtype));
  });
}

async function save(name, model, inputs) {
  setDeterministicWeights(model);
  const xs = inputs.map(([vals, shape, dtype]) => tf.tensor(vals, shape, dtype ?? 'float32'));
  const pred = model.predict(xs.length === 1 ? xs[0] : xs);
  const preds = Array.isArray(pred) ? pred : [pred];
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const modelJson = {
      modelTopology: artifacts.modelTopology,
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy,
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: artifacts.weightSpecs }],
    };
    writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson, null, 1));
    writeFileSync(join(dir, 'group1-shard1of1.bin'), Buffer.from(artifacts.weightData));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const io = {
    inputs: xs.map((x) => ({ shape: x.shape, dtype: x.dtype, values: Array.from(x.dataSync()) })),
    outputs: preds.map((y) => ({ shape: y.shape, values: Array.from(y.dataSync()) })),
  };
  writeFileSync(join(dir, 'io.json'), JSON.stringify(io));
  console.log(`${name}: ${model.countParams()} params, output ${preds.map((p) => `[${p.shape}]`).join(' ')}`);
}

// A Sequential CNN: conv2d + maxPooling2d + dropout + flatten + dense.
{
  const m = tf.sequential({ layers: [
    tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [8, 8, 2] }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.dropout({ rate: 0.25 }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 5, activation: 'softmax' }),
  ] });
  await save('tfjs-cnn', m, [[values(2 * 8 * 8 * 2, 11, 1), [2, 8, 8, 2]]]);
}

// A conv2dTranspose upsampler.
{
  const m = tf.sequential({ layers: [
    tf.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', inputShape: [4, 4, 2] }),
    tf.layers.conv2dTranspose({ filters: 1, kernelSize: 2, strides: 2, padding: 'valid', activation: 'sigmoid' }),
  ] });
  await save('tfjs-upsampler', m, [[values(2 * 4 * 4 * 2, 12, 1), [2, 4, 4, 2]]]);
}

// An embedding + LSTM classifier (TF.js defaults: hard_sigmoid recurrent activation).
{
  const m = tf.sequential({ layers: [
    tf.layers.embedding({ inputDim: 20, outputDim: 6, inputLength: 7 }),
    tf.layers.lstm({ units: 8 }),
    tf.layers.dense({ units: 3, activation: 'softmax' }),
  ] });
  const tokens = Array.from({ length: 3 * 7 }, (_, i) => (i * 7 + 3) % 20);
  await save('tfjs-embedding-lstm', m, [[tokens, [3, 7], 'float32']]);
}

// A GRU sequence model with timeDistributed(dense).
{
  const m = tf.sequential({ layers: [
    tf.layers.gru({ units: 6, returnSequences: true, inputShape: [5, 4] }),
    tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2, activation: 'tanh' }) }),
  ] });
  await save('tfjs-gru-timedistributed', m, [[values(2 * 5 * 4, 13, 1), [2, 5, 4]]]);
}

// A two-input functional model.
{
  const a = tf.input({ shape: [6], name: 'input_a' });
  const b = tf.input({ shape: [3], name: 'input_b' });
  const ha = tf.layers.dense({ units: 5, activation: 'relu' }).apply(a);
  const hb = tf.layers.dense({ units: 4, activation: 'tanh' }).apply(b);
  const c = tf.layers.concatenate().apply([ha, hb]);
  const out = tf.layers.dense({ units: 2 }).apply(c);
  const m = tf.model({ inputs: [a, b], outputs: out });
  await save('tfjs-two-input', m, [[values(2 * 6, 14, 1), [2, 6]], [values(2 * 3, 15, 1), [2, 3]]]);
}
