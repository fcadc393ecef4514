import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError, expectGradientsClose, expectShape, forEachBackend, rand } from './helpers.js';

type Pad = 'valid' | 'same' | 'causal' | [number, number][];

/** Padding before and output size of one spatial dim, written out independently of planWindow. */
function refPlan(pad: Pad, dim: number, n: number, k: number, s: number, d: number): [number, number] {
  const kEff = (k - 1) * d + 1;
  if (pad === 'valid') return [0, Math.ceil((n - kEff + 1) / s)];
  if (pad === 'same') {
    const out = Math.ceil(n / s);
    return [Math.floor(Math.max(0, (out - 1) * s + kEff - n) / 2), out];
  }
  if (pad === 'causal') return [kEff - 1, Math.ceil(n / s)];
  const [a, b] = pad[dim];
  return [a, Math.floor((n + a + b - kEff) / s) + 1];
}

/** Direct-loop N-d cross-correlation: x [N, ...spatial, C], w [...k, C, F]. */
function refConv(x: st.Tensor, w: st.Tensor, strides: number[], dil: number[], pad: Pad): { values: number[]; shape: number[] } {
  const r = x.rank - 2;
  const sp = x.shape.slice(1, r + 1), k = w.shape.slice(0, r), C = x.shape[r + 1], F = w.shape[r + 1];
  const plans = sp.map((n, i) => refPlan(pad, i, n, k[i], strides[i], dil[i]));
  const out = plans.map((p) => p[1]);
  const shape = [x.shape[0], ...out, F];
  const values: number[] = [];
  const xv = x.values, wv = w.values;
  const index = (dims: number[], idx: number[]) => idx.reduce((acc, v, i) => acc * dims[i] + v, 0);
  const each = (dims: number[], fn: (idx: number[]) => void, pre: number[] = []): void => {
    if (pre.length === dims.length) { fn(pre); return; }
    for (let i = 0; i < dims[pre.length]; i++) each(dims, fn, [...pre, i]);
  };
  each([x.shape[0], ...out, F], (o) => {
    const n = o[0], f = o[r + 1];
    let s = 0;
    each([...k, C], (kc) => {
      const pos = kc.slice(0, r).map((kk, i) => o[i + 1] * strides[i] - plans[i][0] + kk * dil[i]);
      if (pos.some((p, i) => p < 0 || p >= sp[i])) return;
      s += xv[index(x.shape, [n, ...pos, kc[r]])] * wv[index(w.shape, [...kc, f])];
    });
    values.push(s);
  });
  return { values, shape };
}

const convs = [st.conv1d, st.conv2d, st.conv3d];
const conv = (r: number, x: st.Tensor, w: st.Tensor, o: st.ConvOptions) => convs[r - 1](x, w, o);

test('conv1d: hand-computed values for each padding, stride and dilation', () => forEachBackend(() => {
  const x = st.tensor([1, 2, 3, 4], [1, 4, 1]);
  const w = st.tensor([1, 2], [2, 1, 1]);
  expectClose(st.conv1d(x, w), [5, 8, 11]);
  expectClose(st.conv1d(x, w, 1, 'same'), [5, 8, 11, 4]);
  expectClose(st.conv1d(x, w, 1, 'causal'), [2, 5, 8, 11]);
  expectClose(st.conv1d(x, w, 2), [5, 11]);
  expectClose(st.conv1d(x, w, { dilation: 2 }), [7, 10]); // x[i] + 2·x[i + 2]
  expectClose(st.conv1d(x, w, { padding: [[1, 0]], stride: 3 }), [2, 11]);
  expectShape(st.conv1d(x, w, 1, 'causal', 'NWC', 3), [1, 4, 1]);
}, 'fallback'));

test('conv2d and conv3d: hand-computed values, several channels', () => forEachBackend(() => {
  const x = st.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
  const ones = st.ones([2, 2, 1, 1]);
  expectClose(st.conv2d(x, ones), [12, 16, 24, 28]);
  expectClose(st.conv2d(x, ones, 1, 'same'), [12, 16, 9, 24, 28, 15, 15, 17, 9]);
  expectClose(st.conv2d(x, ones, { strides: [2, 1], padding: 'same' }), [12, 16, 9, 15, 17, 9]);
  expectClose(st.conv2d(x, ones, { dilations: 2 }), [1 + 3 + 7 + 9]);
  // channels: y[f] = Σ_c x[c]·w[c, f]
  expectClose(st.conv2d(st.tensor([1, 2], [1, 1, 1, 2]), st.tensor([1, 2, 3, 4, 5, 6], [1, 1, 2, 3])), [9, 12, 15]);
  const x3 = st.tensor([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2, 1]);
  expectClose(st.conv3d(x3, st.ones([2, 2, 2, 1, 1])), [36]);
  expectClose(st.conv3d(x3, st.ones([2, 1, 1, 1, 1]), 1, 'same'), [6, 8, 10, 12, 5, 6, 7, 8]);
}, 'fallback'));

test('conv1d/2d/3d match a direct-loop reference (batch 2, channels 3→5, odd sizes, every option)', () => forEachBackend(() => {
  const cases: [number, number[], number[]][] = [[1, [2, 9, 3], [3, 3, 5]], [2, [2, 7, 6, 3], [3, 2, 3, 5]], [3, [2, 5, 4, 6, 3], [2, 3, 2, 3, 5]],
    [2, [2, 5, 6, 5], [2, 3, 5, 2]]]; // the last: fewer than 4 output channels (the other loop order)
  let seed = 1;
  for (const [r, xs, ws] of cases) {
    const pads: Pad[] = ['valid', 'same', Array.from({ length: r }, (_, i) => [i % 2, 1] as [number, number])];
    if (r === 1) pads.push('causal');
    for (const pad of pads) {
      for (const s of [1, 2, [3, 1, 2].slice(0, r)]) {
        for (const d of [1, 2]) {
          const x = rand(xs, seed++), w = rand(ws, seed++);
          const strides = typeof s === 'number' ? new Array<number>(r).fill(s) : s;
          const dil = new Array<number>(r).fill(d);
          if (pad === 'valid' && xs.slice(1, r + 1).some((n, i) => n < (ws[i] - 1) * d + 1)) continue;
          const y = conv(r, x, w, { strides: s, padding: pad, dilations: d });
          const ref = refConv(x, w, strides, dil, pad);
          expectShape(y, ref.shape);
          expectClose(y, ref.values, 1e-9, 1e-9, `conv${r}d ${JSON.stringify(pad)} strides ${s} dilation ${d}`);
        }
      }
    }
  }
  // float32 stays float32 and agrees with float64
  const x = rand([2, 6, 5, 3], 50), w = rand([3, 3, 3, 5], 51);
  const y32 = st.conv2d(st.cast(x, 'float32'), st.cast(w, 'float32'), 2, 'same');
  assert.equal(y32.dtype, 'float32');
  expectClose(y32, st.conv2d(x, w, 2, 'same'), 1e-4, 1e-4);
}));

test('conv: positional and options forms agree; batchless x; TensorFlow.js 4-pair padding', () => forEachBackend(() => {
  const x = rand([2, 6, 7, 3], 1), w = rand([3, 2, 3, 4], 2);
  expectClose(st.conv2d(x, w, [2, 1], 'same', 'NHWC', 1), st.conv2d(x, w, { strides: [2, 1], padding: 'same' }));
  expectClose(st.conv2d(x, w, 1, 'valid', 'NHWC', [2, 1]), st.conv2d(x, w, { dilationRate: [2, 1] }));
  expectClose(st.conv2d(x, w, 1, [[0, 0], [1, 2], [0, 1], [0, 0]]), st.conv2d(x, w, { pad: [[1, 2], [0, 1]] }));
  expectClose(st.conv2d(x, w, { padding: 1 }), st.conv2d(x, w, 1, [[1, 1], [1, 1]]));
  const x0 = st.slice(x, [0, 0, 0, 0], [1, 6, 7, 3]);
  const batchless = st.conv2d(st.reshape(x0, [6, 7, 3]), w, 2, 'same');
  expectShape(batchless, [3, 4, 4]);
  expectClose(batchless, st.conv2d(x0, w, 2, 'same'));
  const x1 = rand([9, 2], 3);
  expectShape(st.conv1d(x1, rand([3, 2, 4], 4), { stride: 2, padding: 'causal' }), [5, 4]);
  expectShape(st.conv3d(rand([3, 4, 5, 2], 5), rand([2, 2, 2, 2, 1], 6), 1, 'same'), [3, 4, 5, 1]);
  expectClose(st.conv1d([[[1], [2], [3]]], [[[2]]]), [2, 4, 6]); // nested arrays accepted
}, 'fallback'));

test('conv1d gradients: every padding × stride × dilation', () => forEachBackend(() => {
  let seed = 10;
  for (const padding of ['valid', 'same', 'causal', [[2, 1]]] as Pad[]) {
    for (const stride of [1, 2]) {
      for (const dilation of [1, 2]) {
        const x = rand([2, 8, 2], seed++), w = rand([3, 2, dilation === 1 ? 3 : 4], seed++);
        expectGradientsClose((a, b) => st.conv1d(a, b, { stride, padding, dilation }), [x, w], { maxChecks: 40 });
      }
    }
  }
}, 'fallback'));

test('conv2d gradients: every padding × stride × dilation', () => forEachBackend(() => {
  let seed = 30;
  for (const padding of ['valid', 'same', [[1, 0], [2, 1]]] as Pad[]) {
    for (const strides of [1, 2]) {
      for (const dilations of [1, 2]) {
        const x = rand([2, 6, 5, 2], seed++), w = rand([2, 3, 2, dilations === 1 ? 3 : 4], seed++);
        expectGradientsClose((a, b) => st.conv2d(a, b, { strides, padding, dilations }), [x, w], { maxChecks: 40 });
      }
    }
  }
}, 'fallback'));

test('conv3d gradients: every padding × stride × dilation', () => forEachBackend(() => {
  let seed = 50;
  for (const padding of ['valid', 'same', [[1, 0], [0, 1], [1, 1]]] as Pad[]) {
    for (const strides of [1, 2]) {
      for (const dilations of [1, 2]) {
        const x = rand([1, 5, 4, 5, 2], seed++), w = rand([2, 2, 2, 2, dilations === 1 ? 2 : 4], seed++);
        expectGradientsClose((a, b) => st.conv3d(a, b, { strides, padding, dilations }), [x, w], { maxChecks: 30 });
      }
    }
  }
}, 'fallback'));

test('conv gradients are differentiable (second order) and batchless gradients keep the shape', () => forEachBackend(() => {
  const x = rand([1, 5, 5, 2], 70), w = rand([3, 3, 2, 2], 71);
  const inner = (a: st.Tensor, b: st.Tensor, i: number) => st.grads(() => {
    const y = st.conv2d(a, b, { strides: 2, padding: 'same' });
    return st.mul(y, y);
  }, [a, b])[i];
  expectGradientsClose((a, b) => inner(a, b, 0), [x, w], { maxChecks: 30 });
  expectGradientsClose((a, b) => inner(a, b, 1), [x, w], { maxChecks: 30 });
  const xb = rand([5, 4, 2], 72);
  const [dx] = st.grads(() => st.conv2d(xb, w, 1, 'same'), [xb]);
  expectShape(dx, [5, 4, 2]);
  expectGradientsClose((a, b) => st.conv2d(a, b, 1, 'same'), [xb, w], { maxChecks: 30 });
}, 'fallback'));

test('conv errors name the op, the shapes and a fix', () => {
  const x = st.zeros([1, 5, 5, 4]);
  expectError(() => st.conv2d(x, st.zeros([3, 3, 3, 8])), st.ShapeError,
    'conv2d: filter has 3 input channels but x has 4 (x is [1, 5, 5, 4], filter is [3, 3, 3, 8])');
  expectError(() => st.conv2d(st.zeros([5, 5]), st.zeros([3, 3, 1, 1])), st.ShapeError,
    'conv2d: x must be rank 4 [batch, height, width, channels] (or 3 without batch), got shape [5, 5]');
  expectError(() => st.conv1d(st.zeros([1, 2, 3, 4]), st.zeros([3, 4, 1])), st.ShapeError, 'conv1d: x must be rank 3 [batch, width, channels]');
  expectError(() => st.conv3d(st.zeros([1, 4, 4, 4, 1]), st.zeros([3, 3, 1, 1])), st.ShapeError,
    'conv3d: filter must be rank 5 [filterDepth, filterHeight, filterWidth, inChannels, outChannels], got shape [3, 3, 1, 1]');
  expectError(() => st.conv2d(x, st.zeros([3, 3, 4, 2]), 0), st.ConfigError, 'conv2d: strides must be a positive integer or a tuple of 2, got 0');
  expectError(() => st.conv2d(x, st.zeros([3, 3, 4, 2]), { strides: [1, 2, 3] }), st.ConfigError, 'strides must be a positive integer or a tuple of 2');
  expectError(() => st.conv2d(x, st.zeros([3, 3, 4, 2]), { dilations: 1.5 }), st.ConfigError, 'conv2d: dilations must be a positive integer');
  expectError(() => st.conv2d(x, st.zeros([3, 3, 4, 2]), 1, 'causal'), st.ConfigError, "conv2d: padding 'causal' is for 1-D windows only");
  expectError(() => st.conv2d(x, st.zeros([6, 3, 4, 2])), st.ShapeError, 'conv2d: the window (size 6 after dilation) is larger than the padded input');
  expectError(() => st.conv2d(x, st.zeros([3, 3, 4, 2]), { dilations: 3 }), st.ShapeError, 'the window (size 7 after dilation)');
  expectError(() => st.conv2d(x, st.zeros([3, 3, 4, 2]), 1, 'full' as never), st.ConfigError, "conv2d: padding must be 'valid', 'same'");
  expectError(() => st.conv2d(x, st.zeros([3, 3, 4, 2]), 1, [[1, 1]]), st.ConfigError, 'explicit padding must be 2 pairs');
  expectError(() => st.conv2d(x, st.zeros([3, 3, 4, 2]), 1, 'same', 'NCHW'), st.ConfigError,
    "conv2d: dataFormat \"NCHW\" is not supported; use 'NHWC'", 'st.transpose(x, [0, 2, 3, 1])');
  expectError(() => st.conv2d(x, st.zeros([3, 3, 4, 2]), { stride: 1, strides: 2 }), st.ConfigError, "give only one of 'strides' and 'stride'");
  expectError(() => st.conv2d(x, st.zeros([3, 3, 4, 2]), { padding: 'same', kernelSize: 3 } as never), st.ConfigError, "conv2d: unknown option 'kernelSize'");
  expectError(() => st.conv2d(x, st.zeros([3, 3, 4, 2]), { strides: 2 }, 'same'), st.ConfigError, 'either an options object or positional arguments');
  expectError(() => st.conv2d(x, st.zeros([3, 3, 4, 2]), 1, 1, 'NHWC', 1, 'ceil'), st.ConfigError, "dimRoundingMode \"ceil\" is not supported");
  // strides > 1 together with dilation > 1 is allowed (TensorFlow.js forbids it; the arithmetic is sound)
  expectShape(st.conv2d(st.zeros([1, 9, 9, 4]), st.zeros([3, 3, 4, 2]), { strides: 2, dilations: 2 }), [1, 3, 3, 2]);
});
