import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError, forEachBackend, rand } from './helpers.js';
import { expectConfigRoundTrip, expectLayerGradientsClose } from './layer-helpers.js';

/** Deterministic values ((i·7) mod 11)·scale + offset, the same formula the TF.js script used. */
function pattern(shape: number[], scale: number, offset: number): st.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return st.tensor(Array.from({ length: n }, (_, i) => ((i * 7) % 11) * scale + offset), shape);
}

// Produced by TensorFlow.js 4.22 (tmp script): tf.layers.conv2dTranspose({ filters: 2, kernelSize, strides,
// padding }) with setWeights([pattern(kernelShape, 0.05, -0.25), [0.1, -0.2]]) applied to pattern([1, 3, 3, 2], 0.1, -0.5).
const TFJS_CONV2D_TRANSPOSE: { padding: 'valid' | 'same'; strides: number | number[]; kernelSize: number | number[];
  shape: number[]; y: number[] }[] = [
  { padding: 'valid', strides: 2, kernelSize: 3, shape: [1, 7, 7, 2],
    y: [
      0.245, -0.1, 0.045, -0.3, 0.33, -0.08, 0.015, -0.24, 0.16, -0.4, 0.15, -0.18, 0.035, -0.13, 0.03, -0.315,
      0.215, -0.24, -0.055, -0.08, 0.23, -0.3, 0.085, -0.09, 0.025, -0.14, 0.13, -0.255, 0.1, -0.295, 0.02, 0.01,
      0.27, -0.26, -0.005, -0.165, 0, -0.39, 0.19, -0.285, 0.115, -0.03, 0.14, -0.1, 0.04, -0.2, 0.09, -0.385, 0.22,
      -0.26, 0.065, -0.12, 0.015, -0.1, 0.11, -0.225, -0.01, -0.25, 0.22, -0.24, 0.01, -0.21, 0.03, 0.025, -0.04,
      -0.12, 0.005, -0.315, 0.35, -0.245, 0.14, -0.16, 0.03, -0.16, 0.18, -0.14, 0.045, -0.22, 0.1, -0.37, 0.225,
      -0.28, 0.035, -0.085, 0.03, -0.16, 0.14, -0.27, 0.115, -0.15, 0.2, -0.285, 0.18, -0.235, 0.04, -0.08, 0.015,
      -0.27] },
  { padding: 'same', strides: 2, kernelSize: 3, shape: [1, 6, 6, 2],
    y: [
      0.245, -0.1, 0.045, -0.3, 0.33, -0.08, 0.015, -0.24, 0.16, -0.4, 0.15, -0.18, 0.03, -0.315, 0.215, -0.24,
      -0.055, -0.08, 0.23, -0.3, 0.085, -0.09, 0.025, -0.14, 0.1, -0.295, 0.02, 0.01, 0.27, -0.26, -0.005, -0.165,
      0, -0.39, 0.19, -0.285, 0.14, -0.1, 0.04, -0.2, 0.09, -0.385, 0.22, -0.26, 0.065, -0.12, 0.015, -0.1, -0.01,
      -0.25, 0.22, -0.24, 0.01, -0.21, 0.03, 0.025, -0.04, -0.12, 0.005, -0.315, 0.14, -0.16, 0.03, -0.16, 0.18,
      -0.14, 0.045, -0.22, 0.1, -0.37, 0.225, -0.28] },
  { padding: 'same', strides: 1, kernelSize: 2, shape: [1, 3, 3, 2],
    y: [
      0.245, -0.1, 0.145, -0.155, -0.04, -0.325, 0.13, -0.265, 0.295, -0.235, -0.125, -0.35, -0.05, -0.29, 0.19,
      -0.14, 0.1, 0.075] },
  { padding: 'valid', strides: [2, 1], kernelSize: [2, 3], shape: [1, 6, 5, 2],
    y: [
      0.245, -0.1, 0.145, -0.155, 0.09, -0.35, 0.265, -0.295, 0.035, -0.13, 0.03, -0.315, 0.145, -0.265, 0.185,
      -0.145, -0.03, -0.04, 0.13, -0.255, 0, -0.24, 0.25, -0.005, -0.07, -0.415, 0.295, -0.275, 0.045, -0.07, 0.14,
      -0.1, -0.03, -0.285, 0.32, -0.41, -0.06, 0.03, 0.11, -0.225, 0.03, -0.27, 0.025, -0.185, 0.155, 0.07, -0.06,
      -0.31, 0.22, -0.285, 0.14, -0.16, 0.07, -0.03, 0.015, -0.345, 0.295, -0.395, 0.035, -0.085] },];

test('conv2dTranspose matches TensorFlow.js Conv2DTranspose with the same weights', () => forEachBackend(() => {
  for (const c of TFJS_CONV2D_TRANSPOSE) {
    const layer = st.layers.conv2dTranspose({ filters: 2, kernelSize: c.kernelSize, strides: c.strides, padding: c.padding });
    const x = pattern([1, 3, 3, 2], 0.1, -0.5);
    layer.build([null, 3, 3, 2]);
    const kshape = layer.getWeights()[0].shape;
    assert.deepEqual(kshape.slice(-2), [2, 2], 'kernel [...k, filters, inChannels]');
    layer.setWeights([pattern(kshape, 0.05, -0.25), st.tensor([0.1, -0.2])]);
    const y = layer.apply(x) as st.Tensor;
    assert.deepEqual(y.shape, c.shape, `${c.padding} strides ${c.strides}`);
    expectClose(y, c.y, 1e-5, 1e-4, `${c.padding} strides ${c.strides} kernel ${c.kernelSize}`);
    assert.deepEqual(layer.computeOutputShape([null, 3, 3, 2]), [null, ...c.shape.slice(1)]);
  }
}));

test('conv2dTranspose kernel layout [kh, kw, filters, inChannels] and relu match TensorFlow.js', () => forEachBackend(() => {
  // TensorFlow.js 4.22: filters 3, kernelSize 2, strides 2, 'same', relu, kernel pattern([2, 2, 3, 2], 0.05, -0.25),
  // bias [0.1, -0.2, 0.05], x pattern([1, 2, 2, 2], 0.1, -0.5).
  const layer = st.layers.conv2dTranspose({ filters: 3, kernelSize: 2, strides: 2, padding: 'same', activation: 'relu' });
  layer.build([null, 2, 2, 2]);
  assert.deepEqual(layer.getWeights()[0].shape, [2, 2, 3, 2]);
  layer.setWeights([pattern([2, 2, 3, 2], 0.05, -0.25), st.tensor([0.1, -0.2, 0.05])]);
  expectClose(layer.apply(pattern([1, 2, 2, 2], 0.1, -0.5)) as st.Tensor, [
    0.245, 0, 0, 0, 0, 0.025, 0.2, 0, 0, 0.06, 0, 0, 0.03, 0, 0.165, 0.06, 0, 0.195, 0.03, 0, 0.18, 0, 0, 0.15,
    0.045, 0, 0.1, 0.12, 0, 0.12, 0, 0, 0.07, 0.18, 0, 0.03, 0.14, 0, 0, 0.16, 0, 0, 0.14, 0, 0, 0.1, 0, 0]);
}, 'fallback'));

test('conv1dTranspose hand-computed: strides, outputPadding, same, bias and activation', () => forEachBackend(() => {
  const make = (opts: Partial<st.layers.ConvTransposeLayerOptions>) => {
    const layer = st.layers.conv1dTranspose({ filters: 1, kernelSize: 2, strides: 2, ...opts });
    layer.build([null, 2, 1]);
    layer.setWeights([st.tensor([1, 10], [2, 1, 1]), st.tensor([0])]);
    return layer;
  };
  const x = st.tensor([1, 2], [1, 2, 1]);
  // Each input step stamps [x, 10x] at 2·i.
  expectClose(make({}).apply(x) as st.Tensor, [1, 10, 2, 20]);
  expectClose(make({ outputPadding: 1 }).apply(x) as st.Tensor, [1, 10, 2, 20, 0]);
  expectClose(make({ padding: 'same' }).apply(x) as st.Tensor, [1, 10, 2, 20]);
  // Stride 1: overlapping stamps add up: [1, 10+2, 20].
  expectClose(make({ strides: 1 }).apply(x) as st.Tensor, [1, 12, 20]);
  // Dilation 2 spreads the taps: [x0, x1, 10x0, 10x1] with stride 1.
  expectClose(make({ strides: 1, dilationRate: 2 }).apply(x) as st.Tensor, [1, 2, 10, 20]);
  const biased = make({ activation: 'relu' });
  biased.setWeights([st.tensor([1, -10], [2, 1, 1]), st.tensor([0.5])]);
  expectClose(biased.apply(x) as st.Tensor, [1.5, 0, 2.5, 0]);
}, 'fallback'));

const GRAD_X: Record<1 | 2 | 3, number[]> = { 1: [2, 3, 2], 2: [1, 3, 2, 2], 3: [1, 2, 2, 2, 1] };

test('conv transpose 1D/2D/3D gradients and output shapes: valid/same × strides × outputPadding × dilation', () => {
  let cases = 0;
  for (const rank of [1, 2, 3] as const) {
    for (const padding of ['valid', 'same'] as const) {
      for (const [strides, outputPadding] of [[1, undefined], [2, undefined], [2, 1]] as const) {
        for (const dilationRate of [1, 2]) {
          const layer = st.layers.convTranspose({ rank, filters: 2, kernelSize: rank === 3 ? 2 : 3, strides, padding, outputPadding,
            dilationRate, activation: 'tanh', dtype: 'float64', biasInitializer: st.initializers.randomNormal({ seed: 4 }) });
          const x = rand(GRAD_X[rank], 10 + rank);
          const y = layer.apply(x) as st.Tensor;
          const what = `rank ${rank} ${padding} strides ${strides} outputPadding ${outputPadding} dilation ${dilationRate}`;
          assert.deepEqual(layer.computeOutputShape([null, ...x.shape.slice(1)]), [null, ...y.shape.slice(1)], what);
          expectLayerGradientsClose(layer, x);
          cases++;
        }
      }
    }
  }
  assert.equal(cases, 36);
});

test('conv transpose output lengths follow Keras (DESIGN.md) and unknown dims stay null', () => {
  const len = (opts: Partial<st.layers.ConvTransposeLayerOptions>, n: number) =>
    st.layers.conv1dTranspose({ filters: 1, kernelSize: 3, ...opts }).computeOutputShape([null, n, 4])[1];
  assert.equal(len({ strides: 2 }, 5), 11);                             // (5−1)·2 + 3
  assert.equal(len({ strides: 4 }, 5), 20);                             // 5·4 + max(3 − 4, 0)
  assert.equal(len({ strides: 2, padding: 'same' }, 5), 10);            // 5·2
  assert.equal(len({ strides: 2, padding: 'same', outputPadding: 1 }, 5), 10); // (5−1)·2 + 3%2 + 1
  assert.equal(len({ strides: 2, padding: 'same', outputPadding: 0 }, 5), 9);
  assert.equal(len({ strides: 3, outputPadding: 2 }, 5), 17);           // (5−1)·3 + 3 + 2
  assert.equal(len({ dilationRate: 2 }, 5), 9);                         // kEff 5
  const layer = st.layers.conv3dTranspose({ filters: 6, kernelSize: [1, 2, 3], strides: [1, 2, 3] });
  assert.deepEqual(layer.computeOutputShape([null, null, 4, 5, 2]), [null, null, 8, 15, 6]);
  assert.equal((layer.apply(st.zeros([2, 3, 4, 5, 2])) as st.Tensor).shape.join(), [2, 3, 8, 15, 6].join());
});

test('conv transpose dropout shorthand: training drops (gradients with a fixed seed), inference does not, expands to plain + Dropout', () => {
  const layer = st.layers.conv2dTranspose({ filters: 2, kernelSize: 2, strides: 2, dropout: 0.4, dropoutSeed: 5, dtype: 'float64' });
  const x = rand([1, 2, 2, 3], 3);
  expectLayerGradientsClose(layer, x, true);
  expectLayerGradientsClose(layer, x, false);
  const trained = Array.from((layer.apply(x, { training: true }) as st.Tensor).values);
  const inferred = Array.from((layer.apply(x) as st.Tensor).values);
  assert.ok(trained.some((v) => v === 0) && trained.some((v, i) => v !== 0 && Math.abs(v - inferred[i] / 0.6) < 1e-12));
  const [plain, drop] = layer.expand();
  assert.equal(plain.className, 'Conv2DTranspose');
  assert.equal(drop.className, 'Dropout');
  assert.equal((drop as st.layers.Dropout).rate, 0.4);
  assert.equal(st.layers.serialize(plain).config.dropout, undefined, 'the expanded layer is plain Keras');
  expectClose(plain.apply(x) as st.Tensor, inferred);
  assert.deepEqual(st.layers.conv1dTranspose({ filters: 1, kernelSize: 1 }).expand().length, 1);
  // The object form, as the conv layers take it; a seed keeps the mask fixed across calls.
  const spatial = st.layers.conv1dTranspose({ filters: 4, kernelSize: 1, kernelInitializer: 'ones', dropout: { rate: 0.5, seed: 2, noiseShape: [null, 1, null] } });
  const ys = spatial.apply(st.ones([1, 6, 1]), { training: true }) as st.Tensor;
  const rows = ys.arraySync() as number[][][];
  assert.ok(rows[0].every((r) => JSON.stringify(r) === JSON.stringify(rows[0][0])), 'noiseShape shares the mask over steps');
  expectClose(spatial.apply(st.ones([1, 6, 1]), { training: true }) as st.Tensor, ys);
  const again = expectConfigRoundTrip(spatial) as st.layers.Conv1DTranspose;
  assert.deepEqual(again.dropout, { rate: 0.5, seed: 2, noiseShape: [null, 1, null] });
  expectError(() => st.layers.conv2dTranspose({ filters: 1, kernelSize: 1, dropout: 1.5 }), st.ConfigError, 'dropout must be a rate in [0, 1)');
});

test('conv transpose weights, regularizers, constraints and names follow Keras', () => {
  const layer = st.layers.conv2dTranspose({ filters: 3, kernelSize: [2, 3], useBias: true, kernelInitializer: 'ones',
    kernelRegularizer: st.regularizers.l2({ l2: 0.5 }), biasConstraint: 'nonNeg', biasInitializer: st.initializers.constant({ value: -1 }) });
  assert.match(layer.name, /^conv2d_transpose(_\d+)?$/);
  layer.apply(st.ones([1, 4, 4, 5]));
  assert.deepEqual(layer.getWeights().map((w) => w.shape), [[2, 3, 3, 5], [3]]);
  assert.equal(layer.countParams(), 2 * 3 * 3 * 5 + 3);
  expectClose(layer.regularizationLosses()[0], 0.5 * 90);
  layer.applyConstraints();
  expectClose(layer.getWeights()[1], [0, 0, 0]);
  const noBias = st.layers.conv3dTranspose({ filters: 2, kernelSize: 1, useBias: false });
  noBias.build([null, 1, 1, 1, 4]);
  assert.deepEqual(noBias.getWeights().map((w) => w.shape), [[1, 1, 1, 2, 4]]);
});

test('conv transpose configs round-trip; TF.js and Keras snake_case configs deserialize', () => {
  for (const layer of [
    st.layers.conv1dTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', outputPadding: 1, activation: 'relu' }),
    st.layers.conv2dTranspose({ filters: 2, kernelSize: [2, 3], dilationRate: [1, 2], useBias: false, inputShape: [5, 5, 3],
      kernelInitializer: st.initializers.heNormal({ seed: 1 }), kernelRegularizer: st.regularizers.l1({ l1: 0.1 }), kernelConstraint: 'nonNeg' }),
    st.layers.convTranspose({ rank: 3, filters: 1, kernelSize: 2, strides: [1, 2, 2], outputPadding: [0, 1, 1] }),
  ]) {
    const again = expectConfigRoundTrip(layer) as st.layers.ConvTranspose;
    assert.deepEqual(again.kernelSize, layer.kernelSize);
    assert.deepEqual(again.outputPadding, layer.outputPadding);
  }
  // As TensorFlow.js's Conv2DTranspose writes it in model.json (no dilation_rate, glorot_normal default).
  const tfjs = st.layers.deserialize({ class_name: 'Conv2DTranspose', config: {
    filters: 8, kernel_initializer: { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'normal', seed: null } },
    kernel_regularizer: null, kernel_constraint: null, kernel_size: [3, 3], strides: [2, 2], padding: 'same',
    data_format: 'channels_last', activation: 'relu', use_bias: true, bias_initializer: { class_name: 'Zeros', config: {} },
    bias_regularizer: null, activity_regularizer: null, bias_constraint: null, name: 'conv2d_transpose_Conv2DTranspose1',
    trainable: true, batch_input_shape: [null, 7, 7, 4], dtype: 'float32' } }) as st.layers.Conv2DTranspose;
  assert.equal(tfjs.className, 'Conv2DTranspose');
  assert.deepEqual([tfjs.filters, tfjs.strides, tfjs.padding, tfjs.outputPadding, tfjs.activation.name], [8, [2, 2], 'same', null, 'relu']);
  assert.deepEqual((tfjs.apply(st.zeros([1, 7, 7, 4])) as st.Tensor).shape, [1, 14, 14, 8]);
  // Keras 3: 1-D sizes as lists, output_padding null, dtype as a policy, the Keras 2 alias.
  const keras = st.layers.deserialize({ class_name: 'Conv1DTranspose', config: { name: 'ct', filters: 3, kernel_size: [3], strides: [2],
    padding: 'valid', output_padding: [1], data_format: 'channels_last', dilation_rate: [1], activation: 'linear', use_bias: true,
    dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' } } } }) as st.layers.Conv1DTranspose;
  assert.deepEqual([keras.kernelSize, keras.outputPadding], [[3], [1]]);
  assert.equal(keras.computeOutputShape([null, 4, 2])[1], 10);
  assert.equal(st.layers.deserialize({ class_name: 'Deconvolution2D', config: { filters: 1, kernel_size: 2 } }).className, 'Conv2DTranspose');
  assert.equal(st.layers.deserialize({ class_name: 'Deconvolution3D', config: { filters: 1, kernel_size: 2 } }).className, 'Conv3DTranspose');
});

test('conv transpose errors name the layer, the values and a fix', () => {
  expectError(() => st.layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, outputPadding: 2, name: 'up' }), st.ConfigError,
    "Conv2DTranspose 'up'", 'outputPadding must be smaller than strides', '[2, 2]');
  expectError(() => st.layers.conv1dTranspose({ filters: 2, kernelSize: 3, outputPadding: 1 }), st.ConfigError, 'smaller than strides');
  expectError(() => st.layers.conv2dTranspose({ filters: 2, kernelSize: [3, 0] }), st.ConfigError,
    'kernelSize must be a positive integer or a tuple of 2, got [3, 0]');
  expectError(() => st.layers.conv2dTranspose({ filters: 0, kernelSize: 3 }), st.ConfigError, 'filters', 'positive integer, got 0');
  expectError(() => st.layers.conv1dTranspose({ filters: 1, kernelSize: 3, padding: 'causal' as never }), st.ConfigError, "'valid' or 'same'");
  expectError(() => st.layers.conv2dTranspose({ filters: 1, kernelSize: 3, dataFormat: 'first' }), st.ConfigError, "dataFormat must be 'channelsLast' or 'channelsFirst'");
  expectError(() => st.layers.convTranspose({ rank: 4 as never, filters: 1, kernelSize: 3 }), st.ConfigError, 'rank must be 1, 2 or 3');
  const layer = st.layers.conv2dTranspose({ filters: 2, kernelSize: 3, name: 'deconv' });
  expectError(() => layer.apply(st.zeros([2, 28, 28])), st.ShapeError, "Conv2DTranspose 'deconv'",
    'expected input of rank 4 [batch, height, width, channels], got [null, 28, 28]', 'add a channels dimension with reshape (st.layers.reshape({ targetShape: [28, 28, 1] }))');
  expectError(() => layer.build([null, 4, 4, null]), st.ShapeError, 'channels dimension');
  layer.apply(st.zeros([1, 4, 4, 3]));
  expectError(() => layer.apply(st.zeros([1, 4, 4, 5])), st.ShapeError, "Conv2DTranspose 'deconv'", 'expected input with 3 channels', '[1, 4, 4, 5]');
});
