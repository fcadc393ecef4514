// st.loadOnnxModel: ONNX files written by PyTorch's torch.onnx.export (test/fixtures/onnx-torch/make.py,
// PyTorch 1.13, with PyTorch's outputs in <name>.json) load in Strata with PyTorch's predictions, fine-tune
// with fit, and survive a round trip through Strata's own exportOnnx. ONNX Runtime is a second reference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ort from 'onnxruntime-node';
import * as st from '../src/index.js';

function fixturesDir(): string {
  const fromBuild = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'onnx-torch');
  return existsSync(fromBuild) ? fromBuild : join(process.cwd(), 'test', 'fixtures', 'onnx-torch');
}

interface Arr { shape: number[]; dtype: 'float32' | 'int32'; data: number[] }
interface Fixture { opset: number; inputs: Arr[]; output: Arr; target: Arr }

const file = (name: string): string => join(fixturesDir(), `${name}.onnx`);
const fixture = (name: string): Fixture => JSON.parse(readFileSync(join(fixturesDir(), `${name}.json`), 'utf8')) as Fixture;
const toTensor = (a: Arr): st.Tensor => st.tensor(a.dtype === 'int32' ? Int32Array.from(a.data) : Float32Array.from(a.data), a.shape, a.dtype);
const inputsOf = (f: Fixture): st.Tensor | st.Tensor[] => (f.inputs.length === 1 ? toTensor(f.inputs[0]) : f.inputs.map(toTensor));

function assertClose(got: st.Tensor, want: { shape: readonly number[]; data: ArrayLike<number> }, what: string): void {
  assert.deepEqual(got.shape, [...want.shape], `${what}: shape`);
  const g = got.dataSync();
  for (let i = 0; i < want.data.length; i++) {
    const w = want.data[i];
    if (!(Math.abs(g[i] - w) <= 1e-4 + 1e-3 * Math.abs(w))) assert.fail(`${what}: element ${i}: Strata ${g[i]}, reference ${w}`);
  }
}

const MODELS = ['mlp', 'cnn', 'upsampler', 'lstm', 'gru', 'rnn', 'ops'];

for (const name of MODELS) {
  test(`${name}.onnx from PyTorch predicts as PyTorch (and ONNX Runtime)`, async () => {
    const f = fixture(name);
    const model = await st.loadOnnxModel(file(name));
    const x = inputsOf(f);
    assertClose(model.predict(x) as st.Tensor, f.output, `${name} vs PyTorch`);
    // ONNX Runtime on the same file and inputs agrees too (int64 ids as ONNX wants them).
    const session = await ort.InferenceSession.create(file(name));
    const feeds: Record<string, ort.Tensor> = {};
    session.inputNames.forEach((n, i) => {
      const a = f.inputs[i];
      feeds[n] = a.dtype === 'int32' ? new ort.Tensor('int64', BigInt64Array.from(a.data.map(BigInt)), a.shape) : new ort.Tensor('float32', Float32Array.from(a.data), a.shape);
    });
    const res = (await session.run(feeds))[session.outputNames[0]];
    assertClose(model.predict(x) as st.Tensor, { shape: res.dims, data: res.data as Float32Array }, `${name} vs ONNX Runtime`);
  });
}

test('loadOnnxModel reads a file:// URL, an ArrayBuffer and a Uint8Array alike', async () => {
  assert.equal(st.io.loadOnnxModel, st.loadOnnxModel);
  const f = fixture('mlp');
  const bytes = readFileSync(file('mlp'));
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  for (const source of [pathToFileURL(file('mlp')).href, ab, new Uint8Array(bytes)]) {
    const model = await st.loadOnnxModel(source);
    assertClose(model.predict(inputsOf(f)) as st.Tensor, f.output, `mlp from ${source instanceof ArrayBuffer ? 'ArrayBuffer' : typeof source}`);
  }
});

test('the CNN takes NCHW input and flattens in PyTorch\'s element order; weights are trainable variables', async () => {
  const model = await st.loadOnnxModel(file('cnn'));
  assert.deepEqual(model.inputs[0].shape, [null, 1, 28, 28]);
  const classes = model.layers.map((l) => l.className);
  assert.ok(classes.includes('Conv2D') && classes.includes('MaxPooling2D') && classes.includes('Permute'), classes.join());
  assert.equal(model.trainableWeights.length, 8); // 2 conv + 2 dense, kernel and bias each
});

const LOSSES: Record<string, string> = { mlp: 'sparseCategoricalCrossentropy', cnn: 'sparseCategoricalCrossentropy', upsampler: 'meanSquaredError', lstm: 'meanSquaredError', gru: 'meanSquaredError', rnn: 'meanSquaredError', ops: 'sparseCategoricalCrossentropy' };

for (const name of MODELS) {
  test(`${name}.onnx fine-tunes with fit: the loss goes down`, async () => {
    const f = fixture(name);
    const model = await st.loadOnnxModel(file(name));
    const fromLogits = name === 'mlp' || name === 'cnn';
    model.compile({ optimizer: st.optimizers.adam({ learningRate: 0.01 }), loss: fromLogits ? (yt: st.Tensor, yp: st.Tensor) => st.losses.sparseCategoricalCrossentropy(yt, yp, { fromLogits: true }) : LOSSES[name] });
    const y = toTensor(f.target);
    const before = (model.evaluate(inputsOf(f), y) as st.Tensor).dataSync()[0];
    await model.fit(inputsOf(f), y, { epochs: 5, batchSize: 8, verbose: 0, shuffle: false });
    const after = (model.evaluate(inputsOf(f), y) as st.Tensor).dataSync()[0];
    assert.ok(after < before * 0.98, `${name}: loss ${before} → ${after}`);
  });
}

for (const name of MODELS) {
  test(`${name}: Strata's exportOnnx → loadOnnxModel (and ONNX Runtime) gives the same predictions`, async () => {
    const f = fixture(name);
    const model = await st.loadOnnxModel(file(name));
    const want = model.predict(inputsOf(f)) as st.Tensor;
    const bytes = st.io.exportOnnx(model);
    const again = await st.loadOnnxModel(bytes);
    assertClose(again.predict(inputsOf(f)) as st.Tensor, { shape: want.shape, data: want.dataSync() }, `${name} round trip`);
    // PyTorch → Strata → ONNX Runtime: the re-exported file runs there with the same predictions.
    const session = await ort.InferenceSession.create(bytes);
    const feeds: Record<string, ort.Tensor> = {};
    session.inputNames.forEach((n, i) => {
      const a = f.inputs[i];
      feeds[n] = a.dtype === 'int32' ? new ort.Tensor('int32', Int32Array.from(a.data), a.shape) : new ort.Tensor('float32', Float32Array.from(a.data), a.shape);
    });
    const res = (await session.run(feeds))[session.outputNames[0]];
    assertClose(want, { shape: res.dims, data: res.data as Float32Array }, `${name} re-exported, in ONNX Runtime`);
  });
}

test('an imported model saves in the TensorFlow.js layers format and loads back with the same predictions', async () => {
  const f = fixture('ops');
  const model = await st.loadOnnxModel(file('ops'));
  const dir = mkdtempSync(join(tmpdir(), 'strata-onnx-in-'));
  try {
    await model.save(dir);
    const again = await st.loadLayersModel(join(dir, 'model.json'));
    const want = model.predict(inputsOf(f)) as st.Tensor;
    assertClose(again.predict(inputsOf(f)) as st.Tensor, { shape: want.shape, data: want.dataSync() }, 'ops saved and loaded');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
