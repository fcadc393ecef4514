// Strata's browser build in real Chromium (Debian's /usr/bin/chromium driven by playwright-core):
// the bundle imported from a plain <script type="module"> trains the W3 CNN on real MNIST, saves to
// IndexedDB and reloads it exactly, with and without cross-origin isolation; the browser storages
// (localStorage, downloads, <input type=file>, http) and TensorFlow.js's own readers of them; pixels
// in and out of canvases; and apps bundled by esbuild and by Vite from `import 'strata'` with no polyfills.
// Skipped with one line where Chromium or playwright-core is missing. The page runs the wasm backend (js where asked)
// whatever the Node pass, so the js pass of `npm test` (STRATA_DISABLE_NATIVE=1) skips it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as st from '../src/index.js';
import { ROOT, chromiumHooks, chromiumMissing, openStrataPage } from './browser-server.js';

const missing = chromiumMissing() ?? (process.env.STRATA_DISABLE_NATIVE === '1' ? 'the page runs the js backend either way; they run in the default pass' : null)
  ?? (existsSync(join(ROOT, 'dist', 'strata.browser.js')) ? null : 'dist/strata.browser.js is not built (npm run build)');
if (missing) console.log(`# browser tests skipped: ${missing}`);
const skip = missing !== null;

/* eslint-disable @typescript-eslint/no-explicit-any */
type Page = import('playwright-core').Page;
const scratch = mkdtempSync(join(tmpdir(), 'strata-browser-'));

const chrome = chromiumHooks(skip, () => rmSync(scratch, { recursive: true, force: true }));

/** A fresh page (own context: own IndexedDB and localStorage) on `path`, with Strata loaded as window.st. */
const openPage = (path = '/'): Promise<Page> => openStrataPage(chrome.browser, chrome.server.url + path);

// W3 in the page: 320 MNIST training samples, 2 epochs, batch 16, Adam, seed 1; accuracy on the
// first 100 test samples. Measured in Chromium 156 on the js backend: 0.73 (0.67 on 200 samples;
// 0.535 with batch 32). The floor leaves margin for other backends' rounding, far above chance (0.1).
const W3_FLOOR = 0.5;

type WasmThreadUse = { build: string; relaxedSimd: boolean; relaxedSimdSupported: boolean; threads: number; workersStarted: number; workersRunning: number; workerTasks: number };

// A module whose one function runs f32x4.relaxed_madd (the final opcode, 0xfd 0x105): the page
// validates it itself, so the test does not take the library's word for which build should load.
const RELAXED_PROBE = [0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0, 10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2, 253, 133, 2, 11];

async function trainW3InPage(page: Page, name: string, backend: 'wasm' | 'js'): Promise<{ timings: string; acc: number; same: boolean; isolated: boolean; backend: string; defaultBackend: string; trainMs: number; n: number; preds: number[]; threads: WasmThreadUse; cores: number; relaxedHere: boolean }> {
  return page.evaluate(async ([name, backend, probe]) => {
    const st = (window as any).st;
    await st.ready();
    const defaultBackend = st.getBackend();
    st.setBackend(backend);
    const rows = async (split: string, start: number, n: number) => {
      const b = new Uint8Array(await (await fetch(`/mnist?split=${split}&start=${start}&n=${n}`)).arrayBuffer());
      const x = new Float32Array(n * 784), y = new Float32Array(n * 10);
      for (let i = 0; i < n * 784; i++) x[i] = b[i] / 255;
      for (let i = 0; i < n; i++) y[i * 10 + b[n * 784 + i]] = 1;
      return [st.tensor(x, [n, 28, 28, 1]), st.tensor(y, [n, 10])];
    };
    const [x, y] = await rows('train', 0, 320);
    const [xt, yt] = await rows('test', 0, 100);
    st.setSeed(1);
    const model = st.sequential({ layers: [
      st.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
      st.layers.maxPooling2d({ poolSize: 2 }),
      st.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      st.layers.maxPooling2d({ poolSize: 2 }),
      st.layers.flatten(),
      st.layers.dense({ units: 128, activation: 'relu' }),
      st.layers.dropout({ rate: 0.5 }),
      st.layers.dense({ units: 10, activation: 'softmax' }),
    ] });
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const t0 = performance.now();
    await model.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0 });
    const trainMs = performance.now() - t0;
    const t1 = performance.now();
    const [, acc] = model.evaluate(xt, yt);
    const t2 = performance.now();
    await model.save(`indexeddb://${name}`);
    const loaded = await st.loadLayersModel(`indexeddb://${name}`);
    const t3 = performance.now();
    const a = await model.predict(xt).data(), b = await loaded.predict(xt).data();
    (window as any).timings = `evaluate ${(t2 - t1).toFixed(0)} ms, save+load ${(t3 - t2).toFixed(0)} ms, 2 predicts ${(performance.now() - t3).toFixed(0)} ms`;
    const same = a.length === b.length && a.every((v: number, i: number) => Object.is(v, b[i]));
    return { timings: (window as any).timings as string, acc: (await acc.array()) as number, same, isolated: crossOriginIsolated, backend: st.getBackend(), defaultBackend, trainMs, n: a.length,
      preds: Array.from(a as Float32Array), threads: st.testing.wasmThreads(), cores: navigator.hardwareConcurrency,
      relaxedHere: WebAssembly.validate(new Uint8Array(probe)) };
  }, [name, backend, RELAXED_PROBE] as const);
}

/** The isolated page's wasm predictions, for the plain page's run to compare with. */
let threadedPreds: number[] | undefined;

for (const isolated of [true, false]) {
  test(`W3 CNN trains on MNIST in Chromium ${isolated ? 'with COOP/COEP on the threaded wasm backend (workers)' : 'without COOP/COEP on the single-threaded wasm backend'} (the default once loaded)${isolated ? '' : ' and on js'}, then saves to IndexedDB and reloads with the same predictions`, { skip }, async (t) => {
    const page = await openPage(isolated ? '/coi/' : '/');
    const runs = isolated ? [await trainW3InPage(page, 'w3-isolated', 'wasm')] : [await trainW3InPage(page, 'w3', 'wasm'), await trainW3InPage(page, 'w3-js', 'js')];
    await page.context().close();
    const wasmRun = runs[0];
    t.diagnostic(`wasm threads: ${JSON.stringify(wasmRun.threads)} (${wasmRun.cores} cores)`);
    // The relaxed-SIMD build (wasm/strata-relaxed*.wasm) where this Chromium runs relaxed SIMD (114 and
    // later), as the loaded module reports itself; the SIMD128 one elsewhere.
    if (!wasmRun.relaxedHere) t.diagnostic('this Chromium runs no relaxed SIMD: the relaxed build is not checked here');
    assert.equal(wasmRun.threads.relaxedSimd, wasmRun.relaxedHere, 'the relaxed-SIMD build loaded exactly where the page runs relaxed SIMD');
    if (isolated) {
      // Cross-origin isolated: wasm/strata[-relaxed]-threads.wasm, one thread per core, workers ran pool tasks.
      assert.equal(wasmRun.threads.build, 'threaded');
      assert.equal(wasmRun.threads.threads, wasmRun.cores);
      if (wasmRun.cores > 1) {
        assert.equal(wasmRun.threads.workersRunning, wasmRun.cores - 1, 'workers inside the pool');
        assert.ok(wasmRun.threads.workerTasks > 0, 'the workers ran pool tasks of the training');
      } else t.diagnostic('one core: no worker to check');
      threadedPreds = wasmRun.preds;
    } else {
      assert.deepEqual(wasmRun.threads, { build: 'single', relaxedSimd: wasmRun.relaxedHere, relaxedSimdSupported: wasmRun.relaxedHere, threads: 1, workersStarted: 0, workersRunning: 0, workerTasks: 0 });
      // The same training on one thread: the same predictions up to the summation order of split reductions.
      if (threadedPreds) {
        let worst = 0;
        wasmRun.preds.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - threadedPreds![i])); });
        t.diagnostic(`largest difference from the threaded page's predictions: ${worst.toExponential(2)}`);
        assert.ok(worst < 1e-3, `predictions differ from the threaded page's by up to ${worst}`);
      }
    }
    for (const r of runs) {
      t.diagnostic(`${r.backend}: test accuracy ${r.acc.toFixed(3)}, training ${(r.trainMs / 1000).toFixed(1)} s (${Math.round(640 / (r.trainMs / 1000))} samples/s); ${r.timings}`);
      assert.equal(r.isolated, isolated, 'crossOriginIsolated in the page');
      assert.equal(r.defaultBackend, 'wasm', 'after st.ready() the wasm backend is the default');
      assert.ok(r.acc >= W3_FLOOR, `${r.backend}: test accuracy ${r.acc} after 2 epochs on 320 samples, expected at least ${W3_FLOOR}`);
      assert.equal(r.n, 1000);
      assert.ok(r.same, 'the model reloaded from IndexedDB predicts exactly the values of the trained one');
    }
    assert.deepEqual(runs.map((r) => r.backend), isolated ? ['wasm'] : ['wasm', 'js']);
  });
}

/** A small model and its predictions on x, in Node (js backend, as in the page). */
function smallModel(seed: number): { model: st.Sequential; x: number[][]; y: number[] } {
  st.setBackend('js');
  st.setSeed(seed);
  const model = st.sequential({ layers: [
    st.layers.dense({ units: 5, inputShape: [4], activation: 'relu', name: 'hidden' }),
    st.layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
  ] });
  const x = [[0.1, -0.2, 0.3, 0.5], [1, 2, -1, 0.5]];
  return { model, x, y: Array.from((model.predict(st.tensor(x)) as st.Tensor).dataSync()) };
}

function assertClose(got: number[], want: number[], tol = 1e-6): void {
  assert.equal(got.length, want.length);
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) <= tol, `value ${i}: ${g} vs ${want[i]}`));
}

test('st.setWasmPaths(folder) loads the relaxed-SIMD build where the page runs it, and the SIMD128 one from a folder without it', { skip }, async () => {
  const put = (dir: string, names: string[]): void => names.forEach((n) => chrome.server.put(`/${dir}/${n}`, readFileSync(join(ROOT, 'wasm', n))));
  put('wasm-all', ['strata.wasm', 'strata-threads.wasm', 'strata-relaxed.wasm', 'strata-relaxed-threads.wasm']);
  put('wasm-simd128', ['strata.wasm', 'strata-threads.wasm']); // as a folder set up before the relaxed builds
  const page = await openPage();
  const warnings: string[] = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  const result = await page.evaluate(async (probe) => {
    const st = (window as any).st;
    const use = async (dir: string) => {
      await st.setWasmPaths(`/${dir}/`);
      st.setBackend('wasm');
      const sum = Array.from(await st.matmul(st.ones([64, 64]), st.ones([64, 64])).data() as Float32Array).every((v) => v === 64);
      return { relaxed: st.testing.wasmThreads().relaxedSimd, sum };
    };
    return { relaxedHere: WebAssembly.validate(new Uint8Array(probe)), all: await use('wasm-all'), simd128: await use('wasm-simd128') };
  }, RELAXED_PROBE);
  await page.context().close();
  assert.deepEqual(result.all, { relaxed: result.relaxedHere, sum: true });
  assert.deepEqual(result.simd128, { relaxed: false, sum: true });
  assert.deepEqual(warnings, [], 'the missing relaxed file is no warning: the SIMD128 one loaded');
  assert.ok(chrome.server.requests.includes(`/wasm-simd128/${result.relaxedHere ? 'strata-relaxed.wasm' : 'strata.wasm'}`), 'asked for the build the page runs best first');
});

test('http(s) load, <input type=file> (st.io.browserFiles) and downloads:// in Chromium, checked against Node', { skip }, async () => {
  const { model, x, y } = smallModel(3);
  const dir = join(scratch, 'served');
  await model.save(dir);
  for (const f of ['model.json', 'group1-shard1of1.bin']) chrome.server.put(`/model/${f}`, readFileSync(join(dir, f)));
  const page = await openPage();
  // http: the page fetches model.json and its shard from the server.
  chrome.server.put('/table.csv', 'a,b\n1,"x, y"\n3,z\n');
  const viaHttp = await page.evaluate(async (x) => {
    const st = (window as any).st;
    const m = await st.loadLayersModel(`${location.origin}/model/model.json`);
    // Beside models: st.data.csv takes a URL relative to the page, and ONNX export needs no file system.
    const rows = await st.data.csv('/table.csv').toArray();
    const onnx: Uint8Array = st.io.exportOnnx(m);
    return { values: Array.from(await m.predict(st.tensor(x)).data()) as number[], rows, onnx: Array.from(onnx) };
  }, x);
  assertClose(viaHttp.values, y);
  assert.deepEqual(viaHttp.rows, [{ a: 1, b: 'x, y' }, { a: 3, b: 'z' }]);
  assert.deepEqual(viaHttp.onnx, Array.from(st.io.exportOnnx(model)), 'the page exports the same ONNX bytes as Node');
  // <input type=file multiple>: the same two files, set by playwright as a user would pick them.
  await page.setInputFiles('#files', [join(dir, 'model.json'), join(dir, 'group1-shard1of1.bin')]);
  const viaFiles = await page.evaluate(async (x) => {
    const st = (window as any).st;
    const files = (document.getElementById('files') as HTMLInputElement).files!;
    const m = await st.loadLayersModel(st.io.browserFiles(files));
    const missing = await st.loadLayersModel(st.io.browserFiles([files[0]])).then(() => 'loaded', (e: Error) => `${e.name}: ${e.message}`);
    return { values: Array.from(await m.predict(st.tensor(x)).data()) as number[], missing };
  }, x);
  assertClose(viaFiles.values, y);
  assert.match(viaFiles.missing, /ModelFileError: model\.json: weight file 'group1-shard1of1\.bin' .*was not among the files given/);
  // downloads://: the page saves, playwright catches both downloads, Node loads them.
  const downloads: import('playwright-core').Download[] = [];
  page.on('download', (d) => downloads.push(d));
  const saved = await page.evaluate(async () => {
    const st = (window as any).st;
    const m = await st.loadLayersModel(`${location.origin}/model/model.json`);
    return (await m.save('downloads://picked')).location as string;
  });
  assert.equal(saved, 'downloads://picked');
  for (let i = 0; i < 50 && downloads.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(downloads.map((d) => d.suggestedFilename()).sort(), ['picked.json', 'picked.weights.bin']);
  const got = join(scratch, 'downloaded');
  mkdirSync(got);
  for (const d of downloads) copyFileSync((await d.path())!, join(got, d.suggestedFilename()));
  const fromDownload = await st.loadLayersModel(join(got, 'picked.json'));
  assertClose(Array.from((fromDownload.predict(st.tensor(x)) as st.Tensor).dataSync()), y, 0);
  await page.context().close();
});

test('indexeddb:// and localstorage:// use TensorFlow.js\'s layout: each library loads what the other saved; tampered records are refused', { skip }, async () => {
  const page = await openPage();
  await page.addScriptTag({ url: '/node_modules/@tensorflow/tfjs/dist/tf.es2017.min.js' });
  const r = await page.evaluate(async () => {
    const st = (window as any).st, tf = (window as any).tf;
    await tf.setBackend('cpu');
    const x = [[0.1, -0.2, 0.3, 0.5], [1, 2, -1, 0.5]];
    st.setSeed(5);
    const sm = st.sequential({ layers: [st.layers.dense({ units: 5, inputShape: [4], activation: 'relu' }), st.layers.dense({ units: 3, activation: 'softmax' })] });
    const tm = tf.sequential({ layers: [tf.layers.dense({ units: 5, inputShape: [4], activation: 'relu' }), tf.layers.dense({ units: 3, activation: 'softmax' })] });
    const sPred = Array.from(await sm.predict(st.tensor(x)).data()) as number[];
    const tPred = Array.from(await tm.predict(tf.tensor(x)).data()) as number[];
    const out: Record<string, unknown> = { sPred, tPred };
    for (const scheme of ['indexeddb', 'localstorage']) {
      await sm.save(`${scheme}://from-strata`);
      await tm.save(`${scheme}://from-tfjs`);
      out[`${scheme}: tfjs reads strata`] = Array.from(await (await tf.loadLayersModel(`${scheme}://from-strata`)).predict(tf.tensor(x)).data());
      out[`${scheme}: strata reads tfjs`] = Array.from(await (await st.loadLayersModel(`${scheme}://from-tfjs`)).predict(st.tensor(x)).data());
      out[`${scheme}: strata reads strata`] = Array.from(await (await st.loadLayersModel(`${scheme}://from-strata`)).predict(st.tensor(x)).data());
    }
    const refusal = (p: Promise<unknown>) => p.then(() => 'loaded', (e: Error) => `${e.name}: ${e.message}`);
    out.lsKeys = Object.keys(localStorage).filter((k) => k.startsWith('tensorflowjs_models/from-strata/')).sort();
    // localStorage: a weight spec that claims far more bytes than stored.
    localStorage.setItem('tensorflowjs_models/from-strata/weight_specs', JSON.stringify([{ name: 'dense_Dense1/kernel', shape: [100000, 100000], dtype: 'float32' }]));
    out.lsHuge = await refusal(st.loadLayersModel('localstorage://from-strata'));
    // IndexedDB: the stored weight data cut short.
    const db: IDBDatabase = await new Promise((res, rej) => { const q = indexedDB.open('tensorflowjs', 1); q.onsuccess = () => res(q.result); q.onerror = () => rej(q.error); });
    const rec: any = await new Promise((res) => { const q = db.transaction('models_store').objectStore('models_store').get('from-strata'); q.onsuccess = () => res(q.result); });
    rec.modelPath = 'cut';
    rec.modelArtifacts.weightData = rec.modelArtifacts.weightData.slice(0, 20);
    await new Promise((res) => { const tx = db.transaction('models_store', 'readwrite'); tx.objectStore('models_store').put(rec); tx.oncomplete = res; });
    db.close();
    out.idbCut = await refusal(st.loadLayersModel('indexeddb://cut'));
    out.idbMissing = await refusal(st.loadLayersModel('indexeddb://nothing-here'));
    out.filePath = await refusal(st.loadLayersModel('./my-model'));
    return out;
  });
  await page.context().close();
  const sPred = r.sPred as number[], tPred = r.tPred as number[];
  for (const scheme of ['indexeddb', 'localstorage']) {
    assertClose(r[`${scheme}: tfjs reads strata`] as number[], sPred, 1e-6);
    assertClose(r[`${scheme}: strata reads tfjs`] as number[], tPred, 1e-6);
    assertClose(r[`${scheme}: strata reads strata`] as number[], sPred, 0);
  }
  assert.deepEqual(r.lsKeys, ['info', 'model_metadata', 'model_topology', 'weight_data', 'weight_specs'].map((k) => `tensorflowjs_models/from-strata/${k}`));
  assert.match(r.lsHuge as string, /^ModelFileError: localstorage:\/\/from-strata.*(bytes|maxWeightBytes)/);
  assert.match(r.idbCut as string, /^ModelFileError: indexeddb:\/\/cut: the shards of weight group 0 .* hold 20 bytes, but the manifest describes \d+/);
  assert.match(r.idbMissing as string, /^ModelFileError: loadLayersModel: no model named 'nothing-here' in IndexedDB/);
  assert.match(r.filePath as string, /^ModelFileError: loadLayersModel: no load handler for '\.\/my-model' — paths on disk are Node-only/);
});

test('st.browser.fromPixels and toPixels on canvases, images, ImageData and ImageBitmaps give the known pixel values', { skip }, async () => {
  const page = await openPage();
  const r = await page.evaluate(async () => {
    const st = (window as any).st;
    // 3 × 2 opaque pixels (opaque: a canvas stores premultiplied alpha, so translucent values round-trip inexactly).
    const rgba = new Uint8ClampedArray([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 10, 20, 30, 255, 40, 50, 60, 255, 70, 80, 90, 255]);
    const canvas = document.createElement('canvas');
    canvas.width = 3;
    canvas.height = 2;
    canvas.getContext('2d')!.putImageData(new ImageData(rgba, 3, 2), 0, 0);
    const img = new Image();
    img.src = canvas.toDataURL('image/png');
    await img.decode();
    const bitmap = await createImageBitmap(canvas);
    const read = (t: any) => ({ shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync()) });
    const refusal = async (f: () => unknown) => { try { await f(); return 'accepted'; } catch (e) { return `${(e as Error).name}: ${(e as Error).message}`; } };
    const target = document.createElement('canvas');
    const drawn = await st.browser.toPixels(st.tensor([[[0], [0.5]], [[1], [0.25]]]), target);
    return {
      canvas3: read(st.browser.fromPixels(canvas)),
      canvas4: read(st.browser.fromPixels(canvas, 4)),
      image1: read(st.browser.fromPixels(img, 1)),
      imageData: read(st.browser.fromPixels(new ImageData(rgba, 3, 2), 3)),
      bitmap: read(st.browser.fromPixels(bitmap, 3)),
      raw: read(st.browser.fromPixels({ data: new Uint8Array(rgba), width: 3, height: 2 }, 2)),
      floatGrey: Array.from(drawn),
      onCanvas: Array.from(target.getContext('2d')!.getImageData(0, 0, 2, 2).data),
      canvasSize: [target.width, target.height],
      intRgb: Array.from(await st.browser.toPixels(st.tensor([[[1, 2, 3], [250, 251, 252]]], undefined, 'int32'))),
      rgbaRoundTrip: Array.from(await st.browser.toPixels(st.browser.fromPixels(canvas, 4))),
      arrayIsInt: Array.from(await st.browser.toPixels([[7, 200]])),
      badFloat: await refusal(() => st.browser.toPixels(st.tensor([[1.5]]))),
      badInt: await refusal(() => st.browser.toPixels(st.tensor([[256]], undefined, 'int32'))),
      badDepth: await refusal(() => st.browser.toPixels(st.zeros([2, 2, 2]))),
      badRank: await refusal(() => st.browser.toPixels(st.zeros([1, 2, 2, 3]))),
      badChannels: await refusal(() => st.browser.fromPixels(canvas, 5)),
      badSource: await refusal(() => st.browser.fromPixels({ width: 1 })),
    };
  });
  await page.context().close();
  const rgb = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90];
  assert.deepEqual(r.canvas3, { shape: [2, 3, 3], dtype: 'int32', values: rgb });
  assert.deepEqual(r.canvas4.values, [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 10, 20, 30, 255, 40, 50, 60, 255, 70, 80, 90, 255]);
  assert.deepEqual(r.image1, { shape: [2, 3, 1], dtype: 'int32', values: [255, 0, 0, 10, 40, 70] });
  assert.deepEqual(r.imageData.values, rgb);
  assert.deepEqual(r.bitmap.values, rgb);
  assert.deepEqual(r.raw, { shape: [2, 3, 2], dtype: 'int32', values: [255, 0, 0, 255, 0, 0, 10, 20, 40, 50, 70, 80] });
  // float32 × 255, rounded (127.5 → 128, 63.75 → 64); grey on three channels, alpha 255.
  assert.deepEqual(r.floatGrey, [0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255, 64, 64, 64, 255]);
  assert.deepEqual(r.onCanvas, r.floatGrey);
  assert.deepEqual(r.canvasSize, [2, 2]);
  assert.deepEqual(r.intRgb, [1, 2, 3, 255, 250, 251, 252, 255]);
  assert.deepEqual(r.rgbaRoundTrip, r.canvas4.values);
  assert.deepEqual(r.arrayIsInt, [7, 7, 7, 255, 200, 200, 200, 255]);
  assert.match(r.badFloat, /^ConfigError: browser\.toPixels: float32 values must lie in \[0, 1\], got 1\.5/);
  assert.match(r.badInt, /^ConfigError: browser\.toPixels: int32 values must lie in \[0, 255\], got 256/);
  assert.match(r.badDepth, /^ShapeError: browser\.toPixels: expected 1, 3 or 4 channels, got 2/);
  assert.match(r.badRank, /^ShapeError: browser\.toPixels: expected a tensor of rank 2 or 3/);
  assert.match(r.badChannels, /^ConfigError: browser\.fromPixels: numChannels must be 1, 2, 3 or 4, got 5/);
  assert.match(r.badSource, /^ConfigError: browser\.fromPixels: pixels must be an HTMLImageElement/);
});

test('an app bundled by esbuild from `import * as st from \'strata\'` (platform browser, no polyfills) runs in the page', { skip }, async () => {
  const { build } = await import('esbuild');
  const app = join(scratch, 'app');
  mkdirSync(join(app, 'node_modules'), { recursive: true });
  symlinkSync(ROOT, join(app, 'node_modules', 'strata'), 'dir');
  writeFileSync(join(app, 'main.js'), `import * as st from 'strata';
const m = st.sequential({ layers: [st.layers.dense({ units: 2, inputShape: [3], kernelInitializer: 'ones' })] });
await st.ready();
window.bundleResult = { values: Array.from(await m.predict(st.tensor([[1, 2, 3]])).data()), backend: st.getBackend(),
  hasNode: 'node' in st, fromPixels: typeof st.browser.fromPixels, hasFileSystem: 'fileSystem' in st.io };
`);
  const out = await build({ entryPoints: [join(app, 'main.js')], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' });
  const code = out.outputFiles[0].text;
  assert.doesNotMatch(code, /(from|import\()\s*["']node:/, 'no node: import in the bundle');
  chrome.server.put('/bundle/app.js', code);
  chrome.server.put('/bundle/index.html', '<!doctype html><script type="module" src="/bundle/app.js"></script>');
  const context = await chrome.browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${chrome.server.url}/bundle/index.html`);
  await page.waitForFunction(() => (window as any).bundleResult !== undefined, null, { timeout: 20_000 }).catch(() => {
    throw new Error(`the bundled app did not run: ${errors.join('; ') || 'no error reported'}`);
  });
  const result = await page.evaluate(() => (window as any).bundleResult);
  await context.close();
  assert.deepEqual(result, { values: [6, 6], backend: 'wasm', hasNode: false, fromPixels: 'function', hasFileSystem: false });
});

test('an app built by Vite from `import * as st from \'strata\'` ships the strata*.wasm builds as assets and runs on wasm', { skip }, async () => {
  const { build } = await import('vite');
  const app = join(scratch, 'vite-app');
  mkdirSync(join(app, 'node_modules'), { recursive: true });
  symlinkSync(ROOT, join(app, 'node_modules', 'strata'), 'dir');
  writeFileSync(join(app, 'index.html'), '<!doctype html><script type="module" src="./main.js"></script>');
  writeFileSync(join(app, 'main.js'), `import * as st from 'strata';
const m = st.sequential({ layers: [st.layers.dense({ units: 2, inputShape: [3], kernelInitializer: 'ones' })] });
await st.ready();
const keras = await st.loadKerasModel('./m.keras');
window.bundleResult = { values: Array.from(await m.predict(st.tensor([[1, 2, 3]])).data()), backend: st.getBackend(),
  keras: Array.from(await keras.predict(st.tensor([[1, 2, 3]])).data()) };
`);
  // A .keras file written by Node: reading it in the page takes the HDF5 worker and h5wasm, which Vite must split out and ship too.
  const kerasModel = st.sequential({ layers: [st.layers.dense({ units: 2, inputShape: [3], kernelInitializer: 'glorotUniform', biasInitializer: 'ones' })] });
  await kerasModel.save(join(app, 'm.keras'));
  const kerasExpected = Array.from((kerasModel.predict(st.tensor([[1, 2, 3]])) as st.Tensor).dataSync());
  const warnings: string[] = [];
  const outDir = join(app, 'dist');
  await build({
    root: app, base: './', configFile: false, logLevel: 'silent',
    customLogger: { info() {}, warn: (m: string) => warnings.push(m), warnOnce: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m), clearScreen() {}, hasErrorLogged: () => false, hasWarned: false },
    build: { outDir, target: 'es2022' },
  });
  const files = readdirSync(join(outDir, 'assets'));
  // Each of the four builds (SIMD128 and relaxed, one thread and threaded) emitted as an asset: which
  // one a page loads is decided there.
  const assets = files.filter((f) => f.endsWith('.wasm')).map((f) => readFileSync(join(outDir, 'assets', f)));
  for (const name of ['strata.wasm', 'strata-threads.wasm', 'strata-relaxed.wasm', 'strata-relaxed-threads.wasm']) {
    const bytes = readFileSync(join(ROOT, 'wasm', name));
    assert.ok(assets.some((a) => a.equals(bytes)), `Vite emitted no asset of wasm/${name} (assets: ${files.join(', ')}; warnings: ${warnings.join(' | ')})`);
  }
  // Served under /vite/ only: the page can reach strata*.wasm only through the assets Vite emitted.
  for (const f of files) chrome.server.put(`/vite/assets/${f}`, readFileSync(join(outDir, 'assets', f)));
  chrome.server.put('/vite/m.keras', readFileSync(join(app, 'm.keras')));
  chrome.server.put('/vite/index.html', readFileSync(join(outDir, 'index.html')));
  const context = await chrome.browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'warning') errors.push(m.text()); });
  await page.goto(`${chrome.server.url}/vite/index.html`);
  await page.waitForFunction(() => (window as any).bundleResult !== undefined, null, { timeout: 20_000 }).catch(() => {
    throw new Error(`the Vite app did not run: ${errors.join('; ') || 'no error reported'}`);
  });
  const result = await page.evaluate(() => (window as any).bundleResult);
  await context.close();
  assert.deepEqual({ ...result, keras: undefined }, { values: [6, 6], backend: 'wasm', keras: undefined }, errors.join('; '));
  result.keras.forEach((v: number, i: number) => assert.ok(Math.abs(v - kerasExpected[i]) <= 1e-4 + 1e-3 * Math.abs(kerasExpected[i]), `keras output ${i}: ${v} vs ${kerasExpected[i]}`));
});
