// The browser entry (src/index.browser.ts) without a browser: it bundles for the browser platform
// (esbuild refuses any `node:` import it reaches), and it exports the Node entry's API except the
// Node-only parts listed here — so an export added to the Node entry alone shows up as a difference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as nodeEntry from '../src/index.js';
import * as browserEntry from '../src/index.browser.js';

const NODE_ONLY: Record<string, string[]> = {
  '': ['node'],
  io: ['fileSystem'],
  callbacks: ['CSVLogger', 'TensorBoardCallback', 'csvLogger', 'tensorBoard'],
  data: ['DirectoryDataset', 'IMAGE_EXTENSIONS', 'imageDatasetFromDirectory', 'readImage', 'textDatasetFromDirectory'],
  datasets: ['FASHION_MNIST_CLASSES', 'SPAM_ASSASSIN_GROUPS', 'cmudict', 'cmudictPhones', 'fashionMnist', 'imdb', 'mnist', 'mobyDick', 'mobyDickChapters', 'spamAssassin'],
};
const BROWSER_ONLY: Record<string, string[]> = {
  '': ['browser', 'setWasmPaths'],
  io: ['browserDownloads', 'browserFiles', 'browserIndexedDB', 'browserLocalStorage', 'setHdf5WorkerUrl'],
};

function keysOf(m: object): string[] {
  return Object.keys(m).sort();
}

test('the browser entry has the Node API less the Node-only parts, plus st.browser and the browser storages', () => {
  const nodeNs = nodeEntry as unknown as Record<string, object>, browserNs = browserEntry as unknown as Record<string, object>;
  for (const ns of ['', 'io', 'callbacks', 'data', 'datasets']) {
    const n = keysOf(ns ? nodeNs[ns] : nodeNs), b = keysOf(ns ? browserNs[ns] : browserNs);
    assert.deepEqual(n.filter((k) => !b.includes(k)), NODE_ONLY[ns] ?? [], `st.${ns || '*'}: Node-only exports`);
    assert.deepEqual(b.filter((k) => !n.includes(k)), BROWSER_ONLY[ns] ?? [], `st.${ns || '*'}: browser-only exports`);
  }
  assert.equal(typeof browserEntry.browser.fromPixels, 'function');
  assert.equal(browserEntry.tensor, nodeEntry.tensor, 'one core: the same functions, not copies');
});

test('the browser entry bundles for the browser platform: no node: module is reachable from it', async () => {
  const { build } = await import('esbuild');
  const entry = fileURLToPath(new URL('../src/index.browser.js', import.meta.url));
  const out = await build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent', metafile: true });
  const inputs = Object.keys(out.metafile!.inputs);
  assert.ok(inputs.some((p) => p.endsWith('browser/pixels.js')), 'the bundle holds st.browser');
  assert.ok(inputs.some((p) => p.endsWith('keras/h5-run-browser.js')), 'the bundle holds the Web Worker runner of Keras HDF5 reads');
  for (const nodeOnly of ['io/handlers.js', 'io/read-model-file.js', 'keras/h5-run-node.js', 'kernels/native/addon.js', 'callbacks/csv-logger.js', 'data/image-decode.js', 'datasets/mnist.js']) {
    assert.ok(!inputs.some((p) => p.endsWith(nodeOnly)), `${nodeOnly} is not in the browser bundle`);
  }
});
