// Keras and ONNX files in Strata's browser build, in real Chromium (playwright-core): st.loadKerasModel
// from http(s) URLs, bytes and <input type=file> File objects (.keras alone, .h5 alone, model.json +
// weights .h5), with HDF5 in a Web Worker under parseTimeoutMs; st.loadOnnxModel of PyTorch's exports
// (test/fixtures/onnx-torch) from a URL, bytes and a File; model.save('downloads://m.onnx' / 'm.keras').
// The Keras files are written in Node first (Strata's own .keras save; Keras 2 layouts through
// keras-helpers.ts); the page's predictions must match Node's, the ONNX ones PyTorch's, and hostile
// files must be refused with the same ModelFileError as in Node. Skipped with one line where Chromium is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { zipSync } from 'fflate';
import * as st from '../src/index.js';
import { ROOT, chromiumHooks, chromiumMissing, openStrataPage } from './browser-server.js';
import { keras2H5 } from './keras-helpers.js';

const missing = chromiumMissing() ?? (process.env.STRATA_DISABLE_NATIVE === '1' ? 'the page runs the wasm backend either way; they run in the default pass' : null)
  ?? (existsSync(join(ROOT, 'dist', 'h5-worker.browser.js')) ? null : 'dist/h5-worker.browser.js is not built (npm run build)');
if (missing) console.log(`# browser interchange tests skipped: ${missing}`);
const skip = missing !== null;

/* eslint-disable @typescript-eslint/no-explicit-any */
type Page = import('playwright-core').Page;
const scratch = mkdtempSync(join(tmpdir(), 'strata-interchange-'));

const chrome = chromiumHooks(skip, () => rmSync(scratch, { recursive: true, force: true }));

/** Within 1e-4 + 1e-3·|ref| of `want`, element by element. */
function assertClose(got: number[], want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= 1e-4 + 1e-3 * Math.abs(want[i]))) assert.fail(`${what}: element ${i}: page ${got[i]}, reference ${want[i]}`);
  }
}

const predictOf = (m: st.Model, x: st.Tensor): number[] => Array.from((m.predict(x) as st.Tensor).dataSync());
const refusalOf = (p: Promise<unknown>): Promise<string> => p.then(() => 'loaded', (e: Error) => `${e.name}: ${e.message}`);

/** The Keras files (written in Node), their inputs and Node's predictions of the loaded files. */
async function kerasFiles(): Promise<{ files: Record<string, string>; xCnn: number[][][][]; xLstm: number[][][]; cnn: number[]; lstm: number[] }> {
  st.setSeed(7);
  const cnn = st.sequential({ layers: [
    st.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [6, 6, 2], name: 'conv' }),
    st.layers.batchNormalization({ name: 'bn' }),
    st.layers.maxPooling2d({ poolSize: 2 }),
    st.layers.flatten(),
    st.layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
  ] });
  const lstm = st.sequential({ layers: [
    st.layers.lstm({ units: 4, inputShape: [5, 3], name: 'lstm' }),
    st.layers.dense({ units: 2, name: 'head' }),
  ] });
  const files: Record<string, string> = {
    cnn: join(scratch, 'cnn.keras'), lstm: join(scratch, 'lstm.h5'), json: join(scratch, 'lstm.json'), weights: join(scratch, 'lstm.weights.h5'),
  };
  await cnn.save(files.cnn);
  writeFileSync(files.lstm, await keras2H5(lstm));
  writeFileSync(files.json, JSON.stringify({ ...st.io.modelArtifacts(lstm).modelTopology, keras_version: '2.2.4', backend: 'tensorflow' }));
  writeFileSync(files.weights, await keras2H5(lstm, { weightsOnly: true }));
  const xCnn = (st.randomNormal([2, 6, 6, 2], { seed: 3 }).arraySync()) as number[][][][];
  const xLstm = (st.randomNormal([3, 5, 3], { seed: 4 }).arraySync()) as number[][][];
  const fromCnn = await st.loadKerasModel(files.cnn), fromLstm = await st.loadKerasModel(files.lstm);
  const ref = { cnn: predictOf(fromCnn, st.tensor(xCnn)), lstm: predictOf(fromLstm, st.tensor(xLstm)) };
  assertClose(ref.cnn, predictOf(cnn, st.tensor(xCnn)), 'Node: the .keras file predicts as the model saved');
  assertClose(ref.lstm, predictOf(lstm, st.tensor(xLstm)), 'Node: the .h5 file predicts as the model written');
  for (const f of Object.values(files)) chrome.server.put(`/k/${basename(f)}`, readFileSync(f));
  return { files, xCnn, xLstm, ...ref };
}

test('loadKerasModel in Chromium: .keras and Keras 2 .h5 from URLs, bytes and <input type=file> Files (one file, or model.json + weights), predicting as Node', { skip }, async () => {
  const k = await kerasFiles();
  const page: Page = await openStrataPage(chrome.browser, chrome.server.url);
  const r = await page.evaluate(async ({ xCnn, xLstm }) => {
    const st = (window as any).st;
    await st.ready();
    const pred = async (m: any, x: unknown) => Array.from(await m.predict(st.tensor(x)).data()) as number[];
    const bytes = async (p: string) => (await fetch(p)).arrayBuffer();
    return {
      backend: st.getBackend(),
      cnnUrl: await pred(await st.loadKerasModel(`${location.origin}/k/cnn.keras`), xCnn),
      cnnBytes: await pred(await st.loadKerasModel(new Uint8Array(await bytes('/k/cnn.keras'))), xCnn),
      lstmRelative: await pred(await st.loadKerasModel('/k/lstm.h5'), xLstm),
      lstmBuffer: await pred(await st.loadKerasModel(await bytes('/k/lstm.h5')), xLstm),
      lstmJson: await pred(await st.loadKerasModel('k/lstm.json', { weights: new URL('/k/lstm.weights.h5', location.href) }), xLstm),
    };
  }, { xCnn: k.xCnn, xLstm: k.xLstm });
  assert.equal(r.backend, 'wasm');
  for (const key of ['cnnUrl', 'cnnBytes'] as const) assertClose(r[key], k.cnn, `.keras (${key})`);
  for (const key of ['lstmRelative', 'lstmBuffer', 'lstmJson'] as const) assertClose(r[key], k.lstm, `Keras 2 (${key})`);
  // The files a user picks in an <input type="file" multiple>.
  const picks: [string, string[], 'xCnn' | 'xLstm'][] = [['keras', [k.files.cnn], 'xCnn'], ['h5', [k.files.lstm], 'xLstm'], ['json+h5', [k.files.weights, k.files.json], 'xLstm']];
  for (const [what, paths, x] of picks) {
    await page.setInputFiles('#files', paths);
    const got = await page.evaluate(async (x) => {
      const st = (window as any).st;
      const files = (document.getElementById('files') as HTMLInputElement).files!;
      return Array.from(await (await st.loadKerasModel(files)).predict(st.tensor(x)).data()) as number[];
    }, k[x]);
    assertClose(got, x === 'xCnn' ? k.cnn : k.lstm, `File objects (${what})`);
  }
  await page.context().close();
  // HDF5 ran in the Web Worker, which loaded h5wasm from its own file; the main bundle holds neither.
  assert.ok(chrome.server.requests.includes('/dist/h5-worker.browser.js'), 'the page started the HDF5 worker');
  assert.ok(chrome.server.requests.includes('/dist/h5wasm.browser.js'), 'h5wasm was loaded from its own file');
  const main = readFileSync(join(ROOT, 'dist', 'strata.browser.js'), 'utf8');
  assert.ok(!main.includes('H5F_ACC_RDONLY') && readFileSync(join(ROOT, 'dist', 'h5wasm.browser.js'), 'utf8').includes('H5F_ACC_RDONLY'), 'h5wasm is outside the main bundle');
});

interface Arr { shape: number[]; dtype: 'float32' | 'int32'; data: number[] }
const ONNX_DIR = join(ROOT, 'test', 'fixtures', 'onnx-torch');
const onnxFixture = (name: string): { inputs: Arr[]; output: Arr } => JSON.parse(readFileSync(join(ONNX_DIR, `${name}.json`), 'utf8'));

test('loadOnnxModel in Chromium: PyTorch exports from a URL, bytes and a File predict as PyTorch; the page saves downloads:// .onnx and .keras files Node reads back', { skip }, async () => {
  const page = await openStrataPage(chrome.browser, chrome.server.url);
  for (const name of ['mlp', 'cnn', 'lstm']) {
    chrome.server.put(`/onnx/${name}.onnx`, readFileSync(join(ONNX_DIR, `${name}.onnx`)));
    const f = onnxFixture(name);
    await page.setInputFiles('#files', [join(ONNX_DIR, `${name}.onnx`)]);
    const r = await page.evaluate(async ({ name, inputs }) => {
      const st = (window as any).st;
      const x = inputs.map((a: Arr) => st.tensor(a.dtype === 'int32' ? Int32Array.from(a.data) : Float32Array.from(a.data), a.shape, a.dtype));
      const pred = async (m: any) => Array.from(await m.predict(x.length === 1 ? x[0] : x).data()) as number[];
      const file = (document.getElementById('files') as HTMLInputElement).files![0];
      return {
        url: await pred(await st.loadOnnxModel(`/onnx/${name}.onnx`)),
        bytes: await pred(await st.loadOnnxModel(await (await fetch(`/onnx/${name}.onnx`)).arrayBuffer())),
        file: await pred(await st.loadOnnxModel(file)),
      };
    }, { name, inputs: f.inputs });
    for (const [how, got] of Object.entries(r)) assertClose(got, f.output.data, `${name}.onnx (${how}) vs PyTorch`);
  }
  // downloads:// with a file extension: one file of that format, as a path does in Node.
  const k = await kerasFiles();
  const downloads: import('playwright-core').Download[] = [];
  page.on('download', (d) => downloads.push(d));
  const saved = await page.evaluate(async () => {
    const st = (window as any).st;
    const m = await st.loadKerasModel('/k/cnn.keras');
    return [(await m.save('downloads://from-page.onnx')).location, (await m.save('downloads://from-page.keras')).location];
  });
  assert.deepEqual(saved, ['downloads://from-page.onnx', 'downloads://from-page.keras']);
  for (let i = 0; i < 50 && downloads.length < 2; i++) await new Promise((res) => setTimeout(res, 100));
  assert.deepEqual(downloads.map((d) => d.suggestedFilename()).sort(), ['from-page.keras', 'from-page.onnx']);
  for (const d of downloads) {
    const bytes = new Uint8Array(readFileSync((await d.path())!));
    const m = d.suggestedFilename().endsWith('.onnx') ? await st.loadOnnxModel(bytes) : await st.loadKerasModel(bytes);
    assertClose(predictOf(m, st.tensor(k.xCnn)), k.cnn, `Node reads the page's ${d.suggestedFilename()}`);
  }
  await page.context().close();
});

test('hostile Keras and ONNX files are refused in the page with the ModelFileError Node gives; parseTimeoutMs stops the HDF5 worker; without a worker script HDF5 runs in the page', { skip }, async () => {
  const k = await kerasFiles();
  const enc = new TextEncoder();
  const h5 = readFileSync(k.files.lstm), onnx = readFileSync(join(ONNX_DIR, 'mlp.onnx'));
  const hostile: Record<string, Uint8Array> = {
    'zip-slip.keras': zipSync({ '../evil.json': enc.encode('{}'), 'config.json': enc.encode('{}'), 'model.weights.h5': new Uint8Array(h5) }),
    'cut.h5': new Uint8Array(h5.subarray(0, h5.length >> 1)),
    'cut.onnx': new Uint8Array(onnx.subarray(0, onnx.length >> 1)),
  };
  const node: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(hostile)) {
    chrome.server.put(`/bad/${name}`, bytes);
    node[name] = await refusalOf(name.endsWith('.onnx') ? st.loadOnnxModel(bytes) : st.loadKerasModel(bytes));
  }
  const page = await openStrataPage(chrome.browser, chrome.server.url);
  const warnings: string[] = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  const r = await page.evaluate(async (names) => {
    const st = (window as any).st;
    const refusal = (p: Promise<unknown>) => p.then(() => 'loaded', (e: Error) => `${e.name}: ${e.message}`);
    const out: Record<string, string> = {};
    // Starting the worker and h5wasm alone takes longer than 1 ms: the time limit ends the job.
    out.timeout = await refusal(st.loadKerasModel('/k/lstm.h5', { parseTimeoutMs: 1 }));
    out.afterTimeout = await refusal(st.loadKerasModel('/k/lstm.h5'));
    for (const n of names) {
      const bytes = new Uint8Array(await (await fetch(`/bad/${n}`)).arrayBuffer());
      out[n] = await refusal(n.endsWith('.onnx') ? st.loadOnnxModel(bytes) : st.loadKerasModel(bytes));
    }
    out.missing = await refusal(st.loadKerasModel('/k/nothing.keras'));
    out.filePath = await refusal(st.loadOnnxModel('file:///etc/model.onnx'));
    // No worker script where it is pointed: the read runs in the page, with one console warning.
    st.io.setHdf5WorkerUrl('/nowhere/');
    out.inline = await refusal(st.loadKerasModel('/k/lstm.h5'));
    return out;
  }, Object.keys(hostile));
  await page.context().close();
  for (const name of Object.keys(hostile)) {
    assert.match(r[name], /^ModelFileError: /, `${name} in the page`);
    assert.equal(r[name], node[name], `${name}: the page refuses it as Node does`);
  }
  assert.match(r['zip-slip.keras'], /member name "\.\.\/evil\.json" is not a relative path inside the archive/);
  assert.match(r.timeout, /^ModelFileError: lstm\.h5: HDF5 did not finish reading the file within 1 ms; it is corrupt or hostile \(option parseTimeoutMs\)/);
  assert.equal(r.afterTimeout, 'loaded', 'a fresh worker takes the next load');
  assert.match(r.missing, /^ModelFileError: nothing\.keras: fetching \/k\/nothing\.keras answered 404 Not Found/);
  assert.match(r.filePath, /^ModelFileError: loadOnnxModel: 'file:\/\/\/etc\/model\.onnx' is a file path, which only Node reads/);
  assert.equal(r.inline, 'loaded');
  assert.equal(warnings.filter((w) => w.includes('the HDF5 worker did not start')).length, 1, `one warning, got ${JSON.stringify(warnings)}`);
});
