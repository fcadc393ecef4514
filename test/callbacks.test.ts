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

test('reduceLROnPlateau keeps the rate while the loss improves, and cuts it once it stops', async () => {
  const { model, x, y } = regression(8);
  model.compile({ optimizer: st.optimizers.sgd({ learningRate: 0.1 }), loss: 'mse' });
  const cb = st.callbacks.reduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 1, minDelta: 1e-4 });
  // Exact targets: the loss falls geometrically until it is below minDelta's reach, then stalls.
  const h = await model.fit(x, y, { epochs: 40, batchSize: 64, verbose: 0, callbacks: [cb] });
  const loss = h.history.loss, lr = h.history.lr;
  const firstCut = lr.findIndex((r) => r < 0.1);
  assert.ok(firstCut > 3, `no cut while the loss improves: loss ${loss.slice(0, 6)}, lr ${lr.slice(0, 6)}`);
  for (let e = 1; e < firstCut - 1; e++) assert.ok(loss[e] < loss[e - 1] - 1e-4, `epoch ${e} improved by more than minDelta`);
  assert.ok(loss[firstCut - 1] > loss[firstCut - 2] - 1e-4, 'the cut follows an epoch that did not improve');
  expectClose(lr[firstCut], 0.05, 1e-9);
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

/** Flat copies of a model's weights, to compare snapshots taken at different times. */
function snapshot(model: st.Model): number[][] {
  return model.getWeights().map((w) => Array.from(w.values));
}

/**
 * A learning rate that first descends, then overshoots (SGD on this mean squared error diverges
 * above ~1), then descends again: the validation loss improves, worsens for a while, and recovers,
 * so the best epoch is neither the first nor the last and the weights keep changing.
 */
const upAndDown = (e: number) => (e === 3 || e === 4 ? 1.6 : 0.1);

test('modelCheckpoint saves every epoch, or only when the monitored value improves (the best weights)', async () => {
  const { model, x, y } = regression(4);
  model.compile({ optimizer: st.optimizers.sgd({ learningRate: 0.05 }), loss: 'mse' });
  const dir = mkdtempSync(join(tmpdir(), 'strata-ckpt-'));
  await model.fit(x, y, { epochs: 2, verbose: 0, callbacks: [st.callbacks.modelCheckpoint(join(dir, 'epoch-{epoch}'))] });
  assert.ok(existsSync(join(dir, 'epoch-1', 'model.json')) && existsSync(join(dir, 'epoch-2', 'model.json')));

  const best = join(dir, 'best');
  const { model: m, x: xv, y: yv } = regression(5);
  m.compile({ optimizer: st.optimizers.sgd({ learningRate: 0.1 }), loss: 'mse' });
  // Count the saves and keep the weights at the end of every epoch.
  const saves: number[] = [];
  let epochNow = -1;
  const save = m.save.bind(m);
  m.save = (async (target: string) => { saves.push(epochNow); return save(target); }) as typeof m.save;
  const atEnd: number[][][] = [];
  const recorder = { onEpochBegin: (e: number) => { epochNow = e; }, onEpochEnd: () => { atEnd.push(snapshot(m)); } };
  const h = await m.fit(x, y, { epochs: 12, batchSize: 64, verbose: 0, validationData: [xv, yv], callbacks: [
    st.callbacks.learningRateScheduler(upAndDown), recorder, st.callbacks.modelCheckpoint(best, { monitor: 'val_loss', saveBestOnly: true })] });
  const val = h.history.val_loss;
  const improved = val.map((v, e) => e).filter((e) => val[e] < Math.min(...val.slice(0, e)));
  assert.deepEqual(saves, improved, `saves at epochs ${saves} for val_loss ${val.join(', ')}`);
  assert.ok(saves.length >= 3 && saves.length <= val.length - 3, `some epochs improve and some do not: ${val.join(', ')}`);
  // The last save is the best epoch, and what was saved are the weights at its end, not the final ones.
  const bestEpoch = val.indexOf(Math.min(...val));
  assert.equal(saves.at(-1), bestEpoch);
  const reloaded = await st.loadLayersModel(join(best, 'model.json'));
  reloaded.compile({ optimizer: 'sgd', loss: 'mse' });
  snapshot(reloaded).forEach((w, i) => expectClose(w, atEnd[bestEpoch][i], 0, 0, `saved weight ${i}`));
  assert.ok(saves.at(-2)! < bestEpoch && snapshot(reloaded)[0].some((v, j) => v !== atEnd[saves.at(-2)!][0][j]), 'the later save replaced the earlier');
  expectClose(((await reloaded.evaluate(xv, yv)) as st.Tensor).item(), val[bestEpoch], 1e-6, 1e-5, 'the saved model gives the best val_loss');
});

test('earlyStopping with restoreBestWeights stops after `patience` worse epochs and restores the best, not the last, weights', async () => {
  for (const patience of [1, 2]) {
    const { model, x, y } = regression(6);
    const { x: xv, y: yv } = regression(7);
    model.compile({ optimizer: st.optimizers.sgd({ learningRate: 0.1 }), loss: 'mse' });
    const atEnd: number[][][] = [];
    const stop = st.callbacks.earlyStopping({ monitor: 'val_loss', patience, restoreBestWeights: true });
    const h = await model.fit(x, y, { epochs: 20, batchSize: 64, verbose: 0, validationData: [xv, yv], callbacks: [
      st.callbacks.learningRateScheduler(upAndDown), { onEpochEnd: () => { atEnd.push(snapshot(model)); } }, stop] });
    const val = h.history.val_loss;
    // Keras and TensorFlow.js: stop once `patience` epochs in a row fail to improve on the best.
    assert.ok(val.slice(3).every((v) => v > val[2]), `the epochs after 2 overshoot: ${val.join(', ')}`);
    assert.equal(h.epoch.length, 3 + patience, `patience ${patience}: ran ${h.epoch.length} epochs, val_loss ${val.join(', ')}`);
    assert.equal(stop.stoppedEpoch, 2 + patience);
    const best = val.indexOf(Math.min(...val));
    assert.equal(best, 2);
    const now = snapshot(model);
    now.forEach((w, i) => expectClose(w, atEnd[best][i], 0, 0, `patience ${patience}: weight ${i} is the best epoch's`));
    assert.ok(now[0].some((v, j) => Math.abs(v - atEnd.at(-1)![0][j]) > 1e-3), 'the last epoch had other weights');
    expectClose(((await model.evaluate(xv, yv)) as st.Tensor).item(), val[best], 1e-6, 1e-5, 'the restored model gives the best val_loss');
  }
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

test('sampleWeight and classWeight weigh the gradients too: one weighted step equals a step on the chosen samples, scaled', async () => {
  const x = st.tensor([[1], [2], [3], [4]]);
  const y = st.tensor([[0], [1], [0], [1]]);
  const step = async (xs: st.Tensor, ys: st.Tensor, opts: { sampleWeight?: st.Tensor; classWeight?: Record<number, number> } = {}) => {
    const m = st.sequential({ layers: [st.layers.dense({ units: 1, inputShape: [1], kernelInitializer: 'zeros', activation: 'sigmoid' })] });
    m.compile({ optimizer: st.optimizers.sgd({ learningRate: 0.5 }), loss: 'binaryCrossentropy' });
    await m.fit(xs, ys, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0, ...opts });
    return m.getWeights().map((w) => Array.from(w.values)).flat(); // [kernel, bias]; both start at 0
  };
  const first = await step(st.slice(x, [0, 0], [1, 1]), st.slice(y, [0, 0], [1, 1]));
  assert.ok(first.every((v) => Math.abs(v) > 0.05), `the reference step moves: ${first}`);
  // Keras: sum(w · loss) / batch size, so weight [1, 0, 0, 0] is a quarter of a step on sample 0 alone.
  expectClose(await step(x, y, { sampleWeight: st.tensor([1, 0, 0, 0]) }), first.map((v) => v / 4), 1e-7, 1e-5, 'sampleWeight step');
  // Class 0 weighs 2, class 1 nothing: samples 0 and 2 count twice over four, a plain step on those two.
  const zeros = await step(st.gather(x, st.tensor([0, 2], undefined, 'int32')), st.gather(y, st.tensor([0, 2], undefined, 'int32')));
  expectClose(await step(x, y, { classWeight: { 0: 2, 1: 0 } }), zeros, 1e-7, 1e-5, 'classWeight step');
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
