import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError, forEachBackend, rand } from './helpers.js';
import { expectConfigRoundTrip, expectLayerGradientsClose } from './layer-helpers.js';

const out = (layer: st.layers.Layer, x: st.Tensor, opts: st.layers.CallOptions = {}): st.Tensor => layer.apply(x, opts) as st.Tensor;
const iota = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

test('flatten, reshape, permute and repeatVector move values as Keras', () => forEachBackend(() => {
  const x = st.tensor(iota(24), [2, 3, 4]);
  const f = out(st.layers.flatten(), x);
  assert.deepEqual(f.shape, [2, 12]);
  expectClose(f, iota(24));
  assert.deepEqual(st.layers.flatten().computeOutputShape([null, 7, 7, 64]), [null, 3136]);
  assert.deepEqual(st.layers.flatten().computeOutputShape([null, null, 4]), [null, null]);

  for (const targetShape of [[4, 3], [-1, 3], [null, 3], [2, 2, -1]]) {
    const layer = st.layers.reshape({ targetShape });
    const y = out(layer, x);
    const want = targetShape.length === 2 ? [2, 4, 3] : [2, 2, 2, 3];
    assert.deepEqual(y.shape, want);
    expectClose(y, iota(24));
    assert.deepEqual(layer.computeOutputShape([null, 3, 4]), [null, ...want.slice(1)]);
  }
  assert.deepEqual(st.layers.reshape({ targetShape: [-1, 3] }).computeOutputShape([null, null, 4]), [null, null, 3]);

  const p = st.layers.permute({ dims: [2, 1] });
  const y = out(p, x);
  assert.deepEqual(y.shape, [2, 4, 3]);
  expectClose(y, [1, 5, 9, 2, 6, 10, 3, 7, 11, 4, 8, 12, 13, 17, 21, 14, 18, 22, 15, 19, 23, 16, 20, 24]);
  assert.deepEqual(st.layers.permute({ dims: [3, 1, 2] }).computeOutputShape([null, 5, 6, 7]), [null, 7, 5, 6]);

  const r = out(st.layers.repeatVector({ n: 3 }), st.tensor([1, 2, 3, 4], [2, 2]));
  assert.deepEqual(r.shape, [2, 3, 2]);
  expectClose(r, [1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4]);
  assert.deepEqual(st.layers.repeatVector({ n: 5 }).computeOutputShape([null, 8]), [null, 5, 8]);
}, 'fallback'));

test('reshaping layer gradients', () => {
  const x = rand([2, 3, 4], 1);
  for (const layer of [st.layers.flatten({ dtype: 'float64' }), st.layers.reshape({ targetShape: [2, -1], dtype: 'float64' }),
    st.layers.permute({ dims: [2, 1], dtype: 'float64' })]) {
    expectLayerGradientsClose(layer, x);
  }
  expectLayerGradientsClose(st.layers.repeatVector({ n: 3, dtype: 'float64' }), rand([2, 4], 2));
});

test('activation layers compute their Keras functions', () => forEachBackend(() => {
  const x = st.tensor([-2, -0.5, 0.5, 1.5, 8]);
  const x2 = st.reshape(x, [1, 5]);
  expectClose(out(st.layers.activation({ activation: 'relu' }), x2), [0, 0, 0.5, 1.5, 8]);
  expectClose(out(st.layers.activation({ activation: 'sigmoid' }), x2), st.sigmoid(x2));
  expectClose(out(st.layers.reLU(), x2), [0, 0, 0.5, 1.5, 8]);
  expectClose(out(st.layers.reLU({ maxValue: 6 }), x2), [0, 0, 0.5, 1.5, 6]);
  // Below the threshold: negativeSlope·(x − threshold); above maxValue: maxValue.
  expectClose(out(st.layers.reLU({ maxValue: 6, negativeSlope: 0.1, threshold: 1 }), x2), [-0.3, -0.15, -0.05, 1.5, 6]);
  expectClose(out(st.layers.reLU({ threshold: 1 }), x2), [0, 0, 0, 1.5, 8]);
  expectClose(out(st.layers.leakyReLU(), x2), [-0.6, -0.15, 0.5, 1.5, 8]);
  expectClose(out(st.layers.leakyReLU({ negativeSlope: 0.1 }), x2), [-0.2, -0.05, 0.5, 1.5, 8]);
  expectClose(out(st.layers.elu({ alpha: 0.5 }), x2), [0.5 * Math.expm1(-2), 0.5 * Math.expm1(-0.5), 0.5, 1.5, 8]);
  expectClose(out(st.layers.elu(), x2), [Math.expm1(-2), Math.expm1(-0.5), 0.5, 1.5, 8]);
  expectClose(out(st.layers.thresholdedReLU(), x2), [0, 0, 0, 1.5, 8]);
  expectClose(out(st.layers.thresholdedReLU({ theta: 0.4 }), x2), [0, 0, 0.5, 1.5, 8]);
  const e = [-2, -0.5, 0.5, 1.5, 8].map(Math.exp);
  const z = e.reduce((a, b) => a + b);
  expectClose(out(st.layers.softmax(), x2), e.map((v) => v / z));
}, 'fallback'));

test('softmax over several axes, over axis 1, and with a mask', () => {
  const x = rand([2, 3, 2], 3, 'float32');
  expectClose(out(st.layers.softmax({ axis: [1, 2] }), x), st.reshape(st.softmax(st.reshape(x, [2, 6])), [2, 3, 2]));
  expectClose(out(st.layers.softmax({ axis: 1 }), x), st.transpose(st.softmax(st.transpose(x, [0, 2, 1])), [0, 2, 1]));
  const y = out(st.layers.softmax(), st.tensor([[1, 2, 3]]), { mask: st.tensor([[1, 0, 1]]) });
  expectClose(y, [Math.exp(1) / (Math.exp(1) + Math.exp(3)), 0, Math.exp(3) / (Math.exp(1) + Math.exp(3))]);
});

test('PReLU learns one slope per position, shared along sharedAxes (Keras layout)', () => forEachBackend(() => {
  const layer = st.layers.prelu({ sharedAxes: [1, 2] });
  const x = st.tensor([-1, 2, -3, -4, 5, -6, 1, 1], [1, 2, 2, 2]);
  layer.build([null, 2, 2, 2]);
  assert.deepEqual(layer.getWeights().map((w) => w.shape), [[1, 1, 2]]);
  expectClose(layer.getWeights()[0], [0, 0], 0, 0, 'alpha starts at zero');
  layer.setWeights([st.tensor([0.1, 0.5], [1, 1, 2])]);
  expectClose(out(layer, x), [-0.1, 2, -0.3, -2, 5, -3, 1, 1]);
  assert.equal(layer.countParams(), 2);
  const full = st.layers.prelu();
  full.build([null, 3, 4]);
  assert.deepEqual(full.getWeights()[0].shape, [3, 4]);
}, 'fallback'));

test('activation layer gradients (PReLU: input and alpha)', () => {
  const x = rand([2, 3, 4], 4);
  const layers = [
    st.layers.activation({ activation: 'tanh', dtype: 'float64' }), st.layers.activation({ activation: 'softmax', dtype: 'float64' }),
    st.layers.reLU({ dtype: 'float64' }), st.layers.reLU({ maxValue: 0.8, negativeSlope: 0.2, threshold: 0.3, dtype: 'float64' }),
    st.layers.leakyReLU({ dtype: 'float64' }), st.layers.elu({ alpha: 0.7, dtype: 'float64' }), st.layers.thresholdedReLU({ theta: 0.3, dtype: 'float64' }),
    st.layers.softmax({ dtype: 'float64' }), st.layers.softmax({ axis: [1, 2], dtype: 'float64' }),
    st.layers.prelu({ alphaInitializer: st.initializers.randomNormal({ seed: 5 }), dtype: 'float64' }),
    st.layers.prelu({ sharedAxes: [1], alphaInitializer: st.initializers.randomNormal({ seed: 6 }), dtype: 'float64' }),
  ];
  for (const layer of layers) expectLayerGradientsClose(layer, x);
  const prelu = layers[layers.length - 1];
  assert.equal(prelu.trainableWeights.length, 1);
  assert.deepEqual(prelu.trainableWeights[0].shape, [1, 4]);
});

test('reshaping and activation configs round-trip and load TF.js / Keras files', () => {
  for (const layer of [st.layers.flatten(), st.layers.reshape({ targetShape: [-1, 3] }), st.layers.permute({ dims: [2, 3, 1] }),
    st.layers.repeatVector({ n: 4 }), st.layers.activation({ activation: 'gelu' }), st.layers.reLU({ maxValue: 6, negativeSlope: 0.1 }),
    st.layers.leakyReLU({ alpha: 0.2 }), st.layers.prelu({ sharedAxes: [1, 2], alphaInitializer: 'ones', alphaRegularizer: 'l2' }),
    st.layers.elu({ alpha: 0.5 }), st.layers.thresholdedReLU({ theta: 2 }), st.layers.softmax({ axis: [1, 2] })]) {
    expectConfigRoundTrip(layer);
  }
  // TensorFlow.js writes null for the inferred Reshape dimension.
  const r = st.layers.deserialize({ class_name: 'Reshape', config: { name: 'reshape_1', trainable: true, dtype: 'float32', target_shape: [null, 4] } });
  assert.deepEqual((r as st.layers.Reshape).targetShape, [-1, 4]);
  assert.deepEqual(r.computeOutputShape([null, 2, 6]), [null, 3, 4]);
  const fl = st.layers.deserialize({ class_name: 'Flatten', config: { name: 'flatten_1', data_format: 'channels_last', batch_input_shape: [null, 2, 2] } });
  assert.deepEqual(fl.batchInputShape, [null, 2, 2]);
  // Keras 3 writes LeakyReLU's slope as negative_slope; TF.js as alpha.
  assert.equal((st.layers.deserialize({ class_name: 'LeakyReLU', config: { negative_slope: 0.1 } }) as st.layers.LeakyReLU).alpha, 0.1);
  assert.equal((st.layers.deserialize({ class_name: 'LeakyReLU', config: { alpha: 0.25 } }) as st.layers.LeakyReLU).alpha, 0.25);
  const relu = st.layers.deserialize({ class_name: 'ReLU', config: { max_value: 6, negative_slope: 0, threshold: 0 } }) as st.layers.ReLU;
  assert.equal(relu.maxValue, 6);
  const tfjsRelu = st.layers.deserialize({ class_name: 'ReLU', config: { max_value: null } }) as st.layers.ReLU;
  assert.equal(tfjsRelu.maxValue, null);
  const prelu = st.layers.deserialize({ class_name: 'PReLU', config: {
    alpha_initializer: { class_name: 'Constant', config: { value: 0.25 } }, alpha_regularizer: null, alpha_constraint: null, shared_axes: [1, 2] } });
  prelu.build([null, 4, 4, 3]);
  expectClose(prelu.getWeights()[0], [0.25, 0.25, 0.25]);
  const act = st.layers.deserialize({ class_name: 'Activation', config: { activation: 'hard_sigmoid' } }) as st.layers.Activation;
  assert.equal(act.activation.name, 'hard_sigmoid');
  assert.equal((st.layers.deserialize({ class_name: 'Softmax', config: { axis: 1 } }) as st.layers.Softmax).axis, 1);
  assert.deepEqual((st.layers.deserialize({ class_name: 'Permute', config: { dims: [2, 1] } }) as st.layers.Permute).dims, [2, 1]);
});

test('reshaping and activation errors name the layer, the shapes and a fix', () => {
  expectError(() => st.layers.reshape({ targetShape: [5, 5], name: 'rs' }).apply(st.zeros([2, 3, 4])), st.ShapeError,
    "Reshape 'rs': cannot reshape input [null, 3, 4] (12 values per sample) to targetShape [5, 5] (25 values)");
  expectError(() => st.layers.reshape({ targetShape: [-1, 5] }).computeOutputShape([null, 12]), st.ShapeError,
    'input [null, 12] (12 values per sample)', 'targetShape [-1, 5] (a multiple of 5 values)');
  expectError(() => st.layers.reshape({ targetShape: [-1, -1] }), st.ConfigError, 'at most one -1');
  expectError(() => st.layers.reshape({ targetShape: [0, 3] }), st.ConfigError, 'targetShape must be a list of positive integers');
  expectError(() => st.layers.flatten({ name: 'fl' }).apply(st.zeros([5])), st.ShapeError,
    "Flatten 'fl': expected input of rank ≥ 2 [batch, ...], got [null]");
  expectError(() => st.layers.flatten({ dataFormat: 'NHWC' }), st.ConfigError, 'NHWC', "'channelsLast' or 'channelsFirst'");
  expectError(() => st.layers.permute({ dims: [0, 1] }), st.ConfigError, 'dims must be a permutation of 1..n (1-based');
  expectError(() => st.layers.permute({ dims: [2, 1] }).apply(st.zeros([2, 3, 4, 5])), st.ShapeError, 'expected input of rank 3', 'got [null, 3, 4, 5]');
  expectError(() => st.layers.repeatVector({ n: 0 }), st.ConfigError, 'n (number of repetitions) must be a positive integer, got 0');
  expectError(() => st.layers.repeatVector({ n: 2 }).apply(st.zeros([2, 3, 4])), st.ShapeError, 'expected input of rank 2 [batch, features]', 'flatten it first');
  expectError(() => st.layers.activation({ activation: 'relux' }), st.ConfigError, 'unknown activation "relux"');
  expectError(() => st.layers.leakyReLU({ alpha: 0.1, negativeSlope: 0.2 }), st.ConfigError, 'disagree');
  expectError(() => st.layers.reLU({ maxValue: -1 }), st.ConfigError, 'maxValue must be a finite number ≥ 0, got -1');
  expectError(() => st.layers.prelu({ sharedAxes: [0] }), st.ConfigError, 'sharedAxes must be a positive axis');
  expectError(() => st.layers.prelu({ sharedAxes: [3] }).apply(st.zeros([1, 2, 2])), st.ShapeError, 'name axis 3', '2 non-batch axes');
  expectError(() => st.layers.softmax({ axis: 0.5 }), st.ConfigError, 'axis must be an integer');
});
