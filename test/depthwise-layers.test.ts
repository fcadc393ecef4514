import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError, forEachBackend, rand } from './helpers.js';
import { expectConfigRoundTrip, expectLayerGradientsClose } from './layer-helpers.js';

/** Deterministic small values, the same formula the TF.js reference script used. */
function seq(shape: number[], off = 0): st.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return st.tensor(Array.from({ length: n }, (_, i) => Math.round(Math.sin(i * 1.7 + off) * 10) / 10), shape);
}

const out = (layer: st.layers.Layer, x: st.Tensor, training = false): st.Tensor => layer.apply(x, { training }) as st.Tensor;

// Expected values computed with TensorFlow.js 4.22 (tf.layers.depthwiseConv2d / separableConv2d, setWeights with
// the same seq() tensors) in a scratch script.
test('DepthwiseConv2D, depthMultiplier 2, same padding matches TensorFlow.js', () => forEachBackend(() => {
  const layer = st.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same' });
  layer.build([null, 4, 4, 2]);
  assert.deepEqual(layer.weights.map((w) => [w.name.split('/').pop(), w.shape]), [['depthwise_kernel', [3, 3, 2, 2]], ['bias', [4]]]);
  layer.setWeights([seq([3, 3, 2, 2], 4), st.tensor([0.1, 0.2, 0.3, 0.4])]);
  const y = out(layer, seq([1, 4, 4, 2]));
  assert.deepEqual(y.shape, [1, 4, 4, 4]);
  expectClose(y, [-0.09, 0.42, 0.44, 0.14, 0.94, 0.39, 0.23, -0.48, -0.7, -0.27, -0.02, 1.15, -0.41, 0.4, 0.39, 0.4, 0.09, 0.45, 0.51, 0.87,
    0.25, 1.32, 1.74, 0, 0.38, -0.9, -1.16, 0.36, -0.05, 0.04, 0.18, 1.01, -0.09, -0.1, 0.41, 0.69, -1.16, 0.85, 1.35, 1.17, 1.44, -0.24,
    -0.22, -0.67, 0.36, -0.43, 0.28, 0.54, -0.11, 0.01, -0.11, 0.24, -0.56, -0.32, -0.26, 1.33, 0.6, 0.74, 1.07, -0.37, 0.21, 0.23, 0.09, 0.05]);
  assert.equal(layer.countParams(), 3 * 3 * 2 * 2 + 4);
}));

test('SeparableConv2D, depthMultiplier 2, sigmoid matches TensorFlow.js; weights in Keras order', () => forEachBackend(() => {
  const layer = st.layers.separableConv2d({ filters: 3, kernelSize: 2, depthMultiplier: 2, activation: 'sigmoid' });
  layer.build([null, 4, 4, 2]);
  assert.deepEqual(layer.weights.map((w) => [w.name.split('/').pop(), w.shape]),
    [['depthwise_kernel', [2, 2, 2, 2]], ['pointwise_kernel', [1, 1, 4, 3]], ['bias', [3]]]);
  layer.setWeights([seq([2, 2, 2, 2], 5), seq([1, 1, 4, 3], 6), st.tensor([0.1, 0.2, 0.3])]);
  const y = out(layer, seq([1, 4, 4, 2]));
  assert.deepEqual(y.shape, [1, 3, 3, 3]);
  expectClose(y, [0.526226, 0.394126, 0.617275, 0.491251, 0.725916, 0.552308, 0.576153, 0.398912, 0.570527, 0.593391, 0.450166, 0.539915,
    0.415809, 0.626212, 0.651128, 0.620577, 0.536933, 0.488502, 0.615857, 0.594355, 0.47527, 0.472278, 0.435855, 0.651128, 0.570772,
    0.680919, 0.492501]);
}, 'fallback'));

test('depthwise multiplier 1 convolves each channel alone (hand-computed)', () => {
  const layer = st.layers.depthwiseConv2d({ kernelSize: [1, 2], useBias: false });
  layer.build([null, 1, 3, 2]);
  // channel 0 taps [1, 2], channel 1 taps [10, 0]; x columns (c0, c1) = (1, 2), (3, 4), (5, 6):
  // y[w, c0] = x[w, c0] + 2·x[w + 1, c0], y[w, c1] = 10·x[w, c1]
  layer.setWeights([st.tensor([1, 10, 2, 0], [1, 2, 2, 1])]);
  const y = out(layer, st.tensor([1, 2, 3, 4, 5, 6], [1, 1, 3, 2]));
  assert.deepEqual(y.shape, [1, 1, 2, 2]);
  expectClose(y, [1 + 2 * 3, 10 * 2, 3 + 2 * 5, 10 * 4]);
});

test('depthwise and separable gradients (input, kernels, bias): multiplier 1 and 2, padding, strides, dilation', () => {
  let seed = 50;
  for (const depthMultiplier of [1, 2]) {
    for (const padding of ['valid', 'same'] as const) {
      for (const [strides, dilationRate] of [[1, 1], [2, 1], [1, 2], [2, 2]]) {
        const common = { kernelSize: [2, 3], depthMultiplier, padding, strides, dilationRate, dtype: 'float64' as const,
          biasInitializer: st.initializers.randomNormal({ seed: seed++ }) };
        expectLayerGradientsClose(st.layers.depthwiseConv2d({ ...common, activation: 'tanh' }), rand([1, 5, 6, 2], seed++));
        expectLayerGradientsClose(st.layers.separableConv2d({ ...common, filters: 3 }), rand([1, 5, 6, 2], seed++));
      }
    }
  }
  // the shorthands work on these layers too
  const layer = st.layers.separableConv2d({ filters: 2, kernelSize: 2, pooling: { type: 'max' }, dropout: { rate: 0.3, seed: 2 }, dtype: 'float64' });
  expectLayerGradientsClose(layer, rand([2, 5, 5, 2], 99), true);
  assert.deepEqual(layer.expand().map((l) => l.className), ['SeparableConv2D', 'MaxPooling2D', 'Dropout']);
});

test('depthwise output shapes, regularizers and constraints', () => {
  const d = st.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, depthMultiplier: 3, padding: 'same',
    depthwiseRegularizer: st.regularizers.l1({ l1: 0.5 }), depthwiseInitializer: 'ones', depthwiseConstraint: st.constraints.maxNorm({ maxValue: 1, axis: [0, 1, 2] }) });
  assert.deepEqual(d.computeOutputShape([null, 7, 8, 2]), [null, 4, 4, 6]);
  assert.deepEqual(d.computeOutputShape([null, 7, 8, null]), [null, 4, 4, null]);
  d.apply(st.ones([1, 7, 8, 2]));
  expectClose(d.regularizationLosses().map((t) => t.item()), [0.5 * 3 * 3 * 2 * 3]);
  d.applyConstraints();
  assert.ok(Array.from(d.getWeights()[0].values).every((v) => v < 1));
  const s = st.layers.separableConv2d({ filters: 5, kernelSize: 3, dilationRate: 2, pointwiseInitializer: 'ones',
    pointwiseRegularizer: st.regularizers.l2({ l2: 0.1 }), useBias: false });
  assert.deepEqual(s.computeOutputShape([null, 9, 10, 4]), [null, 5, 6, 5]);
  const y = out(s, st.ones([2, 9, 10, 4]));
  assert.deepEqual(y.shape, [2, 5, 6, 5]);
  assert.equal(s.weights.length, 2);
  expectClose(s.regularizationLosses().map((t) => t.item()), [0.1 * 4 * 5]);
});

test('depthwise and separable configs round-trip and load TF.js / Keras snake_case configs', () => {
  expectConfigRoundTrip(st.layers.depthwiseConv2d({ kernelSize: [3, 5], depthMultiplier: 2, strides: 2, padding: 'same',
    depthwiseInitializer: st.initializers.heUniform({ seed: 3 }), depthwiseRegularizer: 'l2', activation: 'relu', inputShape: [8, 8, 3] }));
  const s = expectConfigRoundTrip(st.layers.separableConv2d({ filters: 4, kernelSize: 3, depthMultiplier: 2, dilationRate: 2,
    depthwiseInitializer: 'ones', pointwiseInitializer: st.initializers.glorotNormal({ seed: 1 }), pointwiseConstraint: 'nonNeg',
    pooling: { type: 'avg' } })) as st.layers.SeparableConv2D;
  assert.equal(s.pointwiseInitializer.className, 'GlorotNormal', 'pointwiseInitializer is its own option (unlike TF.js 4.22)');
  const d = st.layers.deserialize({ class_name: 'DepthwiseConv2D', config: {
    name: 'depthwise_conv2d_1', trainable: true, batch_input_shape: [null, 6, 6, 3], dtype: 'float32', kernel_size: [3, 3], strides: [1, 1],
    padding: 'valid', data_format: 'channels_last', dilation_rate: [1, 1], activation: 'linear', use_bias: true,
    bias_initializer: { class_name: 'Zeros', config: {} }, bias_regularizer: null, activity_regularizer: null, bias_constraint: null,
    depth_multiplier: 2, depthwise_initializer: { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'uniform', seed: null } },
    depthwise_regularizer: null, depthwise_constraint: null, kernel_initializer: null } }) as st.layers.DepthwiseConv2D;
  assert.ok(d instanceof st.layers.DepthwiseConv2D);
  assert.equal(d.depthMultiplier, 2);
  assert.deepEqual(out(d, st.ones([1, 6, 6, 3])).shape, [1, 4, 4, 6]);
  const sep = st.layers.deserialize({ class_name: 'SeparableConv2D', config: {
    name: 'separable_conv2d_3', filters: 8, kernel_size: [3, 3], strides: [2, 2], padding: 'same', data_format: 'channels_last',
    dilation_rate: [1, 1], depth_multiplier: 1, activation: 'relu', use_bias: true,
    depthwise_initializer: { class_name: 'GlorotUniform', config: { seed: null } }, pointwise_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
    bias_initializer: { class_name: 'Zeros', config: {} } } }) as st.layers.SeparableConv2D;
  assert.deepEqual(sep.computeOutputShape([null, 9, 9, 3]), [null, 5, 5, 8]);
  assert.ok(st.layers.deserialize({ class_name: 'SeparableConvolution2D', config: { filters: 1, kernel_size: 2 } }) instanceof st.layers.SeparableConv2D);
});

test('depthwise and separable errors name the layer, the value and a fix', () => {
  expectError(() => st.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 0, name: 'dw' }), st.ConfigError,
    "DepthwiseConv2D 'dw': depthMultiplier must be a positive integer, got 0");
  expectError(() => st.layers.depthwiseConv2d({ kernelSize: [3, 0] }), st.ConfigError, 'kernelSize must be a positive integer or a tuple of 2, got [3, 0]');
  expectError(() => st.layers.depthwiseConv2d({ kernelSize: 3, padding: 'causal' }), st.ConfigError, "padding 'causal' is for 1-D convolutions");
  expectError(() => st.layers.depthwiseConv2d({ kernelSize: 3, kernelInitializer: 'ones' } as never), st.ConfigError,
    'kernelInitializer do not apply to this layer; use depthwiseInitializer');
  expectError(() => st.layers.separableConv2d({ kernelSize: 3 } as never), st.ConfigError, 'filters (number of feature maps) must be a positive integer');
  expectError(() => st.layers.separableConv2d({ filters: 2, kernelSize: 3, dataFormat: 'NCHW' }), st.ConfigError, "dataFormat must be 'channelsLast' or 'channelsFirst'");
  const d = st.layers.depthwiseConv2d({ kernelSize: 3, name: 'dw2' });
  expectError(() => d.apply(st.zeros([2, 10, 10])), st.ShapeError, "DepthwiseConv2D 'dw2': expected input of rank 4 [batch, height, width, channels], got [null, 10, 10]",
    'add a channels dimension');
  d.apply(st.zeros([1, 5, 5, 3]));
  expectError(() => d.apply(st.zeros([1, 5, 5, 2])), st.ShapeError, 'expected input with 3 channels (last dimension), got shape [1, 5, 5, 2]');
});
