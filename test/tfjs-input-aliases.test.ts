import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectError } from './helpers.js';

test('input shape given as a number means one dimension, as TF.js (the translation example: shape: latentDim)', async () => {
  const tf = await import('@tensorflow/tfjs');
  const mine = st.input({ shape: 4 as unknown as number[], name: 'h' });
  const theirs = tf.input({ shape: 4 as unknown as number[] });
  assert.deepEqual(mine.shape, theirs.shape);
  assert.deepEqual(mine.shape, [null, 4]);
  assert.deepEqual(st.layers.input({ shape: 3 as unknown as number[], batchSize: 2 }).shape, [2, 3]);
  const m = st.model({ inputs: mine, outputs: st.layers.dense({ units: 2 }).apply(mine) as st.SymbolicTensor });
  assert.deepEqual((m.predict(st.ones([5, 4])) as st.Tensor).shape, [5, 2]);
  expectError(() => st.input({ shape: -1 as unknown as number[] }), st.ConfigError, 'shape', '-1');
});

test('LayersModel is the model class: Sequential and functional models are instances, as in TF.js', () => {
  assert.equal(st.LayersModel, st.Model);
  const s = st.sequential({ layers: [st.layers.dense({ units: 1, inputShape: [2] })] });
  const x = st.input({ shape: [2] });
  const f = st.model({ inputs: x, outputs: st.layers.dense({ units: 1 }).apply(x) as st.SymbolicTensor });
  assert.ok(s instanceof st.LayersModel && f instanceof st.LayersModel);
  assert.ok(!(st.layers.dense({ units: 1 }) instanceof st.LayersModel));
});

test("CommonJS programs can require('strata'): package.json exports a condition require() matches", async () => {
  const { createRequire } = await import('node:module');
  // Self-reference through package.json "exports": with only an "import" condition, require.resolve
  // throws ERR_PACKAGE_PATH_NOT_EXPORTED (what the tfjs-node examples hit with require('strata')).
  const resolved = createRequire(import.meta.url).resolve('strata');
  assert.match(resolved, /dist[\\/]index\.js$/);
});
