import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import * as st from '../src/index.js';
import { H5Reader } from '../src/io/keras/hdf5.js';
import { kerasArchiveBytes } from '../src/io/keras/save-keras.js';

// model.save('x.keras') writes what Keras 3's saving_lib writes (names and layout checked here) and
// loads back bit for bit. The layout was also checked with h5py (see the branch report).

function models(): { name: string; model: st.Model; x: st.Tensor }[] {
  st.setSeed(3);
  const seq1 = st.sequential({ layers: [
    st.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'causal', dilationRate: 2, inputShape: [9, 3] }),
    st.layers.batchNormalization(),
    st.layers.lstm({ units: 5, returnSequences: true }),
    st.layers.lstm({ units: 3 }),
    st.layers.dense({ units: 2, activation: 'softmax' }),
    st.layers.dense({ units: 2 }),
  ] });
  const seq2 = st.sequential({ layers: [
    st.layers.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', inputShape: [8, 8, 2] }),
    st.layers.maxPooling2d({ poolSize: 2 }),
    st.layers.flatten(),
    st.layers.dense({ units: 4, activation: 'tanh' }),
  ] });
  const seq3 = st.sequential({ layers: [
    st.layers.embedding({ inputDim: 10, outputDim: 4, inputShape: [6] }),
    st.layers.bidirectional({ layer: st.layers.gru({ units: 3, returnSequences: true, resetAfter: true }) }),
    st.layers.timeDistributed({ layer: st.layers.dense({ units: 2 }) }),
    st.layers.simpleRNN({ units: 2 }),
  ] });
  const a = st.input({ shape: [5] }), b = st.input({ shape: [3] });
  const inner = st.sequential({ layers: [st.layers.dense({ units: 4, activation: 'relu', inputShape: [8] })] });
  const c = st.layers.concatenate().apply([a, b]) as st.SymbolicTensor;
  const out = st.layers.dense({ units: 2 }).apply(inner.apply(c) as st.SymbolicTensor) as st.SymbolicTensor;
  const fn = st.model({ inputs: [a, b], outputs: out });
  // Random moving statistics, so that a BatchNormalization mix-up shows.
  const bn = seq1.layers[1];
  bn.setWeights(bn.getWeights().map((w, i) => st.add(st.randomUniform(w.shape, 0.5, 1.5, 'float32', 10 + i), 0)));
  return [
    { name: 'Conv1D causal + BatchNormalization + stacked LSTMs + Dense', model: seq1, x: st.randomNormal([2, 9, 3], 0, 1, 'float32', 1) },
    { name: 'Conv2D + MaxPooling2D + Flatten + Dense', model: seq2, x: st.randomNormal([2, 8, 8, 2], 0, 1, 'float32', 2) },
    { name: 'Embedding + Bidirectional(GRU) + TimeDistributed(Dense) + SimpleRNN', model: seq3, x: st.tensor([1, 2, 3, 4, 5, 6, 0, 9, 8, 7, 6, 5], [2, 6]) },
    { name: 'Functional: two inputs, Concatenate, a nested Sequential', model: fn, x: st.randomNormal([2, 5], 0, 1, 'float32', 4) },
  ];
}

function inputsFor(name: string, x: st.Tensor): st.Tensor | st.Tensor[] {
  return name.startsWith('Functional') ? [x, st.randomNormal([2, 3], 0, 1, 'float32', 5)] : x;
}

for (const { name, model, x } of models()) {
  test(`.keras round trip, bit for bit: ${name}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-keras-'));
    try {
      const file = join(dir, 'm.keras');
      await model.save(file);
      const back = await st.loadKerasModel(file);
      const w0 = model.getWeights(), w1 = back.getWeights();
      assert.equal(w1.length, w0.length);
      w0.forEach((w, i) => {
        assert.deepEqual(w1[i].shape, w.shape, `weight ${i} shape`);
        assert.deepEqual(Buffer.from(new Float32Array(w1[i].dataSync()).buffer), Buffer.from(new Float32Array(w.dataSync()).buffer), `weight ${i} bits`);
      });
      const xin = inputsFor(name, x);
      assert.deepEqual(Array.from((back.predict(xin) as st.Tensor).dataSync()), Array.from((model.predict(xin) as st.Tensor).dataSync()));
      assert.deepEqual(back.layers.map((l) => l.className), model.layers.map((l) => l.className));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('.keras archive: members, config.json and model.weights.h5 laid out as Keras 3 saving_lib writes them', async () => {
  const { model } = models()[0];
  const zip = unzipSync(await kerasArchiveBytes(model));
  assert.deepEqual(Object.keys(zip), ['metadata.json', 'config.json', 'model.weights.h5']);
  const meta = JSON.parse(new TextDecoder().decode(zip['metadata.json']));
  assert.deepEqual(Object.keys(meta), ['keras_version', 'date_saved']);
  assert.match(meta.keras_version, /^3\./);
  assert.match(meta.date_saved, /^\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d$/);
  const config = JSON.parse(new TextDecoder().decode(zip['config.json']));
  assert.equal(config.module, 'keras');
  assert.equal(config.class_name, 'Sequential');
  const layers = config.config.layers;
  assert.equal(layers[0].class_name, 'InputLayer');
  assert.deepEqual(layers[0].config.batch_shape, [null, 9, 3]);
  assert.ok(layers.every((l: { config: Record<string, unknown> }) => l.config.batch_input_shape === undefined), 'Keras 3 layers refuse batch_input_shape');
  assert.deepEqual(layers[1], { ...layers[1], module: 'keras.layers', class_name: 'Conv1D', registered_name: null });
  assert.equal(layers[1].config.kernel_initializer.module, 'keras.initializers');
  assert.deepEqual(config.config.build_input_shape, [null, 9, 3]);

  const h5 = await H5Reader.open(zip['model.weights.h5'], 'model.weights.h5');
  try {
    // By class and position, never by layer name: the second LSTM is lstm_1, the second Dense dense_1.
    assert.deepEqual(h5.keys('layers').sort(), ['batch_normalization', 'conv1d', 'dense', 'dense_1', 'lstm', 'lstm_1']);
    assert.deepEqual(h5.keys('layers/conv1d/vars').sort(), ['0', '1']);
    assert.deepEqual(h5.keys('layers/batch_normalization/vars').sort(), ['0', '1', '2', '3']);
    assert.deepEqual(h5.keys('layers/lstm/vars'), []);
    assert.deepEqual(h5.keys('layers/lstm/cell/vars').sort(), ['0', '1', '2']);
    assert.deepEqual(h5.readFloat32('layers/lstm_1/cell/vars/1', 1e6).shape, [3, 12]);
    assert.equal(h5.attr('layers/dense_1/vars', 'name', 100), model.layers[5].name);
    assert.equal(h5.attr('layers/lstm/cell/vars', 'name', 100), 'lstm_cell');
    assert.equal(h5.attr('vars', 'name', 100), model.name);
    // Variables in Keras order: gamma, beta, moving mean, moving variance.
    const bn = model.layers[1].getWeights();
    for (let i = 0; i < 4; i++) assert.deepEqual(Array.from(h5.readFloat32(`layers/batch_normalization/vars/${i}`, 1e6).values), Array.from(bn[i].dataSync()));
  } finally {
    h5.close();
  }
});

test('.keras: a Bidirectional layer keeps forward and backward cells apart', async () => {
  const { model } = models()[2];
  const zip = unzipSync(await kerasArchiveBytes(model));
  const h5 = await H5Reader.open(zip['model.weights.h5'], 'model.weights.h5');
  try {
    assert.deepEqual(h5.keys('layers').sort(), ['bidirectional', 'embedding', 'simple_rnn', 'time_distributed']);
    assert.deepEqual(h5.keys('layers/bidirectional/forward_layer/cell/vars').sort(), ['0', '1', '2']);
    assert.deepEqual(h5.readFloat32('layers/bidirectional/backward_layer/cell/vars/2', 1e6).shape, [2, 9]);
    assert.deepEqual(h5.keys('layers/time_distributed/layer/vars').sort(), ['0', '1']);
    const w = model.layers[1].getWeights();
    assert.deepEqual(Array.from(h5.readFloat32('layers/bidirectional/backward_layer/cell/vars/0', 1e6).values), Array.from(w[3].dataSync()));
  } finally {
    h5.close();
  }
});

test('.keras: Keras 2 hard_sigmoid is refused by name on save; the Keras 3 one is written as hard_sigmoid and read back as such', async () => {
  st.setSeed(4);
  const k2 = st.sequential({ layers: [st.layers.lstm({ units: 2, recurrentActivation: 'hardSigmoid', inputShape: [3, 2] })] });
  await assert.rejects(kerasArchiveBytes(k2), (e: Error) => e instanceof st.ModelFileError && /LSTM 'lstm\w*' uses hard_sigmoid in its Keras 2/.test(e.message));
  const k3 = st.sequential({ layers: [st.layers.lstm({ units: 2, recurrentActivation: 'hardSigmoidKeras3', inputShape: [3, 2] })] });
  const bytes = await kerasArchiveBytes(k3);
  const config = JSON.parse(new TextDecoder().decode(unzipSync(bytes)['config.json']));
  assert.equal(config.config.layers[1].config.recurrent_activation, 'hard_sigmoid');
  const back = await st.loadKerasModel(bytes);
  const x = st.randomNormal([2, 3, 2], 0, 3, 'float32', 9);
  assert.deepEqual(Array.from((back.predict(x) as st.Tensor).dataSync()), Array.from((k3.predict(x) as st.Tensor).dataSync()));
});

test('.keras: bilinear UpSampling2D is Keras\'s half-pixel sampling both ways; TF.js-style sampling is refused on save', async () => {
  const make = (halfPixelCenters: boolean) => st.sequential({ layers: [st.layers.upSampling2d({ size: 2, interpolation: 'bilinear', halfPixelCenters, inputShape: [3, 3, 1] })] });
  await assert.rejects(kerasArchiveBytes(make(false)), (e: Error) => e instanceof st.ModelFileError && /half-pixel centres/.test(e.message));
  const keras = make(true);
  const bytes = await kerasArchiveBytes(keras);
  const config = JSON.parse(new TextDecoder().decode(unzipSync(bytes)['config.json']));
  assert.equal('half_pixel_centers' in config.config.layers[1].config, false, 'Keras has no such option');
  const back = await st.loadKerasModel(bytes);
  const x = st.tensor(Array.from({ length: 9 }, (_, i) => i * i), [1, 3, 3, 1]);
  assert.deepEqual(Array.from((back.predict(x) as st.Tensor).dataSync()), Array.from((keras.predict(x) as st.Tensor).dataSync()));
  assert.notDeepEqual(Array.from((back.predict(x) as st.Tensor).dataSync()), Array.from((make(false).predict(x) as st.Tensor).dataSync()));
});

test('.keras save: an unbuilt model is refused', async () => {
  const m = st.sequential({ layers: [st.layers.dense({ units: 2 })] });
  const dir = mkdtempSync(join(tmpdir(), 'strata-keras-'));
  try {
    await assert.rejects(m.save(join(dir, 'x.keras')), /not built yet/);
    assert.throws(() => readFileSync(join(dir, 'x.keras')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Keras 3 to_json() + .weights.h5, and a .keras archive over http, load as the archive does', async () => {
  const { model, x } = models()[1];
  const bytes = await kerasArchiveBytes(model);
  const zip = unzipSync(bytes);
  const want = Array.from((model.predict(x) as st.Tensor).dataSync());
  const fromJson = await st.loadKerasModel(new TextDecoder().decode(zip['config.json']), { weights: zip['model.weights.h5'] });
  assert.deepEqual(Array.from((fromJson.predict(x) as st.Tensor).dataSync()), want);
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    if (req.url === '/m.keras') res.end(Buffer.from(bytes));
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as { port: number }).port;
    const overHttp = await st.loadKerasModel(`http://127.0.0.1:${port}/m.keras`);
    assert.deepEqual(Array.from((overHttp.predict(x) as st.Tensor).dataSync()), want);
    await assert.rejects(st.loadKerasModel(`http://127.0.0.1:${port}/missing.keras`), /answered 404/);
    await assert.rejects(st.loadKerasModel(`http://127.0.0.1:${port}/m.keras`, { maxWeightBytes: 100, maxJsonBytes: 100 }), /more than the \d+ bytes allowed|more than the \d+ allowed/);
  } finally {
    server.close();
  }
});
