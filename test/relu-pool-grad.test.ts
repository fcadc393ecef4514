// conv + bias + relu followed by max pooling: the pool applies relu′ to its small gradient and the conv
// takes it as dz (src/ops/relu-pool-grad.ts). Gradients must equal the unfused chain's (conv, add,
// relu, maxPool: public ops, which the shortcut does not touch), to first and second order, and the
// gradient of the relu output itself, when a caller asks for it, must stay unmasked.
import { test } from 'node:test';
import * as st from '../src/index.js';
import { convBiasActivation } from '../src/ops/conv.js';
import { expectClose, forEachBackend } from './helpers.js';

type Pool = { poolSize: number; strides: number; padding: 'valid' | 'same' };

const x = st.randomNormal([3, 12, 12, 4], 0, 1, 'float32', 1);
const w = st.randomNormal([3, 3, 4, 8], 0, 0.4, 'float32', 2);
// A negative bias leaves whole pooling windows at relu's zero, where masked and unmasked gradients differ.
const b = st.sub(st.randomNormal([8], 0, 0.3, 'float32', 3), 0.6);
const weight = st.randomNormal([3, 5, 5, 8], 0, 1, 'float32', 4);

function fused(xx: st.Tensor, ww: st.Tensor, bb: st.Tensor, p: Pool): st.Tensor {
  return st.maxPool(convBiasActivation(2, xx, ww, bb, 'relu', { strides: 1, padding: 'valid' }), p);
}

function unfused(xx: st.Tensor, ww: st.Tensor, bb: st.Tensor, p: Pool): st.Tensor {
  return st.maxPool(st.relu(st.add(st.conv2d(xx, ww, 1, 'valid'), bb)), p);
}

const POOLS: Pool[] = [
  { poolSize: 2, strides: 2, padding: 'valid' },
  { poolSize: 3, strides: 2, padding: 'same' }, // overlapping windows: one position can be two windows' argmax
];

for (const p of POOLS) {
  const loss = (chain: typeof fused) => (xx: st.Tensor, ww: st.Tensor, bb: st.Tensor) => {
    const y = chain(xx, ww, bb, p);
    return st.sum(st.mul(y, st.slice(weight, [0, 0, 0, 0], y.shape)));
  };

  test(`conv relu → maxPool ${JSON.stringify(p)}: gradients of x, filter and bias equal the unfused chain`, () => {
    forEachBackend(() => {
      const got = st.valueAndGrads(() => loss(fused)(x, w, b), [x, w, b]);
      const want = st.valueAndGrads(() => loss(unfused)(x, w, b), [x, w, b]);
      expectClose(got.value, want.value, 1e-4, 1e-4, 'loss');
      ['dx', 'dfilter', 'dbias'].forEach((what, i) => expectClose(got.grads[i], want.grads[i], 1e-4, 1e-4, what));
      // The bias gradient must not be zero here, or the check above would not see a wrong one.
      const dbias = Array.from(got.grads[2].dataSync());
      if (!dbias.some((v) => Math.abs(v) > 1e-3)) throw new Error('test data give a zero bias gradient');
    });
  });

  test(`conv relu → maxPool ${JSON.stringify(p)}: second derivatives equal the unfused chain`, () => {
    forEachBackend(() => {
      const second = (chain: typeof fused) => st.grads(() => {
        const [dx] = st.grads(() => loss(chain)(x, w, b), [x]);
        return st.sum(st.square(dx));
      }, [w, b]);
      const got = second(fused), want = second(unfused);
      expectClose(got[0], want[0], 1e-3, 1e-3, 'd²/dfilter');
      expectClose(got[1], want[1], 1e-3, 1e-3, 'd²/dbias');
    });
  });
}

test('the gradient of a relu conv output that the caller asks for is not masked by the pool', () => {
  forEachBackend(() => {
    const p = POOLS[0];
    const pooledLoss = (y: st.Tensor) => st.sum(st.mul(st.maxPool(y, p), st.slice(weight, [0, 0, 0, 0], [3, 5, 5, 8])));
    // y made on an outer tape (so it is marked as a relu output) and asked for by an inner one.
    let inner!: st.Tensor, y!: st.Tensor;
    st.valueAndGrads(() => {
      y = convBiasActivation(2, x, w, b, 'relu', { strides: 1, padding: 'valid' });
      inner = st.grads(() => pooledLoss(y), [y])[0];
      return st.sum(inner);
    }, [w]);
    // Reference: the same values in a plain tensor, which no conv marked.
    const plain = st.tensor(y.dataSync(), y.shape);
    const ref = st.grads(() => pooledLoss(plain), [plain])[0];
    expectClose(inner, ref, 1e-6, 1e-6, 'dy');
    // Some windows are all zero (relu), where a masked gradient would be 0 and the true one is not.
    const yv = y.dataSync(), dv = inner.dataSync();
    let atZero = 0;
    for (let i = 0; i < yv.length; i++) if (yv[i] === 0 && dv[i] !== 0) atZero++;
    if (atZero === 0) throw new Error('test data have no pooled zero with a gradient');
  });
});
