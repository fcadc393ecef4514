import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectConfigRoundTrip } from './layer-helpers.js';

const L = st.layers;

// One instance of every registered layer class (aliases share a class), with non-default options
// where a layer has them, and an input to build it with.
const CASES: Record<string, () => [st.layers.Layer, number[] | number[][]]> = {
  Activation: () => [L.activation({ activation: 'tanh' }), [2, 3]],
  Add: () => [L.add(), [[2, 3], [2, 3]]],
  AlphaDropout: () => [L.alphaDropout({ rate: 0.2, seed: 1 }), [2, 3]],
  Average: () => [L.average(), [[2, 3], [2, 3]]],
  AveragePooling1D: () => [L.averagePooling1d({ poolSize: 2, padding: 'same' }), [1, 5, 2]],
  AveragePooling2D: () => [L.averagePooling2d({ poolSize: [2, 3], strides: 1 }), [1, 4, 5, 2]],
  AveragePooling3D: () => [L.averagePooling3d({ poolSize: 2 }), [1, 4, 4, 4, 1]],
  BatchNormalization: () => [L.batchNormalization({ momentum: 0.9, epsilon: 1e-4, center: false }), [2, 3]],
  Bidirectional: () => [L.bidirectional({ layer: L.gru({ units: 2, returnSequences: true }), mergeMode: 'sum' }), [1, 3, 2]],
  Concatenate: () => [L.concatenate({ axis: 1 }), [[2, 3], [2, 4]]],
  Conv1D: () => [L.conv1d({ filters: 2, kernelSize: 3, padding: 'causal', dilationRate: 2 }), [1, 6, 2]],
  Conv1DTranspose: () => [L.conv1dTranspose({ filters: 2, kernelSize: 3, strides: 2, outputPadding: 1 }), [1, 4, 2]],
  Conv2D: () => [L.conv2d({ filters: 3, kernelSize: [2, 3], strides: 2, padding: 'same', activation: 'relu', pooling: { type: 'max', poolSize: 2 }, dropout: 0.1 }), [1, 8, 8, 2]],
  Conv2DTranspose: () => [L.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same', dropout: 0.2 }), [1, 3, 3, 2]],
  Conv3D: () => [L.conv3d({ filters: 2, kernelSize: 2, useBias: false }), [1, 3, 3, 3, 1]],
  Conv3DTranspose: () => [L.conv3dTranspose({ filters: 1, kernelSize: 2, strides: 2 }), [1, 2, 2, 2, 1]],
  Cropping1D: () => [L.cropping1d({ cropping: [1, 2] }), [1, 6, 2]],
  Cropping2D: () => [L.cropping2d({ cropping: [[1, 0], [0, 1]] }), [1, 4, 4, 1]],
  Cropping3D: () => [L.cropping3d({ cropping: 1 }), [1, 4, 4, 4, 1]],
  Dense: () => [L.dense({ units: 3, activation: 'gelu', kernelInitializer: 'heNormal', kernelRegularizer: 'l2', dropout: 0.3 }), [2, 4]],
  DepthwiseConv2D: () => [L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same' }), [1, 4, 4, 2]],
  Dot: () => [L.dot({ axes: 1, normalize: true }), [[2, 3], [2, 3]]],
  Dropout: () => [L.dropout({ rate: 0.4, seed: 3 }), [2, 3]],
  ELU: () => [L.elu({ alpha: 0.5 }), [2, 3]],
  Embedding: () => [L.embedding({ inputDim: 10, outputDim: 3, maskZero: true }), [2, 4]],
  Flatten: () => [L.flatten(), [2, 3, 2]],
  GRU: () => [L.gru({ units: 3, resetAfter: false, returnSequences: true, goBackwards: true }), [1, 4, 2]],
  GaussianDropout: () => [L.gaussianDropout({ rate: 0.3 }), [2, 3]],
  GaussianNoise: () => [L.gaussianNoise({ stddev: 0.2 }), [2, 3]],
  GlobalAveragePooling1D: () => [L.globalAveragePooling1d(), [1, 4, 2]],
  GlobalAveragePooling2D: () => [L.globalAveragePooling2d({ keepdims: true }), [1, 3, 3, 2]],
  GlobalAveragePooling3D: () => [L.globalAveragePooling3d(), [1, 2, 2, 2, 2]],
  GlobalMaxPooling1D: () => [L.globalMaxPooling1d(), [1, 4, 2]],
  GlobalMaxPooling2D: () => [L.globalMaxPooling2d(), [1, 3, 3, 2]],
  GlobalMaxPooling3D: () => [L.globalMaxPooling3d(), [1, 2, 2, 2, 2]],
  LSTM: () => [L.lstm({ units: 3, returnState: true, unitForgetBias: false, recurrentActivation: 'hardSigmoid' }), [1, 4, 2]],
  LayerNormalization: () => [L.layerNormalization({ axis: [1, 2], epsilon: 1e-5 }), [2, 3, 2]],
  LeakyReLU: () => [L.leakyReLU({ alpha: 0.1 }), [2, 3]],
  Masking: () => [L.masking({ maskValue: -1 }), [1, 3, 2]],
  MaxPooling1D: () => [L.maxPooling1d({ poolSize: 3, strides: 1 }), [1, 5, 2]],
  MaxPooling2D: () => [L.maxPooling2d({ poolSize: 2, padding: 'same' }), [1, 5, 5, 1]],
  MaxPooling3D: () => [L.maxPooling3d({ poolSize: [1, 2, 2] }), [1, 2, 4, 4, 1]],
  Maximum: () => [L.maximum(), [[2, 3], [2, 3]]],
  Minimum: () => [L.minimum(), [[2, 3], [2, 3]]],
  Multiply: () => [L.multiply(), [[2, 3], [2, 3]]],
  PReLU: () => [L.prelu({ sharedAxes: [1] }), [1, 3, 2]],
  Permute: () => [L.permute({ dims: [2, 1] }), [1, 3, 2]],
  ReLU: () => [L.reLU({ maxValue: 6, negativeSlope: 0.1, threshold: 0.5 }), [2, 3]],
  RepeatVector: () => [L.repeatVector({ n: 3 }), [2, 4]],
  Reshape: () => [L.reshape({ targetShape: [-1, 2] }), [2, 6]],
  SeparableConv2D: () => [L.separableConv2d({ filters: 3, kernelSize: 2, depthMultiplier: 2 }), [1, 4, 4, 2]],
  SimpleRNN: () => [L.simpleRNN({ units: 3, activation: 'relu', dropout: 0.1, recurrentDropout: 0.2 }), [1, 4, 2]],
  Softmax: () => [L.softmax({ axis: 1 }), [2, 3, 2]],
  SpatialDropout1D: () => [L.spatialDropout1d({ rate: 0.2 }), [1, 4, 2]],
  SpatialDropout2D: () => [L.spatialDropout2d({ rate: 0.2 }), [1, 3, 3, 2]],
  SpatialDropout3D: () => [L.spatialDropout3d({ rate: 0.2 }), [1, 2, 2, 2, 2]],
  Subtract: () => [L.subtract(), [[2, 3], [2, 3]]],
  ThresholdedReLU: () => [L.thresholdedReLU({ theta: 0.5 }), [2, 3]],
  TimeDistributed: () => [L.timeDistributed({ layer: L.dense({ units: 2 }) }), [1, 3, 4]],
  UpSampling1D: () => [L.upSampling1d({ size: 3 }), [1, 2, 2]],
  UpSampling2D: () => [L.upSampling2d({ size: [2, 3], interpolation: 'bilinear' }), [1, 2, 2, 1]],
  UpSampling3D: () => [L.upSampling3d({ size: 2 }), [1, 2, 2, 2, 1]],
  ZeroPadding1D: () => [L.zeroPadding1d({ padding: [1, 2] }), [1, 3, 2]],
  ZeroPadding2D: () => [L.zeroPadding2d({ padding: [[1, 0], [2, 1]] }), [1, 3, 3, 1]],
  ZeroPadding3D: () => [L.zeroPadding3d({ padding: 1 }), [1, 2, 2, 2, 1]],
};
// Model containers and the input layer are covered by the model tests.
const ELSEWHERE = new Set(['Sequential', 'Functional', 'Model', 'InputLayer']);

test('every registered layer class has a round-trip case here', () => {
  const covered = new Set(Object.values(CASES).map((make) => make()[0].className));
  const missing = st.layers.registeredLayers()
    .map((n) => st.layers.canonicalClassName(n)!)
    .filter((n) => !ELSEWHERE.has(n) && !covered.has(n));
  assert.deepEqual([...new Set(missing)], [], `layers without a round-trip case: ${missing.join(', ')}`);
});

for (const [name, make] of Object.entries(CASES)) {
  test(`${name}: getConfig → serialize → deserialize gives an identical layer that computes the same`, () => {
    st.setSeed(1);
    const [layer, shape] = make();
    const shapes = (Array.isArray(shape[0]) ? shape : [shape]) as number[][];
    const inputs = shapes.map((s, i) => (name === 'Embedding' ? st.randomUniform(s, { minval: 0, maxval: 10, dtype: 'int32', seed: i })
      : st.randomNormal(s, { seed: i + 1 })));
    const arg = inputs.length === 1 ? inputs[0] : inputs;
    const y1 = layer.apply(arg as st.Tensor);
    const again = expectConfigRoundTrip(layer);
    again.apply(arg as st.Tensor);
    again.setWeights(layer.getWeights());
    const y2 = again.apply(arg as st.Tensor);
    const a = (Array.isArray(y1) ? y1 : [y1]) as st.Tensor[];
    const b = (Array.isArray(y2) ? y2 : [y2]) as st.Tensor[];
    assert.equal(a.length, b.length);
    a.forEach((t, i) => assert.deepEqual(Array.from(b[i].values), Array.from(t.values), `${name}: output ${i} after the round trip`));
  });
}
