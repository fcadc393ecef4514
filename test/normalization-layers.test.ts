import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError, forEachBackend, rand } from './helpers.js';
import { expectConfigRoundTrip, expectLayerGradientsClose } from './layer-helpers.js';

// Reference numbers below come from TensorFlow.js 4.22 (tf.layers.batchNormalization /
// layerNormalization with the same weights set by setWeights, then apply(x, { training }) and
// getWeights()), run in a scratch script; printed to 6 decimals. X4 and X3 are the same formulas there.

const X2 = [[1, 2, 3], [4, -1, 0.5], [-2, 0, 1], [0.5, 3, -1]];
const X4 = Array.from({ length: 24 }, (_, i) => Math.sin(i * 1.3) * 2 + (i % 3));
const X3 = Array.from({ length: 24 }, (_, i) => Math.cos(i * 0.7) * 3 + i * 0.1);
const seeded = (seed: number, mean = 0) => st.initializers.randomNormal({ mean, stddev: 0.5, seed });

function bnWithWeights(opts: st.layers.BatchNormalizationOptions, shape: (number | null)[], weights: number[][]): st.layers.BatchNormalization {
  const layer = st.layers.batchNormalization(opts);
  layer.build(shape);
  layer.setWeights(weights.map((w) => st.tensor(w)));
  return layer;
}

test('batch normalization matches TensorFlow.js in inference and training, and updates the moving statistics', () => forEachBackend(() => {
  const layer = bnWithWeights({ momentum: 0.9 }, [null, 3], [[1.5, 0.5, -1], [0.1, -0.2, 0.3], [0.2, 0.5, -0.1], [2, 0.5, 1.5]]);
  const x = st.tensor(X2);
  expectClose(layer.apply(x) as st.Tensor,
    [0.948316, 0.859601, -2.230296, 4.129501, -1.259601, -0.189735, -2.232869, -0.5532, -0.597847, 0.418119, 1.566002, 1.034602]);
  expectClose(layer.getWeights()[2], [0.2, 0.5, -0.1], 1e-7, 0, 'inference leaves the moving mean');
  expectClose(layer.apply(x, { training: true }) as st.Tensor,
    [0.187922, 0.116165, -1.184934, 2.298047, -0.832329, 0.562047, -1.922203, -0.516165, 0.212651, -0.163766, 0.432329, 1.610236]);
  const [, , movingMean, movingVariance] = layer.getWeights();
  // By hand for feature 0: batch mean 0.875, biased variance 4.546875; 0.9·0.2 + 0.1·0.875 and 0.9·2 + 0.1·4.546875.
  expectClose(movingMean, [0.2675, 0.55, -0.0025]);
  expectClose(movingVariance, [2.2546875, 0.7, 1.5546875]);
}, 'fallback'));

test('batch normalization on axis 1 of a rank-4 input matches TensorFlow.js', () => forEachBackend(() => {
  const layer = bnWithWeights({ axis: 1, momentum: 0.5 }, [null, 3, 2, 2], [[2, 1, 0.5], [0, 1, -1], [0.1, 0.2, 0.3], [1, 2, 3]]);
  const x = st.tensor(X4, [2, 3, 2, 2]);
  // TF.js's CPU batchNorm kernel indexes the per-channel weights by flat index mod channels, so its
  // own axis-1 output is wrong; these numbers are TF.js on the transposed input with axis -1,
  // transposed back (its moving statistics agree either way).
  expectClose(layer.apply(x) as st.Tensor, [-0.1999, 5.651408, 5.859076, -2.94959, 0.316463, 2.576624, 2.270415, 2.016705, -0.9872,
    -1.526446, -0.555418, 0.060284, 0.230899, -1.915539, 1.379979, 2.221049, 2.878731, 2.118877, -0.536747, 0.972626, -0.069144,
    -0.60901, -0.982648, -1.085719], 1e-4);
  expectClose(layer.apply(x, { training: true }) as st.Tensor, [-0.987004, 2.903181, 3.041248, -2.815109, -0.122291, 1.890453,
    1.617764, 1.391827, -1.267988, -1.807637, -0.835883, -0.21972, -0.700591, -2.12763, 0.063363, 0.622541, 2.159489, 1.482815,
    -0.882101, 0.462043, -0.349245, -0.889515, -1.263432, -1.366581], 1e-4);
  const [, , mm, mv] = layer.getWeights();
  expectClose(mm, [0.421329, 0.607899, 0.786072], 1e-5);
  expectClose(mv, [1.631821, 2.261091, 2.997758], 1e-5);
}, 'fallback'));

test('batch normalization by hand: default options normalise each feature of the batch', () => {
  const layer = st.layers.batchNormalization();
  const y = layer.apply(st.tensor([[1, 10], [3, 30]]), { training: true }) as st.Tensor;
  // Feature 0: mean 2, variance 1 → ±1/sqrt(1.001); feature 1: mean 20, variance 100 → ±10/sqrt(100.001).
  const a = 1 / Math.sqrt(1.001), b = 10 / Math.sqrt(100.001);
  expectClose(y, [-a, -b, a, b]);
  // Keras 3 default momentum 0.99: moving = 0.99·init + 0.01·batch.
  expectClose(layer.getWeights()[2], [0.02, 0.2]);
  expectClose(layer.getWeights()[3], [0.99 + 0.01, 0.99 + 1]);
  // Inference uses the moving statistics.
  expectClose(layer.apply(st.tensor([[1, 10]])) as st.Tensor, [(1 - 0.02) / Math.sqrt(1.001), (10 - 0.2) / Math.sqrt(1.99 + 0.001)]);
});

test('batch normalization weights: Keras order, moving statistics non-trainable, center/scale optional', () => {
  const layer = st.layers.batchNormalization();
  layer.build([null, 4, 5]);
  assert.deepEqual(layer.weights.map((w) => w.name.split('/').pop()), ['gamma', 'beta', 'moving_mean', 'moving_variance']);
  assert.deepEqual(layer.trainableWeights.map((w) => w.name.split('/').pop()), ['gamma', 'beta']);
  assert.deepEqual(layer.nonTrainableWeights.map((w) => w.name.split('/').pop()), ['moving_mean', 'moving_variance']);
  expectClose(layer.getWeights().flatMap((w) => Array.from(w.values)), [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
  assert.equal(layer.countParams(), 20);
  const bare = st.layers.batchNormalization({ center: false, scale: false });
  bare.build([null, 3]);
  assert.deepEqual(bare.weights.map((w) => w.name.split('/').pop()), ['moving_mean', 'moving_variance']);
  assert.equal(bare.trainableWeights.length, 0);
  const onlyScale = st.layers.batchNormalization({ center: false });
  onlyScale.build([null, 3]);
  assert.deepEqual(onlyScale.weights.map((w) => w.name.split('/').pop()), ['gamma', 'moving_mean', 'moving_variance']);
  assert.deepEqual(layer.computeOutputShape([null, 4, 5]), [null, 4, 5]);
});

test('batch normalization: a frozen layer runs in inference mode (Keras 3) and the update stays off the tape', () => {
  const layer = st.layers.batchNormalization({ momentum: 0.5 });
  const x = rand([6, 3], 1, 'float32');
  const inference = layer.apply(x) as st.Tensor;
  layer.trainable = false;
  expectClose(layer.apply(x, { training: true }) as st.Tensor, inference, 0, 0);
  expectClose(layer.getWeights()[2], [0, 0, 0], 0, 0, 'frozen: moving mean unchanged');
  layer.trainable = true;
  // Under valueAndGrads the update happens once per call and is not differentiated.
  const { grads: [dgamma] } = st.valueAndGrads(() => st.sum(layer.apply(x, { training: true }) as st.Tensor), [layer.trainableWeights[0]]);
  expectClose(dgamma, [0, 0, 0], 1e-5, 0, 'sum of normalised features');
  const { mean } = st.moments(x, 0);
  expectClose(layer.getWeights()[2], st.mul(mean, 0.5), 1e-6);
});

test('batch normalization with a mask leaves padded steps out of the batch statistics', () => {
  const layer = st.layers.batchNormalization({ momentum: 0, center: false, scale: false });
  // Two sequences of 3 steps, 1 feature; the last step of the second is padding (value 100).
  const x = st.tensor([[[1], [2], [3]], [[4], [5], [100]]]);
  const mask = st.tensor([[1, 1, 1], [1, 1, 0]]);
  layer.apply(x, { training: true, mask });
  // Real values 1..5: mean 3, variance 2 (up to Keras' 1e-7 added to the count).
  expectClose(layer.getWeights()[0], [3], 1e-5);
  expectClose(layer.getWeights()[1], [2], 1e-5);
  expectError(() => layer.apply(x, { training: true, mask: st.ones([2, 2]) }), st.ShapeError, 'mask [2, 2] for input [2, 3, 1]');
});

test('batch normalization gradients (input, gamma, beta) in training and inference, axis -1 and axis 1', () => {
  const init = { gammaInitializer: seeded(1, 1), betaInitializer: seeded(2), movingMeanInitializer: seeded(3),
    movingVarianceInitializer: st.initializers.randomUniform({ minval: 0.5, maxval: 2, seed: 4 }), dtype: 'float64' as const };
  for (const training of [true, false]) {
    expectLayerGradientsClose(st.layers.batchNormalization({ ...init }), rand([5, 3], 1), training);
    expectLayerGradientsClose(st.layers.batchNormalization({ ...init, momentum: 0.5 }), rand([2, 3, 2, 2], 2), training);
    expectLayerGradientsClose(st.layers.batchNormalization({ ...init, axis: 1 }), rand([2, 3, 2, 2], 3), training);
    expectLayerGradientsClose(st.layers.batchNormalization({ ...init, center: false, epsilon: 0.1 }), rand([4, 2], 4), training);
    expectLayerGradientsClose(st.layers.batchNormalization({ ...init, scale: false }), rand([4, 2], 5), training);
  }
});

test('layer normalization matches TensorFlow.js on axis -1 and axes [1, 2]', () => forEachBackend(() => {
  const x = st.tensor(X3, [2, 3, 4]);
  const ln = st.layers.layerNormalization();
  ln.build([null, 3, 4]);
  ln.setWeights([st.tensor([1, 2, 0.5, -1]), st.tensor([0, 0.1, 0.2, 0.3])]);
  expectClose(ln.apply(x) as st.Tensor, [1.084834, 1.53062, 0.043588, 1.787319, -0.900978, -1.544204, 0.272637, -1.277806, 0.191258,
    2.277826, 0.374032, 1.928234, 0.654591, -2.0634, -0.229604, -0.986318, -1.651215, 0.639729, 0.719363, -0.042624, 1.61452,
    0.189851, -0.253149, 1.053147], 1e-4);
  const ln2 = st.layers.layerNormalization({ axis: [1, 2], epsilon: 1e-2 });
  ln2.build([null, 3, 4]);
  assert.deepEqual(ln2.getWeights().map((w) => w.shape), [[3, 4], [3, 4]]);
  ln2.setWeights([st.tensor(Array.from({ length: 12 }, (_, i) => 0.5 + i * 0.1), [3, 4]),
    st.tensor(Array.from({ length: 12 }, (_, i) => -0.3 + i * 0.05), [3, 4])]);
  const y = ln2.apply(x, { training: true }) as st.Tensor;
  expectClose(y, [0.156759, 0.129432, -0.304871, -0.984694, -1.545563, -1.601718, -0.972131, 0.176468, 1.36405, 2.01369, 1.75255,
    0.641931, -0.645216, -0.990746, -1.015394, -0.543962, 0.339169, 1.286891, 1.844316, 1.692852, 0.85443, -0.265731, -1.042917,
    -0.938818], 1e-4);
  expectClose(ln2.apply(x) as st.Tensor, y, 0, 0, 'the same in training and inference');
}, 'fallback'));

test('layer normalization by hand, without center/scale, and with Keras rmsScaling', () => {
  const x = st.tensor([[1, 3], [2, 6]]);
  // Row 0: mean 2, variance 1; row 1: mean 4, variance 4.
  const plain = st.layers.layerNormalization({ center: false, scale: false });
  expectClose(plain.apply(x) as st.Tensor, [-1 / Math.sqrt(1.001), 1 / Math.sqrt(1.001), -2 / Math.sqrt(4.001), 2 / Math.sqrt(4.001)]);
  assert.equal(plain.weights.length, 0);
  const rms = st.layers.layerNormalization({ rmsScaling: true, gammaInitializer: st.initializers.constant({ value: 2 }) });
  expectClose(rms.apply(x) as st.Tensor, [2 / Math.sqrt(1.001), 6 / Math.sqrt(1.001), 4 / Math.sqrt(4.001), 12 / Math.sqrt(4.001)]);
  assert.deepEqual(rms.weights.map((w) => w.name.split('/').pop()), ['gamma']);
});

test('layer normalization gradients (input, gamma, beta) on axis -1, [1, 2] and options', () => {
  const init = { gammaInitializer: seeded(1, 1), betaInitializer: seeded(2), dtype: 'float64' as const };
  expectLayerGradientsClose(st.layers.layerNormalization(init), rand([3, 4], 1));
  expectLayerGradientsClose(st.layers.layerNormalization(init), rand([2, 3, 4], 2));
  expectLayerGradientsClose(st.layers.layerNormalization({ ...init, axis: [1, 2] }), rand([2, 3, 4], 3));
  expectLayerGradientsClose(st.layers.layerNormalization({ ...init, axis: [-3, -1] }), rand([2, 2, 3, 2], 4));
  expectLayerGradientsClose(st.layers.layerNormalization({ ...init, center: false, epsilon: 0.1 }), rand([3, 4], 5));
  expectLayerGradientsClose(st.layers.layerNormalization({ ...init, rmsScaling: true }), rand([3, 4], 6));
});

test('normalization configs round-trip', () => {
  expectConfigRoundTrip(st.layers.batchNormalization({ axis: 1, momentum: 0.9, epsilon: 1e-5, center: false,
    gammaInitializer: seeded(3, 1), movingVarianceInitializer: st.initializers.constant({ value: 2 }),
    gammaRegularizer: st.regularizers.l2({ l2: 0.01 }), betaConstraint: 'nonNeg', gammaConstraint: st.constraints.maxNorm({ maxValue: 2 }) }));
  expectConfigRoundTrip(st.layers.batchNormalization({ inputShape: [4] }));
  const ln = expectConfigRoundTrip(st.layers.layerNormalization({ axis: [1, -1], epsilon: 1e-6, rmsScaling: true,
    betaRegularizer: 'l1', gammaConstraint: 'unitNorm' })) as st.layers.LayerNormalization;
  assert.deepEqual(ln.axis, [1, -1]);
  expectConfigRoundTrip(st.layers.layerNormalization({ scale: false }));
});

test('normalization layers load from TensorFlow.js / Keras 3 snake_case configs', () => {
  const bn = st.layers.deserialize({ class_name: 'BatchNormalization', config: {
    name: 'batch_normalization_1', trainable: true, dtype: 'float32', axis: -1, momentum: 0.99, epsilon: 0.001, center: true, scale: true,
    beta_initializer: { class_name: 'Zeros', config: {} }, gamma_initializer: { class_name: 'Ones', config: {} },
    moving_mean_initializer: { class_name: 'Zeros', config: {} }, moving_variance_initializer: { class_name: 'Ones', config: {} },
    beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null, synchronized: false } }) as st.layers.BatchNormalization;
  assert.equal(bn.name, 'batch_normalization_1');
  assert.equal(bn.momentum, 0.99);
  assert.equal(bn.gammaRegularizer, null);
  const ln = st.layers.deserialize({ class_name: 'LayerNormalization', config: {
    name: 'layer_norm', trainable: true, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' } },
    axis: [-1], epsilon: 1e-6, center: true, scale: true, rms_scaling: false,
    beta_initializer: { module: 'keras.initializers', class_name: 'Zeros', config: {}, registered_name: null },
    gamma_initializer: { module: 'keras.initializers', class_name: 'Ones', config: {}, registered_name: null },
    beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null } }) as st.layers.LayerNormalization;
  assert.deepEqual(ln.axis, [-1]);
  assert.equal(ln.epsilon, 1e-6);
  ln.build([null, 5]);
  assert.deepEqual(ln.getWeights().map((w) => w.shape), [[5], [5]]);
});

test('normalization errors name the layer, the input shape and a fix', () => {
  expectError(() => st.layers.batchNormalization({ name: 'bn_x', axis: 3 }).apply(st.ones([2, 4, 5])), st.ShapeError,
    "BatchNormalization 'bn_x': axis 3 is out of range for input shape [null, 4, 5] (rank 3: use -3 to 2)");
  expectError(() => st.layers.batchNormalization({ axis: 0 }).build([null, 4]), st.ShapeError, 'not the batch');
  expectError(() => st.layers.batchNormalization({ momentum: 1.5 }), st.ConfigError, "BatchNormalization '", 'momentum must be a number in [0, 1], got 1.5');
  expectError(() => st.layers.batchNormalization({ epsilon: 0 }), st.ConfigError, 'epsilon must be a positive number, got 0');
  expectError(() => st.layers.batchNormalization({ axis: 1.5 }), st.ConfigError, 'axis must be an integer, got 1.5');
  const bn = st.layers.batchNormalization({ name: 'bn_y' });
  bn.apply(st.ones([2, 4]));
  expectError(() => bn.apply(st.ones([2, 5])), st.ShapeError, "BatchNormalization 'bn_y': built for inputs of rank 2 with 4 features", 'got shape [2, 5]');
  expectError(() => st.layers.layerNormalization({ name: 'ln_x', axis: [1, 4] }).apply(st.ones([2, 3, 4])), st.ShapeError,
    "LayerNormalization 'ln_x': axis 4 is out of range for input shape [null, 3, 4]");
  expectError(() => st.layers.layerNormalization({ axis: [1, 1] }), st.ConfigError, 'non-empty list of distinct integers, got [1,1]');
  expectError(() => st.layers.layerNormalization({ axis: [1, -1] }).build([null, 3, 4].slice(0, 2)), st.ShapeError, 'names one dimension twice');
  expectError(() => st.layers.layerNormalization({ epsilon: -1 }), st.ConfigError, 'epsilon must be a positive number');
  const ln = st.layers.layerNormalization({ name: 'ln_y' });
  ln.apply(st.ones([2, 4]));
  expectError(() => ln.apply(st.ones([2, 6])), st.ShapeError, "LayerNormalization 'ln_y': built for inputs of rank 2", 'got shape [2, 6]');
});
