// The fused bias + activation op: forward equal to add-then-activate, gradients (first and second
// order) against finite differences, on every backend; layers use it without changing results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { biasActivation, type FusedActivation } from '../src/ops/bias-activation.js';
import { applyBiasActivation, getActivation } from '../src/activations/index.js';
import { ShapeError } from '../src/errors.js';
import { expectClose, expectError, expectGradientsClose, forEachBackend, rand } from './helpers.js';

const ACTS: FusedActivation[] = ['linear', 'relu', 'sigmoid', 'tanh', 'elu', 'selu'];

/** The unfused reference: add, then the activation op. */
function unfused(x: st.Tensor, b: st.Tensor | null, act: FusedActivation, alpha = 1): st.Tensor {
  const z = b ? st.add(x, b) : x;
  switch (act) {
    case 'linear': return z;
    case 'relu': return st.relu(z);
    case 'sigmoid': return st.sigmoid(z);
    case 'tanh': return st.tanh(z);
    case 'elu': return st.elu(z, alpha);
    case 'selu': return st.selu(z);
  }
}

/** Inputs whose pre-activations x + b stay away from 0 (the kink of relu/elu/selu) by more than `gap`. */
function awayFromKink(shape: number[], seed: number, b: st.Tensor, gap: number, dtype: 'float32' | 'float64'): st.Tensor {
  const x = st.randomNormal(shape, { seed, dtype });
  const c = shape[shape.length - 1];
  const v = x.values;
  for (let i = 0; i < v.length; i++) {
    const z = v[i] + b.values[i % c];
    if (Math.abs(z) < gap) v[i] += z < 0 ? -2 * gap : 2 * gap;
  }
  return x;
}

test('biasActivation equals add then the activation, float32 and float64, with and without bias', () => {
  forEachBackend((backend) => {
    for (const shape of [[3, 5], [2, 4, 4, 7], [70, 33]]) {
      const c = shape[shape.length - 1];
      for (const dtype of ['float32', 'float64'] as const) {
        const x = st.randomNormal(shape, { seed: 1, dtype }), b = st.randomNormal([c], { seed: 2, dtype });
        for (const act of ACTS) {
          for (const bias of [b, null]) {
            const what = `${backend} ${dtype} ${act} ${JSON.stringify(shape)} bias ${bias !== null}`;
            const got = biasActivation(x, bias, act, 1.5), want = unfused(x, bias, act, 1.5);
            assert.equal(got.dtype, dtype, what);
            assert.deepEqual(got.shape, shape, what);
            expectClose(got, want, dtype === 'float32' ? 1e-7 : 1e-15, dtype === 'float32' ? 2e-7 : 1e-15, what);
          }
        }
      }
    }
  });
});

test('biasActivation gradients for x and bias match finite differences (float64) on every backend', () => {
  forEachBackend(() => {
    for (const act of ACTS) {
      const b = rand([3], 11);
      const x = awayFromKink([2, 4, 3], 12, b, 1e-3, 'float64');
      expectGradientsClose((x, b) => biasActivation(x, b, act, 0.7), [x, b]);
      expectGradientsClose((x) => biasActivation(x, null, act, 0.7), [x]);
    }
  }, 'fallback');
});

test('biasActivation gradients in float32 on tensors large enough for the native kernels', () => {
  forEachBackend(() => {
    for (const act of ACTS) {
      const b = st.randomNormal([33], { seed: 21, dtype: 'float32' });
      const x = awayFromKink([9, 33], 22, b, 0.05, 'float32');
      expectGradientsClose((x, b) => biasActivation(x, b, act), [x, b], { dtype: 'float32', eps: 1e-2, maxChecks: 60 });
    }
  });
});

test('second derivatives of biasActivation (gradients of gradients) match finite differences', () => {
  forEachBackend(() => {
    for (const act of ACTS) {
      const b = rand([4], 31), w = rand([3, 4], 33);
      const x = awayFromKink([3, 4], 32, b, 1e-3, 'float64');
      // d/dx and d/db of Σ w·act(x + b), differentiated again.
      const dx = (x: st.Tensor, b: st.Tensor) => st.grads(() => st.mul(biasActivation(x, b, act, 0.6), w), [x, b])[0];
      const db = (x: st.Tensor, b: st.Tensor) => st.grads(() => st.mul(biasActivation(x, b, act, 0.6), w), [x, b])[1];
      expectGradientsClose(dx, [x, b]);
      expectGradientsClose(db, [x, b]);
    }
  }, 'fallback');
});

test('applyBiasActivation fuses only the built-in activations and keeps custom ones', () => {
  forEachBackend(() => {
    const x = rand([5, 6], 41), b = rand([6], 42);
    for (const name of ['relu', 'sigmoid', 'tanh', 'elu', 'selu', 'linear', 'softplus', 'gelu', 'softmax', 'relu6']) {
      const act = getActivation(name);
      expectClose(applyBiasActivation(x, b, act), act.apply(st.add(x, b)), 1e-15, 1e-15, name);
    }
    // A custom activation that borrows the name 'relu' runs its own function.
    const custom = { name: 'relu', apply: (t: st.Tensor) => st.mul(t, 2) };
    expectClose(applyBiasActivation(x, b, custom), st.mul(st.add(x, b), 2), 1e-15, 1e-15);
    expectClose(applyBiasActivation(x, null, getActivation('tanh')), st.tanh(x), 1e-15, 1e-15);
  }, 'fallback');
});

test('int32 and mixed dtypes take the unfused path; a bias of the wrong shape is refused', () => {
  const xi = st.tensor([-2, 3, -1, 4], [2, 2], 'int32');
  const bi = st.tensor([1, -1], [2], 'int32');
  const y = biasActivation(xi, bi, 'relu');
  assert.equal(y.dtype, 'int32');
  assert.deepEqual(Array.from(y.values), [0, 2, 0, 3]);
  const mixed = biasActivation(rand([2, 2], 1), st.tensor([1, 2]), 'tanh');
  assert.equal(mixed.dtype, 'float64');
  expectError(() => biasActivation(rand([2, 3], 1), rand([2], 2), 'relu'), ShapeError, 'bias must have shape [3]', '[2]');
});

test('dense and conv layers give the same outputs and gradients as add then activate', () => {
  forEachBackend((backend) => {
    for (const activation of ['relu', 'sigmoid', 'tanh', 'elu', 'selu', 'linear', 'softplus']) {
      const dense = st.layers.dense({ units: 5, activation, biasInitializer: 'randomNormal', dtype: 'float64' } as never);
      const x = rand([4, 3], 51);
      dense.build([null, 3]);
      const [k, bias] = dense.weights;
      const y = dense.apply(x) as st.Tensor;
      const ref = getActivation(activation).apply(st.add(st.matmul(x, k), bias));
      expectClose(y, ref, 1e-14, 1e-14, `${backend} dense ${activation}`);
      const conv = st.layers.conv2d({ filters: 4, kernelSize: 2, activation, biasInitializer: 'randomNormal', dtype: 'float64' } as never);
      const xi = rand([2, 5, 5, 3], 52);
      conv.build([null, 5, 5, 3]);
      const [ck, cb] = conv.weights;
      const refc = getActivation(activation).apply(st.add(st.conv2d(xi, ck, 1, 'valid'), cb));
      expectClose(conv.apply(xi) as st.Tensor, refc, 1e-14, 1e-14, `${backend} conv2d ${activation}`);
      const [gk, gb] = st.grads(() => conv.apply(xi) as st.Tensor, [ck, cb]);
      const [rk, rb] = st.grads(() => getActivation(activation).apply(st.add(st.conv2d(xi, ck, 1, 'valid'), cb)), [ck, cb]);
      expectClose(gk, rk, 1e-12, 1e-12, `${backend} conv2d ${activation} kernel gradient`);
      expectClose(gb, rb, 1e-12, 1e-12, `${backend} conv2d ${activation} bias gradient`);
    }
  }, 'fallback');
});
