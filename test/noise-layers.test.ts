import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError, forEachBackend, rand } from './helpers.js';
import { expectConfigRoundTrip, expectLayerGradientsClose } from './layer-helpers.js';

function stats(values: ArrayLike<number>): { mean: number; variance: number } {
  let s = 0, s2 = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  const mean = s / values.length;
  for (let i = 0; i < values.length; i++) s2 += (values[i] - mean) ** 2;
  return { mean, variance: s2 / values.length };
}

const ALPHA_P = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946;

function noiseLayers(seed?: number): st.layers.Layer[] {
  return [
    st.layers.gaussianNoise({ stddev: 0.3, seed }), st.layers.gaussianDropout({ rate: 0.3, seed }),
    st.layers.alphaDropout({ rate: 0.3, seed }), st.layers.spatialDropout1d({ rate: 0.3, seed }),
  ];
}

test('noise layers are the identity at inference and keep the shape', () => forEachBackend(() => {
  // 32 feature maps, so that spatial dropout leaves every map with probability ≤ 0.7^32.
  const x = rand([4, 5, 8], 1, 'float32');
  for (const layer of [...noiseLayers(), st.layers.spatialDropout2d({ rate: 0.5 }), st.layers.spatialDropout3d({ rate: 0.5 })]) {
    const input = layer instanceof st.layers.SpatialDropout2D ? st.reshape(x, [4, 5, 1, 8])
      : layer instanceof st.layers.SpatialDropout3D ? st.reshape(x, [4, 5, 1, 1, 8]) : x;
    assert.equal(layer.apply(input), input, `${layer.className} at inference`);
    assert.equal(layer.apply(input, { training: false }), input);
    assert.deepEqual(layer.computeOutputShape([null, ...input.shape.slice(1)]), [null, ...input.shape.slice(1)]);
    assert.ok(layer.supportsMasking);
    const y = layer.apply(input, { training: true }) as st.Tensor;
    assert.deepEqual(y.shape, input.shape);
    assert.notDeepEqual(Array.from(y.values), Array.from(input.values), `${layer.className} changes its input in training`);
  }
}));

test('GaussianNoise adds N(0, stddev²) noise in training', () => forEachBackend(() => {
  const x = st.fill([400, 500], 2, 'float64');
  const y = st.layers.gaussianNoise({ stddev: 0.5, seed: 3 }).apply(x, { training: true }) as st.Tensor;
  assert.equal(y.dtype, 'float64');
  const { mean, variance } = stats(y.values);
  // n = 200k samples: the mean's standard error is 0.5/447 ≈ 0.0011, the variance's ≈ 0.25·0.0032.
  expectClose(mean, 2, 0.006, 0, 'mean');
  expectClose(variance, 0.25, 0.005, 0, 'variance');
}, 'fallback'));

test('GaussianDropout multiplies by N(1, rate/(1 − rate)) noise in training', () => forEachBackend(() => {
  const x = st.fill([400, 500], 3, 'float64');
  for (const rate of [0.2, 0.5]) {
    const y = st.layers.gaussianDropout({ rate, seed: 5 }).apply(x, { training: true }) as st.Tensor;
    const { mean, variance } = stats(y.values);
    const v = (9 * rate) / (1 - rate);
    expectClose(mean, 3, 6 * Math.sqrt(v / 200_000), 0, `rate ${rate} mean`);
    expectClose(variance, v, 0.02 * v, 0, `rate ${rate} variance`);
  }
}, 'fallback'));

test('AlphaDropout sets dropped units to a·α′(1 − rate), kept ones to a·x + b, and keeps mean 0 and variance 1', () => forEachBackend(() => {
  const rate = 0.2;
  const a = ((1 - rate) * (1 + rate * ALPHA_P ** 2)) ** -0.5;
  const b = -a * ALPHA_P * rate;
  // By hand: α′² = 3.090913, a = (0.8·(1 + 0.2·3.090913))^−½ = 1.294546^−½, b = a·1.758099·0.2.
  expectClose([a, b], [0.878904, 0.309035], 1e-5, 0);
  const x = rand([400, 500], 11);
  const y = st.layers.alphaDropout({ rate, seed: 9 }).apply(x, { training: true }) as st.Tensor;
  let dropped = 0;
  for (let i = 0; i < y.size; i++) {
    const kept = a * x.values[i] + b;
    if (Math.abs(y.values[i] - kept) < 1e-9) continue;
    expectClose(y.values[i], a * ALPHA_P * (1 - rate), 1e-9, 0, 'dropped value');
    dropped++;
  }
  expectClose(dropped / y.size, rate, 0.006, 0, 'dropped fraction');
  const { mean, variance } = stats(y.values);
  expectClose(mean, 0, 0.01, 0, 'mean');
  expectClose(variance, 1, 0.02, 0, 'variance');
}, 'fallback'));

test('AlphaDropout noiseShape shares one decision along size-1 axes', () => {
  const x = st.ones([6, 4, 10], 'float64');
  const layer = st.layers.alphaDropout({ rate: 0.5, noiseShape: [null, 1, 10], seed: 4 });
  const y = (layer.apply(x, { training: true }) as st.Tensor).arraySync() as number[][][];
  for (const sample of y) for (const step of sample) assert.deepEqual(step, sample[0]);
  expectError(() => layer.apply(st.ones([6, 4, 3]), { training: true }), st.ShapeError,
    "AlphaDropout 'alpha_dropout", 'noiseShape [null, 1, 10] does not fit input of shape [6, 4, 3]');
});

test('spatial dropout drops whole feature maps and scales the rest by 1/(1 − rate)', () => forEachBackend(() => {
  const cases: [st.layers.Layer, number[]][] = [
    [st.layers.spatialDropout1d({ rate: 0.4, seed: 1 }), [8, 6, 16]],
    [st.layers.spatialDropout2d({ rate: 0.4, seed: 2 }), [8, 3, 4, 16]],
    [st.layers.spatialDropout3d({ rate: 0.4, seed: 3 }), [8, 2, 3, 2, 16]],
  ];
  for (const [layer, shape] of cases) {
    const x = st.ones(shape);
    const v = (layer.apply(x, { training: true }) as st.Tensor).values;
    const [batch, channels] = [shape[0], shape[shape.length - 1]];
    const spatial = x.size / (batch * channels);
    let droppedMaps = 0;
    for (let n = 0; n < batch; n++) {
      for (let c = 0; c < channels; c++) {
        const map = Array.from({ length: spatial }, (_, s) => v[(n * spatial + s) * channels + c]);
        assert.ok(map.every((e) => e === map[0]), `${layer.className}: map (${n}, ${c}) is all kept or all dropped`);
        if (map[0] === 0) droppedMaps++;
        else expectClose(map[0], 1 / 0.6, 1e-6, 0);
      }
    }
    assert.ok(droppedMaps > 0.15 * batch * channels && droppedMaps < 0.65 * batch * channels, `${layer.className}: dropped ${droppedMaps} maps`);
  }
}));

test('seeded noise layers give the same noise at every call; unseeded ones differ', () => {
  const x = rand([4, 3, 8], 2);
  for (const [seeded, other, unseeded] of [0, 1, 2, 3].map((i) => [noiseLayers(7)[i], noiseLayers(8)[i], noiseLayers()[i]])) {
    const y1 = (seeded.apply(x, { training: true }) as st.Tensor).values;
    const y2 = (seeded.apply(x, { training: true }) as st.Tensor).values;
    assert.deepEqual(Array.from(y1), Array.from(y2), `${seeded.className} with a seed`);
    assert.notDeepEqual(Array.from((other.apply(x, { training: true }) as st.Tensor).values), Array.from(y1), `${seeded.className} another seed`);
    const u1 = (unseeded.apply(x, { training: true }) as st.Tensor).values;
    const u2 = (unseeded.apply(x, { training: true }) as st.Tensor).values;
    assert.notDeepEqual(Array.from(u1), Array.from(u2), `${seeded.className} without a seed`);
  }
});

test('noise layer gradients in training (fixed seed) and at inference', () => {
  const x = rand([2, 3, 4], 3);
  for (const training of [true, false]) {
    for (const layer of noiseLayers(5)) expectLayerGradientsClose(layer, x, training);
    expectLayerGradientsClose(st.layers.alphaDropout({ rate: 0.4, noiseShape: [null, 1, null], seed: 2, dtype: 'float64' }), x, training);
    expectLayerGradientsClose(st.layers.spatialDropout2d({ rate: 0.5, seed: 6 }), rand([2, 2, 3, 4], 4), training);
    expectLayerGradientsClose(st.layers.spatialDropout3d({ rate: 0.5, seed: 6 }), rand([2, 2, 2, 1, 3], 5), training);
  }
});

test('noise layer configs round-trip', () => {
  for (const layer of [
    st.layers.gaussianNoise({ stddev: 0.25, seed: 3, inputShape: [4] }), st.layers.gaussianDropout({ rate: 0.1 }),
    st.layers.alphaDropout({ rate: 0.2, noiseShape: [null, 1, 8], seed: 1 }), st.layers.spatialDropout1d({ rate: 0.3, seed: 2 }),
    st.layers.spatialDropout2d({ rate: 0.3 }), st.layers.spatialDropout3d({ rate: 0.1, name: 'sd3' }),
  ]) expectConfigRoundTrip(layer);
  const again = expectConfigRoundTrip(st.layers.alphaDropout({ rate: 0.2, noiseShape: [null, 1, 8], seed: 1 })) as st.layers.AlphaDropout;
  assert.deepEqual(again.noiseShape, [null, 1, 8]);
  assert.equal(again.seed, 1);
  assert.equal(st.layers.serialize(st.layers.spatialDropout1d({ rate: 0.3 })).config.noise_shape, undefined, 'no noise_shape key');
});

test('noise layers load from TensorFlow.js / Keras snake_case configs', () => {
  const sd1 = st.layers.deserialize({ class_name: 'SpatialDropout1D', config: {
    name: 'spatial_dropout1d_1', trainable: true, dtype: 'float32', rate: 0.25, noise_shape: null, seed: null } }) as st.layers.SpatialDropout1D;
  assert.equal(sd1.rate, 0.25);
  assert.equal(sd1.seed, undefined);
  const sd2 = st.layers.deserialize({ class_name: 'SpatialDropout2D', config: {
    name: 'sd2', trainable: true, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' } },
    rate: 0.5, seed: 12, data_format: 'channels_last' } }) as st.layers.SpatialDropout2D;
  assert.equal(sd2.seed, 12);
  const sd3 = st.layers.deserialize({ class_name: 'SpatialDropout3D', config: { rate: 0.5, seed: 3, data_format: 'channels_first' } }) as st.layers.SpatialDropout3D;
  assert.equal(sd3.dataFormat, 'channelsFirst');
  // Channels first: one decision per sample and channel (axis 1), shared by every voxel of the map.
  const y = sd3.apply(st.ones([2, 4, 2, 3, 2]), { training: true }) as st.Tensor;
  const v = y.dataSync();
  for (let m = 0; m < 8; m++) {
    const map = Array.from(v.slice(m * 12, (m + 1) * 12));
    assert.ok(map.every((e) => e === map[0]) && (map[0] === 0 || map[0] === 2), `map ${m}: ${map}`);
  }
  assert.equal(st.layers.serialize(sd3).config.data_format, 'channels_first');
  expectError(() => st.layers.deserialize({ class_name: 'SpatialDropout3D', config: { rate: 0.5, data_format: 'NCDHW' } }),
    st.ConfigError, "dataFormat must be 'channelsLast' or 'channelsFirst'", 'NCDHW');
  const gn = st.layers.deserialize({ class_name: 'GaussianNoise', config: { name: 'gn', stddev: 0.1, seed: null } }) as st.layers.GaussianNoise;
  assert.equal(gn.stddev, 0.1);
  const gd = st.layers.deserialize({ class_name: 'GaussianDropout', config: { name: 'gd', rate: 0.4 } }) as st.layers.GaussianDropout;
  assert.equal(gd.rate, 0.4);
  const ad = st.layers.deserialize({ class_name: 'AlphaDropout', config: { rate: 0.1, noise_shape: [null, 1, 4], seed: 3 } }) as st.layers.AlphaDropout;
  assert.deepEqual(ad.noiseShape, [null, 1, 4]);
});

test('noise layer errors name the layer and the bad value', () => {
  for (const rate of [-0.1, 1, 1.5, NaN, '0.5']) {
    expectError(() => st.layers.gaussianDropout({ rate: rate as number }), st.ConfigError, "GaussianDropout 'gaussian_dropout", 'rate must be a number in [0, 1)');
    expectError(() => st.layers.alphaDropout({ rate: rate as number }), st.ConfigError, "AlphaDropout '", 'rate must be a number in [0, 1)');
    expectError(() => st.layers.spatialDropout2d({ rate: rate as number }), st.ConfigError, "SpatialDropout2D '", 'rate must be a number in [0, 1)');
  }
  expectError(() => st.layers.gaussianNoise({ stddev: -1 }), st.ConfigError, "GaussianNoise '", 'stddev must be a finite number ≥ 0, got -1');
  expectError(() => st.layers.gaussianNoise({ stddev: 0.1, seed: Infinity }), st.ConfigError, 'seed must be a finite number');
  expectError(() => st.layers.alphaDropout({ rate: 0.1, noiseShape: [0, 2] }), st.ConfigError, 'noiseShape must be a list of positive integers or nulls');
  expectError(() => st.layers.spatialDropout2d({ rate: 0.5, name: 'sd_x' }).apply(st.ones([2, 5, 3])), st.ShapeError,
    "SpatialDropout2D 'sd_x': expected input of rank 4 [batch, height, width, channels], got [null, 5, 3]", 'use SpatialDropout1D');
  expectError(() => st.layers.spatialDropout1d({ rate: 0.5 }).apply(st.ones([2, 5])), st.ShapeError, 'expected input of rank 3 [batch, steps, channels]');
  expectError(() => st.layers.gaussianNoise({ stddev: 1 }).apply(st.tensor([1, 2], [2], 'int32'), { training: true }), st.DTypeError, 'cast it');
});
