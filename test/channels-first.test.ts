// dataFormat 'channelsFirst' on every conv-like layer: equal to the channels-last twin with the
// channels moved (Keras's definition), equal to TensorFlow.js 4.22 where its cpu backend gets it
// right, gradients against finite differences on every backend, configs and model files.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as st from '../src/index.js';
import { expectClose, expectError, forEachBackend, rand } from './helpers.js';
import { expectConfigRoundTrip, expectLayerGradientsClose } from './layer-helpers.js';

type TF = typeof import('@tensorflow/tfjs');
const loadTf = async (): Promise<TF> => import('@tensorflow/tfjs');

const L = st.layers;
const CF = { dataFormat: 'channelsFirst' } as const;
const dir = mkdtempSync(join(tmpdir(), 'strata-cf-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const toLast = (x: st.Tensor): st.Tensor => st.transpose(x, [0, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 2), 1]);
const toFirst = (x: st.Tensor): st.Tensor => st.transpose(x, [0, x.rank - 1, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 1)]);

type Make = (opts: { dataFormat?: 'channelsFirst'; dtype?: 'float64' }) => st.layers.Layer;
/** [what, a factory given the data format, the channels-first input shape]. */
const CASES: [string, Make, number[]][] = [
  ['conv1d same stride 2', (o) => L.conv1d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', ...o }), [2, 4, 9]],
  ['conv1d causal dilated', (o) => L.conv1d({ filters: 2, kernelSize: 2, padding: 'causal', dilationRate: 2, activation: 'tanh', ...o }), [2, 3, 7]],
  ['conv2d', (o) => L.conv2d({ filters: 3, kernelSize: [3, 2], strides: [2, 1], padding: 'same', activation: 'relu', ...o }), [2, 3, 7, 6]],
  ['conv2d + pooling shorthand', (o) => L.conv2d({ filters: 2, kernelSize: 2, pooling: { type: 'avg', poolSize: 2, padding: 'same' }, ...o }), [2, 2, 6, 5]],
  ['conv3d', (o) => L.conv3d({ filters: 2, kernelSize: 2, strides: [1, 2, 1], ...o }), [2, 2, 4, 5, 3]],
  ['depthwiseConv2d', (o) => L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', ...o }), [2, 3, 5, 4]],
  ['separableConv2d', (o) => L.separableConv2d({ filters: 4, kernelSize: 2, depthMultiplier: 2, ...o }), [2, 3, 5, 4]],
  ['conv1dTranspose', (o) => L.conv1dTranspose({ filters: 2, kernelSize: 3, strides: 2, ...o }), [2, 3, 5]],
  ['conv2dTranspose', (o) => L.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same', outputPadding: 1, ...o }), [2, 3, 4, 3]],
  ['conv3dTranspose', (o) => L.conv3dTranspose({ filters: 2, kernelSize: 2, strides: 2, ...o }), [1, 2, 2, 3, 2]],
  ['maxPooling1d', (o) => L.maxPooling1d({ poolSize: 3, strides: 2, padding: 'same', ...o }), [2, 3, 7]],
  ['averagePooling1d', (o) => L.averagePooling1d({ poolSize: 2, ...o }), [2, 3, 7]],
  ['maxPooling2d', (o) => L.maxPooling2d({ poolSize: 2, ...o }), [2, 3, 5, 4]],
  ['averagePooling2d', (o) => L.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same', ...o }), [2, 3, 5, 4]],
  ['maxPooling3d', (o) => L.maxPooling3d({ poolSize: 2, strides: 1, ...o }), [1, 2, 3, 4, 3]],
  ['averagePooling3d', (o) => L.averagePooling3d({ poolSize: [1, 2, 2], ...o }), [1, 2, 3, 4, 4]],
  ['globalMaxPooling1d', (o) => L.globalMaxPooling1d(o), [2, 3, 5]],
  ['globalAveragePooling1d keepdims', (o) => L.globalAveragePooling1d({ keepdims: true, ...o }), [2, 3, 5]],
  ['globalMaxPooling2d keepdims', (o) => L.globalMaxPooling2d({ keepdims: true, ...o }), [2, 3, 4, 5]],
  ['globalAveragePooling2d', (o) => L.globalAveragePooling2d(o), [2, 3, 4, 5]],
  ['globalAveragePooling3d', (o) => L.globalAveragePooling3d(o), [2, 3, 2, 4, 2]],
  ['upSampling1d', (o) => L.upSampling1d({ size: 3, ...o }), [2, 3, 4]],
  ['upSampling2d nearest', (o) => L.upSampling2d({ size: [2, 3], ...o }), [2, 3, 2, 3]],
  ['upSampling2d bilinear', (o) => L.upSampling2d({ size: [3, 2], interpolation: 'bilinear', ...o }), [2, 3, 3, 4]],
  ['upSampling2d bilinear half-pixel', (o) => L.upSampling2d({ size: 2, interpolation: 'bilinear', halfPixelCenters: true, ...o }), [2, 3, 3, 4]],
  ['upSampling3d', (o) => L.upSampling3d({ size: [1, 2, 2], ...o }), [1, 2, 2, 3, 2]],
  ['zeroPadding1d', (o) => L.zeroPadding1d({ padding: [2, 1], ...o }), [2, 3, 4]],
  ['zeroPadding2d', (o) => L.zeroPadding2d({ padding: [[1, 0], [0, 2]], ...o }), [2, 3, 3, 4]],
  ['zeroPadding3d', (o) => L.zeroPadding3d({ padding: [[1, 0], [0, 1], [2, 1]], ...o }), [1, 2, 2, 3, 2]],
  ['cropping1d', (o) => L.cropping1d({ cropping: [1, 2], ...o }), [2, 3, 6]],
  ['cropping2d', (o) => L.cropping2d({ cropping: [[1, 0], [1, 2]], ...o }), [2, 3, 4, 5]],
  ['cropping3d', (o) => L.cropping3d({ cropping: [[1, 0], [0, 1], [1, 1]], ...o }), [1, 2, 3, 4, 4]],
  ['flatten', (o) => L.flatten(o), [2, 3, 2, 4]],
];

test('every channels-first layer equals its channels-last twin with the channels moved (Keras\'s definition), every backend', () => forEachBackend(() => {
  CASES.forEach(([what, make, shape], i) => {
    const x = rand(shape, 100 + i, 'float32');
    const first = make(CF), last = make({});
    const y = first.apply(x) as st.Tensor;
    last.apply(toLast(x));
    last.setWeights(first.getWeights());
    const yl = last.apply(toLast(x)) as st.Tensor;
    const want = yl.rank > 2 ? toFirst(yl) : yl;
    assert.deepEqual(y.shape, want.shape, `${what}: shape`);
    expectClose(y, want, 1e-5, 1e-4, what);
    assert.deepEqual(first.computeOutputShape([null, ...shape.slice(1)]), [null, ...y.shape.slice(1)], `${what}: computeOutputShape`);
  });
}, 'either'));

test('channels-first layers match TensorFlow.js 4.22 (cpu) with the same weights, where TF.js supports them', async () => {
  // TF.js 4.22's own channelsFirst is wrong for the 1-D layers (Conv1D, pooling 1-D and global pooling 1-D
  // return channels-last or pool the channels) and SeparableConv2D throws; those follow Keras (above).
  const tf = await loadTf();
  await tf.setBackend('cpu');
  const tfCases: [string, Make, () => import('@tensorflow/tfjs').layers.Layer, number[]][] = [
    ['conv2d', (o) => L.conv2d({ filters: 3, kernelSize: [3, 2], strides: [2, 1], padding: 'same', activation: 'relu', ...o }),
      () => tf.layers.conv2d({ filters: 3, kernelSize: [3, 2], strides: [2, 1], padding: 'same', activation: 'relu', dataFormat: 'channelsFirst' }), [2, 3, 7, 6]],
    ['conv3d', (o) => L.conv3d({ filters: 2, kernelSize: 2, ...o }), () => tf.layers.conv3d({ filters: 2, kernelSize: 2, dataFormat: 'channelsFirst' }), [1, 2, 3, 4, 3]],
    ['depthwiseConv2d', (o) => L.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2, ...o }),
      () => tf.layers.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2, dataFormat: 'channelsFirst' }), [2, 3, 5, 4]],
    ['conv2dTranspose', (o) => L.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same', ...o }),
      () => tf.layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same', dataFormat: 'channelsFirst' }), [2, 3, 4, 3]],
    ['conv3dTranspose', (o) => L.conv3dTranspose({ filters: 2, kernelSize: 2, strides: 2, ...o }),
      () => tf.layers.conv3dTranspose({ filters: 2, kernelSize: 2, strides: 2, dataFormat: 'channelsFirst' }), [1, 2, 2, 3, 2]],
    ['maxPooling2d', (o) => L.maxPooling2d({ poolSize: 2, ...o }), () => tf.layers.maxPooling2d({ poolSize: 2, dataFormat: 'channelsFirst' }), [2, 3, 5, 4]],
    ['averagePooling3d', (o) => L.averagePooling3d({ poolSize: 2, ...o }), () => tf.layers.averagePooling3d({ poolSize: 2, dataFormat: 'channelsFirst' }), [1, 2, 4, 4, 4]],
    ['globalAveragePooling2d', (o) => L.globalAveragePooling2d(o), () => tf.layers.globalAveragePooling2d({ dataFormat: 'channelsFirst' }), [2, 3, 4, 5]],
    ['upSampling2d', (o) => L.upSampling2d({ size: [2, 3], ...o }), () => tf.layers.upSampling2d({ size: [2, 3], dataFormat: 'channelsFirst' }), [2, 3, 2, 3]],
    ['upSampling2d bilinear', (o) => L.upSampling2d({ size: [3, 2], interpolation: 'bilinear', ...o }),
      () => tf.layers.upSampling2d({ size: [3, 2], interpolation: 'bilinear', dataFormat: 'channelsFirst' }), [2, 3, 3, 4]],
    ['zeroPadding2d', (o) => L.zeroPadding2d({ padding: [[1, 0], [0, 2]], ...o }),
      () => tf.layers.zeroPadding2d({ padding: [[1, 0], [0, 2]], dataFormat: 'channelsFirst' }), [2, 3, 3, 4]],
    ['cropping2d', (o) => L.cropping2d({ cropping: [[1, 0], [1, 2]], ...o }),
      () => tf.layers.cropping2D({ cropping: [[1, 0], [1, 2]], dataFormat: 'channelsFirst' }), [2, 3, 4, 5]],
    ['flatten', (o) => L.flatten(o), () => tf.layers.flatten({ dataFormat: 'channelsFirst' }), [2, 3, 2, 4]],
  ];
  tfCases.forEach(([what, make, makeTf, shape], i) => {
    const x = rand(shape, 200 + i, 'float32');
    const ours = make(CF);
    const y = ours.apply(x) as st.Tensor;
    const theirs = makeTf();
    const tx = tf.tensor(Array.from(x.dataSync()), shape);
    theirs.apply(tx);
    theirs.setWeights(ours.getWeights().map((w) => tf.tensor(Array.from(w.dataSync()), w.shape)));
    const ty = theirs.apply(tx) as import('@tensorflow/tfjs').Tensor;
    assert.deepEqual(y.shape, ty.shape, `${what}: shape against TF.js`);
    expectClose(y, ty.dataSync(), 1e-4, 1e-4, `${what} against TF.js`);
  });
});

test('channels-first gradients (input and weights) match finite differences on every backend', () => forEachBackend(() => {
  const f64 = { ...CF, dtype: 'float64' } as const;
  const cases: [st.layers.Layer, number[]][] = [
    [L.conv2d({ filters: 2, kernelSize: 2, strides: [2, 1], padding: 'same', activation: 'tanh', ...f64 }), [2, 3, 4, 3]],
    [L.conv1d({ filters: 2, kernelSize: 3, padding: 'causal', ...f64 }), [2, 2, 5]],
    [L.separableConv2d({ filters: 2, kernelSize: 2, depthMultiplier: 2, ...f64 }), [1, 2, 3, 3]],
    [L.conv1dTranspose({ filters: 2, kernelSize: 3, strides: 2, ...f64 }), [2, 2, 3]],
    [L.conv3dTranspose({ filters: 1, kernelSize: 2, strides: [1, 2, 1], padding: 'same', ...f64 }), [1, 2, 2, 2, 2]],
    [L.averagePooling2d({ poolSize: 2, padding: 'same', ...f64 }), [2, 2, 3, 3]],
    [L.maxPooling1d({ poolSize: 2, ...f64 }), [2, 2, 6]],
    [L.globalAveragePooling3d(f64), [2, 2, 2, 3, 2]],
    [L.upSampling2d({ size: 2, interpolation: 'bilinear', halfPixelCenters: true, ...f64 }), [2, 2, 2, 3]],
    [L.upSampling1d({ size: 2, ...f64 }), [2, 2, 3]],
    [L.zeroPadding2d({ padding: [[1, 0], [0, 2]], ...f64 }), [1, 2, 2, 3]],
    [L.cropping3d({ cropping: [[1, 0], [0, 1], [1, 0]], ...f64 }), [1, 2, 2, 3, 3]],
    [L.flatten(f64), [2, 3, 2, 2]],
  ];
  cases.forEach(([layer, shape], i) => expectLayerGradientsClose(layer, rand(shape, 300 + i)));
}, 'either'));

test('GlobalAveragePooling1D channels-first averages the unmasked steps (axis 2)', () => {
  const x = st.tensor([1, 2, 3, 10, 20, 30], [1, 2, 3]); // channels [1, 2, 3] and [10, 20, 30] over 3 steps
  const mask = st.tensor([1, 1, 0], [1, 3]);
  expectClose(L.globalAveragePooling1d(CF).apply(x, { mask }) as st.Tensor, [1.5, 15]);
  expectClose(L.globalAveragePooling1d(CF).apply(x) as st.Tensor, [2, 20]);
});

test('UpSampling2D bilinear: halfPixelCenters true samples as Keras 2/3 (pixel centres), false as TensorFlow.js 4.22', async () => {
  const x = st.tensor([0, 1, 10, 20], [1, 2, 2, 1]);
  // Keras's tf.image.resize (half_pixel_centers) = PyTorch's interpolate(align_corners=False): rows [0, .25, .75, 1] of the way.
  const keras = L.upSampling2d({ interpolation: 'bilinear', halfPixelCenters: true }).apply(x) as st.Tensor;
  expectClose(keras, [0, 0.25, 0.75, 1, 2.5, 3.3125, 4.9375, 5.75, 7.5, 9.4375, 13.3125, 15.25, 10, 12.5, 17.5, 20], 1e-6, 1e-6, 'half-pixel');
  const tfjsStyle = L.upSampling2d({ interpolation: 'bilinear' }).apply(x) as st.Tensor;
  expectClose(tfjsStyle, [0, 0.5, 1, 1, 5, 7.75, 10.5, 10.5, 10, 15, 20, 20, 10, 15, 20, 20], 1e-6, 1e-6, 'TF.js grid');
  const tf = await loadTf();
  await tf.setBackend('cpu');
  const x2 = rand([2, 3, 4, 2], 7, 'float32');
  const tx = tf.tensor(Array.from(x2.dataSync()), x2.shape as [number, number, number, number]);
  expectClose(L.upSampling2d({ size: [2, 3], interpolation: 'bilinear', halfPixelCenters: true }).apply(x2) as st.Tensor,
    tf.image.resizeBilinear(tx as import('@tensorflow/tfjs').Tensor4D, [6, 12], false, true).dataSync(), 1e-5, 1e-5, 'against tf.image.resizeBilinear(halfPixelCenters)');
  expectClose(L.upSampling2d({ size: [2, 3], interpolation: 'bilinear' }).apply(x2) as st.Tensor,
    (tf.layers.upSampling2d({ size: [2, 3], interpolation: 'bilinear' }).apply(tx) as import('@tensorflow/tfjs').Tensor).dataSync(), 1e-5, 1e-5,
    'against tf.layers.upSampling2d');
  // The option round-trips, and is written only when set (TensorFlow.js files stay as they were).
  const on = expectConfigRoundTrip(L.upSampling2d({ interpolation: 'bilinear', halfPixelCenters: true })) as st.layers.UpSampling2D;
  assert.equal(on.halfPixelCenters, true);
  assert.equal(st.layers.serialize(on).config.half_pixel_centers, true);
  assert.equal('half_pixel_centers' in st.layers.serialize(L.upSampling2d({ interpolation: 'bilinear' })).config, false);
});

test('data_format round-trips through getConfig and Keras configs; the 1-D layers write it only when channels-first', () => {
  for (const [what, make] of CASES) {
    const layer = make(CF);
    const config = st.layers.serialize(layer).config as Record<string, unknown>;
    assert.equal(config.data_format, 'channels_first', what);
    const again = expectConfigRoundTrip(layer) as st.layers.Layer & { dataFormat: string };
    assert.equal(again.dataFormat, 'channelsFirst', what);
  }
  for (const layer of [L.upSampling1d(), L.zeroPadding1d(), L.cropping1d()]) {
    assert.equal('data_format' in (st.layers.serialize(layer).config as object), false, `${layer.describe()}: saved as before`);
  }
  const keras = st.layers.deserialize({ class_name: 'MaxPooling2D', config: { pool_size: [2, 2], data_format: 'channels_first' } });
  assert.deepEqual(keras.computeOutputShape([null, 3, 8, 6]), [null, 3, 4, 3]);
  // The pooling shorthand stands for a pooling layer of the same data format.
  const parts = L.conv2d({ filters: 2, kernelSize: 3, pooling: { type: 'max', poolSize: 2 }, ...CF }).expand();
  assert.equal((parts[1] as st.layers.MaxPooling2D).dataFormat, 'channelsFirst');
});

test('a channels-first model saves data_format in model.json and loads with the same predictions', async () => {
  const model = st.sequential({ layers: [
    L.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [2, 8, 6], ...CF }),
    L.maxPooling2d({ poolSize: 2, ...CF }), L.conv2dTranspose({ filters: 2, kernelSize: 2, strides: 2, ...CF }),
    L.zeroPadding2d({ padding: 1, ...CF }), L.globalAveragePooling2d({ keepdims: true, ...CF }), L.flatten(CF), L.dense({ units: 3 }),
  ] });
  const x = rand([3, 2, 8, 6], 9, 'float32');
  const want = model.predict(x) as st.Tensor;
  const path = join(dir, 'cf');
  await model.save(path);
  const json = readFileSync(join(path, 'model.json'), 'utf8');
  assert.equal(json.match(/"data_format":\s*"channels_first"/g)?.length, 6, 'six layers say channels_first');
  const loaded = await st.loadLayersModel(join(path, 'model.json'));
  expectClose(loaded.predict(x) as st.Tensor, want, 0, 0, 'loaded model');
});

test('channels-first shape errors show the channels-first layout and fix', () => {
  const c = L.conv2d({ filters: 2, kernelSize: 3, name: 'cf_conv', ...CF });
  expectError(() => c.apply(st.zeros([2, 28, 28])), st.ShapeError, "Conv2D 'cf_conv'", 'expected input of rank 4 [batch, channels, height, width]',
    'targetShape: [1, 28, 28]');
  expectError(() => c.build([null, null, 8, 8]), st.ShapeError, 'channels dimension (axis 1, channels-first)');
  c.apply(st.zeros([1, 3, 8, 8]));
  expectError(() => c.apply(st.zeros([1, 4, 8, 8])), st.ShapeError, 'expected input with 3 channels (axis 1, channels-first)');
  expectError(() => L.maxPooling2d(CF).apply(st.zeros([2, 4, 4])), st.ShapeError, '[batch, channels, height, width]');
  expectError(() => L.zeroPadding3d(CF).apply(st.zeros([2, 4, 4, 4])), st.ShapeError, '[batch, channels, depth, height, width]');
});

test('1-D channels-first layers and half-pixel bilinear upsampling match PyTorch (channels-first natively; fixture by scripts/make-channels-first-torch.py)', () => forEachBackend(() => {
  // The compiled test runs from build/test/; the fixture stays in the source tree.
  const fromBuild = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'channels-first-torch.json');
  const file = existsSync(fromBuild) ? fromBuild : join(process.cwd(), 'test', 'fixtures', 'channels-first-torch.json');
  type Case = { layer: string; opts: Record<string, unknown>; x: number[]; xShape: number[]; weights: [number[], number[]][]; y: number[]; yShape: number[] };
  const { cases } = JSON.parse(readFileSync(file, 'utf8')) as { cases: Case[] };
  assert.equal(cases.length, 8);
  for (const c of cases) {
    const make = (L as unknown as Record<string, (o: object) => st.layers.Layer>)[c.layer];
    const layer = make({ ...c.opts, ...CF });
    const x = st.tensor(Float32Array.from(c.x), c.xShape);
    layer.apply(x);
    if (c.weights.length) layer.setWeights(c.weights.map(([v, shape]) => st.tensor(Float32Array.from(v), shape)));
    const y = layer.apply(x) as st.Tensor;
    assert.deepEqual(y.shape, c.yShape, `${c.layer}: shape`);
    expectClose(y, c.y, 1e-5, 1e-4, `${c.layer} ${JSON.stringify(c.opts)} against PyTorch`);
  }
}, 'either'));
