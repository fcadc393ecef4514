import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectConfigRoundTrip } from './layer-helpers.js';

// The options each case's factory was given (the outermost call's, for wrappers), recorded so that
// the config can be checked against them: a getConfig that drops an option fails here even though
// both sides of the round trip would agree.
let given: Record<string, unknown> = {};
const L = new Proxy(st.layers, {
  get(target, key, receiver) {
    const v = Reflect.get(target, key, receiver) as unknown;
    if (typeof v !== 'function' || typeof key !== 'string' || !/^[a-z]/.test(key)) return v;
    return (opts?: Record<string, unknown>) => {
      const layer = (v as (o?: unknown) => unknown)(opts);
      given = opts ?? {};
      return layer;
    };
  },
});

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
  BatchNormalization: () => [L.batchNormalization({ momentum: 0.9, epsilon: 1e-4, center: false, gammaRegularizer: 'l2', gammaConstraint: 'nonNeg' }), [4, 3]],
  Bidirectional: () => [L.bidirectional({ layer: L.gru({ units: 2, returnSequences: true, dropout: 0.3, kernelRegularizer: 'l2' }), mergeMode: 'sum' }), [2, 3, 2]],
  CenterCrop: () => [L.centerCrop({ height: 3, width: 2 }), [1, 4, 5, 2]],
  Concatenate: () => [L.concatenate({ axis: 1 }), [[2, 3], [2, 4]]],
  Conv1D: () => [L.conv1d({ filters: 2, kernelSize: 3, padding: 'causal', dilationRate: 2, kernelRegularizer: 'l1', activityRegularizer: 'l2' }), [1, 6, 2]],
  Conv1DTranspose: () => [L.conv1dTranspose({ filters: 2, kernelSize: 3, strides: 2, outputPadding: 1, kernelConstraint: 'nonNeg', kernelRegularizer: 'l2' }), [1, 4, 2]],
  Conv2D: () => [L.conv2d({ filters: 3, kernelSize: [2, 3], strides: 2, padding: 'same', activation: 'relu', pooling: { type: 'max', poolSize: 2 }, dropout: 0.1, kernelRegularizer: 'l1l2' }), [1, 8, 8, 2]],
  Conv2DTranspose: () => [L.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same', dropout: 0.2, kernelRegularizer: 'l1' }), [1, 3, 3, 2]],
  Conv3D: () => [L.conv3d({ filters: 2, kernelSize: 2, useBias: false, kernelConstraint: 'nonNeg' }), [1, 3, 3, 3, 1]],
  Conv3DTranspose: () => [L.conv3dTranspose({ filters: 1, kernelSize: 2, strides: 2 }), [1, 2, 2, 2, 1]],
  Cropping1D: () => [L.cropping1d({ cropping: [1, 2] }), [1, 6, 2]],
  Cropping2D: () => [L.cropping2d({ cropping: [[1, 0], [0, 1]] }), [1, 4, 4, 1]],
  Cropping3D: () => [L.cropping3d({ cropping: 1 }), [1, 4, 4, 4, 1]],
  Dense: () => [L.dense({ units: 3, activation: 'gelu', kernelInitializer: 'heNormal', kernelRegularizer: 'l2', activityRegularizer: 'l1', dropout: 0.3 }), [2, 4]],
  DepthwiseConv2D: () => [L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', depthwiseRegularizer: 'l2', depthwiseConstraint: 'nonNeg' }), [1, 4, 4, 2]],
  Dot: () => [L.dot({ axes: 1, normalize: true }), [[2, 3], [2, 3]]],
  Dropout: () => [L.dropout({ rate: 0.4, seed: 3 }), [2, 3]],
  ELU: () => [L.elu({ alpha: 0.5 }), [2, 3]],
  Embedding: () => [L.embedding({ inputDim: 10, outputDim: 3, maskZero: true, embeddingsRegularizer: 'l1', embeddingsConstraint: 'nonNeg' }), [2, 4]],
  Flatten: () => [L.flatten(), [2, 3, 2]],
  GRUCell: () => [L.gruCell({ units: 4, resetAfter: false, dropout: 0.2, recurrentDropout: 0.3, kernelRegularizer: 'l2' }), [[2, 3], [2, 4]]],
  LSTMCell: () => [L.lstmCell({ units: 4, unitForgetBias: false, recurrentActivation: 'hardSigmoid', dropout: 0.2 }), [[2, 3], [2, 4], [2, 4]]],
  SimpleRNNCell: () => [L.simpleRNNCell({ units: 4, activation: 'relu', useBias: false }), [[2, 3], [2, 4]]],
  StackedRNNCells: () => [L.stackedRNNCells({ cells: [L.lstmCell({ units: 4 }), L.gruCell({ units: 2 })] }), [[2, 3], [2, 4], [2, 4], [2, 2]]],
  RNN: () => [L.rnn({ cell: [L.simpleRNNCell({ units: 3 }), L.lstmCell({ units: 2, recurrentDropout: 0.2 })], returnSequences: true, returnState: true, goBackwards: true }), [2, 4, 3]],
  GRU: () => [L.gru({ units: 3, resetAfter: false, returnSequences: true, goBackwards: true, dropout: 0.2, recurrentDropout: 0.3, recurrentRegularizer: 'l2' }), [2, 4, 2]],
  GaussianDropout: () => [L.gaussianDropout({ rate: 0.3 }), [2, 3]],
  GaussianNoise: () => [L.gaussianNoise({ stddev: 0.2 }), [2, 3]],
  GlobalAveragePooling1D: () => [L.globalAveragePooling1d(), [1, 4, 2]],
  GlobalAveragePooling2D: () => [L.globalAveragePooling2d({ keepdims: true }), [1, 3, 3, 2]],
  GlobalAveragePooling3D: () => [L.globalAveragePooling3d(), [1, 2, 2, 2, 2]],
  GlobalMaxPooling1D: () => [L.globalMaxPooling1d(), [1, 4, 2]],
  GlobalMaxPooling2D: () => [L.globalMaxPooling2d(), [1, 3, 3, 2]],
  GlobalMaxPooling3D: () => [L.globalMaxPooling3d(), [1, 2, 2, 2, 2]],
  LSTM: () => [L.lstm({ units: 3, returnState: true, unitForgetBias: false, recurrentActivation: 'hardSigmoid', dropout: 0.25, recurrentDropout: 0.25, kernelRegularizer: 'l1', recurrentConstraint: 'nonNeg' }), [2, 4, 2]],
  LayerNormalization: () => [L.layerNormalization({ axis: [1, 2], epsilon: 1e-5, gammaRegularizer: 'l1', betaConstraint: 'nonNeg' }), [2, 3, 2]],
  LeakyReLU: () => [L.leakyReLU({ alpha: 0.1 }), [2, 3]],
  Masking: () => [L.masking({ maskValue: -1 }), [1, 3, 2]],
  MaxPooling1D: () => [L.maxPooling1d({ poolSize: 3, strides: 1 }), [1, 5, 2]],
  MaxPooling2D: () => [L.maxPooling2d({ poolSize: 2, padding: 'same' }), [1, 5, 5, 1]],
  MaxPooling3D: () => [L.maxPooling3d({ poolSize: [1, 2, 2] }), [1, 2, 4, 4, 1]],
  Maximum: () => [L.maximum(), [[2, 3], [2, 3]]],
  Minimum: () => [L.minimum(), [[2, 3], [2, 3]]],
  Multiply: () => [L.multiply(), [[2, 3], [2, 3]]],
  PReLU: () => [L.prelu({ sharedAxes: [1], alphaInitializer: 'ones', alphaRegularizer: 'l2', alphaConstraint: 'nonNeg' }), [1, 3, 2]],
  Permute: () => [L.permute({ dims: [2, 1] }), [1, 3, 2]],
  RandomContrast: () => [L.randomContrast({ factor: [0.1, 0.3], valueRange: [-5, 5], seed: 2 }), [2, 3, 4, 2]],
  RandomFlip: () => [L.randomFlip({ mode: 'vertical', seed: 3 }), [2, 3, 4, 2]],
  RandomRotation: () => [L.randomRotation({ factor: [-0.1, 0.2], fillMode: 'constant', fillValue: 0.5, interpolation: 'nearest', seed: 4 }), [2, 4, 4, 1]],
  RandomTranslation: () => [L.randomTranslation({ heightFactor: 0.2, widthFactor: [-0.1, 0.3], fillMode: 'wrap', seed: 5 }), [2, 4, 5, 1]],
  RandomZoom: () => [L.randomZoom({ heightFactor: [-0.2, 0.1], widthFactor: 0.3, fillMode: 'nearest', seed: 6 }), [2, 4, 5, 1]],
  ReLU: () => [L.reLU({ maxValue: 6, negativeSlope: 0.1, threshold: 0.5 }), [2, 3]],
  Rescaling: () => [L.rescaling({ scale: 0.5, offset: -1 }), [2, 3]],
  RepeatVector: () => [L.repeatVector({ n: 3 }), [2, 4]],
  Reshape: () => [L.reshape({ targetShape: [-1, 2] }), [2, 6]],
  Resizing: () => [L.resizing({ height: 3, width: 2, interpolation: 'nearest', cropToAspectRatio: true }), [1, 4, 5, 2]],
  SeparableConv2D: () => [L.separableConv2d({ filters: 3, kernelSize: 2, depthMultiplier: 2, depthwiseRegularizer: 'l2', pointwiseRegularizer: 'l1', pointwiseConstraint: 'nonNeg' }), [1, 4, 4, 2]],
  SimpleRNN: () => [L.simpleRNN({ units: 3, activation: 'relu', dropout: 0.1, recurrentDropout: 0.2, kernelConstraint: 'nonNeg' }), [2, 4, 2]],
  Softmax: () => [L.softmax({ axis: 1 }), [2, 3, 2]],
  SpatialDropout1D: () => [L.spatialDropout1d({ rate: 0.2 }), [1, 4, 2]],
  SpatialDropout2D: () => [L.spatialDropout2d({ rate: 0.2 }), [1, 3, 3, 2]],
  SpatialDropout3D: () => [L.spatialDropout3d({ rate: 0.2 }), [1, 2, 2, 2, 2]],
  Subtract: () => [L.subtract(), [[2, 3], [2, 3]]],
  ThresholdedReLU: () => [L.thresholdedReLU({ theta: 0.5 }), [2, 3]],
  TimeDistributed: () => [L.timeDistributed({ layer: L.dense({ units: 2, kernelRegularizer: 'l2', dropout: 0.5 }) }), [1, 3, 4]],
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

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const plain = (v: unknown) => (typeof v === 'string' ? v.toLowerCase().replace(/_/g, '') : v);

/** Every option given to the factory is in the Keras config, with its value (scalars may become tuples). */
function expectOptionsInConfig(name: string, options: Record<string, unknown>, config: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(options)) {
    const key = snake(k);
    assert.ok(key in config, `${name}: option ${k} is missing from the config (keys ${Object.keys(config).join(', ')})`);
    const c = config[key];
    const what = `${name}: config ${key} is ${JSON.stringify(c)} for option ${k}: ${JSON.stringify(v)}`;
    if (typeof v === 'number' || typeof v === 'boolean') {
      assert.ok(c === v || (Array.isArray(c) && c.flat(3).every((e) => e === v)), what);
    } else if (typeof v === 'string') {
      const cls = c && typeof c === 'object' ? (c as { class_name?: string }).class_name : c;
      assert.equal(plain(cls), plain(v), what);
    } else if (Array.isArray(v) && !v.some((e) => e instanceof st.layers.Layer)) {
      assert.deepEqual(c, v, what);
    } // objects (pooling, a wrapped layer, a list of cells): their own fields are checked by the round trip below
  }
}

/** Gradient of sum(outputs · r) + regularization on every trainable weight, one SGD step, constraints. */
function trainingStep(layer: st.layers.Layer, arg: st.Tensor | st.Tensor[]) {
  st.setSeed(5); // the same dropout masks and noise on both sides
  const weights = layer.trainableWeights;
  let outputs: st.Tensor[] = [];
  let penalty = 0;
  const { value, grads } = st.valueAndGrads(() => {
    const y = layer.apply(arg as st.Tensor, { training: true });
    outputs = (Array.isArray(y) ? y : [y]) as st.Tensor[];
    let loss = outputs.map((o, i) => st.sum(st.mul(o, st.randomNormal(o.shape, { seed: 20 + i })))).reduce((a, b) => st.add(a, b));
    for (const r of layer.regularizationLosses()) {
      penalty += r.item();
      loss = st.add(loss, r);
    }
    return loss;
  }, weights);
  st.noGrad(() => weights.forEach((w, i) => w.assign(st.sub(w, st.mul(grads[i], 0.1)))));
  layer.applyConstraints();
  return { loss: value.item(), penalty, outputs: outputs.map((o) => Array.from(o.values)), weights: layer.getWeights().map((w) => Array.from(w.values)) };
}

const dir = mkdtempSync(join(tmpdir(), 'strata-roundtrip-'));

for (const [name, make] of Object.entries(CASES)) {
  test(`${name}: config → file → layer: the given options are in the config, inference and one training step agree`, () => {
    st.setSeed(1);
    const [layer, shape] = make();
    const options = given;
    const shapes = (Array.isArray(shape[0]) ? shape : [shape]) as number[][];
    const inputs = shapes.map((s, i) => (name === 'Embedding' ? st.randomUniform(s, { minval: 0, maxval: 10, dtype: 'int32', seed: i })
      : st.randomNormal(s, { seed: i + 1 })));
    const arg = inputs.length === 1 ? inputs[0] : inputs;
    const y1 = layer.apply(arg as st.Tensor);
    expectOptionsInConfig(name, options, (st.layers.serialize(layer) as { config: Record<string, unknown> }).config);
    expectConfigRoundTrip(layer);
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(st.layers.serialize(layer)));
    const again = st.layers.deserialize(JSON.parse(readFileSync(file, 'utf8')));
    again.apply(arg as st.Tensor);
    again.setWeights(layer.getWeights());
    const y2 = again.apply(arg as st.Tensor);
    const a = (Array.isArray(y1) ? y1 : [y1]) as st.Tensor[];
    const b = (Array.isArray(y2) ? y2 : [y2]) as st.Tensor[];
    assert.equal(a.length, b.length);
    a.forEach((t, i) => assert.deepEqual(Array.from(b[i].values), Array.from(t.values), `${name}: output ${i} after the round trip`));
    // Training-time settings (dropout, noise, regularizers, constraints, moving statistics) show in one step.
    const before = layer.getWeights().map((w) => Array.from(w.values));
    const s1 = trainingStep(layer, arg);
    const s2 = trainingStep(again, arg);
    assert.equal(s2.loss, s1.loss, `${name}: training loss after the round trip`);
    assert.equal(s2.penalty, s1.penalty, `${name}: regularization penalty after the round trip`);
    s1.outputs.forEach((o, i) => assert.deepEqual(s2.outputs[i], o, `${name}: training-mode output ${i} after the round trip`));
    s1.weights.forEach((w, i) => assert.deepEqual(s2.weights[i], w, `${name}: weight ${i} after one step, after the round trip`));
    if (layer.trainableWeights.length > 0) assert.ok(s1.weights.some((w, i) => w.some((v, j) => v !== before[i][j])), `${name}: the step moved the weights`);
  });
}

test('a model saved to a folder and loaded trains its first epoch exactly as the original (dropout, regularizers, constraints)', async () => {
  const make = () => {
    st.setSeed(2);
    return st.sequential({ layers: [
      st.layers.conv1d({ filters: 3, kernelSize: 2, activation: 'relu', kernelRegularizer: 'l2', dropout: 0.2, inputShape: [6, 2] }),
      st.layers.lstm({ units: 3, returnSequences: true, dropout: 0.2, recurrentDropout: 0.2, recurrentRegularizer: 'l1' }),
      st.layers.gru({ units: 3, dropout: 0.3, recurrentDropout: 0.1, kernelConstraint: 'nonNeg' }),
      st.layers.dense({ units: 4, activation: 'tanh', kernelRegularizer: 'l1l2', dropout: 0.3 }),
      st.layers.dense({ units: 1 }),
    ] });
  };
  const original = make();
  const folder = join(dir, 'model');
  await original.save(folder);
  const loaded = await st.loadLayersModel(join(folder, 'model.json'));
  assert.deepEqual(loaded.layers.map((l) => st.layers.serialize(l)), original.layers.map((l) => st.layers.serialize(l)));
  const x = st.randomNormal([8, 6, 2], { seed: 3 });
  const y = st.randomNormal([8, 1], { seed: 4 });
  const train = async (m: st.Model) => {
    m.compile({ optimizer: st.optimizers.sgd({ learningRate: 0.1 }), loss: 'mse' });
    st.setSeed(9);
    const h = await m.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0, seed: 1 });
    return { loss: h.history.loss[0], weights: m.getWeights().map((w) => Array.from(w.values)) };
  };
  const start = original.getWeights().map((w) => Array.from(w.values));
  const a = await train(original);
  const b = await train(loaded);
  assert.equal(b.loss, a.loss, 'training loss (with the penalties) after save and load');
  a.weights.forEach((w, i) => assert.deepEqual(b.weights[i], w, `weight ${i} after one epoch, after save and load`));
  assert.ok(a.weights.every((w, i) => w.some((v, j) => v !== start[i][j])), 'every weight moved');
});
