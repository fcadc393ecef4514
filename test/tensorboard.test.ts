// TensorBoard event files, read back by a reader independent of the library (event-file-reader.ts),
// and where installed by Python's tensorboard and by protoc as second opinions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as st from '../src/index.js';
import { crc32cBitwise, readRecords, readRun, scalars } from './event-file-reader.js';

const steps = (n: number, from = 1): number[] => Array.from({ length: n }, (_, i) => i + from);
const pairs = (values: number[], from = 1): [number, number][] => values.map((v, i) => [i + from, Math.fround(v)]);

function regression(seed: number): { model: st.Sequential; x: st.Tensor; y: st.Tensor } {
  st.setSeed(seed);
  const x = st.randomNormal([32, 3], { seed });
  const y = st.matmul(x, st.tensor([[1], [-2], [0.5]]));
  const model = st.sequential({ layers: [st.layers.dense({ units: 2, inputShape: [3], activation: 'tanh' }), st.layers.dense({ units: 1 })] });
  model.compile({ optimizer: st.optimizers.sgd({ learningRate: 0.05 }), loss: 'mse', metrics: ['mae'] });
  return { model, x, y };
}

test('the test reader\'s CRC-32C gives the standard check value', () => {
  assert.equal(crc32cBitwise(new TextEncoder().encode('123456789')), 0xe3069283);
});

test('tensorBoard(updateFreq batch): train/ and val/ runs with batch_ and epoch_ tags equal to the logs', async () => {
  const logdir = mkdtempSync(join(tmpdir(), 'strata-tb-'));
  try {
    const { model, x, y } = regression(1);
    const batchLogs: Record<string, number>[] = [];
    const t0 = Date.now() / 1000;
    const h = await model.fit(x, y, {
      epochs: 3, batchSize: 8, verbose: 0, validationSplit: 0.25, shuffle: false,
      callbacks: [st.node.tensorBoard(logdir, { updateFreq: 'batch' }), { onBatchEnd: (_b, logs) => void batchLogs.push({ ...logs }) }],
    });
    const t1 = Date.now() / 1000;
    assert.deepEqual(readdirSync(logdir).sort(), ['train', 'val']);
    const train = readRun(join(logdir, 'train'));
    assert.match(train.name, /^events\.out\.tfevents\.\d{10}\.[^/]+\.v2$/);
    const seconds = Number(train.name.split('.')[3]);
    assert.ok(Math.abs(seconds - t0) <= 1, `file name time ${seconds} vs start ${t0}`);
    // First record: the version, stamped in whole seconds, step 0, no summary.
    assert.deepEqual(train.events[0], { wallTime: seconds, step: 0, fileVersion: 'brain.Event:2', values: [] });
    for (const e of train.events.slice(1)) {
      assert.equal(e.fileVersion, undefined);
      assert.ok(e.wallTime >= t0 - 1e-3 && e.wallTime <= t1 + 1e-3, `wall_time ${e.wallTime} within the run [${t0}, ${t1}]`);
    }
    const s = scalars(train.events);
    assert.deepEqual([...s.keys()].sort(), ['batch_loss', 'batch_mae', 'epoch_loss', 'epoch_mae']);
    assert.equal(batchLogs.length, 9); // 24 training samples in batches of 8, three epochs
    assert.deepEqual(s.get('batch_loss'), pairs(batchLogs.map((l) => l.loss)));
    assert.deepEqual(s.get('batch_mae'), pairs(batchLogs.map((l) => l.mae)));
    assert.deepEqual(s.get('epoch_loss'), pairs(h.history.loss));
    assert.deepEqual(s.get('epoch_mae'), pairs(h.history.mae));
    const val = readRun(join(logdir, 'val'));
    assert.equal(val.events[0].fileVersion, 'brain.Event:2');
    const v = scalars(val.events);
    assert.deepEqual([...v.keys()].sort(), ['epoch_loss', 'epoch_mae']); // val_ dropped, no batch values
    assert.deepEqual(v.get('epoch_loss'), pairs(h.history.val_loss));
    assert.deepEqual(v.get('epoch_mae'), pairs(h.history.val_mae));
    assert.notDeepEqual(v.get('epoch_loss'), s.get('epoch_loss'));
  } finally {
    rmSync(logdir, { recursive: true, force: true });
  }
});

test('tensorBoard default (epoch) writes no batch values; histogramFreq writes weight histograms', async () => {
  const logdir = mkdtempSync(join(tmpdir(), 'strata-tb-'));
  try {
    const { model, x, y } = regression(2);
    const h = await model.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0, callbacks: [st.callbacks.tensorBoard(logdir, { histogramFreq: 2 })] });
    assert.deepEqual(readdirSync(logdir), ['train']); // no validation, no val/ run
    const { events } = readRun(join(logdir, 'train'));
    const s = scalars(events);
    assert.deepEqual([...s.keys()].sort(), ['epoch_loss', 'epoch_mae']);
    assert.deepEqual(s.get('epoch_loss'), pairs(h.history.loss));
    // Histograms after epochs 0 and 2 (step = epoch, as TensorFlow.js), one per weight.
    const hist = events.flatMap((e) => e.values.filter((v) => v.floats).map((v) => ({ step: e.step, ...v })));
    const weights = model.weights;
    assert.equal(hist.length, 2 * weights.length);
    assert.deepEqual(hist.map((v) => v.step), [...weights.map(() => 0), ...weights.map(() => 2)]);
    for (let i = 0; i < weights.length; i++) {
      const v = hist[weights.length + i];
      const w = Array.from(weights[i].dataSync());
      assert.equal(v.tag, weights[i].name);
      assert.equal(v.plugin, 'histograms');
      assert.equal(v.dtype, 1); // DT_FLOAT
      const k = new Set(w).size === 1 ? 1 : 30; // a constant weight (the zero bias before training moves it) has one bucket
      assert.deepEqual(v.shape, [k, 3]);
      const rows = Array.from({ length: k }, (_, r) => Array.from(v.floats!.subarray(r * 3, r * 3 + 3)));
      assert.equal(rows.reduce((n, r) => n + r[2], 0), w.length, `${v.tag}: counts add up to the number of values`);
      if (k === 30) {
        assert.equal(rows[0][0], Math.fround(Math.min(...w)));
        assert.equal(rows[29][1], Math.fround(Math.max(...w)));
        const width = (Math.max(...w) - Math.min(...w)) / 30;
        const expected = new Array(30).fill(0);
        for (const x of w) expected[Math.min(Math.floor((Math.fround(x) - rows[0][0]) / width), 29)]++;
        assert.deepEqual(rows.map((r) => r[2]), expected);
      }
    }
  } finally {
    rmSync(logdir, { recursive: true, force: true });
  }
});

test('an exception mid-training leaves whole, valid records; flush() writes the rest', async () => {
  const logdir = mkdtempSync(join(tmpdir(), 'strata-tb-'));
  try {
    const { model, x, y } = regression(3);
    const batchLogs: number[] = [];
    const boom = { onBatchEnd: (b: number, logs: Record<string, number>) => {
      batchLogs.push(logs.loss);
      if (batchLogs.length === 5) throw new Error('boom');
    } };
    await assert.rejects(model.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0, callbacks: [st.node.tensorBoard(logdir, { updateFreq: 'batch' }), boom] }), /boom/);
    // Whatever reached the disk so far is whole records with good CRCs (readRun checks both); in
    // its first moments the writer may still be loading its encoder and have no file yet.
    const trainDir = join(logdir, 'train');
    const before = existsSync(trainDir) && readdirSync(trainDir).length > 0 ? readRun(trainDir).events : [];
    if (before.length > 0) assert.equal(before[0].fileVersion, 'brain.Event:2');
    // The writer is shared per folder, as in TensorFlow.js: the program can flush it itself.
    await st.node.summaryFileWriter(join(logdir, 'train')).flush();
    const after = readRun(join(logdir, 'train')).events;
    assert.deepEqual(after.slice(0, before.length), before);
    const s = scalars(after);
    assert.deepEqual(s.get('batch_loss'), pairs(batchLogs));
    assert.deepEqual(s.get('epoch_loss')!.map(([step]) => step), [1]);
  } finally {
    rmSync(logdir, { recursive: true, force: true });
  }
});

test('summaryFileWriter: scalars as TensorFlow.js-node writes them, and cached per folder', async () => {
  const logdir = mkdtempSync(join(tmpdir(), 'strata-tb-'));
  try {
    const w = st.node.summaryFileWriter(logdir);
    assert.equal(st.node.summaryFileWriter(`${logdir}/`), w);
    for (let step = 0; step < 25; step++) w.scalar('sine', Math.sin((2 * Math.PI * step) / 8), step);
    w.scalar('tensor', st.scalar(0.1), 25);
    await w.flush();
    const s = scalars(readRun(logdir).events);
    assert.deepEqual(s.get('sine'), steps(25, 0).map((i) => [i, Math.fround(Math.sin((2 * Math.PI * i) / 8))]));
    assert.deepEqual(s.get('tensor'), [[25, Math.fround(0.1)]]);
    // The folder deleted under the writer (a rerun after rm -rf): a new file, version record first.
    rmSync(logdir, { recursive: true });
    w.scalar('again', 2, 0);
    await w.flush();
    const again = readRun(logdir).events;
    assert.deepEqual(again.map((e) => e.fileVersion ?? e.values[0].tag), ['brain.Event:2', 'again']);
    assert.throws(() => w.scalar('x', 1, 1.5), /step must be an integer, got 1.5/);
    assert.throws(() => w.scalar('x', st.tensor([1, 2]), 1), /rank-0 tensor, got a tensor of shape \[2\]/);
    assert.throws(() => st.node.summaryFileWriter(''), /logdir must be a non-empty folder path/);
    assert.throws(() => st.node.tensorBoard(logdir, { updateFreq: 'step' as 'batch' }), /updateFreq must be 'batch' or 'epoch', got "step"/);
    assert.throws(() => st.node.tensorBoard(logdir, { histogramFreq: -1 }), /histogramFreq must be a non-negative integer/);
  } finally {
    rmSync(logdir, { recursive: true, force: true });
  }
});

test('a program that never flushes still leaves every scalar on disk, also when it crashes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-tb-'));
  try {
    const index = new URL('../src/index.js', import.meta.url).href;
    const run = (name: string, tail: string) => {
      const script = join(dir, `${name}.mjs`);
      // As a TensorFlow.js program: scalars written, flush() never called. (The one await on flush
      // first lets the writer load its encoder; a crash within those first moments, ~0.1 s, would
      // lose what was queued.)
      writeFileSync(script, `
        import * as tf from ${JSON.stringify(index)};
        const w = tf.node.summaryFileWriter(${JSON.stringify(join(dir, name))});
        await w.flush();
        for (let step = 0; step < 13; step++) { w.scalar('reward', step * 0.5, step); await new Promise((r) => setTimeout(r, 1)); }
        ${tail}
      `);
      return spawnSync(process.execPath, [script], { encoding: 'utf8' });
    };
    const clean = run('clean', '');
    assert.equal(clean.status, 0, clean.stderr);
    const crash = run('crash', `throw new Error('crashed');`);
    assert.notEqual(crash.status, 0);
    assert.match(crash.stderr, /crashed/);
    for (const name of ['clean', 'crash']) {
      const s = scalars(readRun(join(dir, name)).events);
      assert.deepEqual(s.get('reward'), steps(13, 0).map((i) => [i, i * 0.5]), name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Python tensorboard reads the files (when installed)', async (t) => {
  const probe = spawnSync('python3', ['-c', 'import tensorboard'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    t.skip('python3 tensorboard is not installed');
    return;
  }
  const logdir = mkdtempSync(join(tmpdir(), 'strata-tb-'));
  try {
    const { model, x, y } = regression(4);
    const h = await model.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0, validationSplit: 0.5, callbacks: [st.node.tensorBoard(logdir)] });
    const py = `
import glob, json, sys
from tensorboard.backend.event_processing.event_file_loader import LegacyEventFileLoader
out = {}
for run in ('train', 'val'):
    (path,) = glob.glob(sys.argv[1] + '/' + run + '/events.out.tfevents.*')
    evs = list(LegacyEventFileLoader(path).Load())
    out[run] = {'version': evs[0].file_version,
                'scalars': [[v.tag, e.step, v.simple_value] for e in evs[1:] for v in e.summary.value]}
print(json.dumps(out))`;
    const r = spawnSync('python3', ['-c', py, logdir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, { version: string; scalars: [string, number, number][] }>;
    assert.equal(out.train.version, 'brain.Event:2');
    const loss = out.train.scalars.filter(([tag]) => tag === 'epoch_loss').map(([, step, v]) => [step, v]);
    assert.deepEqual(loss, pairs(h.history.loss));
    const val = out.val.scalars.filter(([tag]) => tag === 'epoch_loss').map(([, step, v]) => [step, v]);
    assert.deepEqual(val, pairs(h.history.val_loss));
  } finally {
    rmSync(logdir, { recursive: true, force: true });
  }
});

test('protoc decodes every record with the TensorFlow schema (when protoc is installed)', async (t) => {
  if (spawnSync('protoc', ['--version']).status !== 0) {
    t.skip('protoc is not installed (Debian: protobuf-compiler)');
    return;
  }
  const logdir = mkdtempSync(join(tmpdir(), 'strata-tb-'));
  try {
    const { model, x, y } = regression(5);
    const h = await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, validationSplit: 0.25, callbacks: [st.node.tensorBoard(logdir, { updateFreq: 'batch', histogramFreq: 1 })] });
    // Field numbers of TensorFlow's event.proto / summary.proto / tensor.proto, restated for protoc.
    writeFileSync(join(logdir, 'tb.proto'), `syntax = "proto3";
      message Event { double wall_time = 1; int64 step = 2; oneof what { string file_version = 3; Summary summary = 5; } }
      message Summary { message Value { string tag = 1; SummaryMetadata metadata = 9;
        oneof value { float simple_value = 2; TensorProto tensor = 8; } } repeated Value value = 1; }
      message SummaryMetadata { message PluginData { string plugin_name = 1; bytes content = 2; } PluginData plugin_data = 1; }
      message TensorProto { int32 dtype = 1; TensorShapeProto tensor_shape = 2; bytes tensor_content = 4; }
      message TensorShapeProto { message Dim { int64 size = 1; } repeated Dim dim = 2; }
      message Records { repeated Event event = 1; }`);
    for (const run of ['train', 'val']) {
      const dir = join(logdir, run);
      const file = join(dir, readdirSync(dir)[0]);
      // Every record as one `Records.event` field, so one protoc call decodes the whole file.
      const parts: number[] = [];
      for (const r of readRecords(new Uint8Array(readFileSync(file)), file)) {
        parts.push(0x0a);
        for (let n = r.length; ; n >>>= 7) { if (n < 0x80) { parts.push(n); break; } parts.push((n & 0x7f) | 0x80); }
        parts.push(...r);
      }
      const out = spawnSync('protoc', [`--proto_path=${logdir}`, '--decode=Records', 'tb.proto'], { input: Buffer.from(parts), encoding: 'utf8' });
      assert.equal(out.status, 0, out.stderr);
      const flat = out.stdout.replace(/\s+/g, ' ');
      assert.match(flat, /^event \{ wall_time: \d+ file_version: "brain\.Event:2" \}/);
      const got = new Map<string, [number, number][]>();
      for (const m of flat.matchAll(/step: (\d+) summary \{ value \{ tag: "(\w+)" simple_value: ([-\d.e+]+) \}/g)) {
        if (!got.has(m[2])) got.set(m[2], []);
        got.get(m[2])!.push([Number(m[1]), Math.fround(Number(m[3]))]);
      }
      const key = run === 'train' ? 'loss' : 'val_loss';
      assert.deepEqual(got.get('epoch_loss'), pairs(h.history[key]), `${run}: epoch_loss as protoc reads it`);
      if (run === 'train') {
        assert.equal(got.get('batch_loss')!.length, 6);
        assert.equal((flat.match(/plugin_name: "histograms"/g) ?? []).length, 2 * model.weights.length);
      }
    }
  } finally {
    rmSync(logdir, { recursive: true, force: true });
  }
});
