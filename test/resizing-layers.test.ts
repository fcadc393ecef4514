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

/** Nearest-neighbour upsampling by explicit loops over a channels-last tensor (an independent reference). */
function repeatReference(x: st.Tensor, size: number[]): number[] {
  const [n, ...rest] = x.shape;
  const c = rest.pop()!;
  const outDims = rest.map((d, i) => d * size[i]);
  const out: number[] = [];
  const total = outDims.reduce((a, b) => a * b, 1);
  for (let b = 0; b < n; b++) {
    for (let p = 0; p < total; p++) {
      let rem = p, src = 0, stride = 1;
      const coords: number[] = [];
      for (let i = outDims.length - 1; i >= 0; i--) { coords[i] = rem % outDims[i]; rem = Math.floor(rem / outDims[i]); }
      for (let i = rest.length - 1; i >= 0; i--) { src += Math.floor(coords[i] / size[i]) * stride; stride *= rest[i]; }
      for (let ch = 0; ch < c; ch++) out.push(x.values[(b * stride + src) * c + ch]);
    }
  }
  return out;
}

// Produced by TensorFlow.js 4.22 (tmp script): tf.layers.upSampling2d({ size, interpolation: 'bilinear' })
// applied to pattern([1, h, w, 2], 0.3, -1).
const TFJS_BILINEAR: { size: number[]; h: number; w: number; shape: number[]; y: number[] }[] = [
  { size: [2, 2], h: 2, w: 3, shape: [1, 4, 6, 2],
    y: [
      -1, 1.1, -0.55, 1.55, -0.1, 2, 0.35, 0.8, 0.8, -0.4, 0.8, -0.4, 0.35, 0.8, -0.025, 1.25, -0.4, 1.7, 0.05, 0.5,
      0.5, -0.7, 0.5, -0.7, 1.7, 0.5, 0.5, 0.95, -0.7, 1.4, -0.25, 0.2, 0.2, -1, 0.2, -1, 1.7, 0.5, 0.5, 0.95, -0.7,
      1.4, -0.25, 0.2, 0.2, -1, 0.2, -1] },
  { size: [3, 2], h: 3, w: 2, shape: [1, 9, 4, 2],
    y: [
      -1, 1.1, -0.55, 1.55, -0.1, 2, -0.1, 2, -0.4, 0.6, 0.05, 1.05, 0.5, 1.5, 0.5, 1.5, 0.2, 0.1, 0.65, 0.55, 1.1,
      1, 1.1, 1, 0.8, -0.4, 1.25, 0.05, 1.7, 0.5, 1.7, 0.5, 0.3, 0.2, 0.75, 0.1, 1.2, 0, 1.2, 0, -0.2, 0.8, 0.25,
      0.15, 0.7, -0.5, 0.7, -0.5, -0.7, 1.4, -0.25, 0.2, 0.2, -1, 0.2, -1, -0.7, 1.4, -0.25, 0.2, 0.2, -1, 0.2, -1,
      -0.7, 1.4, -0.25, 0.2, 0.2, -1, 0.2, -1] },];

test('upSampling nearest repeats along every spatial axis (1D, 2D, 3D)', () => forEachBackend(() => {
  expectClose(st.layers.upSampling1d({ size: 3 }).apply(st.tensor([1, 2, 10, 20], [1, 2, 2])) as st.Tensor,
    [1, 2, 1, 2, 1, 2, 10, 20, 10, 20, 10, 20]);
  const y2 = st.layers.upSampling2d({ size: [2, 3] }).apply(st.tensor([1, 2, 3, 4], [1, 2, 2, 1])) as st.Tensor;
  assert.deepEqual(y2.shape, [1, 4, 6, 1]);
  expectClose(y2, [1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4]);
  const x3 = pattern([2, 2, 3, 1, 2], 1, 0);
  const y3 = st.layers.upSampling3d({ size: [2, 1, 3] }).apply(x3) as st.Tensor;
  assert.deepEqual(y3.shape, [2, 4, 3, 3, 2]);
  expectClose(y3, repeatReference(x3, [2, 1, 3]));
  const x2 = pattern([2, 3, 2, 3], 1, 0);
  expectClose(st.layers.upSampling2d().apply(x2) as st.Tensor, repeatReference(x2, [2, 2]));
}));

test('upSampling2d bilinear matches TensorFlow.js (alignCorners false, halfPixelCenters false)', () => forEachBackend(() => {
  for (const c of TFJS_BILINEAR) {
    const layer = st.layers.upSampling2d({ size: c.size, interpolation: 'bilinear' });
    const y = layer.apply(pattern([1, c.h, c.w, 2], 0.3, -1)) as st.Tensor;
    assert.deepEqual(y.shape, c.shape);
    expectClose(y, c.y, 1e-5, 1e-4, `bilinear size ${c.size}`);
  }
  // Hand-computed: output column j reads source j/2, clamped at the last column.
  expectClose(st.layers.upSampling2d({ size: [1, 2], interpolation: 'bilinear' }).apply(st.tensor([0, 1], [1, 1, 2, 1])) as st.Tensor,
    [0, 0.5, 1, 1]);
}));

test('upSampling gradients: nearest 1D/2D/3D and bilinear 2D', () => {
  const cases: [st.layers.Layer, number[]][] = [
    [st.layers.upSampling1d({ size: 3, dtype: 'float64' }), [2, 3, 2]],
    [st.layers.upSampling2d({ size: [2, 3], dtype: 'float64' }), [1, 3, 2, 2]],
    [st.layers.upSampling3d({ size: [2, 1, 2], dtype: 'float64' }), [1, 2, 2, 2, 2]],
    [st.layers.upSampling2d({ size: [2, 3], interpolation: 'bilinear', dtype: 'float64' }), [2, 3, 2, 2]],
    [st.layers.upSampling2d({ size: [3, 1], interpolation: 'bilinear', dtype: 'float64' }), [1, 2, 3, 1]],
  ];
  cases.forEach(([layer, shape], i) => {
    const x = rand(shape, 20 + i);
    const y = layer.apply(x) as st.Tensor;
    assert.deepEqual(layer.computeOutputShape([null, ...shape.slice(1)]), [null, ...y.shape.slice(1)]);
    expectLayerGradientsClose(layer, x);
  });
  assert.deepEqual(st.layers.upSampling3d({ size: 2 }).computeOutputShape([null, null, 3, 4, 5]), [null, null, 6, 8, 5]);
});

test('upSampling configs round-trip; TF.js and Keras snake_case configs deserialize', () => {
  for (const layer of [st.layers.upSampling1d({ size: 4 }), st.layers.upSampling2d({ size: [1, 3], interpolation: 'bilinear', inputShape: [4, 4, 1] }),
    st.layers.upSampling3d({ size: [1, 2, 3] })]) {
    expectConfigRoundTrip(layer);
  }
  const tfjs = st.layers.deserialize({ class_name: 'UpSampling2D', config: { size: [2, 3], data_format: 'channels_last',
    interpolation: 'bilinear', name: 'up_sampling2d_UpSampling2D1', trainable: true, dtype: 'float32' } }) as st.layers.UpSampling2D;
  assert.deepEqual([tfjs.size, tfjs.interpolation], [[2, 3], 'bilinear']);
  const k1 = st.layers.deserialize({ class_name: 'UpSampling1D', config: { name: 'u1', size: 3 } }) as st.layers.UpSampling1D;
  assert.deepEqual(k1.computeOutputShape([null, 5, 2]), [null, 15, 2]);
  const k3 = st.layers.deserialize({ class_name: 'UpSampling3D', config: { size: [2, 2, 1], data_format: null } }) as st.layers.UpSampling3D;
  assert.deepEqual(k3.size, [2, 2, 1]);
  assert.match(st.layers.upSampling2d().name, /^up_sampling2d(_\d+)?$/);
});

test('upSampling errors name the layer, the value and a fix', () => {
  expectError(() => st.layers.upSampling2d({ interpolation: 'bicubic' as never, name: 'up' }), st.ConfigError,
    "UpSampling2D 'up'", "interpolation must be 'nearest' or 'bilinear', got \"bicubic\"");
  expectError(() => st.layers.upSampling2d({ size: [2, 0] }), st.ConfigError, 'size must be a positive integer or a tuple of 2, got [2,0]');
  expectError(() => st.layers.upSampling1d({ size: 1.5 }), st.ConfigError, 'size must be a positive integer');
  expectError(() => st.layers.upSampling3d({ dataFormat: 'NCDHW' }), st.ConfigError, "dataFormat must be 'channelsLast' or 'channelsFirst'");
  expectError(() => st.layers.upSampling2d({ interpolation: 'bilinear', halfPixelCenters: 1 as never }), st.ConfigError, 'halfPixelCenters must be true');
  expectError(() => st.layers.upSampling2d({ name: 'u' }).apply(st.zeros([1, 4, 4])), st.ShapeError,
    "UpSampling2D 'u'", 'expected input of rank 4 [batch, height, width, channels], got [1, 4, 4]', 'add a channels dimension');
  expectError(() => st.layers.upSampling1d().apply(st.zeros([1, 4, 4, 1])), st.ShapeError, 'use the 2-D variant');
});

test('zeroPadding 1D/2D/3D: values, every Keras form of padding, output shapes', () => forEachBackend(() => {
  expectClose(st.layers.zeroPadding1d({ padding: [1, 2] }).apply(st.tensor([1, 2, 3, 4], [1, 2, 2])) as st.Tensor,
    [0, 0, 1, 2, 3, 4, 0, 0, 0, 0]);
  expectClose(st.layers.zeroPadding1d().apply(st.tensor([5], [1, 1, 1])) as st.Tensor, [0, 5, 0]);
  const y2 = st.layers.zeroPadding2d({ padding: [[1, 0], [0, 2]] }).apply(st.tensor([1, 2, 3, 4], [1, 2, 2, 1])) as st.Tensor;
  assert.deepEqual(y2.shape, [1, 3, 4, 1]);
  expectClose(y2, [0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0]);
  const same = [2, [2, 2], [[2, 2], [2, 2]]].map((padding) => st.layers.zeroPadding2d({ padding: padding as never }).computeOutputShape([null, 3, 4, 1]));
  assert.deepEqual(same, [[null, 7, 8, 1], [null, 7, 8, 1], [null, 7, 8, 1]]);
  assert.deepEqual(st.layers.zeroPadding2d({ padding: [1, 3] }).computeOutputShape([null, 3, null, 2]), [null, 5, null, 2]);
  const y3 = st.layers.zeroPadding3d({ padding: [[0, 1], [1, 0], [0, 0]] }).apply(st.ones([1, 1, 1, 2, 1])) as st.Tensor;
  assert.deepEqual(y3.shape, [1, 2, 2, 2, 1]);
  expectClose(y3, [0, 0, 1, 1, 0, 0, 0, 0]);
  assert.deepEqual(st.layers.zeroPadding3d().computeOutputShape([null, 1, 2, 3, 4]), [null, 3, 4, 5, 4]);
}, 'fallback'));

test('cropping 1D/2D/3D: values, every Keras form of cropping, Keras defaults', () => forEachBackend(() => {
  expectClose(st.layers.cropping1d({ cropping: [1, 2] }).apply(st.tensor([1, 2, 3, 4, 5], [1, 5, 1])) as st.Tensor, [2, 3]);
  expectClose(st.layers.cropping1d().apply(st.tensor([1, 2, 3], [1, 3, 1])) as st.Tensor, [2]);
  const x = st.tensor(Array.from({ length: 12 }, (_, i) => i), [1, 3, 4, 1]);
  expectClose(st.layers.cropping2d({ cropping: [[1, 0], [1, 2]] }).apply(x) as st.Tensor, [5, 9]);
  expectClose(st.layers.cropping2d().apply(x) as st.Tensor, x, 0, 0);
  assert.deepEqual(st.layers.cropping2d({ cropping: [1, 2] }).computeOutputShape([null, 5, 6, 3]), [null, 3, 2, 3]);
  const y3 = st.layers.cropping3d().apply(pattern([1, 3, 3, 4, 1], 1, 0)) as st.Tensor;
  assert.deepEqual(y3.shape, [1, 1, 1, 2, 1]);
  // Element [0, 1, 1, 1..2, 0] of the pattern: flat indices 12 + 4 + 1 and + 2.
  expectClose(y3, [(17 * 7) % 11, (18 * 7) % 11]);
  assert.deepEqual(st.layers.cropping3d({ cropping: 0 }).computeOutputShape([null, null, 2, 3, 1]), [null, null, 2, 3, 1]);
}, 'fallback'));

test('padding and cropping gradients and output shapes', () => {
  const cases: [st.layers.Layer, number[]][] = [
    [st.layers.zeroPadding1d({ padding: [2, 1], dtype: 'float64' }), [2, 3, 2]],
    [st.layers.zeroPadding2d({ padding: [[1, 0], [2, 1]], dtype: 'float64' }), [1, 2, 3, 2]],
    [st.layers.zeroPadding3d({ padding: 1, dtype: 'float64' }), [1, 2, 1, 2, 1]],
    [st.layers.cropping1d({ cropping: [0, 2], dtype: 'float64' }), [2, 4, 2]],
    [st.layers.cropping2d({ cropping: [[1, 0], [1, 1]], dtype: 'float64' }), [1, 3, 4, 2]],
    [st.layers.cropping3d({ cropping: [[1, 0], [0, 1], [1, 1]], dtype: 'float64' }), [1, 3, 3, 3, 1]],
  ];
  cases.forEach(([layer, shape], i) => {
    const x = rand(shape, 40 + i);
    const y = layer.apply(x) as st.Tensor;
    assert.deepEqual(layer.computeOutputShape([null, ...shape.slice(1)]), [null, ...y.shape.slice(1)]);
    expectLayerGradientsClose(layer, x);
  });
});

test('padding and cropping configs round-trip; TF.js and Keras snake_case configs deserialize', () => {
  for (const layer of [st.layers.zeroPadding1d({ padding: [1, 2] }), st.layers.zeroPadding2d({ padding: [1, 2], inputShape: [4, 4, 1] }),
    st.layers.zeroPadding3d(), st.layers.cropping1d({ cropping: 3 }), st.layers.cropping2d({ cropping: [[1, 2], [3, 4]] }),
    st.layers.cropping3d({ cropping: [1, 0, 2] })]) {
    expectConfigRoundTrip(layer);
  }
  assert.deepEqual(st.layers.serialize(st.layers.zeroPadding2d({ padding: [1, 2] })).config.padding, [[1, 1], [2, 2]]);
  assert.deepEqual(st.layers.serialize(st.layers.cropping1d({ cropping: 3 })).config.cropping, [3, 3]);
  const zp = st.layers.deserialize({ class_name: 'ZeroPadding2D', config: { padding: [[1, 1], [2, 2]], data_format: 'channels_last',
    name: 'zero_padding2d_ZeroPadding2D1', trainable: true, batch_input_shape: [null, 4, 4, 3], dtype: 'float32' } });
  assert.deepEqual(zp.computeOutputShape([null, 4, 4, 3]), [null, 6, 8, 3]);
  const cr = st.layers.deserialize({ class_name: 'Cropping2D', config: { cropping: [[1, 1], [2, 2]], data_format: 'channels_last' } });
  assert.deepEqual(cr.computeOutputShape([null, 4, 6, 3]), [null, 2, 2, 3]);
  const k1 = st.layers.deserialize({ class_name: 'ZeroPadding1D', config: { name: 'zp', padding: [1, 2] } });
  assert.deepEqual(k1.computeOutputShape([null, 4, 3]), [null, 7, 3]);
  const c3 = st.layers.deserialize({ class_name: 'Cropping3D', config: { cropping: [[1, 1], [1, 1], [0, 0]], data_format: 'channels_last' } });
  assert.deepEqual(c3.computeOutputShape([null, 3, 4, 5, 1]), [null, 1, 2, 5, 1]);
  assert.match(st.layers.zeroPadding2d().name, /^zero_padding2d(_\d+)?$/);
});

test('padding and cropping errors name the layer, the values and a fix', () => {
  const crop = st.layers.cropping2d({ cropping: [[2, 1], [0, 0]], name: 'crop' });
  expectError(() => crop.apply(st.zeros([1, 3, 5, 1])), st.ShapeError, "Cropping2D 'crop'", 'cropping [2, 1] removes all 3 rows',
    '[null, 3, 5, 1]', 'crop less than 3');
  expectError(() => st.layers.cropping1d({ cropping: [2, 2] }).computeOutputShape([null, 4, 1]), st.ShapeError, 'removes all 4 steps');
  expectError(() => st.layers.zeroPadding2d({ padding: [1, -1] }), st.ConfigError, 'padding must be a non-negative integer', '[1,-1]');
  expectError(() => st.layers.zeroPadding2d({ padding: [1, 2, 3] }), st.ConfigError, 'or 2 pairs [before, after]');
  expectError(() => st.layers.cropping3d({ cropping: [[1, 1], [1]] as never }), st.ConfigError, 'cropping must be');
  expectError(() => st.layers.zeroPadding2d({ dataFormat: 'NCHW' }), st.ConfigError, "dataFormat must be 'channelsLast' or 'channelsFirst'");
  expectError(() => st.layers.zeroPadding2d({ name: 'zp' }).apply(st.zeros([2, 5, 5])), st.ShapeError, "ZeroPadding2D 'zp'",
    'expected input of rank 4', 'add a channels dimension with reshape (st.layers.reshape({ targetShape: [5, 5, 1] }))');
  expectError(() => st.layers.cropping1d().apply(st.zeros([4, 3])), st.ShapeError, 'expected input of rank 3 [batch, width, channels]');
});
