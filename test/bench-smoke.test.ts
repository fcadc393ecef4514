/**
 * Keeps the benchmark harness from rotting: every workload builds and runs one step on Strata's
 * default backend (and the MLP on TensorFlow.js's cpu backend), with the shapes the bench uses.
 * No timings are asserted.
 */
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { ITEMS, selectItems } from '../bench/workloads/catalog.js';
import { batchFor } from '../bench/workloads/models.js';
import { strataModel, strataStep, strataTensor } from '../bench/workloads/strata.js';
import { loadTfjs, tfjsStep, describeFailure } from '../bench/peers/tfjs.js';
import { parseArgs } from '../bench/args.js';
import { bestSetUp, medianOfRounds, ratio, formatTable, type Row } from '../bench/report.js';

for (const item of ITEMS) {
  test(`bench item ${item.id} runs one step on Strata`, async () => {
    await strataStep(item).step();
  });
}

test('bench models have the specified output shapes and train', () => {
  const want: Record<string, number[]> = { mlp: [4, 10], cnn: [4, 10], upsampler: [4, 28, 28, 1], lstm: [4, 1], gru: [4, 1], 'simple-rnn': [4, 1] };
  for (const [id, shape] of Object.entries(want)) {
    const model = strataModel(id as keyof typeof want as never);
    const { x, y } = batchFor(id as never, 4);
    const p = model.predictOnBatch(strataTensor(x)) as st.Tensor;
    assert.deepEqual(p.shape, shape, id);
    const loss = model.trainOnBatch(strataTensor(x), strataTensor(y)) as number;
    assert.ok(Number.isFinite(loss) && loss > 0, `${id} loss ${loss}`);
  }
});

test('bench MLP runs on TensorFlow.js cpu; a missing kernel is named', async () => {
  const tfjs = await loadTfjs();
  await tfjs.tf.setBackend('cpu');
  const built = tfjsStep(tfjs.tf, selectItems(['mlp-train'])[0]);
  await built.step();
  built.dispose?.();
  assert.equal(describeFailure(new Error("Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'")), 'missing kernel Conv2DBackpropFilter');
});

test('bench flags, workload selection and the ratio column', () => {
  const a = parseArgs(['--quick', '--only', 'W3,W5', '--no-torch', '--out', 'x.json']);
  assert.deepEqual([a.quick, a.only, a.torch, a.tfjs, a.out], [true, ['W3', 'W5'], false, true, 'x.json']);
  assert.throws(() => parseArgs(['--bogus']), /unknown flag --bogus/);
  assert.deepEqual(selectItems(['W3']).map((i) => i.id), ['cnn-train', 'cnn-infer', 'cnn-infer1']);
  assert.throws(() => selectItems(['W9']), /unknown workload/);
  const m = (value: number) => ({ ok: true as const, m: { value, reps: [value], stepsPerRep: [1], cpuPerWall: 1, otherProcsCores: 0 } });
  const rate: Row = { item: selectItems(['mlp-train'])[0], threads: 2, cells: { 'strata-native': m(300), 'tfjs-cpu': m(100), torch: m(150) } };
  assert.equal(ratio(rate), 2);
  const latency: Row = { item: selectItems(['cnn-infer1'])[0], threads: 2, cells: { 'strata-native': m(4), 'tfjs-wasm': m(2), torch: m(8) } };
  assert.equal(ratio(latency), 0.5);
  const failed: Row = { ...latency, cells: { ...latency.cells, 'tfjs-cpu': { ok: false, reason: 'missing kernel X' } } };
  assert.match(formatTable([failed]), /n\/a\[1\][\s\S]*\[1\] missing kernel X/);
  // Rounds: 3 by default, 1 with --quick; each cell keeps its median round (and lists them all).
  assert.equal(parseArgs([]).rounds, 3);
  assert.equal(parseArgs(['--quick']).rounds, 1);
  assert.equal(parseArgs(['--rounds', '2']).rounds, 2);
  assert.throws(() => parseArgs(['--rounds', '0']), /--rounds needs a whole number/);
  const threeRates = medianOfRounds([m(300), m(500), m(350)], 'samples/s');
  assert.ok(threeRates?.ok && threeRates.m.value === 350 && threeRates.m.rounds?.join() === '300,500,350', 'the median round, not the best');
  const threeLatencies = medianOfRounds([m(4), m(5), m(9)], 'ms');
  assert.ok(threeLatencies?.ok && threeLatencies.m.value === 5);
  const twoRates = medianOfRounds([m(300), m(350)], 'samples/s');
  assert.ok(twoRates?.ok && twoRates.m.value === 350, 'two rounds: the faster of the middle two');
  const failure = { ok: false as const, reason: 'timed out' };
  const recovered = medianOfRounds([failure, m(7)], 'GFLOPS');
  assert.ok(recovered?.ok && recovered.m.value === 7, 'a failed round does not count');
  const allFailed = medianOfRounds([failure], 'GFLOPS');
  assert.ok(allFailed && !allFailed.ok);
  // PyTorch's set-ups: the fastest wins and is named; every set-up's value is kept.
  const best = bestSetUp([{ name: 'torch 1 thread(s), OpenBLAS 1', cell: m(90) }, { name: 'torch 2 thread(s), OpenBLAS 1', cell: m(150) },
    { name: 'torch 2 thread(s), OpenBLAS 2', cell: failure }], 'samples/s');
  assert.ok(best?.ok && best.m.value === 150 && best.m.setUp === 'torch 2 thread(s), OpenBLAS 1');
  assert.deepEqual(best.ok && best.m.setUps, { 'torch 1 thread(s), OpenBLAS 1': 90, 'torch 2 thread(s), OpenBLAS 1': 150 });
  const bestLatency = bestSetUp([{ name: 'a', cell: m(3) }, { name: 'b', cell: m(2) }], 'ms');
  assert.ok(bestLatency?.ok && bestLatency.m.setUp === 'b');
  // Withheld ratios: the ratio column says why instead of a number.
  assert.match(formatTable([rate], 'PyTorch is not at its best'), /withheld\[1\][\s\S]*\[1\] PyTorch is not at its best/);
  assert.doesNotMatch(formatTable([rate], 'PyTorch is not at its best'), /2\.00×/);
  // A peer's set-up (PyTorch's OpenBLAS threads) becomes a footnote of its cell.
  const setUp: Row = { ...rate, cells: { ...rate.cells, torch: { ok: true, m: { ...m(150).m, setUp: 'torch 2 thread(s), OpenBLAS 1' } } } };
  assert.match(formatTable([setUp]), /150\[1\][\s\S]*\[1\] torch 2 thread\(s\), OpenBLAS 1/);
});

test('a bench cell runs in its own process and prints one JSON line; a bad item is refused', () => {
  const script = fileURLToPath(new URL('../bench/cell.js', import.meta.url));
  const run = spawnSync(process.execPath, [script, 'strata-js', 'mlp-infer', '1', '--quick'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const cell = JSON.parse(run.stdout.trim().split('\n').pop()!) as { ok: boolean; m?: { value: number } };
  assert.ok(cell.ok && cell.m!.value > 0, run.stdout);
  const bad = spawnSync(process.execPath, [script, 'strata-js', 'no-such-item', '1'], { encoding: 'utf8' });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /usage: node build\/bench\/cell\.js/);
});
