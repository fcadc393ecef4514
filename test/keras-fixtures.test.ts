import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as st from '../src/index.js';
import { H5Reader } from '../src/io/keras/hdf5.js';

// Real files written by Keras, with Keras's own predictions (Deeplearning4j's Keras-import test
// resources) and real Keras 3 archives (Gurobi Machine Learning's test predictors); see
// test/fixtures/keras/README.md for the exact files, repositories and commits. The files are data
// fetched from public repositories and are not committed here: the tests read them from
// $STRATA_KERAS_FIXTURES or the steering repo's shared/keras-fixtures (beside or inside the checkout)
// and are skipped when none exists.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIR = process.env.STRATA_KERAS_FIXTURES ??
  [join(ROOT, 'shared', 'keras-fixtures'), join(ROOT, '..', 'shared', 'keras-fixtures')].find((d) => existsSync(d)) ?? join(ROOT, '..', 'shared', 'keras-fixtures');
const HAVE = existsSync(join(DIR, 'dl4j'));
const skip = HAVE ? false : `Keras fixtures not found in ${DIR} (see test/fixtures/keras/README.md)`;
const EX = join(DIR, 'dl4j', 'examples');

/** |got − ref| ≤ 1e-4 + 1e-3·|ref| everywhere. */
function assertClose(got: ArrayLike<number>, ref: ArrayLike<number>, what: string): void {
  assert.equal(got.length, ref.length, `${what}: ${got.length} values, expected ${ref.length}`);
  for (let i = 0; i < ref.length; i++) {
    const tol = 1e-4 + 1e-3 * Math.abs(ref[i]);
    assert.ok(Math.abs(got[i] - ref[i]) <= tol, `${what}[${i}]: got ${got[i]}, Keras gave ${ref[i]}`);
  }
}

/** The input and Keras's predictions stored beside a DL4J fixture model. */
async function dl4jData(file: string): Promise<{ x: st.Tensor; y: Float32Array; yShape: number[] }> {
  const h5 = await H5Reader.open(new Uint8Array(readFileSync(file)), file);
  try {
    const group = 'predictions'; // Keras's model.predict; 'outputs' holds training targets
    const x = h5.readFloat32(`inputs/${h5.keys('inputs')[0]}`, 2 ** 26);
    const y = h5.readFloat32(`${group}/${h5.keys(group)[0]}`, 2 ** 26);
    return { x: st.tensor(x.values, x.shape), y: y.values, yShape: y.shape };
  } finally {
    h5.close();
  }
}

/** A little-endian float32/float64 .npy array (numpy's format: magic, header dict, data). */
function readNpy(file: string): { shape: number[]; values: Float64Array } {
  const b = readFileSync(file);
  const hlen = b[6] === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = b[6] === 1 ? 10 : 12;
  const header = b.subarray(start, start + hlen).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)![1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)![1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const data = b.subarray(start + hlen);
  const ab = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
  const values = descr === '<f8' ? new Float64Array(ab) : descr === '<f4' ? Float64Array.from(new Float32Array(ab)) : assert.fail(`npy dtype ${descr}`);
  return { shape, values };
}

async function checkDl4j(name: string, batchSize = 32): Promise<void> {
  const model = await st.loadKerasModel(join(EX, `${name}_model.h5`));
  const { x, y, yShape } = await dl4jData(join(EX, `${name}_inputs_and_outputs.h5`));
  const got = model.predict(x, { batchSize }) as st.Tensor;
  assert.deepEqual(got.shape, yShape, `${name}: output shape`);
  assertClose(got.dataSync(), y, name);
}

for (const act of ['ELU_0', 'LeakyReLU_0', 'ReLU_0', 'ReLU_1', 'ReLU_2', 'ReLU_3', 'Softmax_0', 'ThresholdReLU_0']) {
  test(`Keras 2.3 .h5: Dense + ${act.replace(/_\d$/, '')} layer (${act}) predicts as Keras`, { skip }, async () => {
    await checkDl4j(`activations/${act}`);
  });
}

const CONV1D = ['k2_s1_d1', 'k2_s2_d1', 'k3_s1_d1', 'k3_s2_d1', 'k3_s1_d2'].flatMap((k) => ['same', 'valid'].map((p) => `${k}_cl_${p}`));
for (const c of CONV1D) {
  test(`Keras 2.3 .h5: Conv1D ${c} (channels_last) predicts as Keras`, { skip }, async () => {
    await checkDl4j(`conv1d/conv1d_${c}`);
  });
}
for (const c of ['k2_s1_d1', 'k2_s2_d1', 'k3_s1_d1', 'k3_s2_d1', 'k3_s1_d2']) {
  test(`Keras 2.3 .h5: Conv1D causal ${c} predicts as Keras`, { skip }, async () => {
    await checkDl4j(`causal_conv1d/causal_conv1d_${c}_cl`);
  });
}
for (const c of ['k2_s1_d1_cf_same', 'k3_s2_d1_cf_valid', 'k3_s1_d2_cf_same']) {
  test(`Keras 2.3 .h5: Conv1D ${c} (channels_first) predicts as Keras`, { skip }, async () => {
    await checkDl4j(`conv1d/conv1d_${c}`);
  });
}

test('Keras 2.1 .h5 (Sequential config as a bare list): SimpleRNN + Dense predicts as Keras', { skip }, async () => {
  await checkDl4j('simple_rnn/simple_rnn_tf_keras_2', 25); // batch_input_shape fixes the batch at 25
});

test('Keras 2.1 .h5: LSTM with hard_sigmoid (Keras 2 form, clip(0.2x + 0.5)) predicts as Keras', { skip }, async () => {
  await checkDl4j('simple_flatten_lstm/simple_flatten_lstm_tf_keras_2', 25);
});

test('Keras 2.1 .h5: Conv2D + BatchNormalization + ReLU + Conv2D + Dense predicts as Keras', { skip }, async () => {
  const dir = join(DIR, 'dl4j', 'fullconfigs', 'cnn');
  const model = await st.loadKerasModel(join(dir, 'cnn_batch_norm.h5'));
  const x = readNpy(join(dir, 'input.npy'));
  const y = readNpy(join(dir, 'predictions.npy'));
  const got = model.predict(st.tensor(Float32Array.from(x.values), x.shape)) as st.Tensor;
  assert.deepEqual(got.shape, y.shape);
  assertClose(got.dataSync(), y.values, 'cnn_batch_norm');
  // The moving statistics came from the file: inference must not use the batch's own.
  assert.equal(model.layers[1].className, 'BatchNormalization');
});

test('Keras 2.0 model.to_json() + weights-only .h5 (Theano backend): stacked LSTMs (hard_sigmoid) predict as Keras', { skip }, async () => {
  const dir = join(DIR, 'dl4j', 'fullconfigs', 'lstm');
  const json = readFileSync(join(dir, 'lstm_th_keras_2_config.json'), 'utf8');
  const model = await st.loadKerasModel(json, { weights: join(dir, 'lstm_th_keras_2_weights.h5') });
  assert.deepEqual(model.layers.map((l) => l.className), ['LSTM', 'LSTM', 'Dense']);
  const preds = readNpy(join(dir, 'predictions.npy')).values;
  const n = 20;
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    // Keras's predict.py feeds the first 12 columns of each CSV (4 time steps).
    const rows = readFileSync(join(dir, 'data', 'sequences', `${i}.csv`), 'utf8').trim().split('\n');
    for (const r of rows) xs.push(...r.split(';').slice(0, 12).map(Number));
  }
  const got = model.predict(st.tensor(xs, [n, 4, 12])) as st.Tensor;
  assertClose(got.dataSync(), preds.subarray(0, n), 'stacked lstm');
  // The same config and weights given as objects and bytes.
  const again = await st.loadKerasModel(JSON.parse(json), { weights: new Uint8Array(readFileSync(join(dir, 'lstm_th_keras_2_weights.h5'))) });
  assertClose((again.predict(st.tensor(xs, [n, 4, 12])) as st.Tensor).dataSync(), preds.subarray(0, n), 'stacked lstm (object + bytes)');
});

test('Keras 1 files are refused by name', { skip }, async () => {
  await assert.rejects(st.loadKerasModel(join(EX, 'simple_lstm/simple_lstm_tf_keras_1_model.h5')),
    (e: Error) => e instanceof st.ModelFileError && /Keras 1\.2\.2; Strata reads files of Keras 2 and 3/.test(e.message));
});

// Reference: numpy's forward pass over the weights as h5py reads them from each archive's
// model.weights.h5 (layers/dense*/vars/0 and 1; ReLU between), for x = arange(50).reshape(5, 10) / 25 − 1.
const GUROBI: Record<string, number[]> = {
  'diabetes.keras': [4322.790633675002, 2308.511500022423, 467.59716119119224, 1071.3832113207686, 2045.1920118480089],
  'diabetes_v2.keras': [2913.0507798910294, 1637.008270346046, 449.6536336462851, 1096.0263441914396, 2222.1804137457816],
};

test('Keras 3.1 .keras archives (Dense with relu, ReLU layers) predict as their weights say', { skip }, async () => {
  const x = st.tensor(Array.from({ length: 50 }, (_, i) => i / 25 - 1), [5, 10]);
  for (const [name, ref] of Object.entries(GUROBI)) {
    const model = await st.loadKerasModel(new Uint8Array(readFileSync(join(DIR, 'gurobi', name))));
    assertClose((model.predict(x) as st.Tensor).dataSync(), ref, name);
    // compile_config (Adam, learning rate 0.1, mean absolute error) compiles the model.
    assert.equal(model.optimizer?.getConfig().learningRate, 0.10000000149011612);
  }
});
