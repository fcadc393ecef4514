// TensorFlow.js programs, written in TensorFlow.js's own idiom (the calls the official examples make),
// run unchanged on Strata and — as the control, in the same test — on TensorFlow.js 4.22 (cpu).
// Each program takes the library as `tf`; weights are copied from the TensorFlow.js model into the
// Strata one where the program says so, so the two runs start from the same point and their losses
// must agree, not just look plausible.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as st from '../src/index.js';
import { expectClose } from './helpers.js';

// The library under test: Strata or TensorFlow.js, typed loosely on purpose (the programs are TF.js code).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Lib = any;

async function loadTf(): Promise<Lib> {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  return tf;
}

/** Copies every weight of `from` (a TF.js model) into `to` (same architecture, either library). */
function copyWeights(from: Lib, to: Lib, lib: Lib): void {
  to.setWeights(from.getWeights().map((w: Lib) => lib.tensor(Array.from(w.dataSync() as Float32Array), w.shape)));
}

/** Deterministic data: sin/cos patterns, so both runs see the same numbers. */
function seq(n: number, k = 1): number[] {
  return Array.from({ length: n }, (_, i) => Math.sin(0.37 * i * k + 0.1 * k));
}

// ---------------------------------------------------------------------------------------------
// 1. polynomial-regression-core: variables, tf.train.sgd(lr) positional, minimize without a
//    variable list, tidy, chained methods, dataSync.
async function polynomialRegression(tf: Lib): Promise<number[]> {
  const a = tf.variable(tf.scalar(0.3)), b = tf.variable(tf.scalar(-0.2)), c = tf.variable(tf.scalar(0.1));
  const xs = tf.tensor1d(Array.from({ length: 40 }, (_, i) => -1 + i / 20));
  const ys = tf.tidy(() => xs.square().mul(0.8).add(xs.mul(-0.5)).add(0.25));
  const predict = (x: Lib) => tf.tidy(() => a.mul(x.square()).add(b.mul(x)).add(c));
  const loss = (pred: Lib, label: Lib) => pred.sub(label).square().mean();
  const optimizer = tf.train.sgd(0.5);
  const costs: number[] = [];
  for (let i = 0; i < 60; i++) {
    const cost = optimizer.minimize(() => loss(predict(xs), ys), true);
    costs.push(cost.dataSync()[0]);
    cost.dispose();
  }
  tf.dispose([xs, ys]);
  return [a.dataSync()[0], b.dataSync()[0], c.dataSync()[0], ...costs];
}

test('TF.js idiom: polynomial regression with tf.train.sgd and minimize() gives TF.js\'s numbers', async () => {
  const tf = await loadTf();
  const want = await polynomialRegression(tf);
  const got = await polynomialRegression(st);
  expectClose(got, want, 1e-5, 1e-4, 'coefficients and costs');
  expectClose(got.slice(0, 3), [0.8, -0.5, 0.25], 0.05, 0, 'learned coefficients');
});

// ---------------------------------------------------------------------------------------------
// 2. mnist-style CNN: tensor4d/tensor2d, tf.train.adam(lr) positional, a callbacks object, logs.acc,
//    evaluate(...)[0].dataSync(), predict + argMax chained.
function cnn(tf: Lib): Lib {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [8, 8, 1], kernelSize: 3, filters: 4, activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: [2, 2], strides: [2, 2] }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  return model;
}

async function trainCnn(tf: Lib, model: Lib): Promise<{ losses: number[]; accs: number[]; batches: number; evalLoss: number; evalAcc: number; classes: number[] }> {
  const n = 48;
  const x = tf.tensor4d(seq(n * 64, 3), [n, 8, 8, 1]);
  const labels = Array.from({ length: n }, (_, i) => i % 3);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 3).toFloat();
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const losses: number[] = [], accs: number[] = [];
  let batches = 0;
  await model.fit(x, y, {
    epochs: 3, batchSize: 16, shuffle: false,
    callbacks: {
      onBatchEnd: async () => { batches++; },
      onEpochEnd: async (_epoch: number, logs: Lib) => { losses.push(logs.loss); accs.push(logs.acc); },
    },
  });
  const evalOutput = model.evaluate(x, y, { batchSize: 16 });
  const evalLoss = evalOutput[0].dataSync()[0];
  const evalAcc = evalOutput[1].dataSync()[0];
  const classes = Array.from(model.predict(x.slice([0, 0, 0, 0], [6, 8, 8, 1])).argMax(-1).dataSync() as Int32Array);
  return { losses, accs, batches, evalLoss, evalAcc, classes };
}

test('TF.js idiom: a CNN trained with a callbacks object logs acc and evaluates synchronously, as TF.js', async () => {
  const tf = await loadTf();
  const tm = cnn(tf), sm = cnn(st);
  copyWeights(tm, sm, st);
  const want = await trainCnn(tf, tm);
  const got = await trainCnn(st, sm);
  assert.equal(got.batches, want.batches);
  expectClose(got.losses, want.losses, 1e-4, 1e-3, 'epoch losses');
  // Accuracy counts argmaxes: a sample whose two top probabilities agree to float rounding may go
  // either way (seen once in this session's eight full-suite runs), so accuracy may differ by one sample of 48 (16 per batch
  // within an epoch's running value) and one predicted class of 6; losses stay strict.
  expectClose(got.accs, want.accs, 1 / 48 + 1e-6, 0, 'epoch acc');
  expectClose(got.evalLoss, want.evalLoss, 1e-4, 1e-3, 'evaluate loss');
  expectClose(got.evalAcc, want.evalAcc, 1 / 48 + 1e-6, 0, 'evaluate acc');
  assert.ok(got.classes.filter((c, i) => c !== want.classes[i]).length <= 1, `classes ${got.classes} vs ${want.classes}`);
});

// ---------------------------------------------------------------------------------------------
// 3. mnist-acgan: a nested Sequential applied inside a functional model to a [batch, 1, k] tensor,
//    the discriminator frozen between two compiles (trainable read at compile, as Keras and TF.js).
function acgan(tf: Lib): { generator: Lib; discriminator: Lib; combined: Lib } {
  const latent = 6;
  const g = tf.sequential();
  g.add(tf.layers.dense({ inputShape: [1, latent], units: 8, activation: 'relu' }));
  g.add(tf.layers.flatten());
  g.add(tf.layers.dense({ units: 5, activation: 'tanh' }));
  const zIn = tf.input({ shape: [latent] });
  const z3 = tf.layers.reshape({ targetShape: [1, latent] }).apply(zIn);
  const generator = tf.model({ inputs: zIn, outputs: g.apply(z3) });

  const discriminator = tf.sequential();
  discriminator.add(tf.layers.dense({ inputShape: [5], units: 8, activation: 'relu' }));
  discriminator.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
  discriminator.compile({ optimizer: tf.train.adam(0.02, 0.5), loss: 'binaryCrossentropy' });

  discriminator.trainable = false;
  const z = tf.input({ shape: [latent] });
  const combined = tf.model({ inputs: z, outputs: discriminator.apply(generator.apply(z)) });
  combined.compile({ optimizer: tf.train.adam(0.02, 0.5), loss: 'binaryCrossentropy' });
  return { generator, discriminator, combined };
}

function snapshot(m: Lib): number[] {
  return m.getWeights().flatMap((w: Lib) => Array.from(w.dataSync() as Float32Array));
}

async function trainAcgan(tf: Lib, nets: { generator: Lib; discriminator: Lib; combined: Lib }, trainD: boolean): Promise<number[]> {
  const { generator, discriminator, combined } = nets;
  const z = tf.tensor2d(seq(8 * 6, 5), [8, 6]);
  const real = tf.tensor2d(seq(8 * 5, 7), [8, 5]);
  const out: number[] = [];
  for (let step = 0; step < 3; step++) {
    if (trainD) {
      const x = tf.concat([real, generator.predict(z)], 0);
      const y = tf.concat([tf.ones([8, 1]), tf.zeros([8, 1])], 0);
      const d0 = snapshot(discriminator);
      out.push(Number(await discriminator.trainOnBatch(x, y)));
      assert.ok(d0.some((v, i) => v !== snapshot(discriminator)[i]), 'the discriminator, frozen after its compile, still trains on its own');
    }
    const d1 = snapshot(discriminator), g0 = snapshot(generator);
    out.push(Number(await combined.trainOnBatch(z, tf.ones([8, 1]))));
    assert.deepEqual(snapshot(discriminator), d1, 'the combined model does not touch the frozen discriminator');
    assert.ok(g0.some((v, i) => v !== snapshot(generator)[i]), 'the combined model trains the generator');
  }
  return out;
}

test('TF.js idiom: the ACGAN pattern (nested Sequential on [batch, 1, k], trainable = false between compiles)', async () => {
  const tf = await loadTf();
  const t = acgan(tf), s = acgan(st);
  copyWeights(t.generator, s.generator, st);
  copyWeights(t.discriminator, s.discriminator, st);
  // The combined model's steps match TensorFlow.js's. TensorFlow.js 4.22 itself throws when the frozen
  // discriminator then trains on its own ("variableGrads() expects at least one of the input variables
  // to be trainable"); Strata follows Keras there (trainable is read at compile), checked Strata-only.
  expectClose(await trainAcgan(st, s, false), await trainAcgan(tf, t, false), 1e-4, 1e-3, 'combined-model losses');
  const warn = console.warn;
  console.warn = () => {};
  try {
    await trainAcgan(st, acgan(st), true);
  } finally {
    console.warn = warn;
  }
});

// ---------------------------------------------------------------------------------------------
// 4. lstm seq2seq (date-conversion / translation): encoder states as symbolic initial states of the
//    decoder, then inference models built from the trained layers.
function seq2seq(tf: Lib): { model: Lib; encoderModel: Lib; decoderModel: Lib } {
  // recurrentActivation is named because the defaults differ on purpose: Strata takes Keras 3's
  // sigmoid, TF.js keeps hardSigmoid (docs/coming-from-tensorflow-js.md).
  const units = 6, inDim = 3, outDim = 4, recurrentActivation = 'sigmoid';
  const encIn = tf.input({ shape: [5, inDim] });
  const [, h, c] = tf.layers.lstm({ units, recurrentActivation, returnState: true }).apply(encIn);
  const decIn = tf.input({ shape: [4, outDim] });
  const decLstm = tf.layers.lstm({ units, recurrentActivation, returnSequences: true, returnState: true });
  const [decSeq] = decLstm.apply(decIn, { initialState: [h, c] });
  const dense = tf.layers.dense({ units: outDim, activation: 'softmax' });
  const model = tf.model({ inputs: [encIn, decIn], outputs: dense.apply(decSeq) });
  const encoderModel = tf.model({ inputs: encIn, outputs: [h, c] });
  const hIn = tf.input({ shape: [units] }), cIn = tf.input({ shape: [units] });
  const [dSeq, dh, dc] = decLstm.apply(decIn, { initialState: [hIn, cIn] });
  const decoderModel = tf.model({ inputs: [decIn, hIn, cIn], outputs: [dense.apply(dSeq), dh, dc] });
  return { model, encoderModel, decoderModel };
}

async function trainSeq2seq(tf: Lib, nets: { model: Lib; encoderModel: Lib; decoderModel: Lib }): Promise<number[]> {
  const xe = tf.tensor3d(seq(8 * 5 * 3, 11), [8, 5, 3]);
  const xd = tf.tensor3d(seq(8 * 4 * 4, 13), [8, 4, 4]);
  const y = tf.oneHot(tf.tensor2d(Array.from({ length: 32 }, (_, i) => (i * 7) % 4), [8, 4], 'int32'), 4).toFloat();
  nets.model.compile({ optimizer: tf.train.rmsprop(0.01), loss: 'categoricalCrossentropy' });
  const h = await nets.model.fit([xe, xd], y, { epochs: 4, batchSize: 4, shuffle: false, verbose: 0 });
  const [hs, cs] = nets.encoderModel.predict(xe);
  const [probs] = nets.decoderModel.predict([xd, hs, cs]);
  const full = nets.model.predict([xe, xd]);
  expectClose(Array.from(probs.dataSync() as Float32Array), Array.from(full.dataSync() as Float32Array), 1e-5, 1e-4,
    'inference models built from the trained layers reproduce the training model');
  return [...h.history.loss, ...Array.from(probs.dataSync() as Float32Array).slice(0, 8)];
}

test('TF.js idiom: seq2seq with symbolic initial states, and inference models from the trained layers', async () => {
  const tf = await loadTf();
  const t = seq2seq(tf), s = seq2seq(st);
  copyWeights(t.model, s.model, st);
  const want = await trainSeq2seq(tf, t);
  const got = await trainSeq2seq(st, s);
  expectClose(got, want, 1e-4, 1e-3, 'seq2seq losses and predictions');
});

// ---------------------------------------------------------------------------------------------
// 5. iris-fitDataset / data-generator: tf.data pipelines into fitDataset and evaluateDataset.
function mlp(tf: Lib): Lib {
  return tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [4], units: 8, activation: 'relu' }),
    tf.layers.dense({ units: 3, activation: 'softmax' }),
  ] });
}

async function trainWithDataset(tf: Lib, model: Lib): Promise<number[]> {
  const rows = Array.from({ length: 30 }, (_, i) => ({ xs: seq(4, i + 1), ys: [i % 3 === 0 ? 1 : 0, i % 3 === 1 ? 1 : 0, i % 3 === 2 ? 1 : 0] }));
  const ds = tf.data.array(rows).map((r: Lib) => ({ xs: tf.tensor1d(r.xs), ys: tf.tensor1d(r.ys) })).batch(10);
  function* gen() { for (const r of rows.slice(0, 10)) yield { xs: tf.tensor1d(r.xs), ys: tf.tensor1d(r.ys) }; }
  const val = tf.data.generator(gen).batch(5);
  model.compile({ optimizer: tf.train.sgd(0.3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const h = await model.fitDataset(ds, { epochs: 4, validationData: val, verbose: 0 });
  const ev = await model.evaluateDataset(ds);
  return [...h.history.loss, ...h.history.val_loss, ...h.history.acc, ev[0].dataSync()[0]];
}

test('TF.js idiom: tf.data.array / generator pipelines through fitDataset and evaluateDataset', async () => {
  const tf = await loadTf();
  const tm = mlp(tf), sm = mlp(st);
  copyWeights(tm, sm, st);
  const want = await trainWithDataset(tf, tm);
  const got = await trainWithDataset(st, sm);
  expectClose(got, want, 1e-4, 1e-3, 'fitDataset history and evaluateDataset loss');
});

// ---------------------------------------------------------------------------------------------
// 6. Random draws with TF.js's positional arguments (the calls that once ran and silently drew [0, 1)).
test('TF.js idiom: randomUniform / randomNormal positional arguments mean what they mean in TF.js', () => {
  const u = st.randomUniform([4000], -1, 1);
  const vals = Array.from(u.dataSync());
  assert.ok(Math.min(...vals) < -0.9 && Math.max(...vals) > 0.9 && vals.every((v) => v >= -1 && v < 1));
  const ints = st.randomUniform([4000], 0, 10, 'int32');
  assert.equal(ints.dtype, 'int32');
  const iv = Array.from(ints.dataSync());
  assert.ok(iv.every((v) => Number.isInteger(v) && v >= 0 && v < 10) && new Set(iv).size === 10);
  const nv = Array.from(st.randomNormal([4000], 5, 0.1).dataSync());
  const mean = nv.reduce((a, b) => a + b, 0) / nv.length;
  const sd = Math.sqrt(nv.reduce((a, b) => a + (b - mean) ** 2, 0) / nv.length);
  expectClose([mean, sd], [5, 0.1], 0.01, 0, 'mean and stddev');
});
