// The symbolic graph surface (layer.input/output, model.inputs/outputs), symbolic initial states of
// recurrent layers, and input specs checked when a graph is built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as st from '../src/index.js';
import { expectClose, expectError } from './helpers.js';

const sym = (t: unknown): st.SymbolicTensor => t as st.SymbolicTensor;
const syms = (t: unknown): st.SymbolicTensor[] => t as st.SymbolicTensor[];
const one = (t: unknown): st.Tensor => t as st.Tensor;

test('a feature extractor from a functional model\'s layers gives the layers\' numbers', () => {
  st.setSeed(1);
  const x = st.input({ shape: [6, 6, 2], name: 'img' });
  const c1 = st.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu', name: 'conv_1' });
  const c2 = st.layers.conv2d({ filters: 4, kernelSize: 3, name: 'conv_2' });
  const head = st.layers.dense({ units: 2, name: 'head' });
  const y = head.apply(st.layers.flatten().apply(c2.apply(c1.apply(x))));
  const base = st.model({ inputs: x, outputs: sym(y) });
  assert.equal(base.input, x);
  assert.equal(base.output, y);
  assert.deepEqual(base.inputs, [x]);
  assert.equal(c2.input, c1.output);
  const features = st.model({ inputs: base.inputs, outputs: sym(base.getLayer('conv_2').output) });
  assert.deepEqual(features.outputs[0].shape, [null, 2, 2, 4]);
  const xs = st.randomNormal([3, 6, 6, 2], { seed: 2 });
  const want = one(c2.apply(one(c1.apply(xs))));
  expectClose(one(features.predict(xs)), want, 1e-6, 1e-5, 'feature extractor');
  // Training the base moves the extractor: they share the weights.
  assert.equal(features.getLayer('conv_2').weights[0], c2.weights[0]);
});

test('layer.output of a layer applied twice asks for getOutputAt; an unconnected layer says so', () => {
  const shared = st.layers.dense({ units: 2, name: 'twice' });
  const a = st.input({ shape: [3] }), b = st.input({ shape: [3] });
  const ya = shared.apply(a), yb = shared.apply(b);
  expectError(() => shared.output, st.ConfigError, "Dense 'twice'", '2 inbound nodes', 'getOutputAt');
  expectError(() => shared.input, st.ConfigError, 'getInputAt');
  assert.equal(shared.getOutputAt(1), yb);
  assert.equal(shared.getInputAt(0), a);
  assert.equal(shared.getOutputAt(0), ya);
  expectError(() => st.layers.dense({ units: 1, name: 'alone' }).output, st.ConfigError, "'alone' is not connected");
  // outputShape (TF.js): the shape all nodes share, else an error.
  assert.deepEqual(shared.outputShape, [null, 2]);
  shared.apply(st.input({ shape: [4, 3] }));
  expectError(() => shared.outputShape, st.ConfigError, "Dense 'twice'", 'different output shapes', '[null, 4, 2]');
  expectError(() => st.layers.dense({ units: 1, name: 'never' }).outputShape, st.ConfigError, "'never' has never been applied");
});

test('a Sequential has inputs, outputs and layer outputs once built, for feature extractors', () => {
  st.setSeed(3);
  const base = st.sequential({ layers: [
    st.layers.dense({ units: 5, activation: 'tanh', inputShape: [4], name: 'd1' }),
    st.layers.dense({ units: 3, activation: 'relu', name: 'd2' }),
    st.layers.dense({ units: 2, name: 'd3' }),
  ] });
  assert.equal(base.inputs.length, 1);
  assert.deepEqual(base.inputs[0].shape, [null, 4]);
  assert.deepEqual(sym(base.output).shape, [null, 2]);
  assert.equal(base.getLayer('d2').input, base.getLayer('d1').output);
  assert.deepEqual(base.getLayer('d2').outputShape, [null, 3]);
  const sub = st.model({ inputs: base.inputs, outputs: sym(base.getLayer('d2').output) });
  const x = st.randomNormal([5, 4], { seed: 4 });
  const want = one(base.getLayer('d2').apply(one(base.getLayer('d1').apply(x))));
  expectClose(one(sub.predict(x)), want, 1e-6, 1e-5, 'sub-model of a Sequential');
  expectClose(one(st.model({ inputs: base.inputs, outputs: base.outputs }).predict(x)), one(base.predict(x)), 1e-6, 1e-5, 'whole');
  // Built lazily (no inputShape): inputs exist after the first call, not before.
  const lazy = st.sequential({ layers: [st.layers.dense({ units: 2 })] });
  expectError(() => lazy.inputs, st.ConfigError, 'not known before the model is built', 'inputShape');
  lazy.predict(st.ones([2, 7]));
  assert.deepEqual(lazy.inputs[0].shape, [null, 7]);
});

/** The Keras lstm_seq2seq example, small: an encoder LSTM's states start the decoder LSTM. */
function seq2seq(seed: number, units = 6) {
  st.setSeed(seed);
  const encIn = st.input({ shape: [null, 4], name: 'enc_in' });
  const [, h, c] = syms(st.layers.lstm({ units, returnState: true, name: 'encoder' }).apply(encIn));
  const decIn = st.input({ shape: [null, 3], name: 'dec_in' });
  const decLstm = st.layers.lstm({ units, returnSequences: true, returnState: true, name: 'decoder' });
  const [seq] = syms(decLstm.apply(decIn, { initialState: [h, c] as never }));
  const dense = st.layers.dense({ units: 3, activation: 'softmax', name: 'out' });
  const out = sym(dense.apply(seq));
  return { model: st.model({ inputs: [encIn, decIn], outputs: out }), encIn, decIn, h, c, decLstm, dense };
}

function seqData(n: number, t: number, f: number, seed: number): st.Tensor {
  return st.randomNormal([n, t, f], { seed });
}

test('seq2seq with symbolic initialState trains, predicts, saves and reloads with equal predictions', async () => {
  const { model } = seq2seq(10);
  const encX = seqData(16, 5, 4, 11), decX = seqData(16, 4, 3, 12);
  const labels = st.oneHot(st.tensor(Array.from({ length: 64 }, (_, i) => (i * 7) % 3), [16, 4], 'int32'), 3);
  model.compile({ optimizer: st.optimizers.adam({ learningRate: 0.05 }), loss: 'categoricalCrossentropy' });
  const h = await model.fit([encX, decX], labels, { epochs: 8, batchSize: 8, verbose: 0, shuffle: false });
  assert.ok(h.history.loss.at(-1)! < h.history.loss[0] * 0.9, `loss ${h.history.loss[0]} → ${h.history.loss.at(-1)}`);
  // The states reach the decoder: other encoder inputs give other decoder outputs.
  const p1 = one(model.predict([encX, decX])), p2 = one(model.predict([st.mul(encX, -1), decX]));
  assert.ok(Math.max(...Array.from(st.abs(st.sub(p1, p2)).values)) > 1e-3, 'the encoder states change the prediction');
  const dir = mkdtempSync(join(tmpdir(), 'strata-seq2seq-'));
  await model.save(dir);
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const dec = json.modelTopology.config.layers.find((l: { name: string }) => l.name === 'decoder');
  // TensorFlow.js' form: the states are inbound tensors after the input, with empty kwargs.
  assert.deepEqual(dec.inbound_nodes, [[['dec_in', 0, 0, {}], ['encoder', 0, 1, {}], ['encoder', 0, 2, {}]]]);
  const loaded = await st.loadLayersModel(dir);
  expectClose(one(loaded.predict([encX, decX])), p1, 1e-6, 1e-5, 'reloaded seq2seq');
  // Keras' lstm_seq2seq restore: inference models from the loaded model's layers.
  const [encIn, decIn] = syms(loaded.input);
  const [, hEnc, cEnc] = syms(loaded.getLayer('encoder').output);
  const encoder = st.model({ inputs: encIn, outputs: [hEnc, cEnc] });
  const hIn = st.input({ shape: [6] }), cIn = st.input({ shape: [6] });
  const [seq] = syms(loaded.getLayer('decoder').apply(decIn, { initialState: [hIn, cIn] as never }));
  const decoder = st.model({ inputs: [decIn, hIn, cIn], outputs: sym(loaded.getLayer('out').apply(seq)) });
  expectClose(one(decoder.predict([decX, ...(encoder.predict(encX) as st.Tensor[])])), p1, 1e-6, 1e-5, 'inference models of the loaded model');
});

test('seq2seq inference models from the trained layers give the training model\'s numbers', () => {
  const { model, encIn, decIn, h, c, decLstm, dense } = seq2seq(20);
  const encoder = st.model({ inputs: encIn, outputs: [h, c] });
  const hIn = st.input({ shape: [6], name: 'h_in' }), cIn = st.input({ shape: [6], name: 'c_in' });
  const [seq, dh, dc] = syms(decLstm.apply(decIn, { initialState: [hIn, cIn] as never }));
  const decoder = st.model({ inputs: [decIn, hIn, cIn], outputs: [sym(dense.apply(seq)), dh, dc] });
  const encX = seqData(3, 5, 4, 21), decX = seqData(3, 4, 3, 22);
  const full = one(model.predict([encX, decX]));
  const states = encoder.predict(encX) as st.Tensor[];
  const [probs] = decoder.predict([decX, ...states]) as st.Tensor[];
  expectClose(probs, full, 1e-6, 1e-5, 'decoder inference model');
  // Step by step, feeding the states back (the sampling loop of lstm_seq2seq), gives the same outputs.
  let s = states;
  const steps: st.Tensor[] = [];
  for (let t = 0; t < 4; t++) {
    const [p, nh, nc] = decoder.predict([st.slice(decX, [0, t, 0], [3, 1, 3]), ...s]) as st.Tensor[];
    steps.push(p);
    s = [nh, nc];
  }
  expectClose(st.concat(steps, 1), full, 1e-5, 1e-4, 'step-by-step decoding');
});

test('gru and simpleRNN take a symbolic initialState [h] like the concrete call', () => {
  for (const make of [() => st.layers.gru({ units: 3, resetAfter: false }), () => st.layers.simpleRNN({ units: 3 })]) {
    st.setSeed(30);
    const layer = make();
    const x = st.input({ shape: [4, 2] }), h0 = st.input({ shape: [3] });
    const m = st.model({ inputs: [x, h0], outputs: sym(layer.apply(x, { initialState: [h0] as never })) });
    const xs = st.randomNormal([2, 4, 2], { seed: 31 }), hs = st.randomNormal([2, 3], { seed: 32 });
    expectClose(one(m.predict([xs, hs])), one(layer.apply(xs, { initialState: [hs] })), 1e-6, 1e-5, layer.className);
    expectError(() => layer.apply(x, { initialState: [st.input({ shape: [5] })] as never }), st.ShapeError,
      `'${layer.name}'`, 'initialState must be 1 tensor [h]', '[null, 3]', 'got [[null, 5]]');
  }
});

test('a recurrent node with state inputs keeps the sequence mask (embedding maskZero)', () => {
  st.setSeed(35);
  const tokens = st.input({ shape: [5], name: 'tok' }), h0 = st.input({ shape: [3] }), c0 = st.input({ shape: [3] });
  const emb = st.layers.embedding({ inputDim: 6, outputDim: 2, maskZero: true });
  const lstm = st.layers.lstm({ units: 3 });
  const m = st.model({ inputs: [tokens, h0, c0], outputs: sym(lstm.apply(sym(emb.apply(tokens)), { initialState: [h0, c0] as never })) });
  const ids = st.tensor([1, 2, 3, 0, 0, 4, 5, 0, 0, 0], [2, 5]);
  const hs = st.randomNormal([2, 3], { seed: 36 }), cs = st.randomNormal([2, 3], { seed: 37 });
  const e = one(emb.apply(ids));
  const want = one(lstm.apply(e, { initialState: [hs, cs], mask: emb.computeMask(ids, null) }));
  expectClose(one(m.predict([ids, hs, cs])), want, 1e-6, 1e-5, 'masked decoder');
  assert.ok(Math.abs(want.values[0] - one(lstm.apply(e, { initialState: [hs, cs] })).values[0]) > 1e-4, 'the mask matters here');
});

test('a nested Sequential in a functional model takes a 3-D input (the mnist-acgan generator)', () => {
  st.setSeed(40);
  const latentSize = 5;
  const cnn = st.sequential();
  cnn.add(st.layers.dense({ units: 2 * 2 * 6, inputShape: [latentSize], activation: 'relu' }));
  cnn.add(st.layers.reshape({ targetShape: [2, 2, 6] }));
  cnn.add(st.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh' }));
  const latent = st.input({ shape: [latentSize] });
  const imageClass = st.input({ shape: [1] });
  const emb = st.layers.embedding({ inputDim: 4, outputDim: latentSize });
  const h = st.layers.multiply().apply([latent, sym(emb.apply(imageClass))]);
  assert.deepEqual(sym(h).shape, [null, 1, latentSize]);
  const fake = sym(cnn.apply(h));
  assert.deepEqual(fake.shape, [null, 4, 4, 3]);
  const gen = st.model({ inputs: [latent, imageClass], outputs: fake });
  const z = st.randomNormal([3, latentSize], { seed: 41 }), cls = st.tensor([0, 3, 1], [3, 1]);
  const got = one(gen.predict([z, cls]));
  assert.deepEqual(got.shape, [3, 4, 4, 3]);
  // Dense on [b, 1, 5] works on the last axis, as Keras: [b, 1, 24], then the reshape drops the 1.
  const hv = st.mul(z, st.reshape(one(emb.apply(cls)), [3, latentSize]));
  const d = one(cnn.getLayer(0).apply(st.reshape(hv, [3, 1, latentSize])));
  assert.deepEqual(d.shape, [3, 1, 24]);
  expectClose(got, one(cnn.predict(hv)), 1e-6, 1e-5, 'generator vs the Sequential on the 2-D latent');
  // Trains: the nested model's weights get gradients.
  gen.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
  const before = gen.getLayer(cnn.name).getWeights()[0].values.slice();
  gen.trainOnBatch([z, cls], st.zeros([3, 4, 4, 3]));
  assert.notDeepEqual(Array.from(gen.getLayer(cnn.name).getWeights()[0].values), Array.from(before));
});

test('a nested functional model applied to another rank computes that shape and runs, as Keras', () => {
  st.setSeed(45);
  const i = st.input({ shape: [5] });
  const d1 = st.layers.dense({ units: 4, activation: 'relu' }), d2 = st.layers.dense({ units: 2 });
  const inner = st.model({ inputs: i, outputs: sym(d2.apply(d1.apply(i))) });
  const x3 = st.input({ shape: [3, 5] });
  const y = sym(inner.apply(x3));
  assert.deepEqual(y.shape, [null, 3, 2]);
  const outer = st.model({ inputs: x3, outputs: sym(st.layers.flatten().apply(y)) });
  const xs = st.randomNormal([2, 3, 5], { seed: 46 });
  expectClose(one(outer.predict(xs)), st.reshape(one(d2.apply(one(d1.apply(xs)))), [2, 6]), 1e-6, 1e-5, 'nested functional on 3-D');
  // Used alone, the model still asks for its own input shape.
  expectError(() => inner.predict(st.ones([2, 4])), st.ShapeError, 'expects shape [null, 5]', 'got [2, 4]');
});

test('wrong ranks and sizes fail when the graph is built, naming the layer, expected, given and a fix', () => {
  const dense = st.layers.dense({ units: 2, name: 'd_spec' });
  dense.apply(st.input({ shape: [8] }));
  expectError(() => dense.apply(st.input({ shape: [3, 5] })), st.ShapeError, "Dense 'd_spec'", 'axis -1', 'to be 8', '[null, 3, 5]', 'flatten');
  // Any leading axes are fine once the last one fits.
  assert.deepEqual(sym(dense.apply(st.input({ shape: [3, 8] }))).shape, [null, 3, 2]);
  const lstm = st.layers.lstm({ units: 2, name: 'l_spec' });
  lstm.apply(st.input({ shape: [4, 3] }));
  expectError(() => lstm.apply(st.input({ shape: [3] })), st.ShapeError, "LSTM 'l_spec'", 'rank 3', '[batch, time, features]', '[null, 3]', 'embedding');
  expectError(() => lstm.apply(st.input({ shape: [4, 5] })), st.ShapeError, "LSTM 'l_spec'", 'axis 2', 'to be 3', '[null, 4, 5]');
  const conv = st.layers.conv2d({ filters: 2, kernelSize: 2, name: 'c_spec' });
  conv.apply(st.input({ shape: [5, 5, 3] }));
  expectError(() => conv.apply(st.input({ shape: [5, 5, 4] })), st.ShapeError, "Conv2D 'c_spec'", 'axis -1', 'to be 3', '[null, 5, 5, 4]');
  expectError(() => conv.apply(st.input({ shape: [5, 5] })), st.ShapeError, "Conv2D 'c_spec'", 'rank 4', '[null, 5, 5]');
});

test('model.toJSON gives the topology as a string, or an object with returnString false', () => {
  const { model } = seq2seq(50);
  const s = model.toJSON();
  assert.equal(typeof s, 'string');
  const o = model.toJSON(null, false) as Record<string, unknown>;
  assert.deepEqual(JSON.parse(s as string), o);
  assert.equal(o.class_name, 'Functional');
  const layers = (o.config as { layers: { name: string }[] }).layers.map((l) => l.name);
  assert.deepEqual(layers.sort(), ['dec_in', 'decoder', 'enc_in', 'encoder', 'out']);
  const seqJson = JSON.parse(st.sequential({ layers: [st.layers.dense({ units: 2, inputShape: [3] })] }).toJSON() as string);
  assert.equal(seqJson.class_name, 'Sequential');
  assert.deepEqual(seqJson.config.layers[0].config.batch_input_shape, [null, 3]);
});
