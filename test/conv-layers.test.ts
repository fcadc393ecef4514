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

// Expected values below were computed with TensorFlow.js 4.22 (tf.layers.conv1d/conv2d/conv3d, setWeights with
// the same seq() tensors) in a scratch script; TF.js has no 'causal' layer mode, so that case padded 2 zeros
// before by hand and ran 'valid'.
test('Conv1D causal, dilated, tanh matches TensorFlow.js', () => forEachBackend(() => {
  const layer = st.layers.conv1d({ filters: 2, kernelSize: 2, padding: 'causal', dilationRate: 2, activation: 'tanh' });
  layer.build([null, 6, 2]);
  assert.deepEqual(layer.getWeights().map((w) => w.shape), [[2, 2, 2], [2]]);
  layer.setWeights([seq([2, 2, 2], 1), st.tensor([0.1, -0.2])]);
  const y = out(layer, seq([1, 6, 2]));
  assert.deepEqual(y.shape, [1, 6, 2]);
  expectClose(y, [-0.716298, 0.099668, 0.604368, -0.413644, -0.833655, -0.206966, 0.578363, -0.244919, 0.197375, -0.129273, -0.641077, -0.282135]);
}, 'fallback'));

test('Conv2D same, stride 2, non-square kernel, relu matches TensorFlow.js', () => forEachBackend(() => {
  const layer = st.layers.conv2d({ filters: 3, kernelSize: [3, 2], strides: 2, padding: 'same', activation: 'relu' });
  layer.build([null, 5, 5, 2]);
  layer.setWeights([seq([3, 2, 2, 3], 2), st.tensor([0.1, -0.2, 0.3])]);
  const y = out(layer, seq([1, 5, 5, 2]));
  assert.deepEqual(y.shape, [1, 3, 3, 3]);
  expectClose(y, [1.8, 0, 0, 0.21, 0, 1.15, 0.09, 0, 0.8, 0, 3.24, 3.52, 0, 4.46, 1.16, 0, 2.4, 0.77, 3.37, 0, 0, 2.49, 0, 0, 1.53, 0, 0]);
  assert.equal(layer.countParams(), 3 * 2 * 2 * 3 + 3);
}, 'fallback'));

test('Conv3D valid matches TensorFlow.js', () => forEachBackend(() => {
  const layer = st.layers.conv3d({ filters: 2, kernelSize: 2 });
  layer.build([null, 3, 3, 3, 1]);
  assert.deepEqual(layer.getWeights().map((w) => w.shape), [[2, 2, 2, 1, 2], [2]]);
  layer.setWeights([seq([2, 2, 2, 1, 2], 3), st.tensor([0.5, -0.5])]);
  const y = out(layer, seq([1, 3, 3, 3, 1]));
  assert.deepEqual(y.shape, [1, 2, 2, 2, 2]);
  expectClose(y, [-1.06, 1.18, 0.66, -1.02, -0.01, 0.4, -0.91, 0.84, 1.86, -2.22, 0.94, -0.66, 0.42, -0.77, 2.01, -2.22]);
}, 'fallback'));

test('computeOutputShape follows the padding arithmetic and agrees with the output', () => {
  // Hand-computed: valid ceil((in − kEff + 1)/s), same ceil(in/s), causal = same length at stride 1.
  const c1 = st.layers.conv1d({ filters: 4, kernelSize: 3, strides: 2, dilationRate: 1 });
  assert.deepEqual(c1.computeOutputShape([null, 10, 3]), [null, 4, 4]);
  assert.deepEqual(c1.computeOutputShape([null, null, 3]), [null, null, 4], 'unknown length stays unknown');
  assert.deepEqual(st.layers.conv1d({ filters: 1, kernelSize: 3, dilationRate: 2 }).computeOutputShape([null, 10, 1]), [null, 6, 1]);
  assert.deepEqual(st.layers.conv1d({ filters: 1, kernelSize: 3, padding: 'causal', dilationRate: 3 }).computeOutputShape([null, 10, 1]), [null, 10, 1]);
  assert.deepEqual(st.layers.conv2d({ filters: 2, kernelSize: 3, strides: 2, padding: 'same' }).computeOutputShape([null, 7, 8, 1]), [null, 4, 4, 2]);
  assert.deepEqual(st.layers.conv2d({ filters: 2, kernelSize: 3, pooling: { type: 'max', poolSize: 2 } }).computeOutputShape([null, 28, 28, 1]),
    [null, 13, 13, 2]);
  const cases: [st.layers.Conv, number[]][] = [
    [st.layers.conv1d({ filters: 2, kernelSize: 3, strides: 3, padding: 'same', pooling: { type: 'avg', poolSize: 2, padding: 'same' } }), [2, 11, 2]],
    [st.layers.conv1d({ filters: 2, kernelSize: 2, strides: 2, padding: 'causal', dilationRate: 2 }), [1, 9, 1]],
    [st.layers.conv2d({ filters: 3, kernelSize: [3, 1], strides: [2, 1], dilationRate: [1, 2] }), [1, 7, 6, 2]],
    [st.layers.conv2d({ filters: 3, kernelSize: 2, padding: 'same', pooling: { type: 'max', poolSize: [2, 3], strides: 1 } }), [1, 5, 6, 1]],
    [st.layers.conv3d({ filters: 2, kernelSize: [1, 2, 3], strides: [1, 2, 2], padding: 'same' }), [1, 3, 5, 6, 1]],
    [st.layers.conv3d({ filters: 2, kernelSize: 2, dilationRate: 2, pooling: { type: 'avg' } }), [1, 5, 5, 6, 1]],
  ];
  for (const [layer, shape] of cases) {
    const y = out(layer, st.ones(shape));
    assert.deepEqual(layer.computeOutputShape([null, ...shape.slice(1)]), [null, ...y.shape.slice(1)], layer.describe());
  }
});

test('conv gradients (input, kernel, bias): 1D/2D/3D × padding × strides × dilation', () => {
  let seed = 10;
  const grid: [1 | 2 | 3, number[], number | number[], string[]][] = [
    [1, [2, 7, 2], 3, ['valid', 'same', 'causal']],
    [2, [1, 5, 6, 2], [2, 3], ['valid', 'same']],
    [3, [1, 5, 4, 5, 1], [2, 1, 2], ['valid', 'same']],
  ];
  for (const [rank, shape, kernelSize, paddings] of grid) {
    for (const padding of paddings) {
      for (const strides of [1, 2]) {
        for (const dilationRate of [1, 2]) {
          const layer = st.layers.conv({ rank, filters: 2, kernelSize, strides, padding: padding as 'valid', dilationRate, dtype: 'float64',
            biasInitializer: st.initializers.randomNormal({ seed: seed++ }) });
          expectLayerGradientsClose(layer, rand(shape, seed++));
        }
      }
    }
  }
});

test('conv gradients with activations, the pooling shorthand (max, avg) and dropout in training and inference', () => {
  const x2 = rand([2, 6, 6, 2], 21);
  for (const activation of ['tanh', 'sigmoid', 'elu']) {
    expectLayerGradientsClose(st.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', activation, dtype: 'float64' }), x2);
  }
  for (const type of ['max', 'avg'] as const) {
    expectLayerGradientsClose(st.layers.conv2d({ filters: 2, kernelSize: 3, activation: 'tanh', pooling: { type, poolSize: 2 }, dtype: 'float64' }), x2);
    expectLayerGradientsClose(st.layers.conv1d({ filters: 3, kernelSize: 2, padding: 'causal', pooling: { type, poolSize: 3, strides: 2, padding: 'same' },
      dtype: 'float64' }), rand([2, 7, 2], 22));
    expectLayerGradientsClose(st.layers.conv3d({ filters: 2, kernelSize: 2, pooling: { type }, dtype: 'float64' }), rand([1, 4, 5, 4, 1], 23));
  }
  const dropped = st.layers.conv2d({ filters: 3, kernelSize: 2, activation: 'tanh', pooling: { type: 'max' }, dropout: { rate: 0.4, seed: 3 },
    dtype: 'float64' });
  expectLayerGradientsClose(dropped, x2, true);
  expectLayerGradientsClose(dropped, x2, false);
});

test('pooling shorthand is conv → bias → activation → pooling; dropout comes last and only in training', () => forEachBackend(() => {
  const x = rand([2, 6, 6, 1], 31, 'float32');
  const opts = { filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: st.initializers.randomNormal({ seed: 4 }),
    biasInitializer: st.initializers.randomNormal({ seed: 5 }) } as const;
  const plain = st.layers.conv2d(opts), pooled = st.layers.conv2d({ ...opts, pooling: { type: 'max', poolSize: 2 } });
  const avg = st.layers.conv2d({ ...opts, pooling: { type: 'avg', poolSize: 2, strides: 1, padding: 'same' } });
  const y = out(plain, x);
  expectClose(out(pooled, x), st.maxPool(y, 2, 2, 'valid'));
  expectClose(out(avg, x), st.avgPool(y, 2, 1, 'same'));

  const drop = st.layers.conv1d({ filters: 40, kernelSize: 1, kernelInitializer: 'ones', useBias: false, dropout: 0.5 });
  const ones = st.ones([2, 5, 1]);
  expectClose(out(drop, ones), new Array(400).fill(1), 0, 0, 'inference is the identity');
  const vals = Array.from(out(drop, ones, true).values);
  assert.ok(vals.every((v) => v === 0 || v === 2) && vals.some((v) => v === 0) && vals.some((v) => v === 2));
  const seeded = st.layers.conv1d({ filters: 10, kernelSize: 1, kernelInitializer: 'ones', dropout: 0.5, dropoutSeed: 9 });
  expectClose(out(seeded, ones, true), out(seeded, ones, true), 0, 0, 'a fixed seed gives the same mask');
}));

test('conv({ rank }) picks the class; regularizers add penalties and constraints project', () => {
  assert.ok(st.layers.conv({ rank: 1, filters: 1, kernelSize: 1 }) instanceof st.layers.Conv1D);
  assert.ok(st.layers.conv({ rank: 2, filters: 1, kernelSize: 1 }) instanceof st.layers.Conv2D);
  assert.ok(st.layers.conv({ rank: 3, filters: 1, kernelSize: 1 }) instanceof st.layers.Conv3D);
  expectError(() => st.layers.conv({ rank: 4 as never, filters: 1, kernelSize: 1 }), st.ConfigError, 'rank must be 1, 2 or 3', 'got 4');
  const layer = st.layers.conv2d({ filters: 2, kernelSize: 1, kernelInitializer: 'ones', biasInitializer: st.initializers.constant({ value: -1 }),
    kernelRegularizer: st.regularizers.l2({ l2: 0.1 }), biasRegularizer: st.regularizers.l1({ l1: 0.5 }),
    kernelConstraint: st.constraints.nonNeg(), biasConstraint: 'nonNeg' });
  layer.apply(st.ones([1, 2, 2, 3]));
  expectClose(layer.regularizationLosses().map((t) => t.item()), [0.1 * 6, 0.5 * 2]);
  layer.applyConstraints();
  expectClose(layer.getWeights()[1], [0, 0]);
});

test('expand() gives plain Conv + pooling layer + Dropout with the same weights and output', () => {
  const layer = st.layers.conv2d({ filters: 3, kernelSize: 2, activation: 'relu', pooling: { type: 'max', poolSize: 2 }, dropout: 0.25, name: 'c2' });
  const x = rand([1, 5, 5, 2], 41, 'float32');
  const y = out(layer, x);
  const layers = layer.expand();
  assert.deepEqual(layers.map((l) => l.className), ['Conv2D', 'MaxPooling2D', 'Dropout']);
  const [plain, pool, drop] = layers;
  const json = st.layers.serialize(plain).config;
  assert.equal(json.pooling, undefined, 'the expanded conv is plain Keras');
  assert.equal(json.dropout, undefined);
  assert.equal((drop as st.layers.Dropout).rate, 0.25);
  let z = out(plain, x);
  z = out(pool, z);
  expectClose(out(drop, z), y);
  assert.deepEqual(st.layers.conv1d({ filters: 1, kernelSize: 1, pooling: { type: 'avg' } }).expand().map((l) => l.className), ['Conv1D', 'AveragePooling1D']);
  assert.deepEqual(st.layers.conv3d({ filters: 1, kernelSize: 1, pooling: { type: 'max' } }).expand().map((l) => l.className), ['Conv3D', 'MaxPooling3D']);
  const bare = st.layers.conv2d({ filters: 1, kernelSize: 1 });
  assert.deepEqual(bare.expand(), [bare]);
});

test('conv configs round-trip, with shorthands and nested initializers', () => {
  expectConfigRoundTrip(st.layers.conv1d({ filters: 3, kernelSize: 5, padding: 'causal', dilationRate: 2, activation: 'relu', inputShape: [20, 4] }));
  const c2 = expectConfigRoundTrip(st.layers.conv2d({ filters: 8, kernelSize: [3, 5], strides: [2, 1], padding: 'same', useBias: false,
    kernelInitializer: st.initializers.heNormal({ seed: 1 }), kernelRegularizer: st.regularizers.l1l2({ l1: 0.1, l2: 0.2 }),
    kernelConstraint: st.constraints.maxNorm({ maxValue: 2 }), activityRegularizer: 'l2',
    pooling: { type: 'avg', poolSize: 3, padding: 'same' }, dropout: { rate: 0.3, seed: 7 } })) as st.layers.Conv2D;
  assert.deepEqual(c2.pooling, { type: 'avg', poolSize: [3, 3], strides: [3, 3], padding: 'same' });
  assert.deepEqual(c2.dropout, { rate: 0.3, seed: 7 });
  assert.equal(st.layers.serialize(c2).config.dropout_seed, 7, 'the seed is written as dropoutSeed, as the transposed convs do');
  const c3 = expectConfigRoundTrip(st.layers.conv3d({ filters: 2, kernelSize: 3, dropout: 0.1, dropoutSeed: 4 })) as st.layers.Conv3D;
  assert.deepEqual(c3.dropout, { rate: 0.1, seed: 4 });
  assert.equal(st.layers.serialize(c3).config.dropout, 0.1);
  expectConfigRoundTrip(st.layers.conv1d({ filters: 2, kernelSize: 3, dropout: { rate: 0.2, noiseShape: [null, 1, null] } }));
  assert.equal(st.layers.serialize(c3).config.data_format, 'channels_last');
});

test('conv layers load TF.js / Keras snake_case configs', () => {
  const c1 = st.layers.deserialize({ class_name: 'Conv1D', config: {
    name: 'conv1d_5', trainable: true, batch_input_shape: [null, 12, 3], dtype: 'float32', filters: 4, kernel_size: [3], strides: [1],
    padding: 'valid', data_format: 'channels_last', dilation_rate: [1], activation: 'relu', use_bias: true,
    kernel_initializer: { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'normal', seed: null } },
    bias_initializer: { class_name: 'Zeros', config: {} }, kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null,
    kernel_constraint: null, bias_constraint: null } }) as st.layers.Conv1D;
  assert.ok(c1 instanceof st.layers.Conv1D);
  assert.deepEqual([c1.name, c1.filters, c1.kernelSize, c1.strides, c1.dilationRate], ['conv1d_5', 4, [3], [1], [1]]);
  assert.deepEqual(out(c1, st.ones([2, 12, 3])).shape, [2, 10, 4]);
  // Keras 3 writes ints, groups and a dtype policy; the Keras 1 alias still loads.
  const c2 = st.layers.deserialize({ class_name: 'Conv2D', config: {
    name: 'conv2d_7', filters: 2, kernel_size: [3, 3], strides: [2, 2], padding: 'same', data_format: 'channels_last', dilation_rate: [1, 1],
    groups: 1, activation: 'linear', use_bias: false, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' } } } }) as st.layers.Conv2D;
  assert.deepEqual(c2.computeOutputShape([null, 9, 9, 1]), [null, 5, 5, 2]);
  assert.ok(st.layers.deserialize({ class_name: 'Convolution2D', config: { filters: 1, kernel_size: 2 } }) instanceof st.layers.Conv2D);
  assert.ok(st.layers.deserialize({ class_name: 'Convolution3D', config: { filters: 1, kernel_size: 2 } }) instanceof st.layers.Conv3D);
  assert.ok(st.layers.deserialize({ class_name: 'Convolution1D', config: { filters: 1, kernel_size: 2 } }) instanceof st.layers.Conv1D);
  const cf = st.layers.deserialize({ class_name: 'Conv2D', config: { filters: 1, kernel_size: 3, data_format: 'channels_first' } }) as st.layers.Conv2D;
  assert.equal(cf.dataFormat, 'channelsFirst', 'a Keras channels_first config loads channels-first');
  assert.deepEqual(cf.computeOutputShape([null, 2, 5, 6]), [null, 1, 3, 4]);
});

test('conv errors name the layer, the value and a fix', () => {
  expectError(() => st.layers.conv2d({ filters: 2, kernelSize: [3, 0], name: 'conv2d_1' }), st.ConfigError,
    "Conv2D 'conv2d_1': kernelSize must be a positive integer or a tuple of 2, got [3, 0]");
  expectError(() => st.layers.conv1d({ filters: 2, kernelSize: [3, 3] }), st.ConfigError, 'kernelSize must be a positive integer or a tuple of 1');
  expectError(() => st.layers.conv2d({ filters: 2 } as never), st.ConfigError, 'kernelSize is required');
  expectError(() => st.layers.conv2d({ filters: 0, kernelSize: 3 }), st.ConfigError, 'filters (number of feature maps) must be a positive integer, got 0');
  expectError(() => st.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'causal' }), st.ConfigError, "padding 'causal' is for 1-D convolutions (Conv1D) only");
  expectError(() => st.layers.conv3d({ filters: 2, kernelSize: 3, padding: 'full' as never }), st.ConfigError, "padding must be 'valid' or 'same', got \"full\"");
  expectError(() => st.layers.conv2d({ filters: 2, kernelSize: 3, strides: [1, 2, 1] }), st.ConfigError, 'strides must be a positive integer or a tuple of 2');
  expectError(() => st.layers.conv2d({ filters: 2, kernelSize: 3, dilationRate: 0 }), st.ConfigError, 'dilationRate must be a positive integer');
  expectError(() => st.layers.conv2d({ filters: 2, kernelSize: 3, dataFormat: 'NCHW', name: 'c_nchw' }), st.ConfigError,
    "Conv2D 'c_nchw': dataFormat must be 'channelsLast' or 'channelsFirst'", 'got "NCHW"');
  expectError(() => st.layers.conv2d({ filters: 4, kernelSize: 3, groups: 2 }), st.ConfigError, 'groups 2 is not supported');
  expectError(() => st.layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relux' }), st.ConfigError, 'unknown activation "relux"');
  expectError(() => st.layers.conv2d({ filters: 2, kernelSize: 3, dropout: 1 }), st.ConfigError, 'dropout must be a rate in [0, 1)');
  expectError(() => st.layers.conv2d({ filters: 2, kernelSize: 3, dropout: { rate: 0.1, seed: 1 }, dropoutSeed: 2 }), st.ConfigError, 'disagree');
  expectError(() => st.layers.conv2d({ filters: 2, kernelSize: 3, pooling: { type: 'min' as never } }), st.ConfigError, "pooling.type must be 'max' or 'avg'");
  expectError(() => st.layers.conv2d({ filters: 2, kernelSize: 3, pooling: { type: 'max', pool_size: 2 } as never }), st.ConfigError, "unknown pooling option 'pool_size'");

  const c2 = st.layers.conv2d({ filters: 2, kernelSize: 3, name: 'conv2d_x' });
  expectError(() => c2.apply(st.zeros([4, 28, 28])), st.ShapeError,
    "Conv2D 'conv2d_x': expected input of rank 4 [batch, height, width, channels], got [null, 28, 28]",
    'add a channels dimension with reshape', 'targetShape: [28, 28, 1]');
  expectError(() => c2.apply(st.zeros([4, 5, 8, 8, 3])), st.ShapeError, 'got [null, 5, 8, 8, 3] — use Conv3D');
  expectError(() => c2.apply(st.zeros([1, 2, 8, 3])), st.ShapeError, "Conv2D 'conv2d_x'", 'larger than the padded input');
  c2.apply(st.zeros([1, 8, 8, 3]));
  expectError(() => c2.apply(st.zeros([1, 8, 8, 4])), st.ShapeError,
    "Conv2D 'conv2d_x': expected input with 3 channels (last dimension), got shape [1, 8, 8, 4]");
  expectError(() => c2.build([null, 8, 8, null]), st.ShapeError, 'channels dimension (last) of the input must be known');
  const pooled = st.layers.conv1d({ filters: 1, kernelSize: 3, pooling: { type: 'max', poolSize: 4 } });
  expectError(() => pooled.apply(st.zeros([1, 5, 1])), st.ShapeError, 'pooling.poolSize [4] is larger than the conv output');
});
