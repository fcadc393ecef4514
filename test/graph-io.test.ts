// Model files with graph features, both ways with TensorFlow.js 4.22 in-process: a nested Sequential
// in a functional model (the nested model's node numbering), a shared layer's second node, and a
// seq2seq model whose decoder takes the encoder's states as initial states.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import * as io from '../src/io/index.js';
import { topologyToModel } from '../src/model/topology.js';
import { expectClose } from './helpers.js';

type TF = typeof import('@tensorflow/tfjs');

async function tfjs(): Promise<TF> {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  return tf;
}

/** Deterministic weights for a TF.js model, so predictions are not all tiny. */
function setTfWeights(tf: TF, model: import('@tensorflow/tfjs').LayersModel): void {
  model.weights.forEach((w, k) => {
    const shape = w.shape as number[];
    const n = shape.reduce((a, b) => a * b, 1);
    w.write(tf.tensor(Array.from({ length: n }, (_, i) => 0.5 * Math.sin(0.37 * i + 1.3 * (k + 1) + 0.1)), shape));
  });
}

/** Saves a TF.js model in memory and loads it in Strata. */
async function tfToStrata(tf: TF, model: import('@tensorflow/tfjs').LayersModel): Promise<{ strata: st.Model; topology: Record<string, unknown> }> {
  let artifacts: import('@tensorflow/tfjs').io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (a: import('@tensorflow/tfjs').io.ModelArtifacts) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const a = artifacts! as import('@tensorflow/tfjs').io.ModelArtifacts;
  const strata = await io.loadLayersModel(io.fromMemory({ modelTopology: a.modelTopology, weightSpecs: a.weightSpecs }, new Uint8Array(a.weightData as ArrayBuffer)));
  return { strata, topology: a.modelTopology as Record<string, unknown> };
}

/** Saves a Strata model in memory and loads it in TF.js. */
async function strataToTf(tf: TF, model: st.Model): Promise<import('@tensorflow/tfjs').LayersModel> {
  let art: io.ModelArtifacts | null = null;
  await model.save(io.withSaveHandler(async (a) => {
    art = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } } as never;
  }));
  const a = art! as unknown as { modelTopology: object; weightSpecs: never; weightData: ArrayBuffer | Uint8Array };
  const data = a.weightData instanceof Uint8Array ? a.weightData.slice().buffer : a.weightData;
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: a.modelTopology, weightSpecs: a.weightSpecs, weightData: data }));
}

function inputs(tf: TF, shapes: number[][], seed: number) {
  const values = shapes.map((s, j) => Array.from({ length: s.reduce((a, b) => a * b, 1) }, (_, i) => Math.cos(0.7 * i + seed + j)));
  return { tf: values.map((v, i) => tf.tensor(v, shapes[i])), st: values.map((v, i) => st.tensor(v, shapes[i])) };
}

test('a TF.js functional model with a nested Sequential (output and shared, nodes 1 and 2) and a shared layer loads in Strata', async () => {
  const tf = await tfjs();
  const inner = tf.sequential({ name: 'inner_seq', layers: [
    tf.layers.dense({ units: 5, activation: 'tanh', inputShape: [4], name: 'inner_a' }),
    tf.layers.dense({ units: 3, name: 'inner_b' }),
  ] });
  const a = tf.input({ shape: [4], name: 'in_a' }), b = tf.input({ shape: [4], name: 'in_b' });
  const shared = tf.layers.dense({ units: 4, activation: 'relu', name: 'shared' });
  const sa = shared.apply(a) as import('@tensorflow/tfjs').SymbolicTensor;
  const sb = shared.apply(b) as import('@tensorflow/tfjs').SymbolicTensor; // the shared layer's second node
  const ya = inner.apply(sa) as import('@tensorflow/tfjs').SymbolicTensor;
  const yb = inner.apply(sb) as import('@tensorflow/tfjs').SymbolicTensor; // the nested model's node 2
  const sum = tf.layers.add({ name: 'sum' }).apply([ya, yb]) as import('@tensorflow/tfjs').SymbolicTensor;
  // ya itself is a model output: output_layers names ['inner_seq', 1, 0].
  const model = tf.model({ inputs: [a, b], outputs: [ya, sum] });
  setTfWeights(tf, model);
  const { strata, topology } = await tfToStrata(tf, model);
  const config = topology.config as { output_layers: unknown[]; layers: { name: string; inbound_nodes: unknown[] }[] };
  assert.deepEqual(config.output_layers[0], ['inner_seq', 1, 0]);
  assert.deepEqual(config.layers.find((l) => l.name === 'sum')!.inbound_nodes, [[['inner_seq', 1, 0, {}], ['inner_seq', 2, 0, {}]]]);
  const xs = inputs(tf, [[3, 4], [3, 4]], 1);
  const want = model.predict(xs.tf) as import('@tensorflow/tfjs').Tensor[];
  const got = strata.predict(xs.st) as st.Tensor[];
  want.forEach((w, i) => expectClose(got[i], Array.from(w.dataSync()), 1e-5, 1e-4, `output ${i}`));
  // And back: Strata's save of that model loads in TF.js with the same predictions.
  const back = await strataToTf(tf, strata);
  const again = back.predict(xs.tf) as import('@tensorflow/tfjs').Tensor[];
  again.forEach((w, i) => expectClose(Array.from(w.dataSync()), got[i], 1e-5, 1e-4, `TF.js reload, output ${i}`));
});

test('the TF.js mnist-acgan generator (nested Sequential as the only output, on a 3-D input) loads in Strata', async () => {
  const tf = await tfjs();
  const cnn = tf.sequential();
  cnn.add(tf.layers.dense({ units: 2 * 2 * 6, inputShape: [5], activation: 'relu' }));
  cnn.add(tf.layers.reshape({ targetShape: [2, 2, 6] }));
  cnn.add(tf.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh' }));
  cnn.add(tf.layers.batchNormalization());
  const latent = tf.input({ shape: [5] }), imageClass = tf.input({ shape: [1] });
  const emb = tf.layers.embedding({ inputDim: 4, outputDim: 5 }).apply(imageClass) as import('@tensorflow/tfjs').SymbolicTensor;
  const h = tf.layers.multiply().apply([latent, emb]) as import('@tensorflow/tfjs').SymbolicTensor;
  const model = tf.model({ inputs: [latent, imageClass], outputs: cnn.apply(h) as import('@tensorflow/tfjs').SymbolicTensor });
  setTfWeights(tf, model);
  const { strata, topology } = await tfToStrata(tf, model);
  assert.deepEqual((topology.config as { output_layers: unknown[] }).output_layers, [[cnn.name, 1, 0]]);
  const z = inputs(tf, [[3, 5]], 5);
  const want = model.predict([z.tf[0], tf.tensor([0, 3, 1], [3, 1])]) as import('@tensorflow/tfjs').Tensor;
  const got = strata.predict([z.st[0], st.tensor([0, 3, 1], [3, 1])]) as st.Tensor;
  assert.deepEqual(got.shape, [3, 4, 4, 3]);
  expectClose(got, Array.from(want.dataSync()), 1e-5, 1e-4, 'generator');
});

test('a Strata model with a nested Sequential applied to a 3-D input and a shared layer loads in TF.js', async () => {
  const tf = await tfjs();
  st.setSeed(60);
  const cnn = st.sequential({ name: 'gen_cnn', layers: [
    st.layers.dense({ units: 12, inputShape: [5], activation: 'relu' }),
    st.layers.reshape({ targetShape: [2, 2, 3] }),
    st.layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same' }),
  ] });
  const latent = st.input({ shape: [5], name: 'latent' }), cls = st.input({ shape: [1], name: 'cls' });
  const emb = st.layers.embedding({ inputDim: 4, outputDim: 5 }).apply(cls);
  const h = st.layers.multiply().apply([latent, emb as st.SymbolicTensor]) as st.SymbolicTensor;
  const shared = st.layers.dense({ units: 5, name: 'mix' });
  const h2 = shared.apply(shared.apply(h) as st.SymbolicTensor) as st.SymbolicTensor; // shared at two depths
  const model = st.model({ inputs: [latent, cls], outputs: [cnn.apply(h2) as st.SymbolicTensor, cnn.apply(h) as st.SymbolicTensor] });
  const xs = inputs(tf, [[2, 5], [2, 1]], 2);
  xs.st[1] = st.tensor([1, 3], [2, 1]);
  xs.tf[1] = tf.tensor([1, 3], [2, 1]);
  const want = model.predict(xs.st) as st.Tensor[];
  const tfModel = await strataToTf(tf, model);
  const got = tfModel.predict(xs.tf) as import('@tensorflow/tfjs').Tensor[];
  got.forEach((g, i) => {
    assert.deepEqual(g.shape, want[i].shape);
    expectClose(Array.from(g.dataSync()), want[i], 1e-5, 1e-4, `TF.js output ${i}`);
  });
  const { strata } = await tfToStrata(tf, tfModel);
  (strata.predict(xs.st) as st.Tensor[]).forEach((p, i) => expectClose(p, want[i], 1e-5, 1e-4, `round trip output ${i}`));
});

test('a nested Sequential built by its application (no inputShape) saves with its InputLayer and loads in TF.js', async () => {
  const tf = await tfjs();
  st.setSeed(65);
  const lazy = st.sequential({ name: 'lazy_seq', layers: [st.layers.dense({ units: 3, activation: 'tanh' }), st.layers.dense({ units: 2 })] });
  const i = st.input({ shape: [4], name: 'li' });
  const model = st.model({ inputs: i, outputs: lazy.apply(st.layers.dense({ units: 4, name: 'pre' }).apply(i)) as st.SymbolicTensor });
  const json = model.toJSON(null, false) as { config: { layers: { name: string; config: { layers?: { class_name: string }[] } }[] } };
  assert.equal(json.config.layers.find((l) => l.name === 'lazy_seq')!.config.layers![0].class_name, 'InputLayer');
  const xs = inputs(tf, [[2, 4]], 6);
  const want = model.predict(xs.st[0]) as st.Tensor;
  const tfModel = await strataToTf(tf, model);
  expectClose(Array.from((tfModel.predict(xs.tf[0]) as import('@tensorflow/tfjs').Tensor).dataSync()), want, 1e-5, 1e-4, 'TF.js');
  const { strata } = await tfToStrata(tf, tfModel);
  expectClose(strata.predict(xs.st[0]) as st.Tensor, want, 1e-5, 1e-4, 'back in Strata');
});

test('a TF.js seq2seq model (decoder initialState from the encoder) loads in Strata and back', async () => {
  const tf = await tfjs();
  const encIn = tf.input({ shape: [null, 3], name: 'enc_in' });
  const [, h, c] = tf.layers.lstm({ units: 4, returnState: true, name: 'enc' }).apply(encIn) as import('@tensorflow/tfjs').SymbolicTensor[];
  const decIn = tf.input({ shape: [null, 2], name: 'dec_in' });
  const [seq] = tf.layers.lstm({ units: 4, returnSequences: true, returnState: true, name: 'dec' })
    .apply(decIn, { initialState: [h, c] }) as import('@tensorflow/tfjs').SymbolicTensor[];
  const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(seq) as import('@tensorflow/tfjs').SymbolicTensor;
  const model = tf.model({ inputs: [encIn, decIn], outputs: out });
  setTfWeights(tf, model);
  const warn = console.warn;
  console.warn = () => {}; // TF.js warns that it drops the symbolic initialState kwarg (the states are inbound tensors)
  let loaded;
  try {
    loaded = await tfToStrata(tf, model);
  } finally {
    console.warn = warn;
  }
  const dec = (loaded.topology.config as { layers: { name: string; inbound_nodes: unknown }[] }).layers.find((l) => l.name === 'dec')!;
  assert.deepEqual(dec.inbound_nodes, [[['dec_in', 0, 0, {}], ['enc', 0, 1, {}], ['enc', 0, 2, {}]]]);
  const xs = inputs(tf, [[2, 5, 3], [2, 4, 2]], 3);
  const want = Array.from((model.predict(xs.tf) as import('@tensorflow/tfjs').Tensor).dataSync());
  const got = loaded.strata.predict(xs.st) as st.Tensor;
  expectClose(got, want, 1e-5, 1e-4, 'Strata prediction of the TF.js seq2seq');
  const back = await strataToTf(tf, loaded.strata);
  expectClose(Array.from((back.predict(xs.tf) as import('@tensorflow/tfjs').Tensor).dataSync()), want, 1e-5, 1e-4, 'TF.js reload');
});

test('the date-conversion-attention pattern (one state twice, masked embeddings) matches TF.js', async () => {
  const tf = await tfjs();
  type ST = import('@tensorflow/tfjs').SymbolicTensor;
  const encIn = tf.input({ shape: [6], name: 'e_in' }), decIn = tf.input({ shape: [4], name: 'd_in' });
  const enc = tf.layers.embedding({ inputDim: 7, outputDim: 3, maskZero: true, name: 'e_emb' }).apply(encIn) as ST;
  const encLast = tf.layers.lstm({ units: 4, name: 'e_lstm' }).apply(enc) as ST;
  const dec = tf.layers.embedding({ inputDim: 5, outputDim: 3, maskZero: true, name: 'd_emb' }).apply(decIn) as ST;
  const seq = tf.layers.lstm({ units: 4, returnSequences: true, name: 'd_lstm' }).apply(dec, { initialState: [encLast, encLast] }) as ST;
  const out = tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 5, activation: 'softmax' }), name: 'td' }).apply(seq) as ST;
  const model = tf.model({ inputs: [encIn, decIn], outputs: out });
  setTfWeights(tf, model);
  const warn = console.warn;
  console.warn = () => {};
  let loaded;
  try {
    loaded = await tfToStrata(tf, model);
  } finally {
    console.warn = warn;
  }
  // Padding (0) at the end of each sequence: the masks decide the numbers.
  const e = [1, 2, 3, 0, 0, 0, 4, 5, 6, 1, 2, 0], d = [1, 2, 0, 0, 3, 4, 1, 0];
  const want = (model.predict([tf.tensor(e, [2, 6]), tf.tensor(d, [2, 4])]) as import('@tensorflow/tfjs').Tensor).dataSync();
  const got = loaded.strata.predict([st.tensor(e, [2, 6]), st.tensor(d, [2, 4])]) as st.Tensor;
  expectClose(got, Array.from(want), 1e-5, 1e-4, 'Strata vs TF.js');
});

test('a Keras 3 node with initial_state in kwargs feeds the states after the input', () => {
  const kt = (layer: string, i: number, shape: (number | null)[]) =>
    ({ class_name: '__keras_tensor__', config: { shape, dtype: 'float32', keras_history: [layer, 0, i] } });
  const lstmCfg = (name: string, extra: Record<string, unknown>) => ({ name, units: 2, activation: 'tanh', recurrent_activation: 'sigmoid',
    use_bias: true, return_sequences: false, return_state: false, go_backwards: false, stateful: false, unit_forget_bias: true, ...extra });
  const topology = {
    class_name: 'Functional', config: {
      name: 'k3', layers: [
        { class_name: 'InputLayer', name: 'x', inbound_nodes: [], config: { batch_shape: [null, 3, 2], dtype: 'float32', name: 'x' } },
        { class_name: 'LSTM', name: 'enc', config: lstmCfg('enc', { return_state: true }), inbound_nodes: [{ args: [kt('x', 0, [null, 3, 2])], kwargs: {} }] },
        { class_name: 'LSTM', name: 'dec', config: lstmCfg('dec', {}),
          inbound_nodes: [{ args: [kt('x', 0, [null, 3, 2])], kwargs: { initial_state: [kt('enc', 1, [null, 2]), kt('enc', 2, [null, 2])] } }] },
      ],
      input_layers: [['x', 0, 0]], output_layers: [['dec', 0, 0]],
    },
  };
  const m = topologyToModel(topology);
  const x = st.randomNormal([2, 3, 2], { seed: 70 });
  const [, h, c] = m.getLayer('enc').apply(x) as st.Tensor[];
  expectClose(m.predict(x) as st.Tensor, m.getLayer('dec').apply(x, { initialState: [h, c] }) as st.Tensor, 1e-6, 1e-5, 'decoder with the encoder states');
});
