import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError, expectGradientsClose, expectShape, forEachBackend, rand } from './helpers.js';

type Pad = 'valid' | 'same' | [number, number][];

/** Direct loops: y[n, i, j, c·M + m] = Σ x[n, i·s − pt + a·d, j·s − pl + b·d, c] · w[a, b, c, m]. */
function refDepthwise(x: st.Tensor, w: st.Tensor, s: number[], d: number[], pad: Pad): { values: number[]; shape: number[] } {
  const [N, H, W, C] = x.shape, [KH, KW, , M] = w.shape;
  const plan = (i: number, n: number, k: number): [number, number] => {
    const kEff = (k - 1) * d[i] + 1;
    if (pad === 'valid') return [0, Math.ceil((n - kEff + 1) / s[i])];
    if (pad === 'same') {
      const out = Math.ceil(n / s[i]);
      return [Math.floor(Math.max(0, (out - 1) * s[i] + kEff - n) / 2), out];
    }
    return [pad[i][0], Math.floor((n + pad[i][0] + pad[i][1] - kEff) / s[i]) + 1];
  };
  const [pt, OH] = plan(0, H, KH), [pl, OW] = plan(1, W, KW);
  const values: number[] = [];
  for (let n = 0; n < N; n++) for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) {
    for (let c = 0; c < C; c++) for (let m = 0; m < M; m++) {
      let acc = 0;
      for (let a = 0; a < KH; a++) for (let b = 0; b < KW; b++) {
        const y = i * s[0] - pt + a * d[0], z = j * s[1] - pl + b * d[1];
        if (y < 0 || y >= H || z < 0 || z >= W) continue;
        acc += x.values[((n * H + y) * W + z) * C + c] * w.values[((a * KW + b) * C + c) * M + m];
      }
      values.push(acc);
    }
  }
  return { values, shape: [N, OH, OW, C * M] };
}

test('depthwiseConv2d: hand-computed values, channel c·multiplier + m', () => forEachBackend(() => {
  // two channels: [1, 10], [2, 20], [3, 30], [4, 40] on a 2×2 grid
  const x = st.tensor([1, 10, 2, 20, 3, 30, 4, 40], [1, 2, 2, 2]);
  // w[a, b, c, m]: channel 0 sums (m = 0) or takes the top-left (m = 1); channel 1 negates the sum
  const w = st.tensor([1, 1, -1, 0, 1, 0, -1, 0, 1, 0, -1, 0, 1, 0, -1, 0], [2, 2, 2, 2]);
  const y = st.depthwiseConv2d(x, w);
  expectShape(y, [1, 1, 1, 4]);
  expectClose(y, [10, 1, -100, 0]);
  const same = st.depthwiseConv2d(x, st.ones([1, 1, 2, 1]), 1, 'same');
  expectClose(same, [1, 10, 2, 20, 3, 30, 4, 40]);
}, 'fallback'));

test('depthwiseConv2d matches direct loops (multiplier 1, 2 × strides × dilation × padding)', () => forEachBackend(() => {
  let seed = 1;
  for (const pad of ['valid', 'same', [[1, 0], [2, 1]]] as Pad[]) {
    for (const s of [[1, 1], [2, 2], [2, 1]]) {
      for (const d of [[1, 1], [2, 2], [1, 2]]) {
        for (const M of [1, 2]) {
          const x = rand([2, 7, 6, 3], seed++), w = rand([3, 2, 3, M], seed++);
          const y = st.depthwiseConv2d(x, w, { strides: s, padding: pad, dilations: d });
          const ref = refDepthwise(x, w, s, d, pad);
          assert.deepEqual(y.shape, ref.shape);
          expectClose(y, ref.values, 1e-9, 1e-9, `depthwise ${JSON.stringify(pad)} s${s} d${d} M${M}`);
        }
      }
    }
  }
  // positional form, batchless x, float32
  const x = rand([5, 5, 2], 90), w = rand([3, 3, 2, 2], 91);
  const yb = st.depthwiseConv2d(x, w, 2, 'same', 'NHWC', 1);
  expectShape(yb, [3, 3, 4]);
  expectClose(yb, st.depthwiseConv2d(st.reshape(x, [1, 5, 5, 2]), w, { strides: 2, padding: 'same' }));
  assert.equal(st.depthwiseConv2d(st.cast(x, 'float32'), st.cast(w, 'float32')).dtype, 'float32');
}, 'fallback'));

test('depthwiseConv2d gradients: multiplier 1, 2 × strides 1, 2 × dilation 1, 2 × padding', () => forEachBackend(() => {
  let seed = 20;
  for (const padding of ['valid', 'same', [[0, 1], [1, 1]]] as Pad[]) {
    for (const strides of [1, 2]) {
      for (const dilations of [1, 2]) {
        for (const M of [1, 2]) {
          const x = rand([2, 6, 5, 2], seed++), w = rand([2, 3, 2, M], seed++);
          expectGradientsClose((a, b) => st.depthwiseConv2d(a, b, { strides, padding, dilations }), [x, w], { maxChecks: 30 });
        }
      }
    }
  }
  const x = rand([1, 4, 4, 2], 80), w = rand([3, 3, 2, 2], 81);
  expectGradientsClose((a, b) => st.grads(() => {
    const y = st.depthwiseConv2d(a, b, { strides: 2, padding: 'same' });
    return st.mul(y, y);
  }, [a, b])[0], [x, w], { maxChecks: 30 });
}, 'fallback'));

test('depthwiseConv2d errors', () => {
  const x = st.zeros([1, 5, 5, 4]);
  expectError(() => st.depthwiseConv2d(x, st.zeros([3, 3, 3, 2])), st.ShapeError,
    'depthwiseConv2d: filter has 3 input channels but x has 4 (x is [1, 5, 5, 4], filter is [3, 3, 3, 2])');
  expectError(() => st.depthwiseConv2d(x, st.zeros([3, 3, 4])), st.ShapeError,
    'depthwiseConv2d: filter must be rank 4 [filterHeight, filterWidth, inChannels, channelMultiplier], got shape [3, 3, 4]');
  expectError(() => st.depthwiseConv2d(st.zeros([5, 5]), st.zeros([3, 3, 1, 1])), st.ShapeError, 'depthwiseConv2d: x must be rank 4');
  expectError(() => st.depthwiseConv2d(x, st.zeros([3, 3, 4, 1]), 1, 'causal'), st.ConfigError, "padding 'causal' is for 1-D windows only");
  expectError(() => st.depthwiseConv2d(x, st.zeros([3, 3, 4, 1]), { dilations: 3 }), st.ShapeError, 'larger than the padded input');
  expectError(() => st.depthwiseConv2d(x, st.zeros([3, 3, 4, 1]), [1, 2, 2]), st.ConfigError, 'strides must be a positive integer or a tuple of 2');
});
