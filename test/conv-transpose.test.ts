import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError, expectGradientsClose, expectShape, forEachBackend, rand } from './helpers.js';

type Pad = 'valid' | 'same';

/** Output length and crop before of one dim, from DESIGN.md's formulas (written out independently). */
function refLength(pad: Pad, n: number, k: number, s: number, d: number, op?: number): [number, number] {
  const kEff = (k - 1) * d + 1;
  if (pad === 'valid') return [op === undefined ? n * s + Math.max(kEff - s, 0) : (n - 1) * s + kEff + op, 0];
  if (op === undefined) return [n * s, Math.max(0, Math.floor((kEff - s) / 2))];
  const out = (n - 1) * s + (kEff % 2) + op;
  return [out, Math.floor(Math.max(0, (n - 1) * s + kEff - out) / 2)];
}

/** Direct scatter: every x[i] adds x[i]·w[k] at full position i·s + k·d, then the crop. w [...k, Cout, Cin]. */
function refConvTranspose(x: st.Tensor, w: st.Tensor, s: number[], d: number[], pad: Pad, op?: number[]): { values: number[]; shape: number[] } {
  const r = x.rank - 2;
  const sp = x.shape.slice(1, r + 1), k = w.shape.slice(0, r), Cin = x.shape[r + 1], Cout = w.shape[r];
  const plans = sp.map((n, i) => refLength(pad, n, k[i], s[i], d[i], op?.[i]));
  const out = plans.map((p) => p[0]);
  const shape = [x.shape[0], ...out, Cout];
  const values = new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(0);
  const index = (dims: number[], idx: number[]) => idx.reduce((acc, v, i) => acc * dims[i] + v, 0);
  const each = (dims: number[], fn: (idx: number[]) => void, pre: number[] = []): void => {
    if (pre.length === dims.length) { fn(pre); return; }
    for (let i = 0; i < dims[pre.length]; i++) each(dims, fn, [...pre, i]);
  };
  each(x.shape, (xi) => {
    const xv = x.values[index(x.shape, xi)];
    each([...k, Cout], (kc) => {
      const pos = kc.slice(0, r).map((kk, i) => xi[i + 1] * s[i] + kk * d[i] - plans[i][1]);
      if (pos.some((p, i) => p < 0 || p >= out[i])) return;
      values[index(shape, [xi[0], ...pos, kc[r]])] += xv * w.values[index(w.shape, [...kc, xi[r + 1]])];
    });
  });
  return { values, shape };
}

const transposes = [st.conv1dTranspose, st.conv2dTranspose, st.conv3dTranspose];

test('conv1dTranspose: hand-computed values (valid/same, strides 1–3)', () => forEachBackend(() => {
  const x = st.tensor([1, 2], [1, 2, 1]);
  const w2 = st.tensor([1, 10], [2, 1, 1]), w3 = st.tensor([1, 10, 100], [3, 1, 1]);
  expectClose(st.conv1dTranspose(x, w2, { strides: 2 }), [1, 10, 2, 20]);
  expectClose(st.conv1dTranspose(x, w2, null, 3), [1, 10, 0, 2, 20, 0]); // in·s when k < s
  expectClose(st.conv1dTranspose(x, w3, { strides: 2, padding: 'same' }), [1, 10, 102, 20]);
  expectClose(st.conv1dTranspose(x, w3, { padding: 'same' }), [12, 120]); // crops floor((3 − 1)/2) = 1 first
  expectClose(st.conv1dTranspose(x, w3, { strides: 2, outputPadding: 1 }), [1, 10, 102, 20, 200, 0]);
  expectClose(st.conv1dTranspose(x, w2, { dilations: 2 }), [1, 2, 10, 20]);
}, 'fallback'));

test('conv2dTranspose matches TensorFlow.js values', () => forEachBackend(() => {
  // Numbers printed by tf.conv2dTranspose (@tensorflow/tfjs 4.22, cpu backend).
  const x = st.tensor([1, 2, 3, 4], [1, 2, 2, 1]);
  const w = st.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [3, 3, 1, 1]);
  expectClose(st.conv2dTranspose(x, w, [1, 4, 4, 1], 2, 'same'), [1, 2, 5, 4, 4, 5, 14, 10, 10, 14, 36, 24, 12, 15, 34, 20]);
  expectClose(st.conv2dTranspose(x, w, { strides: 2 }),
    [1, 2, 5, 4, 6, 4, 5, 14, 10, 12, 10, 14, 36, 24, 30, 12, 15, 34, 20, 24, 21, 24, 55, 32, 36]);
  const x2 = st.tensor([1, -1, 2, 0.5, 3, -2], [1, 1, 3, 2]);
  const w2 = st.tensor([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2]);
  expectClose(st.conv2dTranspose(x2, w2, [1, 1, 9, 2], 3, 'same'), [-1, -1, -1, -1, 0, 0, 3, 8, 13, 18, 0, 0, -1, 1, 3, 5, 0, 0]);
}, 'fallback'));

test('conv1d/2d/3dTranspose match a direct scatter reference (strides 1–3, kernels 1–4, outputPadding, dilation)', () => forEachBackend(() => {
  let seed = 1;
  for (const r of [1, 2, 3]) {
    for (const pad of ['valid', 'same'] as Pad[]) {
      for (const s of [1, 2, 3]) {
        for (const k of r === 3 ? [1, 3] : [1, 2, 3, 4]) {
          for (const d of [1, 2]) {
            for (const op of s > 1 ? [undefined, s - 1] : [undefined]) {
              const cin = d === 1 ? 3 : 5; // both loop orders of the kernels (fewer / more than 4 channels)
              const xs = [2, ...[3, 2, 4].slice(0, r), cin], ws = [...[k, Math.max(1, k - 1), k].slice(0, r), 5, cin];
              const x = rand(xs, seed++), w = rand(ws, seed++);
              const strides = new Array<number>(r).fill(s), dil = new Array<number>(r).fill(d);
              const y = transposes[r - 1](x, w, { strides: s, padding: pad, dilations: d, outputPadding: op });
              const ref = refConvTranspose(x, w, strides, dil, pad, op === undefined ? undefined : new Array<number>(r).fill(op));
              const what = `conv${r}dTranspose ${pad} s${s} k${k} d${d} outputPadding ${op}`;
              assert.deepEqual(y.shape, ref.shape, what);
              expectClose(y, ref.values, 1e-9, 1e-9, what);
            }
          }
        }
      }
    }
  }
}, 'fallback'));

test('conv transpose: outputShape forms, explicit padding, batchless x, conv adjointness', () => forEachBackend(() => {
  const x = rand([2, 3, 4, 3], 1), w = rand([3, 3, 2, 3], 2);
  const y = st.conv2dTranspose(x, w, { strides: 2 });
  expectShape(y, [2, 7, 9, 2]);
  expectClose(st.conv2dTranspose(x, w, [2, 8, 10, 2], 2), st.conv2dTranspose(x, w, { strides: 2, outputPadding: 1 }));
  expectClose(st.conv2dTranspose(x, w, { outputShape: [8, 10], strides: 2 }), st.conv2dTranspose(x, w, [2, 8, 10, 2], 2, 'valid'));
  expectShape(st.conv2dTranspose(x, w, [2, 5, 8, 2], 2, 'same'), [2, 5, 8, 2]);
  // explicit padding crops [before, after] from the full (valid) result
  const full = st.conv2dTranspose(x, w, { strides: 2 });
  expectClose(st.conv2dTranspose(x, w, { strides: 2, padding: [[1, 2], [0, 3]] }), st.slice(full, [0, 1, 0, 0], [2, 4, 6, 2]));
  expectClose(st.conv2dTranspose(x, w, { strides: 2, padding: 1 }), st.slice(full, [0, 1, 1, 0], [2, 5, 7, 2]));
  // batchless
  const x0 = st.slice(x, [1, 0, 0, 0], [1, 3, 4, 3]);
  const yb = st.conv2dTranspose(st.reshape(x0, [3, 4, 3]), w, [6, 8, 2], 2, 'same');
  expectShape(yb, [6, 8, 2]);
  expectClose(yb, st.conv2dTranspose(x0, w, { strides: 2, padding: 'same' }));
  // <convT(x), z> = <x, conv(z)>: a transposed conv is the adjoint of the forward conv with the same filter
  for (const padding of ['valid', 'same'] as Pad[]) {
    const t = st.conv2dTranspose(x, w, { strides: 2, padding, dilations: [1, 2] });
    const z = rand(t.shape, 9);
    const lhs = st.sum(st.mul(t, z)).item(), rhs = st.sum(st.mul(x, st.conv2d(z, w, { strides: 2, padding, dilations: [1, 2] }))).item();
    expectClose(lhs, rhs, 1e-9, 1e-9);
  }
  assert.equal(st.conv2dTranspose(st.cast(x, 'float32'), st.cast(w, 'float32'), { strides: 2 }).dtype, 'float32');
}, 'fallback'));

test('conv1dTranspose gradients: valid/same × strides 1–3 × outputPadding × dilation', () => forEachBackend(() => {
  let seed = 20;
  for (const padding of ['valid', 'same'] as Pad[]) {
    for (const strides of [1, 2, 3]) {
      for (const dilations of [1, 2]) {
        for (const outputPadding of strides > 1 ? [0, strides - 1] : [0]) {
          const cin = dilations === 1 ? 2 : 4;
          const x = rand([2, 4, cin], seed++), w = rand([3, 3, cin], seed++);
          expectGradientsClose((a, b) => st.conv1dTranspose(a, b, { strides, padding, dilations, outputPadding }), [x, w], { maxChecks: 30 });
        }
      }
    }
  }
}, 'fallback'));

test('conv2dTranspose gradients: valid/same × strides 1–3 × outputPadding × dilation', () => forEachBackend(() => {
  let seed = 60;
  for (const padding of ['valid', 'same'] as Pad[]) {
    for (const strides of [1, 2, 3]) {
      for (const dilations of [1, 2]) {
        for (const outputPadding of strides > 1 ? [0, strides - 1] : [0]) {
          const cin = dilations === 1 ? 2 : 4;
          const x = rand([1, 3, 2, cin], seed++), w = rand([2, 3, 2, cin], seed++);
          expectGradientsClose((a, b) => st.conv2dTranspose(a, b, { strides, padding, dilations, outputPadding }), [x, w], { maxChecks: 30 });
        }
      }
    }
  }
  const x = rand([1, 3, 3, 2], 99), w = rand([3, 3, 2, 2], 98);
  expectGradientsClose((a, b) => st.conv2dTranspose(a, b, { strides: 2, padding: [[1, 0], [2, 1]] }), [x, w], { maxChecks: 30 });
  // second order: the gradient of the transposed conv is differentiable too
  expectGradientsClose((a, b) => st.grads(() => {
    const t = st.conv2dTranspose(a, b, { strides: 2, padding: 'same' });
    return st.mul(t, t);
  }, [a, b])[1], [x, w], { maxChecks: 30 });
}, 'fallback'));

test('conv3dTranspose gradients: valid/same × strides 1–3 × outputPadding × dilation', () => forEachBackend(() => {
  let seed = 120;
  for (const padding of ['valid', 'same'] as Pad[]) {
    for (const strides of [1, 2, 3]) {
      for (const dilations of [1, 2]) {
        const outputPadding = strides > 1 ? strides - 1 : undefined;
        const x = rand([1, 2, 2, 3, 2], seed++), w = rand([2, 2, 2, 2, 2], seed++);
        expectGradientsClose((a, b) => st.conv3dTranspose(a, b, { strides, padding, dilations, outputPadding }), [x, w], { maxChecks: 25 });
      }
    }
  }
}, 'fallback'));

test('conv transpose errors', () => {
  const x = st.zeros([1, 4, 4, 3]), w = st.zeros([3, 3, 2, 3]);
  expectError(() => st.conv2dTranspose(x, st.zeros([3, 3, 2, 4])), st.ShapeError,
    'conv2dTranspose: filter has 4 input channels (its last dim) but x has 3 (x is [1, 4, 4, 3], filter is [3, 3, 2, 4])');
  expectError(() => st.conv2dTranspose(st.zeros([4, 4]), w), st.ShapeError,
    'conv2dTranspose: x must be rank 4 [batch, height, width, channels] (or 3 without batch), got shape [4, 4]');
  expectError(() => st.conv1dTranspose(st.zeros([1, 4, 3]), w), st.ShapeError,
    'conv1dTranspose: filter must be rank 3 [filterWidth, outChannels, inChannels], got shape [3, 3, 2, 3]');
  expectError(() => st.conv2dTranspose(x, w, [1, 12, 9, 2], 2), st.ShapeError,
    'conv2dTranspose: outputShape [1, 12, 9, 2] does not fit x [1, 4, 4, 3]', 'the height must be 9 to 10, got 12');
  expectError(() => st.conv2dTranspose(x, w, [1, 8, 9, 2], 2, 'same'), st.ShapeError, 'the width must be 7 to 8, got 9');
  expectError(() => st.conv2dTranspose(x, w, [1, 9, 9, 5], 2), st.ShapeError, 'has 5 channels but the filter makes 2');
  expectError(() => st.conv2dTranspose(x, w, [2, 9, 9, 2], 2), st.ShapeError, 'has batch 2 but x has 1');
  expectError(() => st.conv2dTranspose(x, w, [9, 9, 2], 2), st.ShapeError, 'outputShape must have 4 dims like x');
  expectError(() => st.conv2dTranspose(x, w, { strides: 2, outputPadding: 1, outputShape: [9, 9] }), st.ShapeError,
    'with outputPadding [1, 1] the height is 10, got 9');
  expectError(() => st.conv2dTranspose(x, w, { strides: 2, outputPadding: 2 }), st.ConfigError,
    'conv2dTranspose: outputPadding must be smaller than strides in every dim, got outputPadding [2, 2] with strides [2, 2]');
  expectError(() => st.conv2dTranspose(x, w, { outputPadding: -1 }), st.ConfigError, 'outputPadding must be a non-negative integer');
  expectError(() => st.conv1dTranspose(st.zeros([1, 4, 3]), st.zeros([3, 2, 3]), { padding: 'causal' }), st.ConfigError,
    "conv1dTranspose: padding 'causal' is not supported");
  expectError(() => st.conv2dTranspose(x, w, { strides: [2, 0] }), st.ConfigError, 'conv2dTranspose: strides must be a positive integer');
  expectError(() => st.conv2dTranspose(x, w, { padding: 5 }), st.ShapeError, "conv2dTranspose: padding 5 crops the whole height");
  expectError(() => st.conv2dTranspose(x, w, { kernelSize: 3 } as never), st.ConfigError, "unknown option 'kernelSize'");
  expectError(() => st.conv2dTranspose(x, w, [1, 9, 9, 2.5]), st.ConfigError, 'outputShape must be a list of positive integers');
});
