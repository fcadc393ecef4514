// TensorFlow.js programs run on Strata unchanged: evaluate is synchronous, fit takes TF.js's
// callbacks object, logs use TF.js's keys, and trainable flags are read at compile (the GAN idiom).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError } from './helpers.js';

/** 12 samples of 3 features with binary labels, fixed values. */
function data(): { xv: number[][]; yv: number[][]; x: st.Tensor; y: st.Tensor } {
  const rng = new st.Random(7);
  const xv = Array.from({ length: 12 }, () => [rng.normal(), rng.normal(), rng.normal()]);
  const yv = xv.map((r, i) => [r[0] + 0.5 * r[1] > 0 || i % 5 === 0 ? 1 : 0]);
  return { xv, yv, x: st.tensor(xv), y: st.tensor(yv) };
}

function tinyModel(seed = 1): st.Sequential {
  st.setSeed(seed);
  return st.sequential({ layers: [
    st.layers.dense({ units: 4, activation: 'tanh', inputShape: [3] }),
    st.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
}

/** The same network in TensorFlow.js, with Strata's weights. */
async function tfjsTwin(m: st.Sequential, metrics: string[]) {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const t = tf.sequential({ layers: [
    tf.layers.dense({ units: 4, activation: 'tanh', inputShape: [3] }),
    tf.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  t.setWeights(m.getWeights().map((w) => tf.tensor(Array.from(w.dataSync()), w.shape)));
  t.compile({ optimizer: tf.train.sgd(0.1), loss: 'binaryCrossentropy', metrics });
  return { tf, t };
}

test('evaluate is synchronous and returns the scalars TF.js returns, in TF.js metricsNames order', async () => {
  const { xv, yv, x, y } = data();
  const m = tinyModel();
  m.compile({ optimizer: st.optimizers.sgd({ learningRate: 0.1 }), loss: 'binaryCrossentropy', metrics: ['accuracy', 'mse', 'ce'] });
  const r = m.evaluate(x, y, { batchSize: 5 });
  assert.ok(!(r instanceof Promise), 'evaluate on tensors returns at once, as TF.js');
  const got = (r as st.Tensor[]).map((t) => t.dataSync()[0]);
  assert.equal((r as st.Tensor[])[0].shape.length, 0, 'each value is a scalar');

  const { tf, t } = await tfjsTwin(m, ['accuracy', 'mse', 'ce']);
  const want = (t.evaluate(tf.tensor(xv), tf.tensor(yv), { batchSize: 5 }) as import('@tensorflow/tfjs').Scalar[]).map((s) => s.dataSync()[0]);
  expectClose(got, want, 1e-5);
  assert.deepEqual(m.metricsNames, t.metricsNames);
  assert.deepEqual(m.metricsNames, ['loss', 'acc', 'mse', 'ce']);

  // Sample weights weigh the per-sample losses: sum(w · loss) / n (Keras).
  const w = st.tensor(xv.map((_, i) => (i < 6 ? 2 : 0)));
  const [lw] = m.evaluate(x, y, { batchSize: 4, sampleWeight: w }) as st.Tensor[];
  const [lHalf] = m.evaluate(st.slice(x, [0, 0], [6, 3]), st.slice(y, [0, 0], [6, 1]), { batchSize: 6 }) as st.Tensor[];
  expectClose(lw.dataSync()[0], lHalf.dataSync()[0], 1e-5);
  expectError(() => m.evaluate(x, y, { sampleWeight: st.ones([5]) }), st.ShapeError, 'same number of samples');

  // A batch source keeps an asynchronous path, with the same numbers.
  const batches = { *[Symbol.iterator]() {
    for (let i = 0; i < 12; i += 5) yield { xs: st.slice(x, [i, 0], [Math.min(5, 12 - i), 3]), ys: st.slice(y, [i, 0], [Math.min(5, 12 - i), 1]) };
  } };
  const fromSource = m.evaluate(batches);
  assert.ok(fromSource instanceof Promise);
  expectClose(((await fromSource) as st.Tensor[]).map((s) => s.dataSync()[0]), want, 1e-5);

  // One value without metrics: a scalar, not a list.
  const plain = tinyModel();
  plain.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
  const one = plain.evaluate(x, y);
  assert.ok(one instanceof st.Tensor && one.shape.length === 0);
  expectError(() => plain.evaluate(x, y, { batchSize: 0 }), st.ConfigError, 'batchSize');
});

test('fit logs and History use TF.js keys (acc, ce, val_acc); accuracy / val_accuracy read the same values', async () => {
  const { xv, yv, x, y } = data();
  const m = tinyModel(2);
  m.compile({ optimizer: st.optimizers.sgd({ learningRate: 0.1 }), loss: 'binaryCrossentropy', metrics: ['accuracy', 'mse', 'crossentropy'] });
  const epochKeys: string[][] = [];
  const batchKeys: string[][] = [];
  const batchBeginKeys: string[][] = [];
  const batchSizes: number[] = [];
  const accuracyRead: number[] = [];
  const h = await m.fit(x, y, {
    epochs: 2, batchSize: 4, verbose: 0, shuffle: false, validationSplit: 0.25,
    callbacks: { onEpochEnd: (_e, logs) => { epochKeys.push(Object.keys(logs!).sort()); accuracyRead.push(logs!.accuracy, logs!.acc, logs!.val_accuracy, logs!.val_acc); },
      onBatchBegin: (_b, logs) => { batchBeginKeys.push(Object.keys(logs!).sort()); },
      onBatchEnd: (_b, logs) => { batchKeys.push(Object.keys(logs!).sort()); batchSizes.push(logs!.size); } },
  });

  const { tf, t } = await tfjsTwin(m, ['accuracy', 'mse', 'crossentropy']);
  const tfKeys: string[] = [];
  const tfBatchKeys: string[][] = [];
  const th = await t.fit(tf.tensor(xv), tf.tensor(yv), {
    epochs: 1, batchSize: 4, verbose: 0, shuffle: false, validationSplit: 0.25,
    callbacks: { onEpochEnd: (_e, logs) => { tfKeys.push(...Object.keys(logs!).sort()); },
      onBatchBegin: (_b, logs) => { tfBatchKeys.push(Object.keys(logs!).sort()); },
      onBatchEnd: (_b, logs) => { tfBatchKeys.push(Object.keys(logs!).sort()); } },
  });
  assert.deepEqual(epochKeys[0], tfKeys, 'epoch logs carry exactly TF.js\'s keys');
  assert.deepEqual(epochKeys[0], ['acc', 'ce', 'loss', 'mse', 'val_acc', 'val_ce', 'val_loss', 'val_mse']);
  assert.deepEqual(batchBeginKeys[0], tfBatchKeys[0], 'onBatchBegin gets empty logs, as TF.js');
  assert.deepEqual(batchKeys[0], tfBatchKeys[1], 'onBatchEnd gets TF.js\'s keys');
  assert.deepEqual(batchKeys[0], ['acc', 'batch', 'ce', 'loss', 'mse', 'size']);
  assert.deepEqual(batchSizes, [4, 4, 1, 4, 4, 1]);
  assert.deepEqual(Object.keys(h.history).sort(), Object.keys(th.history).sort());
  assert.equal(accuracyRead[0], accuracyRead[1], 'logs.accuracy is logs.acc');
  assert.equal(accuracyRead[2], accuracyRead[3], 'logs.val_accuracy is logs.val_acc');
  assert.equal(h.history.accuracy, h.history.acc, 'history.accuracy reads history.acc');
  assert.equal(h.history.val_accuracy, h.history.val_acc);
  assert.equal(h.history.crossentropy, h.history.ce);
  assert.equal(h.history.acc.length, 2);

  // The progress output prints each value once, under TF.js's key.
  const out: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((s: string) => { out.push(String(s)); return true; }) as typeof process.stdout.write;
  try {
    await m.fit(x, y, { epochs: 1, batchSize: 4, verbose: 2 });
  } finally {
    process.stdout.write = write;
  }
  const line = out.join('');
  assert.equal(line.match(/\bacc: /g)?.length, 1, line);
  assert.ok(!line.includes('accuracy'), line);

  // Keras spellings of other metrics: the string as written, a function by its name (TF.js).
  const k = tinyModel(3);
  k.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['binaryAccuracy', 'meanSquaredError', st.metrics.binaryAccuracy] });
  assert.deepEqual(k.metricsNames, ['loss', 'binaryAccuracy', 'meanSquaredError', 'binaryAccuracy']);
  const kh = await k.fit(x, y, { epochs: 1, verbose: 0 });
  assert.equal(kh.history.binary_accuracy, kh.history.binaryAccuracy, 'the former Strata key stays readable');
  assert.equal(kh.history.mse, kh.history.meanSquaredError);
});

test('fit takes a TF.js callbacks object, awaits async hooks in order, and honours yieldEvery / onYield', async () => {
  const { x, y } = data();
  const m = tinyModel(4);
  m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['acc'] });
  const events: string[] = [];
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const yields: [number, number, number][] = [];
  await m.fit(x, y, {
    epochs: 2, batchSize: 6, verbose: 0, yieldEvery: 0,
    callbacks: {
      onTrainBegin: async () => { await sleep(5); events.push('trainBegin'); },
      onEpochBegin: (e) => { events.push(`epochBegin ${e}`); },
      onBatchBegin: (b) => { events.push(`batchBegin ${b}`); },
      onBatchEnd: async (b, logs) => { await sleep(2); events.push(`batchEnd ${b} ${typeof logs!.loss}`); },
      onEpochEnd: async (e, logs) => { await sleep(5); events.push(`epochEnd ${e} ${typeof logs!.acc}`); },
      onYield: (e, b, logs) => { yields.push([e, b, logs.loss]); },
      onTrainEnd: () => { events.push('trainEnd'); },
    },
  });
  assert.deepEqual(events, [
    'trainBegin',
    'epochBegin 0', 'batchBegin 0', 'batchEnd 0 number', 'batchBegin 1', 'batchEnd 1 number', 'epochEnd 0 number',
    'epochBegin 1', 'batchBegin 0', 'batchEnd 0 number', 'batchBegin 1', 'batchEnd 1 number', 'epochEnd 1 number',
    'trainEnd',
  ]);
  assert.deepEqual(yields.map(([e, b]) => `${e}:${b}`), ['0:0', '0:1', '1:0', '1:1'], 'yieldEvery 0: onYield after every batch');

  // A list of plain objects and Callback instances works too; an epoch-only yield never calls onYield.
  const seen: number[] = [];
  const es = st.callbacks.earlyStopping({ monitor: 'loss', patience: 5 });
  await m.fit(x, y, { epochs: 2, verbose: 0, yieldEvery: 'epoch', callbacks: [{ onEpochEnd: (e) => { seen.push(e); } }, es, { onYield: () => { seen.push(-1); } }] });
  assert.deepEqual(seen, [0, 1]);
  await m.fit(x, y, { epochs: 1, verbose: 0, callbacks: es });

  await assert.rejects(m.fit(x, y, { verbose: 0, yieldEvery: 'never', callbacks: { onYield: () => {} } }), /yieldEvery is 'never'/);
  await assert.rejects(m.fit(x, y, { verbose: 0, callbacks: { onEpochEnd: 3 } as never }), /onEpochEnd must be a function/);
});

/** Values of a model's weights, flattened. */
const snapshot = (m: st.Model): number[][] => m.getWeights().map((t) => Array.from(t.dataSync()));
const changed = (a: number[][], b: number[][]): boolean => a.some((w, i) => w.some((v, j) => Math.abs(v - b[i][j]) > 1e-7));

function captureWarnings<T>(f: () => T): { result: T; warnings: string[] } {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...a: unknown[]) => { warnings.push(a.join(' ')); };
  try {
    return { result: f(), warnings };
  } finally {
    console.warn = warn;
  }
}

test('the GAN idiom: D trains under D.trainOnBatch after D.trainable = false; combined trains only G', () => {
  st.setSeed(11);
  const G = st.sequential({ name: 'generator', layers: [st.layers.dense({ units: 4, activation: 'tanh', inputShape: [3] }), st.layers.dense({ units: 2 })] });
  const D = st.sequential({ name: 'discriminator', layers: [st.layers.dense({ units: 3, activation: 'tanh', inputShape: [2] }), st.layers.dense({ units: 1, activation: 'sigmoid' })] });
  D.compile({ optimizer: st.optimizers.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy' });
  D.trainable = false;
  const z = st.input({ shape: [3] });
  const combined = st.model({ name: 'combined', inputs: z, outputs: D.apply(G.apply(z) as st.SymbolicTensor) as st.SymbolicTensor });
  const { warnings: atCompile } = captureWarnings(() => combined.compile({ optimizer: st.optimizers.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy' }));
  assert.deepEqual(atCompile, []);

  const noise = st.randomNormal([8, 3], { seed: 3 });
  const real = st.randomNormal([8, 2], { mean: 1, stddev: 0.5, seed: 4 });
  const ones = st.ones([8, 1]);
  const labels = st.tensor([1, 1, 1, 1, 0, 0, 0, 0], [8, 1]);
  for (let step = 0; step < 3; step++) {
    const fake = G.predict(noise) as st.Tensor;
    const d0 = snapshot(D), g0 = snapshot(G);
    const { warnings } = captureWarnings(() => D.trainOnBatch(st.concat([st.slice(real, [0, 0], [4, 2]), st.slice(fake, [0, 0], [4, 2])]), labels));
    assert.ok(changed(d0, snapshot(D)), `step ${step}: D.trainOnBatch changes D's weights`);
    assert.ok(!changed(g0, snapshot(G)), `step ${step}: D.trainOnBatch leaves G alone`);
    if (step === 0) {
      assert.equal(warnings.length, 1, 'one warning that trainable changed after compile');
      assert.match(warnings[0], /discriminator/);
      assert.match(warnings[0], /compile\(\) again/);
    } else {
      assert.deepEqual(warnings, [], 'the warning is given once');
    }
    const d1 = snapshot(D), g1 = snapshot(G);
    const { warnings: w2 } = captureWarnings(() => combined.trainOnBatch(noise, ones));
    assert.deepEqual(w2, []);
    assert.ok(!changed(d1, snapshot(D)), `step ${step}: combined.trainOnBatch leaves D's weights alone`);
    assert.ok(changed(g1, snapshot(G)), `step ${step}: combined.trainOnBatch trains G`);
  }
});

test('trainable changed after compile: fit keeps the compile-time set (with a warning) until compile runs again', async () => {
  const { x, y } = data();
  const m = tinyModel(5);
  m.compile({ optimizer: st.optimizers.sgd({ learningRate: 0.5 }), loss: 'binaryCrossentropy' });
  m.layers[0].trainable = false;
  const first = snapshot(m);
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...a: unknown[]) => { warnings.push(a.join(' ')); };
  try {
    await m.fit(x, y, { epochs: 1, verbose: 0 });
    await m.fit(x, y, { epochs: 1, verbose: 0 });
  } finally {
    console.warn = warn;
  }
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /Sequential '.*': trainable flags changed after compile/);
  const after = snapshot(m);
  assert.ok(changed([first[0]], [after[0]]), 'the first layer still trains: flags are read at compile');
  m.compile({ optimizer: st.optimizers.sgd({ learningRate: 0.5 }), loss: 'binaryCrossentropy' });
  await m.fit(x, y, { epochs: 1, verbose: 0 });
  const again = snapshot(m);
  assert.ok(!changed([after[0], after[1]], [again[0], again[1]]), 'after compile the frozen layer stays still');
  assert.ok(changed([after[2]], [again[2]]), 'and the other layer trains');

  // A model compiled before it was built takes its trainable weights at the first batch.
  const lazy = st.sequential({ layers: [st.layers.dense({ units: 1, activation: 'sigmoid' })] });
  lazy.compile({ optimizer: st.optimizers.sgd({ learningRate: 0.5 }), loss: 'binaryCrossentropy' });
  lazy.trainOnBatch(x, y);
  const l0 = snapshot(lazy);
  lazy.trainOnBatch(x, y);
  assert.ok(changed(l0, snapshot(lazy)));
});

test('several outputs: metric keys are <output>_acc as TF.js, <output>_accuracy reads them', async () => {
  const tf = await import('@tensorflow/tfjs');
  const ti = tf.input({ shape: [3] });
  const tm = tf.model({ inputs: ti, outputs: [tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'left' }).apply(ti) as import('@tensorflow/tfjs').SymbolicTensor,
    tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'right' }).apply(ti) as import('@tensorflow/tfjs').SymbolicTensor] });
  tm.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const si = st.input({ shape: [3] });
  const sm = st.model({ inputs: si, outputs: [st.layers.dense({ units: 1, activation: 'sigmoid', name: 'left' }).apply(si) as st.SymbolicTensor,
    st.layers.dense({ units: 1, activation: 'sigmoid', name: 'right' }).apply(si) as st.SymbolicTensor] });
  sm.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  assert.deepEqual(sm.metricsNames, tm.metricsNames);
  const { x, y } = data();
  const h = await sm.fit(x, [y, y], { epochs: 1, verbose: 0, validationSplit: 0.25 });
  assert.deepEqual(Object.keys(h.history).sort(), ['left_acc', 'left_loss', 'loss', 'right_acc', 'right_loss', 'val_left_acc', 'val_left_loss', 'val_loss', 'val_right_acc', 'val_right_loss']);
  assert.equal(h.history.left_accuracy, h.history.left_acc);
  assert.equal(h.history.val_right_accuracy, h.history.val_right_acc);
});
