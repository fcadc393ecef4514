import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError, expectGradientsClose, forEachBackend, rand } from './helpers.js';
import { denseForward } from '../src/ops/dense.js';
import { expectConfigRoundTrip, expectLayerGradientsClose } from './layer-helpers.js';

test('dense computes activation(x·W + b) with Keras weight layout', () => forEachBackend(() => {
  const layer = st.layers.dense({ units: 2, activation: 'relu' });
  layer.build([null, 3]);
  assert.deepEqual(layer.getWeights().map((w) => w.shape), [[3, 2], [2]]);
  layer.setWeights([st.tensor([[1, -1], [2, 0], [0, 1]]), st.tensor([0.5, -0.5])]);
  const y = layer.apply(st.tensor([[1, 1, 1], [-1, 0, 2]])) as st.Tensor;
  expectClose(y, [3.5, 0, 0, 2.5]);
  assert.equal(layer.countParams(), 8);
  assert.deepEqual(layer.computeOutputShape([null, 5, 3]), [null, 5, 2]);
}, 'fallback'));

test('dense acts on the last axis of any rank ≥ 2', () => {
  const layer = st.layers.dense({ units: 4, kernelInitializer: 'ones', useBias: false });
  const y = layer.apply(st.ones([2, 5, 3])) as st.Tensor;
  assert.deepEqual(y.shape, [2, 5, 4]);
  expectClose(y, new Array(40).fill(3));
  assert.equal(layer.weights.length, 1);
});

test('dense gradients for input, kernel and bias, every activation', () => {
  for (const activation of ['linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'gelu', 'swish', 'mish', 'softplus', 'softsign', 'hardSigmoid', 'leakyRelu', 'relu6']) {
    const layer = st.layers.dense({ units: 3, activation, dtype: 'float64', biasInitializer: st.initializers.randomNormal({ seed: 3 }) });
    expectLayerGradientsClose(layer, rand([4, 5], 1));
  }
});

test('dense dropout shorthand drops in training only and expands to Dense + Dropout', () => {
  const layer = st.layers.dense({ units: 50, dropout: 0.5, kernelInitializer: 'ones', biasInitializer: 'zeros' });
  const x = st.ones([4, 2]);
  expectClose(layer.apply(x) as st.Tensor, new Array(200).fill(2));
  const dropped = Array.from((layer.apply(x, { training: true }) as st.Tensor).values);
  assert.ok(dropped.every((v) => v === 0 || v === 4) && dropped.some((v) => v === 0) && dropped.some((v) => v === 4));
  const [d, drop] = layer.expand();
  assert.equal(d.className, 'Dense');
  assert.equal(drop.className, 'Dropout');
  assert.equal((drop as st.layers.Dropout).rate, 0.5);
  assert.equal(st.layers.serialize(d).config.dropout, undefined, 'the expanded Dense is plain Keras');
  expectClose(d.apply(x) as st.Tensor, layer.apply(x) as st.Tensor);
});

test('dense regularizers add penalties, constraints project the weights', () => {
  const layer = st.layers.dense({ units: 2, kernelInitializer: 'ones', biasInitializer: st.initializers.constant({ value: -2 }),
    kernelRegularizer: st.regularizers.l2({ l2: 0.1 }), biasRegularizer: 'l1', activityRegularizer: st.regularizers.l1({ l1: 0.5 }),
    kernelConstraint: st.constraints.maxNorm({ maxValue: 1 }), biasConstraint: 'nonNeg' });
  layer.apply(st.ones([1, 3]));
  const losses = layer.regularizationLosses().map((t) => t.item());
  expectClose(losses, [0.1 * 6, 0.01 * 4, 0.5 * 2]);
  layer.applyConstraints();
  const [k, b] = layer.getWeights();
  expectClose(k, new Array(6).fill(1 / Math.sqrt(3)), 1e-5);
  expectClose(b, [0, 0]);
});

test('dense config round-trips, including nested initializers and Keras snake_case files', () => {
  const layer = st.layers.dense({ units: 7, activation: 'tanh', useBias: false, kernelInitializer: st.initializers.heNormal({ seed: 2 }),
    kernelRegularizer: st.regularizers.l1l2({ l1: 0.1, l2: 0.2 }), inputShape: [4] });
  const again = expectConfigRoundTrip(layer) as st.layers.Dense;
  assert.equal(again.units, 7);
  const fromFile = st.layers.deserialize({ class_name: 'Dense', config: {
    name: 'dense_9', trainable: true, batch_input_shape: [null, 4], dtype: 'float32', units: 3, activation: 'hard_sigmoid',
    use_bias: true, kernel_initializer: { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'normal', seed: null } },
    bias_initializer: { class_name: 'Zeros', config: {} }, kernel_regularizer: null, bias_regularizer: null,
    activity_regularizer: null, kernel_constraint: null, bias_constraint: null, some_future_key: 42 } }) as st.layers.Dense;
  assert.equal(fromFile.name, 'dense_9');
  assert.equal(fromFile.activation.name, 'hard_sigmoid');
  assert.deepEqual(fromFile.batchInputShape, [null, 4]);
});

test('dense errors name the layer, the shapes and a fix', () => {
  expectError(() => st.layers.dense({ units: 0 }), st.ConfigError, 'units (number of neurons) must be a positive integer, got 0');
  expectError(() => st.layers.dense({ units: 2, activation: 'relux' }), st.ConfigError, 'unknown activation "relux"');
  const layer = st.layers.dense({ units: 2, name: 'dense_x' });
  layer.apply(st.zeros([1, 128]));
  expectError(() => layer.apply(st.zeros([32, 8, 8])), st.ShapeError, "Dense 'dense_x'", 'expected input with last dimension 128, got shape [32, 8, 8]', 'did you forget a flatten?');
  const declared = st.layers.dense({ units: 2, inputShape: [784] });
  expectError(() => declared.apply(st.zeros([32, 28, 28])), st.ShapeError, 'expected input shape [null, 784], got [32, 28, 28]', 'flatten');
});

test('dense inference (the fused op, weights packed once) equals the recorded forward pass, and follows every change of the weights', () => forEachBackend(() => {
  for (const activation of ['relu', 'softmax', 'sigmoid', 'linear', 'gelu']) {
    const model = st.sequential({ layers: [st.layers.dense({ units: 40, activation, inputShape: [70] }), st.layers.dense({ units: 10, activation: 'softmax' })] });
    model.compile({ optimizer: st.optimizers.sgd({ learningRate: 0.5 }), loss: 'categoricalCrossentropy' });
    const x = rand([32, 70], 1, 'float32'), y = st.oneHot(st.tensor(Array.from({ length: 32 }, (_, i) => i % 10), [32], 'int32'), 10);
    // The same layers under a tape run matmul then the bias and activation ops.
    const recorded = () => {
      let out: st.Tensor | null = null;
      st.valueAndGrads(() => (out = model.apply(x) as st.Tensor, st.sum(out)), [x]);
      return out!;
    };
    const check = (what: string) => {
      const fused = model.predict(x) as st.Tensor;
      expectClose(fused, recorded(), 1e-7, 1e-6, `${activation}: ${what}`);
    };
    check('fresh weights');
    check('again (packed weights reused)');
    model.trainOnBatch(x, y);
    check('after a training step');
    const dense = model.layers[0] as st.layers.Layer;
    dense.setWeights(dense.getWeights().map((w) => st.mul(w, -0.5)));
    check('after setWeights');
    const kernel = dense.weights[0];
    kernel.assign(st.add(kernel, st.fill(kernel.shape, 0.01)));
    check('after assign');
  }
}));

test('the fused dense op has the gradients of matmul, bias and activation (softmax included)', () => {
  for (const act of ['relu', 'tanh', 'softmax', 'linear'] as const) {
    for (const withBias of [true, false]) {
      expectGradientsClose((x, w, b) => {
        const y = denseForward(x, w, withBias ? b : null, act, false);
        return st.sum(st.mul(y, st.tensor(Array.from({ length: y.size }, (_, i) => Math.sin(i)), y.shape, 'float64')));
      }, [rand([2, 3, 4], 1), rand([4, 5], 2), rand([5], 3)]);
    }
  }
});
