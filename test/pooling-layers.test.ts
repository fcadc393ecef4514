import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError, forEachBackend, rand } from './helpers.js';
import { expectConfigRoundTrip, expectLayerGradientsClose } from './layer-helpers.js';

// Input shared with the TF.js reference below: xv[i] = ((i·7) mod 17) − 8 + 0.01·i.
const xv = Array.from({ length: 40 }, (_, i) => ((i * 7) % 17) - 8 + i * 0.01);

const out = (layer: st.layers.Layer, x: st.Tensor): st.Tensor => layer.apply(x) as st.Tensor;

test('pooling layers match TensorFlow.js 4.22 (1-D, 2-D, 3-D; max and average; same and valid)', () => forEachBackend(() => {
  // Reference numbers printed by a scratch script running tf.layers.* of @tensorflow/tfjs 4.22 on the same xv.
  const x2 = st.tensor(xv, [1, 4, 5, 2]);
  const cases: [st.layers.Layer, st.Tensor, number[], number[]][] = [
    [st.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }), x2, [1, 2, 3, 2],
      [8.12, 3.21, 8.12, 7.07, 4.26, 8.29, -1.7, 5.31, 7.24, 2.33, 6.36, 8.29]],
    [st.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }), x2, [1, 2, 3, 2],
      [-1.723333, -0.38, 3.251111, -2.961111, 0.67, 2.013333, -4.24, 2.77, -0.21, -1.7, 3.82, -1.92]],
    [st.layers.averagePooling2d({ poolSize: [2, 3], strides: [1, 2] }), x2, [1, 3, 2, 2],
      [1.403333, -2.92, 1.11, -0.38, 0.67, -0.82, 3.21, -1.113333, -2.896667, 1.28, 2.476667, -1.846667]],
    [st.layers.maxPooling1d({ poolSize: 3, strides: 2, padding: 'same' }), st.tensor(xv.slice(0, 14), [1, 7, 2]), [1, 4, 2],
      [6.02, -0.99, 6.02, 7.07, 0.06, 7.07, 8.12, 1.11]],
    [st.layers.averagePooling1d({ poolSize: 3, strides: 2, padding: 'same' }), st.tensor(xv.slice(0, 14), [1, 7, 2]), [1, 4, 2],
      [-0.99, -2.48, 3.04, -1.283333, -2.92, 4.09, 1.11, -0.38]],
    [st.layers.maxPooling3d({ poolSize: 2, strides: 1, padding: 'same' }), st.tensor(xv.slice(0, 36), [1, 3, 3, 2, 2]), [1, 3, 3, 2, 2],
      [8.12, 7.07, 6.02, 7.07, 3.04, 7.07, 0.06, 7.07, -2.92, 4.09, -5.9, 1.11, 8.12, 8.29, 5.14, 6.19, 2.16, 8.29, -0.82, 6.19,
        -3.8, 3.21, -6.78, 0.23, 7.24, 8.29, 4.26, 5.31, 1.28, 8.29, -1.7, 5.31, -4.68, 2.33, -7.66, -0.65]],
    [st.layers.averagePooling3d({ poolSize: 2, strides: 1, padding: 'same' }), st.tensor(xv.slice(0, 36), [1, 3, 3, 2, 2]), [1, 3, 3, 2, 2],
      [1.965, -1.65, 2.6, 1.11, -1.87, 0.89, -3.36, 3.65, -4.85, 2.16, -6.34, 0.67, 3.21, -0.405, 1.72, 0.23, -2.75, 2.135, -4.24, 2.77,
        -5.73, 1.28, -7.22, -0.21, 2.77, 1.28, 1.28, -0.21, -3.19, 3.82, -4.68, 2.33, -6.17, 0.84, -7.66, -0.65]],
  ];
  for (const [layer, x, shape, values] of cases) {
    const y = out(layer, x);
    assert.deepEqual(y.shape, shape, layer.describe());
    expectClose(y, values, 1e-5, 1e-5, layer.describe());
    assert.deepEqual(layer.computeOutputShape([null, ...x.shape.slice(1)]), [null, ...shape.slice(1)], `${layer.describe()} computeOutputShape`);
  }
}, 'fallback'));

test('pooling defaults: poolSize 2, strides = poolSize (null too), padding valid', () => {
  const x = st.tensor([1, 5, 2, 4, 3, 0, 7, 6, 9], [1, 9, 1]);
  const layer = st.layers.maxPooling1d();
  assert.deepEqual(layer.poolSize, [2]);
  assert.deepEqual(layer.strides, [2]);
  assert.equal(layer.padding, 'valid');
  expectClose(out(layer, x), [5, 4, 3, 7]);
  expectClose(out(st.layers.avgPool1d({ poolSize: 3, strides: null }), x), [8 / 3, 7 / 3, 22 / 3]);
  const l2 = st.layers.maxPooling2d({ strides: 1 });
  assert.deepEqual([l2.poolSize, l2.strides], [[2, 2], [1, 1]]);
  assert.deepEqual(st.layers.maxPooling3d().computeOutputShape([null, 5, 4, 3, 2]), [null, 2, 2, 1, 2]);
  assert.deepEqual(st.layers.averagePooling2d({ padding: 'same', poolSize: 3, strides: 2 }).computeOutputShape([null, 7, null, 3]), [null, 4, null, 3]);
  assert.deepEqual(new st.layers.MaxPooling2D({ poolSize: [2, 2], strides: [2, 2], padding: 'valid', name: 'conv_pool' }).name, 'conv_pool');
});

test('pooling gradients w.r.t. the input, every rank, kind and padding', () => {
  const inputs: Record<number, number[]> = { 1: [2, 5, 2], 2: [1, 5, 4, 2], 3: [1, 3, 4, 3, 2] };
  for (const rank of [1, 2, 3] as const) {
    for (const kind of ['max', 'avg'] as const) {
      for (const padding of ['valid', 'same'] as const) {
        const make = ({ 1: { max: st.layers.maxPooling1d, avg: st.layers.averagePooling1d },
          2: { max: st.layers.maxPooling2d, avg: st.layers.averagePooling2d },
          3: { max: st.layers.maxPooling3d, avg: st.layers.averagePooling3d } } as const)[rank][kind];
        const layer = make({ poolSize: 2, strides: padding === 'same' ? 2 : 1, padding, dtype: 'float64' });
        expectLayerGradientsClose(layer, rand(inputs[rank], rank * 10 + (kind === 'max' ? 1 : 2)));
      }
    }
  }
});

test('global pooling: max and mean over the spatial dims, keepdims, shapes', () => forEachBackend(() => {
  const x = st.tensor(xv.slice(0, 12), [2, 3, 2]);
  // By hand: per sample and channel, max / mean of the three steps.
  expectClose(out(st.layers.globalMaxPooling1d(), x), [6.02, -0.99, 0.06, 7.07]);
  expectClose(out(st.layers.globalAveragePooling1d(), x), [(-8 + 6.02 + 3.04) / 3, (-0.99 - 3.97 - 6.95) / 3,
    (0.06 - 2.92 - 5.9) / 3, (7.07 + 4.09 + 1.11) / 3]);
  const x4 = st.tensor(xv.slice(0, 24), [2, 2, 3, 2]);
  const g = st.layers.globalAveragePooling2d({ keepdims: true });
  const y = out(g, x4);
  assert.deepEqual(y.shape, [2, 1, 1, 2]);
  assert.deepEqual(g.computeOutputShape([null, 2, 3, 2]), [null, 1, 1, 2]);
  expectClose(y, st.mean(x4, [1, 2], true));
  const x5 = rand([2, 2, 2, 3, 4], 5);
  expectClose(out(st.layers.globalMaxPooling3d(), x5), st.max(x5, [1, 2, 3]));
  expectClose(out(st.layers.globalAveragePooling3d(), x5), st.mean(x5, [1, 2, 3]));
  assert.deepEqual(st.layers.globalMaxPooling2d().computeOutputShape([null, 7, 7, 16]), [null, 16]);
  assert.deepEqual(st.layers.globalMaxPool1d({ keepdims: true }).computeOutputShape([null, null, 16]), [null, 1, 16]);
}, 'fallback'));

test('GlobalAveragePooling1D with a mask averages the unmasked steps only', () => {
  const x = st.tensor([1, 10, 3, 20, 100, 100, 2, 4, 6, 8, 10, 12], [2, 3, 2]);
  const mask = st.tensor([1, 1, 0, 1, 0, 1], [2, 3]);
  const layer = st.layers.globalAveragePooling1d();
  expectClose(layer.apply(x, { mask }) as st.Tensor, [2, 15, 6, 8]);
  assert.equal(layer.computeMask(x, mask), null, 'the steps axis is gone, so is the mask');
  const xg = rand([2, 3, 2], 7);
  const mg = st.tensor([1, 0, 1, 1, 1, 0], [2, 3], 'float64');
  const g = st.layers.globalAveragePooling1d({ dtype: 'float64' });
  const report = st.testing.checkGradients((input) => g.apply(input, { mask: mg }) as st.Tensor, [xg]);
  assert.ok(report.ok && report.checked > 0);
  expectError(() => layer.apply(x, { mask: st.ones([2, 4]) }), st.ShapeError, "GlobalAveragePooling1D 'global_average_pooling1d", 'the mask must be [batch, steps] = [2, 3], got [2, 4]');
});

test('global pooling gradients', () => {
  const shapes: Record<number, number[]> = { 1: [2, 4, 3], 2: [2, 3, 2, 2], 3: [1, 2, 3, 2, 2] };
  const makers = [[st.layers.globalMaxPooling1d, st.layers.globalAveragePooling1d], [st.layers.globalMaxPooling2d, st.layers.globalAveragePooling2d],
    [st.layers.globalMaxPooling3d, st.layers.globalAveragePooling3d]] as const;
  makers.forEach((pair, r) => pair.forEach((make, k) => {
    for (const keepdims of [false, true]) expectLayerGradientsClose(make({ keepdims, dtype: 'float64' }), rand(shapes[r + 1], 20 + r * 2 + k));
  }));
});

test('pooling configs round-trip and load TF.js / Keras snake_case files', () => {
  for (const layer of [st.layers.maxPooling1d({ poolSize: 3 }), st.layers.maxPooling2d({ poolSize: [2, 3], strides: 1, padding: 'same' }),
    st.layers.maxPooling3d(), st.layers.averagePooling1d({ strides: 1 }), st.layers.averagePooling2d({ inputShape: [8, 8, 3] }),
    st.layers.averagePooling3d({ poolSize: [1, 2, 2] }), st.layers.globalMaxPooling1d(), st.layers.globalAveragePooling2d({ keepdims: true }),
    st.layers.globalMaxPooling3d(), st.layers.globalAveragePooling1d(), st.layers.globalMaxPooling2d(), st.layers.globalAveragePooling3d()]) {
    expectConfigRoundTrip(layer);
  }
  // As TensorFlow.js writes a MaxPooling1D: 1-D sizes as arrays.
  const tfjs = st.layers.deserialize({ class_name: 'MaxPooling1D', config: {
    name: 'max_pooling1d_1', trainable: true, dtype: 'float32', pool_size: [3], padding: 'valid', strides: [3] } }) as st.layers.MaxPooling1D;
  assert.deepEqual([tfjs.poolSize, tfjs.strides, tfjs.name], [[3], [3], 'max_pooling1d_1']);
  // As Keras 3 writes a MaxPooling2D (strides null = poolSize), and the AvgPool2D alias.
  const keras = st.layers.deserialize({ class_name: 'MaxPooling2D', config: {
    name: 'mp', trainable: true, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' } },
    pool_size: [2, 2], padding: 'same', strides: null, data_format: 'channels_last' } }) as st.layers.MaxPooling2D;
  assert.deepEqual([keras.poolSize, keras.strides, keras.padding], [[2, 2], [2, 2], 'same']);
  assert.equal(st.layers.deserialize({ class_name: 'AvgPool2D', config: { pool_size: 2 } }).className, 'AveragePooling2D');
  const gp = st.layers.deserialize({ class_name: 'GlobalAveragePooling2D', config: { data_format: 'channels_last', keepdims: true } });
  assert.deepEqual(gp.computeOutputShape([null, 4, 4, 3]), [null, 1, 1, 3]);
  assert.equal(st.layers.deserialize({ class_name: 'GlobalMaxPool1D', config: {} }).className, 'GlobalMaxPooling1D');
});

test('pooling errors name the layer, the shapes and a fix', () => {
  expectError(() => st.layers.maxPooling2d({ poolSize: [3, 0], name: 'p' }), st.ConfigError,
    "MaxPooling2D 'p': poolSize must be a positive integer or a tuple of 2, got [3,0]");
  expectError(() => st.layers.averagePooling1d({ strides: [1, 2] }), st.ConfigError, 'strides must be a positive integer or a tuple of 1');
  expectError(() => st.layers.maxPooling2d({ padding: 'causal' as never }), st.ConfigError, "padding must be 'valid' or 'same', got \"causal\"");
  expectError(() => st.layers.maxPooling2d({ dataFormat: 'NCHW' }), st.ConfigError, 'NCHW', "dataFormat must be 'channelsLast' or 'channelsFirst'");
  expectError(() => st.layers.globalMaxPooling2d({ dataFormat: 'first' }), st.ConfigError, "'channels_last' / 'channels_first'");
  expectError(() => st.layers.maxPooling2d({ name: 'mp2' }).apply(st.zeros([2, 28, 28])), st.ShapeError,
    "MaxPooling2D 'mp2': expected input of rank 4 [batch, height, width, channels], got [null, 28, 28]", 'add a channels dimension');
  expectError(() => st.layers.maxPooling2d({ poolSize: 5 }).computeOutputShape([null, 4, 8, 1]), st.ShapeError,
    'larger than the input', "use padding 'same'");
  expectError(() => st.layers.globalAveragePooling2d().apply(st.zeros([2, 5, 3])), st.ShapeError,
    'expected input of rank 4 [batch, height, width, channels], got [null, 5, 3]', 'use the 1-D global pooling layer');
});
