import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose } from './helpers.js';
import { tfjs } from './data-helpers.js';

// y = x · [1, −2, 0.5] + 0.3 on 40 fixed samples: a small regression with a known optimum.
const W = [1, -2, 0.5];
function rows(n: number, seed: number): { xs: number[][]; ys: number[][] } {
  const r = new st.Random(seed);
  const xs = Array.from({ length: n }, () => [r.normal(), r.normal(), r.normal()]);
  return { xs, ys: xs.map((x) => [x[0] * W[0] + x[1] * W[1] + x[2] * W[2] + 0.3]) };
}

function denseModel(seed: number, lr = 0.05): st.Sequential {
  st.setSeed(seed);
  const m = st.sequential({ layers: [st.layers.dense({ units: 1, inputShape: [3] })] });
  m.compile({ optimizer: st.optimizers.sgd({ learningRate: lr }), loss: 'meanSquaredError', metrics: ['mae'] });
  return m;
}

function datasetOf(d: { xs: number[][]; ys: number[][] }, batch: number): st.data.Dataset {
  return st.data.zip({ xs: st.data.array(d.xs), ys: st.data.array(d.ys) }).batch(batch);
}

test('fitDataset reaches a loss floor on generated data, shuffled and batched', async () => {
  const d = rows(64, 1);
  const model = denseModel(2, 0.1);
  const ds = st.data.zip({ xs: st.data.array(d.xs), ys: st.data.array(d.ys) }).shuffle(64, 3).batch(8);
  const h = await model.fitDataset(ds, { epochs: 30, verbose: 0 });
  assert.equal(h.history.loss.length, 30);
  assert.ok(h.history.loss[0] > 0.5, `starts high: ${h.history.loss[0]}`);
  assert.ok(h.history.loss[29] < 1e-4, `ends low: ${h.history.loss[29]}`);
  expectClose(model.getWeights()[0], W, 0.01);
  expectClose(model.getWeights()[1], [0.3], 0.01);
});

test('fitDataset on the same batches follows fit step for step (same init, shuffle off)', async () => {
  const d = rows(36, 4); // 36 = 4 batches of 8 and one of 4: the small last batch counts too
  const a = denseModel(5), b = denseModel(5);
  const hFit = await a.fit(st.tensor(d.xs), st.tensor(d.ys), { epochs: 4, batchSize: 8, shuffle: false, verbose: 0 });
  const hDs = await b.fitDataset(datasetOf(d, 8), { epochs: 4, verbose: 0 });
  expectClose(hDs.history.loss, hFit.history.loss, 1e-6, 1e-5, 'loss per epoch');
  expectClose(hDs.history.mae, hFit.history.mae, 1e-6, 1e-5, 'mae per epoch');
  assert.deepEqual(hDs.epoch, [0, 1, 2, 3]);
  a.getWeights().forEach((w, i) => expectClose(b.getWeights()[i], w, 1e-6));
});

test('fitDataset matches TensorFlow.js fitDataset from the same weights: epoch losses and val_loss', async () => {
  const tf = await tfjs();
  const d = rows(20, 6), v = rows(10, 7);
  const model = denseModel(8, 0.05);
  const tfModel = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [3] })] });
  tfModel.setWeights(model.getWeights().map((w) => tf.tensor(Array.from(w.values), w.shape)));
  tfModel.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
  model.compile({ optimizer: st.optimizers.sgd({ learningRate: 0.05 }), loss: 'meanSquaredError' });
  const tfDs = tf.data.zip({ xs: tf.data.array(d.xs), ys: tf.data.array(d.ys) }).batch(6);
  const tfVal = tf.data.zip({ xs: tf.data.array(v.xs), ys: tf.data.array(v.ys) }).batch(4);
  const want = await tfModel.fitDataset(tfDs, { epochs: 3, verbose: 0, validationData: tfVal });
  const got = await model.fitDataset(datasetOf(d, 6), { epochs: 3, verbose: 0, validationData: datasetOf(v, 4) });
  expectClose(got.history.loss, want.history.loss as number[], 1e-6, 1e-5, 'loss');
  expectClose(got.history.val_loss, want.history.val_loss as number[], 1e-6, 1e-5, 'val_loss');
});

test('batchesPerEpoch reads one iterator across epochs', async () => {
  let opened = 0, read = 0;
  const d = rows(8, 9);
  const ds = st.data.generator(function* () {
    opened++;
    for (let i = 0; ; i = (i + 1) % 8) {
      read++;
      yield { xs: d.xs[i], ys: d.ys[i] };
    }
  }).batch(2);
  const batches: number[] = [];
  const h = await denseModel(10).fitDataset(ds, {
    epochs: 3, batchesPerEpoch: 4, verbose: 0,
    callbacks: { onBatchEnd: (batch: number) => void batches.push(batch) }, // a lone object, as TF.js allows
  });
  assert.deepEqual(h.epoch, [0, 1, 2]);
  assert.deepEqual(batches, [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
  assert.equal(opened, 1);
  assert.equal(read, 24);
});

test('batchesPerEpoch beyond the data warns and stops training', async (t) => {
  const warn = t.mock.method(console, 'warn', () => undefined);
  const h = await denseModel(11).fitDataset(datasetOf(rows(10, 12), 2), { epochs: 5, batchesPerEpoch: 3, verbose: 0 });
  assert.deepEqual(h.epoch, [0, 1]); // 5 batches: epoch 0 has 3, epoch 1 runs out after 2
  assert.equal(warn.mock.callCount(), 1);
  assert.match(String(warn.mock.calls[0].arguments[0]), /ran out after 2 batches.*repeat\(\)/);
});

test('validation: a dataset (all or validationBatches of it) or tensors [x, y]; val_ logs equal evaluate', async () => {
  const d = rows(24, 13), v = rows(12, 14);
  const vx = st.tensor(v.xs), vy = st.tensor(v.ys);
  const m1 = denseModel(15);
  const h1 = await m1.fitDataset(datasetOf(d, 8), { epochs: 2, verbose: 0, validationData: datasetOf(v, 5) });
  const ev = await m1.evaluate(vx, vy) as st.Tensor[];
  expectClose(h1.history.val_loss[1], ev[0].values[0], 1e-6, 1e-5);
  expectClose(h1.history.val_mae[1], ev[1].values[0], 1e-6, 1e-5);

  const m2 = denseModel(15);
  const h2 = await m2.fitDataset(datasetOf(d, 8), { epochs: 2, verbose: 0, validationData: [vx, vy], validationBatchSize: 5 });
  expectClose(h2.history.val_loss, h1.history.val_loss, 1e-6, 1e-5, 'tensor validation = dataset validation');

  const m3 = denseModel(15);
  const h3 = await m3.fitDataset(datasetOf(d, 8), { epochs: 2, verbose: 0, validationData: datasetOf(v, 5), validationBatches: 1 });
  const firstBatch = await m3.evaluate(st.tensor(v.xs.slice(0, 5)), st.tensor(v.ys.slice(0, 5))) as st.Tensor[];
  expectClose(h3.history.val_loss[1], firstBatch[0].values[0], 1e-6, 1e-5, 'validationBatches: 1 uses the first batch only');
  assert.ok(Math.abs(h3.history.val_loss[1] - h1.history.val_loss[1]) > 1e-4);
});

test('evaluateDataset: sample-weighted mean over batches, as evaluate; batches limits it', async (t) => {
  const d = rows(21, 16);
  const model = denseModel(17);
  const want = await model.evaluate(st.tensor(d.xs), st.tensor(d.ys), { batchSize: 4 }) as st.Tensor[];
  const got = await model.evaluateDataset(datasetOf(d, 4)) as st.Tensor[];
  assert.equal(got.length, 2);
  assert.deepEqual(got[0].shape, []);
  expectClose(got[0], want[0], 1e-6, 1e-5);
  expectClose(got[1], want[1], 1e-6, 1e-5);
  const two = await model.evaluateDataset(datasetOf(d, 4), { batches: 2 }) as st.Tensor[];
  const wantTwo = await model.evaluate(st.tensor(d.xs.slice(0, 8)), st.tensor(d.ys.slice(0, 8))) as st.Tensor[];
  expectClose(two[0], wantTwo[0], 1e-6, 1e-5);
  // An iterator works too, and running out early warns (as TensorFlow.js).
  const warn = t.mock.method(console, 'warn', () => undefined);
  const it = await datasetOf(d, 4).iterator();
  const all = await model.evaluateDataset(it, { batches: 100 }) as st.Tensor[];
  expectClose(all[0], want[0], 1e-6, 1e-5);
  assert.equal(warn.mock.callCount(), 1);
});

test('several named inputs and outputs: elements { xs: { a, b }, ys: { out1, out2 } } or [xs, ys]', async () => {
  st.setSeed(18);
  const a = st.input({ shape: [2], name: 'a' }), b = st.input({ shape: [1], name: 'b' });
  const joined = st.layers.concatenate().apply([a, b]) as st.SymbolicTensor;
  const out1 = st.layers.dense({ units: 1, name: 'out1' }).apply(joined) as st.SymbolicTensor;
  const out2 = st.layers.dense({ units: 1, name: 'out2' }).apply(joined) as st.SymbolicTensor;
  const model = st.model({ inputs: [a, b], outputs: [out1, out2] });
  model.compile({ optimizer: st.optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
  const items = Array.from({ length: 32 }, (_, i) => {
    const u = Math.sin(i), w = Math.cos(i), z = (i % 5) / 5;
    return { xs: { a: [u, w], b: [z] }, ys: { out1: [u + z], out2: [w - u] } };
  });
  const h = await model.fitDataset(st.data.array(items).batch(8), { epochs: 25, verbose: 0 });
  assert.ok(h.history.loss[24] < 0.1 * h.history.loss[0], `loss ${h.history.loss[0]} → ${h.history.loss[24]}`);
  assert.ok('out1_loss' in h.history && 'out2_loss' in h.history);
  const asPairs = st.data.array(items).map((e) => [e.xs, e.ys]).batch(8);
  const got = await model.evaluateDataset(asPairs) as st.Tensor[];
  assert.equal(got.length, 3);
  expectClose(got[0].values[0], got[1].values[0] + got[2].values[0], 1e-5);
});

test('classWeight weighs the loss as fit does', async () => {
  const xs = Array.from({ length: 16 }, (_, i) => [Math.sin(i), Math.cos(i), i / 16]);
  const ys = xs.map((_, i) => [i % 2]);
  const classWeight = { 0: 3, 1: 0.5 };
  const build = () => {
    st.setSeed(19);
    const m = st.sequential({ layers: [st.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [3] })] });
    m.compile({ optimizer: st.optimizers.sgd({ learningRate: 0.5 }), loss: 'binaryCrossentropy' });
    return m;
  };
  const hFit = await build().fit(st.tensor(xs), st.tensor(ys), { epochs: 3, batchSize: 4, shuffle: false, verbose: 0, classWeight });
  const hDs = await build().fitDataset(datasetOf({ xs, ys }, 4), { epochs: 3, verbose: 0, classWeight });
  const hNone = await build().fitDataset(datasetOf({ xs, ys }, 4), { epochs: 3, verbose: 0 });
  expectClose(hDs.history.loss, hFit.history.loss, 1e-6, 1e-5);
  assert.ok(Math.abs(hDs.history.loss[0] - hNone.history.loss[0]) > 1e-3);
});

test('callbacks see TF.js-style epochs and can stop training; initialEpoch resumes', async () => {
  const model = denseModel(20);
  const seen: number[] = [];
  const h = await model.fitDataset(datasetOf(rows(16, 21), 4), {
    epochs: 10, initialEpoch: 3, verbose: 0,
    callbacks: [{ onEpochEnd: (epoch: number) => { seen.push(epoch); if (epoch === 5) model.stopTraining = true; } }],
  });
  assert.deepEqual(seen, [3, 4, 5]);
  assert.deepEqual(h.epoch, [3, 4, 5]);
});

test('fitDataset and evaluateDataset reject bad data and options with a fix', async () => {
  const model = denseModel(22);
  const d = rows(8, 23);
  const unbatched = st.data.zip({ xs: st.data.array(d.xs), ys: st.data.array(d.ys) });
  await assert.rejects(model.fitDataset(unbatched, { epochs: 1, verbose: 0 }), /plain numbers, not tensors.*\.batch\(batchSize\)/);
  await assert.rejects(model.fitDataset(st.data.array(d.xs).batch(4), { epochs: 1, verbose: 0 }), /must be \{ xs, ys \}/);
  await assert.rejects(model.fitDataset(datasetOf(d, 4), {} as never), /epochs must be a positive integer, got undefined/);
  await assert.rejects(model.fitDataset(datasetOf(d, 4), { epochs: 1, batchesPerEpoch: 0 }), /batchesPerEpoch must be a positive integer/);
  await assert.rejects(model.fitDataset(datasetOf(d, 4), { epochs: 1, validationSplit: 0.2 } as never), /validationSplit needs tensors/);
  await assert.rejects(model.fitDataset([1, 2] as never, { epochs: 1 }), /expected a dataset/);
  await assert.rejects(model.evaluateDataset(datasetOf(d, 4).take(0)), /gave no batches/);
  await assert.rejects(model.evaluateDataset(datasetOf(d, 4), { batches: -1 }), /batches must be a positive integer/);
  const bare = st.sequential({ layers: [st.layers.dense({ units: 1, inputShape: [3] })] });
  await assert.rejects(bare.fitDataset(datasetOf(d, 4), { epochs: 1 }), /call compile/);
});

test('a TensorFlow.js program pipeline end to end: csv with a label → map → shuffle → batch → take/skip → fitDataset', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  // Three well-separated classes in four features, as a CSV with a header and a label column.
  const r = new st.Random(30);
  const centers = [[0, 0, 0, 0], [3, 3, 0, 0], [0, 3, 3, 3]];
  const lines = ['f1,f2,f3,f4,species'];
  for (let i = 0; i < 150; i++) lines.push([...centers[i % 3].map((c) => (c + 0.5 * r.normal()).toFixed(3)), i % 3].join(','));
  const path = join(mkdtempSync(join(tmpdir(), 'strata-pipe-')), 'flowers.csv');
  writeFileSync(path, lines.join('\n') + '\n');

  const tf = st; // `import * as tf from 'strata'`
  const ds = tf.data.csv(`file://${path}`, { columnConfigs: { species: { isLabel: true } } })
    .map((rec) => {
      const { xs, ys } = rec as { xs: Record<string, number>; ys: { species: number } };
      return { xs: Object.values(xs), ys: [0, 1, 2].map((k) => (k === ys.species ? 1 : 0)) };
    })
    .shuffle(150, 'flowers', false) // one fixed order, so take/skip split the same rows every epoch
    .batch(15);
  const train = ds.take(8), test = ds.skip(8);
  st.setSeed(31);
  const model = tf.sequential({ layers: [
    tf.layers.dense({ units: 10, activation: 'sigmoid', inputShape: [4] }),
    tf.layers.dense({ units: 3, activation: 'softmax' }),
  ] });
  model.compile({ optimizer: tf.optimizers.adam({ learningRate: 0.05 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const h = await model.fitDataset(train, { epochs: 20, validationData: test, verbose: 0 });
  const accKey = Object.keys(h.history).find((k) => k.startsWith('val_acc'))!;
  assert.ok(h.history[accKey][19] >= 0.95, `validation accuracy ${h.history[accKey][19]}`);
  const [loss, acc] = await model.evaluateDataset(test) as st.Tensor[];
  expectClose(loss, h.history.val_loss[19], 1e-6, 1e-5);
  expectClose(acc, h.history[accKey][19], 1e-6, 1e-5);
});
