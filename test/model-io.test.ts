import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as st from '../src/index.js';
import * as io from '../src/io/index.js';
import { saveHooks } from '../src/io/handlers.js';
import { expectClose } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/models/', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'strata-model-io-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
let dirs = 0;
const newDir = (): string => join(scratch, `m${dirs++}`);

type IOJson = { inputs: { shape: number[]; dtype: string; values: number[] }[]; outputs: { shape: number[]; values: number[] }[] };

function summaryOf(m: st.Model): string {
  const lines: string[] = [];
  m.summary(98, (l) => lines.push(l));
  return lines.join('\n');
}

function outputs(y: st.Tensor | st.Tensor[]): st.Tensor[] {
  return Array.isArray(y) ? y : [y];
}

async function expectFileError(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof io.ModelFileError, `expected a ModelFileError, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
    assert.match((e as Error).message, pattern);
    return true;
  });
}

// ---- TensorFlow.js 4.22 fixtures (scripts/make-model-fixtures.mjs) ----

for (const name of ['tfjs-cnn', 'tfjs-upsampler', 'tfjs-embedding-lstm', 'tfjs-gru-timedistributed', 'tfjs-two-input']) {
  test(`a model saved by TensorFlow.js loads and predicts the same: ${name}`, async () => {
    const dir = join(FIXTURES, name);
    const ref = JSON.parse(readFileSync(join(dir, 'io.json'), 'utf8')) as IOJson;
    const model = await io.loadLayersModel(dir);
    const xs = ref.inputs.map((x) => st.tensor(x.values, x.shape, x.dtype === 'int32' ? 'int32' : 'float32'));
    const ys = outputs(model.predict(xs.length === 1 ? xs[0] : xs));
    assert.equal(ys.length, ref.outputs.length);
    ys.forEach((y, i) => {
      assert.deepEqual(y.shape, ref.outputs[i].shape);
      expectClose(y, ref.outputs[i].values, 1e-4, 1e-3, `${name} output ${i}`);
    });
  });
}

// ---- Strata → Strata round trips ----

function cnn(seed: number): st.Sequential {
  st.setSeed(seed);
  return st.sequential({ layers: [
    st.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu', inputShape: [6, 6, 2] }),
    st.layers.maxPooling2d({ poolSize: 2 }),
    st.layers.dropout({ rate: 0.2 }),
    st.layers.flatten(),
    st.layers.dense({ units: 4, activation: 'softmax' }),
  ] });
}

/** Two inputs, a dense layer shared by both branches, and a nested Sequential applied twice. */
function graph(seed: number): st.Functional {
  st.setSeed(seed);
  const inner = st.sequential({ name: 'inner', layers: [
    st.layers.dense({ units: 4, activation: 'relu', inputShape: [5] }),
    st.layers.dense({ units: 3 }),
  ] });
  const a = st.input({ shape: [5], name: 'in_a' });
  const b = st.input({ shape: [5], name: 'in_b' });
  const shared = st.layers.dense({ units: 5, activation: 'tanh', name: 'shared' });
  const ia = inner.apply(shared.apply(a) as st.SymbolicTensor) as st.SymbolicTensor;
  const ib = inner.apply(shared.apply(b) as st.SymbolicTensor) as st.SymbolicTensor;
  const c = st.layers.concatenate().apply([ia, ib]) as st.SymbolicTensor;
  const out = st.layers.dense({ units: 2, name: 'head' }).apply(c) as st.SymbolicTensor;
  return st.model({ inputs: [a, b], outputs: out, name: 'two_branch' });
}

test('a Sequential CNN round-trips: same predictions and summary', async () => {
  const m = cnn(1);
  const dir = newDir();
  await m.save(dir);
  assert.ok(existsSync(join(dir, 'model.json')) && existsSync(join(dir, 'group1-shard1of1.bin')));
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  assert.equal(json.format, 'layers-model');
  assert.match(json.generatedBy, /^strata /);
  assert.equal(json.modelTopology.class_name, 'Sequential');
  assert.equal(json.modelTopology.config.layers[0].config.kernel_size.length, 2);
  const loaded = await io.loadLayersModel(pathToFileURL(dir).href);
  assert.ok(loaded instanceof st.Sequential);
  const x = st.randomNormal([3, 6, 6, 2], { seed: 5 });
  expectClose(loaded.predict(x) as st.Tensor, m.predict(x) as st.Tensor, 0, 0);
  assert.equal(summaryOf(loaded), summaryOf(m));
});

test('a functional model with two inputs, a shared layer and a nested model round-trips', async () => {
  const m = graph(2);
  const dir = newDir();
  await m.save(dir);
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const cfg = json.modelTopology.config;
  assert.equal(json.modelTopology.class_name, 'Functional');
  assert.deepEqual(cfg.input_layers, [['in_a', 0, 0], ['in_b', 0, 0]]);
  assert.deepEqual(cfg.output_layers, [['head', 0, 0]]);
  const shared = cfg.layers.find((l: { name: string }) => l.name === 'shared');
  assert.deepEqual(shared.inbound_nodes, [[['in_a', 0, 0, {}]], [['in_b', 0, 0, {}]]]);
  const inner = cfg.layers.find((l: { name: string }) => l.name === 'inner');
  assert.equal(inner.class_name, 'Sequential');
  // A nested model's applications are numbered from 1, as Keras and TensorFlow.js write them.
  assert.deepEqual(inner.inbound_nodes, [[['shared', 0, 0, {}]], [['shared', 1, 0, {}]]]);
  const loaded = await io.loadLayersModel(join(dir, 'model.json'));
  assert.ok(loaded instanceof st.Functional);
  const xa = st.randomNormal([4, 5], { seed: 6 }), xb = st.randomNormal([4, 5], { seed: 7 });
  expectClose(loaded.predict([xa, xb]) as st.Tensor, m.predict([xa, xb]) as st.Tensor, 0, 0);
  assert.equal(summaryOf(loaded), summaryOf(m));
  assert.equal(loaded.countParams(), m.countParams());
});

test('file:// with a relative path (tfjs-node style, file://./dir) saves and loads from the working directory', async () => {
  const m = cnn(3);
  const cwd = process.cwd();
  process.chdir(scratch);
  try {
    await m.save('file://./rel-model');
    assert.ok(existsSync(join(scratch, 'rel-model', 'model.json')));
    const viaDot = await io.loadLayersModel('file://./rel-model/model.json');
    const viaBare = await io.loadLayersModel('file://rel-model');
    const x = st.randomNormal([2, 6, 6, 2], { seed: 6 });
    expectClose(viaDot.predict(x) as st.Tensor, m.predict(x) as st.Tensor, 0, 0);
    expectClose(viaBare.predict(x) as st.Tensor, m.predict(x) as st.Tensor, 0, 0);
  } finally {
    process.chdir(cwd);
  }
});

test('st.io.withSaveHandler and st.io.fromMemory round-trip without files', async () => {
  const m = graph(3);
  let saved: io.ModelArtifacts | null = null;
  const res = await m.save(io.withSaveHandler(async (a) => {
    saved = a;
    return { location: 'memory' };
  }));
  assert.equal((res as io.SaveResult).location, 'memory');
  const a = saved as unknown as io.ModelArtifacts;
  assert.equal(a.weightData!.byteLength, m.countParams() * 4);
  const loaded = await io.loadLayersModel(io.fromMemory({ modelTopology: a.modelTopology, weightSpecs: a.weightSpecs }, a.weightData));
  const xa = st.randomNormal([2, 5], { seed: 8 }), xb = st.randomNormal([2, 5], { seed: 9 });
  expectClose(loaded.predict([xa, xb]) as st.Tensor, m.predict([xa, xb]) as st.Tensor, 0, 0);
});

test('large weights are split into shards of at most 4 MB', async () => {
  st.setSeed(4);
  const m = st.sequential({ layers: [st.layers.dense({ units: 1100, inputShape: [1000] })] });
  const dir = newDir();
  await m.save(dir);
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  assert.deepEqual(json.weightsManifest[0].paths, ['group1-shard1of2.bin', 'group1-shard2of2.bin']);
  const loaded = await io.loadLayersModel(dir);
  assert.deepEqual(loaded.getWeights()[0].values, m.getWeights()[0].values);
});

// ---- optimizer state ----

test('save with includeOptimizer → load → continue training equals training without the interruption', async () => {
  const data = () => ({ x: st.randomNormal([32, 6, 6, 2], { seed: 10 }), y: st.oneHot(st.tensor(Array.from({ length: 32 }, (_, i) => i % 4), [32], 'int32'), 4) });
  const { x, y } = data();
  const fitOpts = { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 as const };
  const compile = (m: st.Model) => m.compile({ optimizer: st.optimizers.adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  // No dropout here: its random masks would differ between one run and two.
  const net = (seed: number) => {
    st.setSeed(seed);
    return st.sequential({ layers: [
      st.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu', inputShape: [6, 6, 2] }),
      st.layers.flatten(),
      st.layers.dense({ units: 4, activation: 'softmax' }),
    ] });
  };
  const straight = net(11);
  compile(straight);
  await straight.fit(x, y, { ...fitOpts, epochs: 4 });

  const first = net(11);
  compile(first);
  await first.fit(x, y, fitOpts);
  const dir = newDir();
  await first.save(dir, { includeOptimizer: true });
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  assert.equal(json.trainingConfig.loss, 'categorical_crossentropy');
  assert.equal(json.trainingConfig.optimizer_config.class_name, 'Adam');
  assert.equal(json.strataOptimizer.weightsManifest[0].weights[0].name, 'iter');
  assert.ok(existsSync(join(dir, 'optimizer-shard1of1.bin')));

  const resumed = await io.loadLayersModel(dir);
  assert.ok(resumed.optimizer, 'the loaded model is compiled');
  assert.equal(resumed.optimizer!.iterations, 8);
  await resumed.fit(x, y, fitOpts);
  resumed.getWeights().forEach((w, i) => expectClose(w, straight.getWeights()[i], 1e-6, 1e-5, `weight ${i}`));
});

test('without includeOptimizer the file has no training config and loads uncompiled', async () => {
  const m = cnn(12);
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  const dir = newDir();
  await m.save(dir);
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  assert.equal(json.trainingConfig, undefined);
  assert.equal(json.strataOptimizer, undefined);
  assert.equal((await io.loadLayersModel(dir)).optimizer, null);
});

// ---- atomic save ----

test('a save that crashes midway leaves the old model loadable', async () => {
  const v1 = cnn(20), v2 = cnn(21);
  const dir = newDir();
  await v1.save(dir);
  const x = st.randomNormal([2, 6, 6, 2], { seed: 22 });
  const want1 = v1.predict(x) as st.Tensor;
  const filesOf = () => readdirSync(dir).sort();
  const v1Files = filesOf();
  for (const step of ['shards-written', 'json-written'] as const) {
    saveHooks.onStep = (s) => {
      if (s === step) throw new Error(`simulated crash at '${s}'`);
    };
    try {
      await expectFileError(v2.save(dir), /simulated crash/);
    } finally {
      saveHooks.onStep = null;
    }
    expectClose((await io.loadLayersModel(dir)).predict(x) as st.Tensor, want1, 0, 0);
    assert.deepEqual(filesOf(), v1Files, `after a crash at '${step}': the new files are removed, the old kept`);
  }
  // A crash once the new model.json is in place: the new model loads; the next save removes the old shards.
  saveHooks.onStep = (s) => {
    if (s === 'json-replaced') throw new Error('simulated crash after the rename');
  };
  try {
    await expectFileError(v2.save(dir), /simulated crash after the rename/);
  } finally {
    saveHooks.onStep = null;
  }
  expectClose((await io.loadLayersModel(dir)).predict(x) as st.Tensor, v2.predict(x) as st.Tensor, 0, 0);
  assert.ok(v1Files.filter((n) => n.endsWith('.bin')).every((n) => filesOf().includes(n)), 'the old shards are still there');
  await v2.save(dir);
  expectClose((await io.loadLayersModel(dir)).predict(x) as st.Tensor, v2.predict(x) as st.Tensor, 0, 0);
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  assert.deepEqual(filesOf(), [...json.weightsManifest[0].paths, 'model.json'].sort(), 'only the current model\'s files remain');
});

// ---- refusals ----

async function savedFiles(): Promise<{ json: Record<string, any>; bin: Uint8Array }> {
  const m = st.sequential({ layers: [st.layers.dense({ units: 3, inputShape: [4], name: 'd1' }), st.layers.dense({ units: 2, name: 'd2' })] });
  let json: Record<string, any> = {};
  let bin = new Uint8Array(0);
  await m.save(io.withSaveHandler(async (a) => {
    json = { format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['w.bin'], weights: a.weightSpecs }] };
    bin = new Uint8Array(a.weightData!);
    return {};
  }));
  return { json: JSON.parse(JSON.stringify(json)), bin };
}

const load = (json: unknown, bin: Uint8Array | Record<string, Uint8Array>, opts: io.LoadOptions = {}) => io.loadLayersModel(io.fromMemory(json, bin, opts));

test('loading refuses weight paths that leave the model folder', async () => {
  const { json, bin } = await savedFiles();
  for (const p of ['../w.bin', 'sub/../../w.bin', '/etc/passwd', 'C:\\w.bin', 'https://evil.example/w.bin', '//evil.example/w.bin', '..\\w.bin']) {
    json.weightsManifest[0].paths = [p];
    await expectFileError(load(json, { [p]: bin }), /leaves the model folder/);
  }
});

test('loading over http fetches shards beside model.json and refuses other hosts', async () => {
  const { json, bin } = await savedFiles();
  const served: Record<string, Uint8Array> = {
    'https://models.example/m/model.json': new TextEncoder().encode(JSON.stringify(json)),
    'https://models.example/m/w.bin': bin,
  };
  const fakeFetch = (async (u: string) => {
    const body = served[u];
    return body ? new Response(body as unknown as BodyInit, { status: 200, headers: { 'content-length': String(body.byteLength) } }) : new Response('no', { status: 404, statusText: 'Not Found' });
  }) as typeof fetch;
  const m = await io.loadLayersModel(io.http('https://models.example/m/model.json', { fetch: fakeFetch }));
  assert.equal(m.countParams(), 4 * 3 + 3 + 3 * 2 + 2);
  json.weightsManifest[0].paths = ['other/../../x/w.bin'];
  served['https://models.example/m/model.json'] = new TextEncoder().encode(JSON.stringify(json));
  await expectFileError(io.loadLayersModel(io.http('https://models.example/m/model.json', { fetch: fakeFetch })), /leaves the model folder/);
});

test('loading over http stops reading a body that outgrows its limit, with or without Content-Length', async () => {
  const { json, bin } = await savedFiles();
  const text = new TextEncoder().encode(JSON.stringify(json));
  // No Content-Length: the body is read until it passes the limit, then cancelled.
  const undeclared = (async (u: string) => new Response((u.endsWith('model.json') ? text : new Uint8Array(bin.byteLength + 64)) as unknown as BodyInit)) as typeof fetch;
  await expectFileError(io.loadLayersModel(io.http('https://models.example/m/model.json', { fetch: undeclared, maxJsonBytes: 100 })),
    /model\.json: https:\/\/models\.example\/m\/model\.json sends more than the 100 bytes allowed \(option maxJsonBytes\)/);
  await expectFileError(io.loadLayersModel(io.http('https://models.example/m/model.json', { fetch: undeclared })),
    new RegExp(`w\\.bin: https://models\\.example/m/w\\.bin sends more than the ${bin.byteLength} bytes the manifest describes`));
  // A declared length over the limit is refused before the body is read.
  const declared = (async () => new Response(text as unknown as BodyInit, { headers: { 'content-length': String(text.byteLength) } })) as typeof fetch;
  await expectFileError(io.loadLayersModel(io.http('https://models.example/m/model.json', { fetch: declared, maxJsonBytes: 100 })),
    new RegExp(`is ${text.byteLength} bytes, more than the 100 bytes allowed`));
});

test('loading refuses shards whose size disagrees with the manifest, and missing shards', async () => {
  const { json, bin } = await savedFiles();
  await expectFileError(load(json, { 'w.bin': bin.subarray(0, bin.byteLength - 4) }), /hold \d+ bytes, but the manifest describes \d+/);
  const longer = new Uint8Array(bin.byteLength + 8);
  longer.set(bin);
  await expectFileError(load(json, { 'w.bin': longer }), /more than the \d+ the manifest describes/);
  await expectFileError(load(json, {}), /weight shard 'w.bin' is missing/);
  const dir = newDir();
  mkdirSync(dir);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  await expectFileError(io.loadLayersModel(dir), /weight shard 'w.bin' is missing/);
  writeFileSync(join(dir, 'w.bin'), longer);
  await expectFileError(io.loadLayersModel(dir), /the shard has \d+ bytes, more than/);
});

test('loading refuses unknown dtypes and layer classes', async () => {
  const { json, bin } = await savedFiles();
  const j1 = structuredClone(json);
  j1.weightsManifest[0].weights[0].dtype = 'complex64';
  await expectFileError(load(j1, { 'w.bin': bin }), /unknown dtype "complex64"/);
  const j2 = structuredClone(json);
  j2.modelTopology.config.layers[1].class_name = 'FancyDense';
  await expectFileError(load(j2, { 'w.bin': bin }), /unknown layer class 'FancyDense'/);
});

test('loading refuses manifest weights that match no layer, and model weights missing from the manifest', async () => {
  const { json, bin } = await savedFiles();
  const j1 = structuredClone(json);
  j1.weightsManifest[0].weights.push({ name: 'ghost/kernel', shape: [2], dtype: 'float32' });
  const extra = new Uint8Array(bin.byteLength + 8);
  extra.set(bin);
  await expectFileError(load(j1, { 'w.bin': extra }), /weight 'ghost\/kernel' matches no layer/);
  const j2 = structuredClone(json);
  j2.weightsManifest[0].weights = j2.weightsManifest[0].weights.slice(0, 2);
  await expectFileError(load(j2, { 'w.bin': bin.subarray(0, (12 + 3) * 4) }), /weight 'd2\/kernel' \[3, 2\] is missing from the manifest/);
  const j3 = structuredClone(json);
  j3.weightsManifest[0].weights[0].shape = [3, 4];
  await expectFileError(load(j3, { 'w.bin': bin }), /'d1\/kernel' has shape \[4, 3\]/);
});

test('loading refuses shapes and layers too large to allocate, before allocating', async () => {
  const { json, bin } = await savedFiles();
  for (const [shape, pattern] of [[[1e12], /not an integer in/], [[-1, 3], /not an integer in/], [[2.5], /not an integer in/],
    [[100000, 100000], /needs more than \d+ bytes/], ['4x3', /shape must be a list/]] as const) {
    const j = structuredClone(json);
    j.weightsManifest[0].weights[0].shape = shape;
    await expectFileError(load(j, { 'w.bin': bin }), pattern);
  }
  const j = structuredClone(json);
  j.modelTopology.config.layers[1].config.units = 2 ** 30;
  await expectFileError(load(j, { 'w.bin': bin }), /layer 'd2' \(Dense\) would make weight 'kernel' of shape \[3,1073741824\]/);
  await expectFileError(load(json, { 'w.bin': bin }, { maxWeightBytes: 32 }), /needs more than \d+ bytes|over the limit/);
});

test('loading refuses malformed, deeply nested and mistyped model.json', async () => {
  const { json, bin } = await savedFiles();
  const dir = newDir();
  mkdirSync(dir);
  writeFileSync(join(dir, 'w.bin'), bin);
  writeFileSync(join(dir, 'model.json'), '{"modelTopology": {');
  await expectFileError(io.loadLayersModel(dir), /malformed JSON/);
  writeFileSync(join(dir, 'model.json'), `{"a":${'['.repeat(100000)}${']'.repeat(100000)}}`);
  await expectFileError(io.loadLayersModel(dir), /nested deeper than 200 levels/);
  let deep: unknown = 1;
  for (let i = 0; i < 1000; i++) deep = [deep];
  await expectFileError(load({ ...json, modelTopology: deep }, { 'w.bin': bin }), /nested deeper/);
  await expectFileError(load({ ...json, modelTopology: 5 }, { 'w.bin': bin }), /modelTopology is missing or not an object/);
  await expectFileError(load({ ...json, weightsManifest: {} }, { 'w.bin': bin }), /weightsManifest must be a list/);
  const j = structuredClone(json);
  j.modelTopology.config.layers = 'dense';
  await expectFileError(load(j, { 'w.bin': bin }), /no layers list/);
  const k = structuredClone(json);
  k.modelTopology.class_name = 'Dense';
  await expectFileError(load(k, { 'w.bin': bin }), /expected Sequential, Functional or Model/);
  await expectFileError(load({ ...json, format: 'graph-model' }, { 'w.bin': bin }), /graph model/);
});

// ---- Strata → TensorFlow.js ----

test('models saved by Strata load in TensorFlow.js with the same predictions', async () => {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  st.setSeed(30);
  const a = st.input({ shape: [6], name: 'xa' }), b = st.input({ shape: [3], name: 'xb' });
  const h = st.layers.concatenate().apply([st.layers.dense({ units: 4, activation: 'relu' }).apply(a) as st.SymbolicTensor,
    st.layers.dense({ units: 3, activation: 'tanh' }).apply(b) as st.SymbolicTensor]) as st.SymbolicTensor;
  const cases: [string, st.Model, st.Tensor[]][] = [
    ['cnn', cnn(31), [st.randomNormal([2, 6, 6, 2], { seed: 32 })]],
    ['upsampler', st.sequential({ layers: [
      st.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', inputShape: [4, 4, 2] }),
      st.layers.conv2dTranspose({ filters: 1, kernelSize: 2, strides: 2, activation: 'sigmoid' }),
    ] }), [st.randomNormal([2, 4, 4, 2], { seed: 33 })]],
    ['embedding-lstm', st.sequential({ layers: [
      st.layers.embedding({ inputDim: 12, outputDim: 5, inputShape: [7] }),
      st.layers.lstm({ units: 4 }),
      st.layers.dense({ units: 3, activation: 'softmax' }),
    ] }), [st.tensor(Array.from({ length: 14 }, (_, i) => (i * 5) % 12), [2, 7])]],
    ['gru-timedistributed', st.sequential({ layers: [
      st.layers.gru({ units: 4, returnSequences: true, resetAfter: false, inputShape: [5, 3] }),
      st.layers.timeDistributed({ layer: st.layers.dense({ units: 2 }) }),
    ] }), [st.randomNormal([2, 5, 3], { seed: 34 })]],
    ['two-input', st.model({ inputs: [a, b], outputs: st.layers.dense({ units: 2 }).apply(h) as st.SymbolicTensor }),
      [st.randomNormal([2, 6], { seed: 35 }), st.randomNormal([2, 3], { seed: 36 })]],
  ];
  for (const [name, model, xs] of cases) {
    const dir = newDir();
    await model.save(dir);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const bytes = readFileSync(join(dir, json.weightsManifest[0].paths[0]));
    const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const tfModel = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData }));
    const tfXs = xs.map((x) => tf.tensor(Array.from(x.values), x.shape, x.dtype === 'int32' ? 'int32' : 'float32'));
    const got = tfModel.predict(tfXs.length === 1 ? tfXs[0] : tfXs) as import('@tensorflow/tfjs').Tensor;
    const want = model.predict(xs.length === 1 ? xs[0] : xs) as st.Tensor;
    assert.deepEqual(got.shape, want.shape, name);
    expectClose(Array.from(got.dataSync()), want, 1e-5, 1e-4, `TensorFlow.js prediction of ${name}`);
  }
});

// ---- Keras topologies as the tfjs converter writes them ----

const denseCfg = (name: string, units: number, dtype: unknown) => ({
  name, trainable: true, dtype, units, activation: 'relu', use_bias: true,
  kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } }, bias_initializer: { class_name: 'Zeros', config: {} },
  kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
});

function kerasWeights(names: [string, number[]][]): { specs: io.WeightSpec[]; bin: Uint8Array; values: number[][] } {
  const specs: io.WeightSpec[] = [];
  const values: number[][] = [];
  for (const [name, shape] of names) {
    const n = shape.reduce((a, b) => a * b, 1);
    specs.push({ name, shape, dtype: 'float32' });
    values.push(Array.from({ length: n }, (_, i) => Math.sin(i + name.length)));
  }
  return { specs, bin: new Uint8Array(new Float32Array(values.flat()).buffer), values };
}

test('a Keras 2 functional topology (kwargs, nested model at node 1, :0 suffixes) loads', async () => {
  const topology = {
    class_name: 'Functional', keras_version: '2.13.1', backend: 'tensorflow',
    config: {
      name: 'model', layers: [
        { class_name: 'InputLayer', name: 'input_1', inbound_nodes: [],
          config: { batch_input_shape: [null, 3], dtype: 'float32', sparse: false, ragged: false, name: 'input_1' } },
        { class_name: 'Dense', name: 'dense', config: denseCfg('dense', 4, 'float32'), inbound_nodes: [[['input_1', 0, 0, {}]]] },
        { class_name: 'Sequential', name: 'sub', inbound_nodes: [[['dense', 0, 0, {}]]], config: { name: 'sub', layers: [
          { class_name: 'InputLayer', config: { batch_input_shape: [null, 4], dtype: 'float32', sparse: false, ragged: false, name: 'sub_in' } },
          { class_name: 'Dense', config: denseCfg('inner', 2, 'float32') }] } },
        { class_name: 'Dense', name: 'out', config: denseCfg('out', 1, 'float32'), inbound_nodes: [[['sub', 1, 0, { training: false }]]] },
      ],
      input_layers: [['input_1', 0, 0]], output_layers: [['out', 0, 0]],
    },
  };
  const w = kerasWeights([['dense/kernel:0', [3, 4]], ['dense/bias:0', [4]], ['model/inner/kernel:0', [4, 2]], ['inner/bias', [2]],
    ['out/kernel', [2, 1]], ['out/bias', [1]]]);
  const m = await io.loadLayersModel(io.fromMemory({ format: 'layers-model', convertedBy: 'TensorFlow.js Converter v4.22.0', modelTopology: topology,
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: w.specs }] }, w.bin));
  assert.ok(m instanceof st.Functional);
  m.getWeights().forEach((t, i) => expectClose(t, w.values[i], 1e-7, 0, `weight ${i}`));
  assert.deepEqual((m.predict(st.ones([2, 3])) as st.Tensor).shape, [2, 1]);
});

test('a Keras 3 functional topology (keras tensors in args, dtype policies, batch_shape) loads', async () => {
  const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
  const kt = (layer: string) => ({ class_name: '__keras_tensor__', config: { shape: [null, 4], dtype: 'float32', keras_history: [layer, 0, 0] } });
  const topology = {
    class_name: 'Functional', config: {
      name: 'functional', trainable: true, layers: [
        { module: 'keras.layers', class_name: 'InputLayer', name: 'a', inbound_nodes: [], config: { batch_shape: [null, 4], dtype: 'float32', sparse: false, name: 'a' } },
        { module: 'keras.layers', class_name: 'InputLayer', name: 'b', inbound_nodes: [], config: { batch_shape: [null, 4], dtype: 'float32', sparse: false, name: 'b' } },
        { module: 'keras.layers', class_name: 'Dense', name: 'd', config: denseCfg('d', 4, policy), build_config: { input_shape: [null, 4] },
          inbound_nodes: [{ args: [kt('a')], kwargs: {} }, { args: [kt('b')], kwargs: {} }] },
        { module: 'keras.layers', class_name: 'Add', name: 'add', config: { name: 'add', trainable: true, dtype: policy },
          inbound_nodes: [{ args: [[{ ...kt('d') }, { class_name: '__keras_tensor__', config: { shape: [null, 4], dtype: 'float32', keras_history: ['d', 1, 0] } }]], kwargs: {} }] },
      ],
      input_layers: [['a', 0, 0], ['b', 0, 0]], output_layers: ['add', 0, 0],
    },
  };
  const w = kerasWeights([['d/kernel', [4, 4]], ['d/bias', [4]]]);
  const m = await io.loadLayersModel(io.fromMemory({ modelTopology: topology, weightsManifest: [{ paths: ['w.bin'], weights: w.specs }] }, { 'w.bin': w.bin }));
  const x = st.ones([1, 4]);
  const d = m.getLayer('d').apply(x) as st.Tensor;
  expectClose(m.predict([x, x]) as st.Tensor, st.add(d, d), 1e-6);
});

test('TensorFlow.js loads a Strata model saved with includeOptimizer (and compiles it)', async () => {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const m = cnn(40);
  m.compile({ optimizer: st.optimizers.adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const dir = newDir();
  await m.save(dir, { includeOptimizer: true });
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const bytes = readFileSync(join(dir, 'group1-shard1of1.bin'));
  const tfModel = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights,
    weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), trainingConfig: json.trainingConfig }));
  assert.equal(tfModel.optimizer.getClassName(), 'Adam');
});

test('a functional model nested in a functional model round-trips', async () => {
  st.setSeed(50);
  const ix = st.input({ shape: [3], name: 'ix' });
  const inner = st.model({ inputs: ix, outputs: st.layers.dense({ units: 2, name: 'inner_d' }).apply(ix) as st.SymbolicTensor, name: 'inner_f' });
  const x = st.input({ shape: [3], name: 'x' });
  const y = st.layers.dense({ units: 1, name: 'top' }).apply(inner.apply(x) as st.SymbolicTensor) as st.SymbolicTensor;
  const m = st.model({ inputs: x, outputs: y, name: 'outer_f' });
  const dir = newDir();
  await m.save(dir);
  const loaded = await io.loadLayersModel(dir);
  const xs = st.randomNormal([2, 3], { seed: 51 });
  expectClose(loaded.predict(xs) as st.Tensor, m.predict(xs) as st.Tensor, 0, 0);
  assert.equal(summaryOf(loaded), summaryOf(m));
});
