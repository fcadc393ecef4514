import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError, expectGradientsClose, expectShape, forEachBackend, rand } from './helpers.js';

type Kind = 'max' | 'avg';
type Pad = 'valid' | 'same';

const OPS = {
  1: { max: st.maxPool1d, avg: st.avgPool1d },
  2: { max: st.maxPool, avg: st.avgPool },
  3: { max: st.maxPool3d, avg: st.avgPool3d },
} as const;

function poolOp(rank: number, kind: Kind): (x: st.Tensor, k: number[], s: number[], p: Pad) => st.Tensor {
  return OPS[rank as 1 | 2 | 3][kind] as unknown as (x: st.Tensor, k: number[], s: number[], p: Pad) => st.Tensor;
}

/**
 * Naive reference, written independently of the library: for each output position, list the
 * window's input positions one by one and skip those in the padding. x is [N, ...spatial, C].
 */
function refPool(kind: Kind, x: st.Tensor, k: number[], s: number[], pad: Pad): { values: number[]; shape: number[] } {
  const rank = k.length;
  const [n, ...rest] = x.shape;
  const inS = rest.slice(0, rank), c = rest[rank];
  const outS: number[] = [], before: number[] = [];
  for (let i = 0; i < rank; i++) {
    if (pad === 'valid') {
      outS.push(Math.ceil((inS[i] - k[i] + 1) / s[i]));
      before.push(0);
    } else {
      outS.push(Math.ceil(inS[i] / s[i]));
      before.push(Math.floor(Math.max(0, (outS[i] - 1) * s[i] + k[i] - inS[i]) / 2));
    }
  }
  const xv = x.arraySync() as unknown;
  const at = (b: number, pos: number[], ch: number): number => {
    let v = (xv as unknown[])[b];
    for (const p of pos) v = (v as unknown[])[p];
    return (v as number[])[ch];
  };
  const values: number[] = [];
  const outPositions: number[][] = [[]];
  for (let i = 0; i < rank; i++) {
    const next: number[][] = [];
    for (const p of outPositions) for (let o = 0; o < outS[i]; o++) next.push([...p, o]);
    outPositions.splice(0, outPositions.length, ...next);
  }
  const offsets: number[][] = [[]];
  for (let i = 0; i < rank; i++) {
    const next: number[][] = [];
    for (const p of offsets) for (let o = 0; o < k[i]; o++) next.push([...p, o]);
    offsets.splice(0, offsets.length, ...next);
  }
  for (let b = 0; b < n; b++) {
    for (const o of outPositions) {
      for (let ch = 0; ch < c; ch++) {
        const seen: number[] = [];
        for (const off of offsets) {
          const pos = off.map((d, i) => o[i] * s[i] - before[i] + d);
          if (pos.every((p, i) => p >= 0 && p < inS[i])) seen.push(at(b, pos, ch));
        }
        values.push(kind === 'max' ? Math.max(...seen) : seen.reduce((a, v) => a + v, 0) / seen.length);
      }
    }
  }
  return { values, shape: [n, ...outS, c] };
}

const RANK_CASES: Record<number, { shape: number[]; k: number[]; s: number[] }[]> = {
  1: [
    { shape: [2, 9, 3], k: [3], s: [3] },
    { shape: [2, 9, 3], k: [3], s: [1] },
    { shape: [2, 9, 3], k: [3], s: [2] },
    { shape: [2, 10, 3], k: [2], s: [3] },
    { shape: [2, 7, 3], k: [4], s: [2] },
  ],
  2: [
    { shape: [2, 5, 7, 3], k: [2, 2], s: [2, 2] },
    { shape: [2, 5, 7, 3], k: [3, 3], s: [1, 1] },
    { shape: [2, 5, 7, 3], k: [3, 2], s: [2, 3] },
    { shape: [2, 6, 5, 3], k: [2, 3], s: [1, 2] },
    { shape: [2, 7, 7, 3], k: [3, 3], s: [2, 2] },
  ],
  3: [
    { shape: [2, 3, 5, 4, 3], k: [2, 2, 2], s: [2, 2, 2] },
    { shape: [2, 3, 5, 4, 3], k: [2, 3, 2], s: [1, 1, 1] },
    { shape: [2, 4, 5, 3, 3], k: [3, 2, 2], s: [2, 1, 3] },
    { shape: [2, 3, 5, 5, 3], k: [1, 3, 2], s: [1, 2, 2] },
  ],
};

test('pooling forward matches hand-computed values', () => {
  forEachBackend(() => {
    const x = st.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    expectClose(st.maxPool(x, 2, 1, 'valid'), [5, 6, 8, 9]);
    expectClose(st.avgPool(x, 2, 1, 'valid'), [3, 4, 6, 7]);
    // 'same' averages divide by the valid elements only (TensorFlow.js gives the same numbers).
    expectClose(st.avgPool(x, 3, 1, 'same'), [3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7]);
    expectClose(st.avgPool(x, 2, 2, 'same'), [3, 4.5, 7.5, 9]);
    expectClose(st.avgPool(x, 2, 1, 'same'), [3, 4, 4.5, 6, 7, 7.5, 7.5, 8.5, 9]);
    expectClose(st.maxPool(x, 2, 2, 'same'), [5, 6, 8, 9]);
    expectShape(st.maxPool(x, 2, 2, 'same'), [1, 2, 2, 1]);

    const x1 = st.tensor([1, 3, 2, 5, 4], [1, 5, 1]);
    expectClose(st.maxPool1d(x1, 2), [3, 5]); // strides default to the pool size
    expectClose(st.maxPool1d(x1, 2, 2, 'same'), [3, 5, 4]);
    expectClose(st.avgPool1d(x1, 2, 2, 'same'), [2, 3.5, 4]);
    expectClose(st.avgPool1d(x1, 3, 1, 'same'), [2, 2, 10 / 3, 11 / 3, 4.5]);

    const x3 = st.tensor([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2, 1]);
    expectClose(st.maxPool3d(x3, 2), [8]);
    expectClose(st.avgPool3d(x3, 2), [4.5]);
    expectClose(st.avgPool3d(x3, [1, 2, 2], 1, 'same'), [2.5, 3, 3.5, 4, 6.5, 7, 7.5, 8]);
  }, 'fallback');
});

test('pooling forward matches a naive reference: 1-D, 2-D, 3-D, valid and same, batch 2, 3 channels', () => {
  forEachBackend(() => {
    let seed = 10;
    for (const rank of [1, 2, 3]) {
      for (const { shape, k, s } of RANK_CASES[rank]) {
        for (const pad of ['valid', 'same'] as const) {
          for (const dtype of ['float32', 'float64'] as const) {
            const x = rand(shape, seed++, dtype);
            for (const kind of ['max', 'avg'] as const) {
              const y = poolOp(rank, kind)(x, k, s, pad);
              const ref = refPool(kind, x, k, s, pad);
              const what = `${kind}Pool rank ${rank} ${pad} k=${k} s=${s} ${dtype}`;
              assert.deepEqual(y.shape, ref.shape, `${what}: shape`);
              assert.equal(y.dtype, dtype, `${what}: dtype`);
              expectClose(y, ref.values, dtype === 'float64' ? 1e-12 : 1e-6, 1e-6, what);
            }
          }
        }
      }
    }
  });
});

test('batchless inputs, options objects and default strides', () => {
  forEachBackend(() => {
    const x = rand([1, 5, 6, 3], 1);
    const x0 = st.reshape(x, [5, 6, 3]);
    const y = st.maxPool(x, 3, 2, 'same');
    const y0 = st.maxPool(x0, 3, 2, 'same');
    expectShape(y0, [3, 3, 3]);
    expectClose(y0, y);
    expectShape(st.avgPool1d(rand([7, 2], 2), 2), [3, 2]);
    expectShape(st.avgPool3d(rand([4, 4, 4, 2], 3), 2), [2, 2, 2, 2]);

    expectClose(st.maxPool(x, { poolSize: 3, strides: 2, padding: 'same' }), y);
    expectClose(st.maxPool(x, { filterSize: [3, 3], strides: [2, 2], padding: 'same' }), y);
    expectClose(st.maxPool(x, 3, { strides: 2, padding: 'same' }), y);
    expectClose(st.avgPool(x, [2, 3]), st.avgPool(x, [2, 3], [2, 3], 'valid'));
    expectClose(st.avgPool(x, { poolSize: 2, padding: 'same' }), st.avgPool(x, 2, 2, 'same'));
    expectClose(st.maxPool1d(st.reshape(x, [1, 30, 3]), { poolSize: 4, stride: 3 }), st.maxPool1d(st.reshape(x, [1, 30, 3]), 4, 3));
    expectClose(st.maxPool(x, 1, 1), x);
  }, 'fallback');
});

test('pooling dtypes: int32 max stays int32, int32 average gives float32', () => {
  forEachBackend(() => {
    const x = st.tensor([1, 2, 3, 4, 5, 6, 7, 8, 10], [1, 3, 3, 1], 'int32');
    const m = st.maxPool(x, 2, 1);
    assert.equal(m.dtype, 'int32');
    expectClose(m, [5, 6, 8, 10]);
    const a = st.avgPool(x, 2, 1);
    assert.equal(a.dtype, 'float32');
    expectClose(a, [3, 4, 6, 7.25]);
  }, 'fallback');
});

test('max pooling sends the gradient to the first maximum of each window on ties', () => {
  forEachBackend(() => {
    const x = st.tensor([1, 3, 3, 2, 3, 0, 1, 3, 2], [1, 3, 3, 1]);
    const [dx] = st.grads(() => st.maxPool(x, 2, 1, 'same'), [x]);
    // Same routing as TensorFlow.js.
    expectClose(dx, [0, 2, 1, 0, 2, 0, 0, 2, 2]);
    const x2 = st.tensor([4, 4, 4, 4], [1, 2, 2, 1]);
    expectClose(st.grads(() => st.maxPool(x2, 2), [x2])[0], [1, 0, 0, 0]);
  }, 'fallback');
});

test('pooling gradients match finite differences: every rank, padding and stride', () => {
  forEachBackend(() => {
    let seed = 100;
    for (const rank of [1, 2, 3]) {
      for (const { shape, k, s } of RANK_CASES[rank]) {
        for (const pad of ['valid', 'same'] as const) {
          for (const kind of ['max', 'avg'] as const) {
            const op = poolOp(rank, kind);
            expectGradientsClose((x) => op(x, k, s, pad), [rand(shape, seed++)], { maxChecks: 120 });
          }
        }
      }
    }
  }, 'fallback');
});

test('pooling gradients of batchless inputs and options forms', () => {
  forEachBackend(() => {
    expectGradientsClose((x) => st.maxPool(x, { poolSize: [2, 3], strides: 1, padding: 'same' }), [rand([5, 6, 2], 1)]);
    expectGradientsClose((x) => st.avgPool(x, 3, { strides: 2, padding: 'same' }), [rand([5, 6, 2], 2)]);
    expectGradientsClose((x) => st.avgPool1d(x, 2, 1, 'same'), [rand([6, 2], 3)]);
    expectGradientsClose((x) => st.maxPool3d(x, 2, 1, 'same'), [rand([3, 3, 3, 2], 4)]);
  }, 'fallback');
});

test('pooling gradients are differentiable (second order)', () => {
  forEachBackend(() => {
    const x = rand([2, 5, 5, 3], 5);
    for (const kind of ['max', 'avg'] as const) {
      const op = poolOp(2, kind);
      const dyShape = op(x, [3, 3], [2, 2], 'same').shape;
      // The backward pass is linear in dy; its gradient with respect to dy is the forward op again.
      expectGradientsClose((dy) => st.grads(() => st.mul(op(x, [3, 3], [2, 2], 'same'), dy), [x])[0], [rand(dyShape, 6)]);
    }
    // Gradient of a gradient through a nonlinearity, on both sides of the pooling.
    expectGradientsClose((p) => st.grads(() => st.mul(st.avgPool(st.mul(p, p), 2, 1, 'same'), st.avgPool(p, 2, 1, 'same')), [p])[0],
      [rand([1, 4, 4, 2], 7)]);
  }, 'fallback');
});

test('pooling errors name the op, the expected layout and a fix', () => {
  forEachBackend(() => {
    expectError(() => st.maxPool(st.zeros([4, 4]), 2), st.ShapeError, 'maxPool', 'rank 4 [batch, height, width, channels]', 'got rank 2', 'maxPool1d');
    expectError(() => st.avgPool1d(st.zeros([1, 4, 4, 1]), 2), st.ShapeError, 'avgPool1d', 'rank 3 [batch, width, channels]', 'avgPool for');
    expectError(() => st.maxPool3d(st.zeros([1, 4, 4]), 2), st.ShapeError, 'maxPool3d', '[batch, depth, height, width, channels]');
    expectError(() => st.maxPool(st.zeros([1, 2, 5, 1]), 3), st.ShapeError, 'poolSize [3, 3] is larger', "padding 'same'", '[1, 2, 5, 1]');
    expectError(() => st.avgPool3d(st.zeros([1, 2, 2, 2, 1]), [1, 1, 3], 1, 'valid'), st.ShapeError, 'avgPool3d', '[2, 2, 2]');
    expectError(() => st.maxPool(st.zeros([1, 4, 4, 1]), 2, 0), st.ConfigError, 'maxPool: strides must be a positive integer', '0');
    expectError(() => st.maxPool(st.zeros([1, 4, 4, 1]), 2, [1, 2, 3] as unknown as number), st.ConfigError, 'strides', 'tuple of 2');
    expectError(() => st.avgPool(st.zeros([1, 4, 4, 1]), 2, 1.5), st.ConfigError, 'strides');
    expectError(() => st.maxPool(st.zeros([1, 4, 4, 1]), [2, 0]), st.ConfigError, 'poolSize must be a positive integer');
    expectError(() => st.maxPool1d(st.zeros([1, 4, 1]), 2, 1, 'causal' as 'same'), st.ConfigError, "padding must be 'valid' or 'same'", 'causal');
    expectError(() => st.maxPool(st.zeros([1, 4, 4, 1]), { poolSize: 2, pool_size: 2 } as st.PoolOptions), st.ConfigError, "unknown option 'pool_size'");
    expectError(() => st.maxPool(st.zeros([1, 4, 4, 1]), {}), st.ConfigError, 'pool size is required');
    expectError(() => st.maxPool(st.zeros([1, 4, 4, 1]), { poolSize: 2, filterSize: 3 }), st.ConfigError, 'disagree');
    expectError(() => st.maxPool(st.zeros([1, 4, 4, 1]), { poolSize: 2 }, 1), st.ConfigError, 'inside the options object');
  }, 'fallback');
});
