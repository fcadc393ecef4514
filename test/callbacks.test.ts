import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync, writeFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as st from '../src/index.js';
import { expectClose } from './helpers.js';

function regression(seed: number): { model: st.Sequential; x: st.Tensor; y: st.Tensor } {
  st.setSeed(seed);
  const x = st.randomNormal([64, 3], { seed });
  const y = st.matmul(x, st.tensor([[1], [-2], [0.5]]));
  const model = st.sequential({ layers: [st.layers.dense({ units: 1, inputShape: [3] })] });
  return { model, x, y };
}

test('learningRateScheduler sets the rate each epoch and logs it', async () => {
  const { model, x, y } = regression(1);
  model.compile({ optimizer: st.optimizers.sgd({ learningRate: 0.1 }), loss: 'mse' });
  const h = await model.fit(x, y, { epochs: 3, verbose: 0, callbacks: [st.callbacks.learningRateScheduler((e) => 0.1 / (e + 1))] });
  expectClose(h.history.lr, [0.1, 0.05, 0.1 / 3], 1e-7);
  expectClose(model.optimizer!.currentLearningRate, 0.1 / 3, 1e-7);
});

test('reduceLROnPlateau cuts the rate when the monitored loss stalls', async () => {
  const { model, x, y } = regression(2);
  // A rate too small to move the loss: every epoch is a plateau.
  model.compile({ optimizer: st.optimizers.adam({ learningRate: 1e-12 }), loss: 'mse' });
  const cb = st.callbacks.reduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 1, minDelta: 1e-3 });
  const h = await model.fit(x, y, { epochs: 4, verbose: 0, shuffle: false, callbacks: [cb] });
  // Each epoch logs the rate it trained with; the cut applies from the next epoch.
  expectClose(h.history.lr, [1e-12, 1e-12, 5e-13, 2.5e-13], 0, 1e-6);
  expectClose(model.optimizer!.currentLearningRate, 1.25e-13, 0, 1e-6);
});

test('csvLogger writes a header and one row per epoch', async () => {
  const { model, x, y } = regression(3);
  model.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae'] });
  const file = join(mkdtempSync(join(tmpdir(), 'strata-')), 'log.csv');
  await model.fit(x, y, { epochs: 2, verbose: 0, callbacks: [st.callbacks.csvLogger(file)] });
  const rows = readFileSync(file, 'utf8').trim().split('\n');
  assert.equal(rows[0], 'epoch,loss,mae');
  assert.equal(rows.length, 3);
  assert.match(rows[2], /^1,[\d.e-]+,[\d.e-]+$/);
});

test('modelCheckpoint saves every epoch, or only the best', async () => {
  const { model, x, y } = regression(4);
  model.compile({ optimizer: st.optimizers.sgd({ learningRate: 0.05 }), loss: 'mse' });
  const dir = mkdtempSync(join(tmpdir(), 'strata-ckpt-'));
  await model.fit(x, y, { epochs: 2, verbose: 0, callbacks: [st.callbacks.modelCheckpoint(join(dir, 'epoch-{epoch}'))] });
  assert.ok(existsSync(join(dir, 'epoch-1', 'model.json')) && existsSync(join(dir, 'epoch-2', 'model.json')));
  const best = join(dir, 'best');
  const frozen = regression(4).model;
  frozen.compile({ optimizer: st.optimizers.sgd({ learningRate: 0 }), loss: 'mse' });
  let saves = 0;
  const counter = { onEpochEnd: () => { saves = existsSync(join(best, 'model.json')) ? saves + 1 : saves; } };
  await frozen.fit(x, y, { epochs: 3, verbose: 0, callbacks: [st.callbacks.modelCheckpoint(best, { monitor: 'loss', saveBestOnly: true }), counter] });
  const reloaded = await st.loadLayersModel(join(best, 'model.json'));
  expectClose(reloaded.predict(x) as st.Tensor, frozen.predict(x) as st.Tensor, 1e-6);
});

test('sampleWeight and classWeight weigh the loss', async () => {
  const x = st.tensor([[1], [2], [3], [4]]);
  const y = st.tensor([[0], [1], [0], [1]]);
  const build = () => {
    const m = st.sequential({ layers: [st.layers.dense({ units: 1, inputShape: [1], kernelInitializer: 'zeros', activation: 'sigmoid' })] });
    m.compile({ optimizer: st.optimizers.sgd({ learningRate: 0 }), loss: 'binaryCrossentropy' });
    return m;
  };
  // Zero rate: the reported loss is the weighted loss at the initial weights, where every sample costs ln 2.
  const plain = await build().fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
  expectClose(plain.history.loss[0], Math.LN2, 1e-6);
  const weighted = await build().fit(x, y, { epochs: 1, batchSize: 4, verbose: 0, sampleWeight: st.tensor([1, 0, 0, 0]) });
  expectClose(weighted.history.loss[0], Math.LN2 / 4, 1e-6); // Keras: sum(w·loss) / number of samples
  const byClass = await build().fit(x, y, { epochs: 1, batchSize: 4, verbose: 0, classWeight: { 0: 2, 1: 0 } });
  expectClose(byClass.history.loss[0], (2 * 2 * Math.LN2) / 4, 1e-6);
});

test('verbose output: one line per epoch through a pipe, silence with 0', () => {
  // A child process whose stdout is a pipe, as in CI.
  const dir = mkdtempSync(join(process.cwd(), 'build', 'verbose-'));
  const script = join(dir, 'fit.mjs');
  writeFileSync(script, `
    import * as st from 'strata';
    st.setSeed(5);
    const x = st.randomNormal([64, 3], { seed: 5 });
    const y = st.matmul(x, st.tensor([[1], [-2], [0.5]]));
    const model = st.sequential({ layers: [st.layers.dense({ units: 1, inputShape: [3] })] });
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    for (const verbose of [1, 2, 0]) await model.fit(x, y, { epochs: 2, verbose });
  `);
  let out: string;
  try {
    out = execFileSync(process.execPath, [script], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const lines = out.trim().split('\n');
  assert.equal(lines.length, 4, out);
  for (const l of lines) assert.match(l, /^Epoch [12]\/2 - [\d.]+s - loss: [\d.e-]+$/);
  assert.ok(!out.includes('\r'), 'no in-place redraws off a terminal');
});
