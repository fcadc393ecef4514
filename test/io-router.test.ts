// model.save / loadLayersModel route URL-like strings through the IO router registry (as
// TensorFlow.js's tf.io.registerSaveRouter / getSaveHandlers): paths and file:// on disk, *.onnx
// saves ONNX, custom schemes plug in, and browser schemes in Node are refused by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as st from '../src/index.js';

const scratch = mkdtempSync(join(tmpdir(), 'strata-router-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

function smallModel(): st.Sequential {
  st.setSeed(7);
  return st.sequential({ layers: [st.layers.dense({ units: 3, inputShape: [4], activation: 'relu', name: 'd1' }), st.layers.dense({ units: 2, name: 'd2' })] });
}
const x = st.randomNormal([5, 4], { seed: 2 });

test('Node routes: a folder path and a file:// URL save and load the layers format; http(s) loads; browser schemes have no handler', async () => {
  assert.equal(st.io.getSaveHandlers(join(scratch, 'a')).length, 1);
  assert.equal(st.io.getLoadHandlers('https://example.com/model.json').length, 1);
  assert.equal(st.io.getSaveHandlers('https://example.com/model.json').length, 0, 'http(s) is load-only');
  for (const url of ['indexeddb://m', 'localstorage://m', 'downloads://m']) assert.equal(st.io.getSaveHandlers(url).length, 0, url);
  const model = smallModel();
  const dir = join(scratch, 'via-url');
  await model.save(pathToFileURL(dir).href);
  assert.ok(existsSync(join(dir, 'model.json')));
  const loaded = await st.loadLayersModel(pathToFileURL(dir));
  assert.deepEqual((loaded.predict(x) as st.Tensor).dataSync(), (model.predict(x) as st.Tensor).dataSync());
});

test('a browser scheme in Node is refused with a ModelFileError that names the browser build', async () => {
  const model = smallModel();
  await assert.rejects(model.save('indexeddb://m'), (e: Error) => e instanceof st.ModelFileError &&
    /no save handler for 'indexeddb:\/\/m'.*browser build/.test(e.message));
  await assert.rejects(st.loadLayersModel('localstorage://m'), (e: Error) => e instanceof st.ModelFileError && /no load handler.*browser build/.test(e.message));
  // Before the registry, such a string was taken as a folder name and created on disk.
  assert.ok(!existsSync('indexeddb:'));
});

test('a path ending in .onnx routes to the ONNX saver (extension above the file router) and writes exportOnnx\'s bytes', async () => {
  const model = smallModel();
  const file = join(scratch, 'm.onnx');
  const handlers = st.io.getSaveHandlers(file);
  assert.equal(handlers.length, 2, 'the ONNX router and the folder router both match; ONNX comes first');
  await model.save(file);
  assert.deepEqual(new Uint8Array(readFileSync(file)), st.io.exportOnnx(model));
  // Without the model at hand (a handler called with artifacts only) it is rebuilt from them: same bytes.
  const file2 = join(scratch, 'm2.onnx');
  await handlers[0].save!(st.io.modelArtifacts(model));
  await st.io.getSaveHandlers(file2)[0].save!(st.io.modelArtifacts(model));
  assert.deepEqual(new Uint8Array(readFileSync(file2)), st.io.exportOnnx(model));
});

test('a custom scheme registered with registerSaveRouter / registerLoadRouter round-trips, with the load options passed on', async () => {
  const store = new Map<string, st.io.ModelArtifacts>();
  st.io.registerSaveRouter((url) => (url.startsWith('mem://') ? st.io.withSaveHandler((a) => { store.set(url, a); }) : null), { label: 'mem://key' });
  st.io.registerLoadRouter((url, opts) => (url.startsWith('mem://') && store.has(url) ? st.io.fromMemory(store.get(url)!, undefined, opts) : null));
  const model = smallModel();
  await model.save('mem://one');
  const loaded = await st.loadLayersModel('mem://one');
  assert.deepEqual((loaded.predict(x) as st.Tensor).dataSync(), (model.predict(x) as st.Tensor).dataSync());
  // The caps reach the handler through the router.
  await assert.rejects(st.loadLayersModel('mem://one', { maxWeightBytes: 16 }), (e: Error) => e instanceof st.ModelFileError && /maxWeightBytes|more than/.test(e.message));
  await assert.rejects(st.loadLayersModel('mem://two'), (e: Error) => e instanceof st.ModelFileError && /no load handler for 'mem:\/\/two'/.test(e.message));
  assert.throws(() => st.io.registerSaveRouter('x' as never), st.ModelFileError);
});
