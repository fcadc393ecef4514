// Inference folds a conv layer and the max pooling layer after it into one op (BaseConv.applyWithMaxPool,
// ops/conv-pool.ts; on the compiled backends one kernel, native/src/conv-pool.cc). The folded model must
// predict what its layers applied one by one predict, run the fused kernel only where it should (not
// while training, not for pairs that do not fold), and leave training untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, forEachBackend } from './helpers.js';

/** W3's CNN, smaller, with a second pool that overlaps ('same', 3 wide, stride 2) and odd sizes. */
function cnn(): st.Sequential {
  const model = st.sequential({
    layers: [
      st.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
      st.layers.maxPooling2d({ poolSize: 2 }),
      st.layers.conv2d({ filters: 12, kernelSize: 3, activation: 'tanh' }),
      st.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
      st.layers.flatten(),
      st.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  // A non-zero bias, so a fused kernel that dropped it would show.
  for (const layer of model.layers) {
    const b = (layer as { bias?: st.Variable }).bias;
    if (b) b.assign(st.randomNormal(b.shape, 0, 0.3, 'float32', 11));
  }
  return model;
}

/** The layers applied one by one: no folding (that happens in Sequential.forward only). */
function unfolded(model: st.Sequential, x: st.Tensor): st.Tensor {
  return st.noGrad(() => model.layers.reduce((y, layer) => layer.apply(y, { training: false }) as st.Tensor, x));
}

function calls(kernel: string): { native: number; js: number } {
  return st.testing.kernelCalls(st.getBackend()).byKernel[kernel] ?? { native: 0, js: 0 };
}

test('a Sequential CNN predicts with each conv + max pool folded into one op, the same values as its layers one by one', () => {
  forEachBackend((backend) => {
    const model = cnn();
    for (const batch of [1, 17]) {
      const x = st.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', batch);
      const want = unfolded(model, x);
      const fusedBefore = calls('conv3dBiasActivationMaxPool'), poolBefore = calls('maxPool3d');
      const got = model.predict(x) as st.Tensor;
      const fused = calls('conv3dBiasActivationMaxPool'), pool = calls('maxPool3d');
      assert.equal(fused.native + fused.js - fusedBefore.native - fusedBefore.js, 2, `[${backend}] both pairs fold`);
      assert.equal(pool.native + pool.js, poolBefore.native + poolBefore.js, `[${backend}] no separate max pool runs`);
      if (backend !== 'js') assert.equal(fused.native - fusedBefore.native, 2, `[${backend}] the fused kernel runs compiled code`);
      assert.deepEqual(got.shape, want.shape);
      expectClose(got, want, 1e-6, 1e-5, `[${backend}] batch ${batch}`);
    }
  });
});

test('training and an average pool run the conv and the pool apart; channels-first folds around its transposes', () => {
  forEachBackend((backend) => {
    const model = cnn();
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const x = st.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 3);
    const y = st.oneHot(st.tensor([1, 2, 3, 4], [4], 'int32'), 10);
    const before = calls('conv3dBiasActivationMaxPool');
    model.trainOnBatch(x, y);
    const after = calls('conv3dBiasActivationMaxPool');
    assert.equal(after.native + after.js, before.native + before.js, `[${backend}] trainOnBatch records the unfused ops`);

    // Channels-first folds (the layer transposes around the channels-last op); an average pool does not.
    const others = [
      st.sequential({ layers: [
        st.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', dataFormat: 'channelsFirst', inputShape: [1, 12, 12] }),
        st.layers.maxPooling2d({ poolSize: 2, dataFormat: 'channelsFirst' })] }),
      st.sequential({ layers: [
        st.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [12, 12, 1] }),
        st.layers.averagePooling2d({ poolSize: 2 })] }),
    ];
    for (const [i, m] of others.entries()) {
      const xi = st.randomUniform(i === 0 ? [2, 1, 12, 12] : [2, 12, 12, 1], 0, 1, 'float32', 5);
      const b0 = calls('conv3dBiasActivationMaxPool');
      const got = m.predict(xi) as st.Tensor;
      const b1 = calls('conv3dBiasActivationMaxPool');
      assert.equal(b1.native + b1.js - b0.native - b0.js, i === 0 ? 1 : 0, `[${backend}] model ${i} folds ${i === 0 ? 'once' : 'not'}`);
      expectClose(got, unfolded(m, xi), 1e-6, 1e-6, `[${backend}] model ${i}`);
    }
  });
});

test('the pooling shorthand of a conv layer runs fused in inference, with the values of conv then pool', () => {
  forEachBackend((backend) => {
    const conv = st.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', pooling: { type: 'max', poolSize: 2 } });
    const x = st.randomUniform([3, 15, 15, 2], -1, 1, 'float32', 7);
    const got = conv.apply(x) as st.Tensor;
    const kernel = conv.getWeights()[0], bias = conv.getWeights()[1];
    const want = st.maxPool(st.relu(st.add(st.conv2d(x, kernel, 1, 'valid'), bias)), 2);
    assert.deepEqual(got.shape, [3, 6, 6, 16]);
    expectClose(got, want, 1e-6, 1e-5, `[${backend}]`);
  });
});
