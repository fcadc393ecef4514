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

// One family: the transposed convolutions share the convolution base, and every shorthand is
// read, run, saved and expanded by the same code (Layer.expand with the DropoutPart helper).
test('the dropout shorthand behaves alike on Dense, Conv and ConvTranspose (object form, seed, expand with weights)', () => {
  const x2 = st.ones([2, 6]), x4 = st.ones([2, 5, 5, 2]);
  const cases: [st.layers.Layer, st.Tensor][] = [
    [st.layers.dense({ units: 40, kernelInitializer: 'ones', dropout: { rate: 0.5, seed: 7 } }), x2],
    [st.layers.conv2d({ filters: 8, kernelSize: 2, kernelInitializer: 'ones', dropout: 0.5, dropoutSeed: 7 }), x4],
    [st.layers.conv2dTranspose({ filters: 8, kernelSize: 2, kernelInitializer: 'ones', dropout: { rate: 0.5, seed: 7 } }), x4],
  ];
  for (const [layer, x] of cases) {
    layer.apply(x); // builds; random weights show that expand() copies them
    layer.setWeights(layer.getWeights().map((w, i) => st.add(st.abs(st.randomNormal(w.shape, { seed: 20 + i })), 0.1)));
    const y = layer.apply(x, { training: true }) as st.Tensor;
    const v = Array.from(y.dataSync()), zeros = v.filter((e) => e === 0).length;
    assert.ok(zeros > 0.2 * v.length && zeros < 0.8 * v.length, `${layer.describe()}: ${zeros} of ${v.length} dropped`);
    expectClose(layer.apply(x, { training: true }) as st.Tensor, y, 0, 0); // the seed fixes the mask
    const config = st.layers.serialize(layer).config as Record<string, unknown>;
    assert.equal(config.dropout, 0.5, layer.describe());
    assert.equal(config.dropout_seed, 7, layer.describe());
    const [plain, drop] = layer.expand();
    assert.equal(plain.className, layer.className);
    assert.equal(drop.className, 'Dropout');
    assert.equal((st.layers.serialize(plain).config as Record<string, unknown>).dropout, undefined, 'the plain twin has no shorthand');
    expectClose(drop.apply(plain.apply(x) as st.Tensor, { training: true }) as st.Tensor, y, 0, 0, `${layer.describe()} expanded`);
  }
  const t = st.layers.conv1dTranspose({ filters: 2, kernelSize: 3 });
  assert.ok(t instanceof st.layers.BaseConv && t.transposed, 'ConvTranspose is a BaseConv with transposed set');
  assert.throws(() => st.layers.conv2dTranspose({ filters: 2, kernelSize: 3, pooling: { type: 'max' } } as never), (e: Error) =>
    e instanceof st.ConfigError && /pooling shorthand is for convolutions, not transposed ones/.test(e.message));
});
