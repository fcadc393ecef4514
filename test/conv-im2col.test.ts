// Randomized comparison of the conv kernels (im2col + GEMM on the js backend, with its direct-loop
// fallback for tiny problems) against a naive reference written straight from the definition, over
// odd shapes and every option: 1-D/2-D/3-D, strides, dilations, asymmetric padding, batch, float32,
// float64 and int32, 1×1 kernels, and problems big enough to span several im2col blocks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { kernels } from '../src/kernels/registry.js';
import type { ConvInfo, Triple } from '../src/kernels/conv-kernels.js';
import type { DType } from '../src/tensor/dtype.js';
import type { Tensor } from '../src/tensor/tensor.js';
import { im2colConv3d, im2colConv3dBackpropFilter, im2colConv3dBackpropInput } from '../src/kernels/js/conv.js';
import { directConv3d, directConv3dBackpropFilter, directConv3dBackpropInput } from '../src/kernels/js/conv-direct.js';
import { expectClose, forEachBackend, rng } from './helpers.js';

interface Case { name: string; info: ConvInfo }

/** Input position of output position o and tap k along one dim, or -1 when it lands in the padding. */
function src(info: ConvInfo, dim: number, o: number, k: number): number {
  const i = o * info.strides[dim] - info.padBefore[dim] + k * info.dilations[dim];
  return i >= 0 && i < info.inSize[dim] ? i : -1;
}

/**
 * Calls visit(xIndex, wIndex, yIndex) for every (output position, tap, in channel, out channel) whose
 * tap reads x: the one relation the three kernels are built on.
 */
function forEachTerm(info: ConvInfo, visit: (xi: number, wi: number, yi: number) => void): void {
  const { batch: N, inChannels: C, outChannels: F } = info;
  const [D, H, W] = info.inSize, [OD, OH, OW] = info.outSize, [KD, KH, KW] = info.kernel;
  for (let n = 0; n < N; n++) for (let od = 0; od < OD; od++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
    for (let kd = 0; kd < KD; kd++) for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) {
      const id = src(info, 0, od, kd), ih = src(info, 1, oh, kh), iw = src(info, 2, ow, kw);
      if (id < 0 || ih < 0 || iw < 0) continue;
      for (let c = 0; c < C; c++) for (let f = 0; f < F; f++) {
        visit((((n * D + id) * H + ih) * W + iw) * C + c, (((kd * KH + kh) * KW + kw) * C + c) * F + f,
          (((n * OD + od) * OH + oh) * OW + ow) * F + f);
      }
    }
  }
}

function refForward(x: Float64Array, w: Float64Array, info: ConvInfo): Float64Array {
  const y = new Float64Array(info.batch * info.outSize[0] * info.outSize[1] * info.outSize[2] * info.outChannels);
  forEachTerm(info, (xi, wi, yi) => { y[yi] += x[xi] * w[wi]; });
  return y;
}

function refBackpropInput(dy: Float64Array, w: Float64Array, info: ConvInfo): Float64Array {
  const dx = new Float64Array(info.batch * info.inSize[0] * info.inSize[1] * info.inSize[2] * info.inChannels);
  forEachTerm(info, (xi, wi, yi) => { dx[xi] += dy[yi] * w[wi]; });
  return dx;
}

function refBackpropFilter(x: Float64Array, dy: Float64Array, info: ConvInfo): Float64Array {
  const dw = new Float64Array(info.kernel[0] * info.kernel[1] * info.kernel[2] * info.inChannels * info.outChannels);
  forEachTerm(info, (xi, wi, yi) => { dw[wi] += x[xi] * dy[yi]; });
  return dw;
}


/**
 * Geometry with the given sizes; padding before is drawn in [0, kEff) and after in [0, kEff), and the
 * output length follows from them (at least 1).
 */
function makeInfo(r: () => number, rank: 1 | 2 | 3, batch: number, inSize: number[], C: number, F: number,
  kernel: number[], strides: number[], dilations: number[], pad: 'random' | 'none'): ConvInfo {
  const lead = 3 - rank;
  const fill = (v: number[]): Triple => [...Array(lead).fill(1), ...v] as Triple;
  const I = fill(inSize), K = fill(kernel), S = fill(strides), Dl = fill(dilations);
  const padBefore: Triple = [0, 0, 0], outSize: Triple = [1, 1, 1];
  for (let d = 0; d < 3; d++) {
    const kEff = (K[d] - 1) * Dl[d] + 1;
    const before = pad === 'none' || d < lead ? 0 : Math.floor(r() * kEff);
    let after = pad === 'none' || d < lead ? 0 : Math.floor(r() * kEff);
    if (I[d] + before + after < kEff) after = kEff - I[d] - before;
    padBefore[d] = before;
    outSize[d] = Math.floor((I[d] + before + after - kEff) / S[d]) + 1;
  }
  return { batch, inSize: I, outSize, inChannels: C, outChannels: F, kernel: K, strides: S, dilations: Dl, padBefore, multiplier: 1 };
}

function randomCase(seed: number): Case {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const rank = int(1, 3) as 1 | 2 | 3;
  const sizes = (lo: number, hi: number) => Array.from({ length: rank }, () => int(lo, hi));
  const big = rank === 1 ? 19 : rank === 2 ? 9 : 5;
  const info = makeInfo(r, rank, int(1, 3), sizes(1, big), int(1, 7), int(1, 9), sizes(1, 4), sizes(1, 3), sizes(1, 2), r() < 0.8 ? 'random' : 'none');
  return { name: `random #${seed} rank ${rank} ${JSON.stringify(info)}`, info };
}

const fixedCases: Case[] = (() => {
  const r = rng(7);
  const c = (name: string, ...a: Parameters<typeof makeInfo> extends [unknown, ...infer R] ? R : never): Case => ({ name, info: makeInfo(r, ...a) });
  return [
    // Several im2col blocks (K = 3·3·3·24 = 648 → ~100 rows a block), a block boundary mid-row.
    c('3-D, wide patches, many blocks', 3, 2, [6, 7, 8], 24, 10, [3, 3, 3], [1, 1, 1], [1, 1, 1], 'random'),
    // The W3 second layer, smaller batch.
    c('2-D 13×13×32 → 64, 3×3 valid', 2, 2, [13, 13], 32, 64, [3, 3], [1, 1], [1, 1], 'none'),
    c('2-D one input channel (W3 first layer)', 2, 3, [28, 28], 1, 32, [3, 3], [1, 1], [1, 1], 'none'),
    c('2-D stride 2, dilation 2, padded', 2, 2, [15, 12], 5, 7, [3, 2], [2, 2], [2, 2], 'random'),
    c('2-D stride larger than kernel', 2, 2, [17, 17], 4, 6, [2, 2], [3, 3], [1, 1], 'random'),
    c('1-D long, dilation 3', 1, 3, [200], 6, 5, [4], [1], [3], 'random'),
    c('1-D stride 3', 1, 2, [101], 8, 3, [5], [3], [1], 'random'),
    c('pointwise 1×1 (no patches)', 2, 2, [9, 11], 13, 17, [1, 1], [1, 1], [1, 1], 'none'),
    c('1×1 strided', 2, 2, [9, 11], 13, 17, [1, 1], [2, 3], [1, 1], 'none'),
    c('1×1 padded', 2, 2, [9, 11], 13, 17, [1, 1], [1, 1], [1, 1], 'random'),
    c('kernel as big as the input', 2, 4, [5, 6], 9, 11, [5, 6], [1, 1], [1, 1], 'none'),
    c('one output channel', 3, 2, [5, 6, 7], 8, 1, [2, 3, 2], [1, 2, 1], [2, 1, 1], 'random'),
    c('many output channels, one in', 2, 2, [10, 10], 1, 40, [3, 3], [1, 1], [1, 1], 'random'),
  ];
})();

const cases: Case[] = [...fixedCases, ...Array.from({ length: 40 }, (_, i) => randomCase(100 + i))];

function data(n: number, seed: number, dtype: DType): st.Tensor {
  if (dtype === 'int32') {
    const r = rng(seed);
    return st.tensor(Int32Array.from({ length: n }, () => Math.floor(r() * 7) - 3), [n], 'int32');
  }
  return st.randomNormal([n], { seed, dtype });
}

interface Impl {
  conv3d(x: Tensor, w: Tensor, info: ConvInfo): Tensor;
  conv3dBackpropInput(dy: Tensor, w: Tensor, info: ConvInfo): Tensor;
  conv3dBackpropFilter(x: Tensor, dy: Tensor, info: ConvInfo): Tensor;
}

/** The js backend's paths, each forced whatever the problem size; im2col also with 8-row blocks, with and without skipping dy's zeros. */
const jsPaths: [string, Impl][] = [
  ['im2col', { conv3d: im2colConv3d, conv3dBackpropInput: im2colConv3dBackpropInput, conv3dBackpropFilter: im2colConv3dBackpropFilter }],
  ['im2col 8-row blocks', {
    conv3d: (x, w, i) => im2colConv3d(x, w, i, 1),
    conv3dBackpropInput: (dy, w, i) => im2colConv3dBackpropInput(dy, w, i, 1),
    conv3dBackpropFilter: (x, dy, i) => im2colConv3dBackpropFilter(x, dy, i, 1),
  }],
  ['im2col dense', {
    conv3d: (x, w, i) => im2colConv3d(x, w, i),
    conv3dBackpropInput: (dy, w, i) => im2colConv3dBackpropInput(dy, w, i, undefined, false),
    conv3dBackpropFilter: (x, dy, i) => im2colConv3dBackpropFilter(x, dy, i, undefined, false),
  }],
  ['im2col sparse-dy', {
    conv3d: (x, w, i) => im2colConv3d(x, w, i),
    conv3dBackpropInput: (dy, w, i) => im2colConv3dBackpropInput(dy, w, i, undefined, true),
    conv3dBackpropFilter: (x, dy, i) => im2colConv3dBackpropFilter(x, dy, i, undefined, true),
  }],
  ['im2col sparse-dy 8-row blocks', {
    conv3d: (x, w, i) => im2colConv3d(x, w, i, 1),
    conv3dBackpropInput: (dy, w, i) => im2colConv3dBackpropInput(dy, w, i, 1, true),
    conv3dBackpropFilter: (x, dy, i) => im2colConv3dBackpropFilter(x, dy, i, 1, true),
  }],
  ['direct', { conv3d: directConv3d, conv3dBackpropInput: directConv3dBackpropInput, conv3dBackpropFilter: directConv3dBackpropFilter }],
];

/** Zeroes about 85% of t (as ReLU + max pool do to a conv's dy in W3), keeping the rest. */
function sparsify(t: st.Tensor, seed: number): st.Tensor {
  const r = rng(seed), v = t.values.slice();
  for (let i = 0; i < v.length; i++) if (r() < 0.85) v[i] = 0;
  return new st.Tensor(v, t.shape);
}

function check(c: Case, dtype: DType, b: Impl = kernels(), sparseDy = false): void {
  const { info } = c;
  const [D, H, W] = info.inSize, [OD, OH, OW] = info.outSize, [KD, KH, KW] = info.kernel;
  const xShape = [info.batch, D, H, W, info.inChannels], yShape = [info.batch, OD, OH, OW, info.outChannels];
  const wShape = [KD, KH, KW, info.inChannels, info.outChannels];
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const x = st.reshape(data(size(xShape), 1, dtype), xShape);
  const w = st.reshape(data(size(wShape), 2, dtype), wShape);
  const dense = st.reshape(data(size(yShape), 3, dtype), yShape);
  const dy = sparseDy ? sparsify(dense, 11) : dense;
  const f64 = (t: st.Tensor) => Float64Array.from(t.values);
  // float32 sums of up to ~1000 products of N(0, 1) values: allow a few ulps of the sum's magnitude.
  const [atol, rtol] = dtype === 'float32' ? [2e-4, 1e-4] : dtype === 'int32' ? [0, 0] : [1e-11, 1e-11];
  // float32 also gets what a Winograd conv's transforms add to each sum (native/src/conv-winograd.cc:
  // F(4×4) measured 0.7–4.8e-6 · Σ|a·b|, the top with 256 channels; these cases have ≤ 64), so the same
  // bound holds on every compiled path.
  const expectRef = (got: st.Tensor, ref: typeof refForward, a: st.Tensor, b: st.Tensor, what: string): void => {
    const want = ref(f64(a), f64(b), info);
    if (dtype !== 'float32') return expectClose(got, want, atol, rtol, what);
    const scale = ref(Float64Array.from(a.values, Math.abs), Float64Array.from(b.values, Math.abs), info);
    assert.equal(got.size, want.length, `${what}: size`);
    for (let i = 0; i < want.length; i++) {
      const tol = atol + rtol * Math.abs(want[i]) + 5e-6 * scale[i];
      if (!(Math.abs(got.values[i] - want[i]) <= tol)) assert.fail(`${what}: element ${i} is ${got.values[i]}, expected ${want[i]} (tolerance ${tol})`);
    }
  };
  const y = b.conv3d(x, w, info);
  assert.deepEqual(y.shape, yShape, `${c.name}: forward shape`);
  assert.equal(y.dtype, dtype, `${c.name}: forward dtype`);
  expectRef(y, refForward, x, w, `${c.name} ${dtype} conv3d`);
  const dx = b.conv3dBackpropInput(dy, w, info);
  assert.deepEqual(dx.shape, xShape, `${c.name}: backpropInput shape`);
  assert.equal(dx.dtype, dtype, `${c.name}: backpropInput dtype`);
  expectRef(dx, refBackpropInput, dy, w, `${c.name} ${dtype} conv3dBackpropInput`);
  const dw = b.conv3dBackpropFilter(x, dy, info);
  assert.deepEqual(dw.shape, wShape, `${c.name}: backpropFilter shape`);
  assert.equal(dw.dtype, dtype, `${c.name}: backpropFilter dtype`);
  expectRef(dw, refBackpropFilter, x, dy, `${c.name} ${dtype} conv3dBackpropFilter`);
}

for (const dtype of ['float64', 'float32'] as const) {
  test(`conv kernels match the naive definition on fixed odd cases, ${dtype}`, () => {
    forEachBackend(() => { for (const c of fixedCases) check(c, dtype); }, dtype === 'float32' ? 'native' : 'fallback');
  });
  test(`conv kernels match the naive definition on 40 random geometries, ${dtype}`, () => {
    forEachBackend(() => { for (const c of cases.slice(fixedCases.length)) check(c, dtype); }, dtype === 'float32' ? 'native' : 'fallback');
  });
  for (const [path, impl] of jsPaths) {
    test(`js ${path} path matches the naive definition on every case, ${dtype}`, () => {
      for (const c of cases) check({ ...c, name: `${path}: ${c.name}` }, dtype, impl);
    });
  }
}

test('conv kernels match the naive definition when dy is mostly zeros (the sparse-gradient path)', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    forEachBackend(() => { for (const c of cases) check({ ...c, name: `sparse dy: ${c.name}` }, dtype, kernels(), true); }, dtype === 'float32' ? 'native' : 'fallback');
    for (const [path, impl] of jsPaths) for (const c of cases) check({ ...c, name: `${path}, sparse dy: ${c.name}` }, dtype, impl, true);
  }
});

test('a non-finite filter or input reaches the gradient even where dy is zero, as in the dense product', () => {
  forEachBackend(() => {
    const { info } = fixedCases[1];
    const x = st.randomNormal([info.batch, 1, 13, 13, 32], { seed: 4 }), w = st.randomNormal([1, 3, 3, 32, 64], { seed: 5 });
    const dy = sparsify(st.randomNormal([info.batch, 1, 11, 11, 64], { seed: 6 }), 12);
    const wBad = new st.Tensor(w.values.slice(), w.shape), xBad = new st.Tensor(x.values.slice(), x.shape);
    wBad.values[7] = Infinity;
    xBad.values[0] = NaN;
    assert.ok(Array.from(kernels().conv3dBackpropInput(dy, wBad, info).values).some(Number.isNaN), 'Inf in w gives NaN in dx');
    assert.ok(Array.from(kernels().conv3dBackpropFilter(xBad, dy, info).values).some(Number.isNaN), 'NaN in x gives NaN in dw');
  });
});

test('conv kernels are exact on int32 (im2col and direct paths)', () => {
  const some = [fixedCases[0], fixedCases[3], fixedCases[7], ...cases.slice(fixedCases.length, fixedCases.length + 5)];
  forEachBackend(() => { for (const c of some) check(c, 'int32'); }, 'fallback');
  for (const [, impl] of jsPaths) for (const c of some) check(c, 'int32', impl);
});

test('conv kernels do not write their inputs and reuse no output storage across calls', () => {
  forEachBackend(() => {
    const { info } = fixedCases[1];
    const x = st.randomNormal([info.batch, 1, 13, 13, 32], { seed: 4 }), w = st.randomNormal([1, 3, 3, 32, 64], { seed: 5 });
    const xs = Float32Array.from(x.values), ws = Float32Array.from(w.values);
    const y1 = kernels().conv3d(x, w, info), first = Float32Array.from(y1.values);
    const y2 = kernels().conv3d(x, w, info);
    assert.notEqual(y1.values, y2.values);
    assert.deepEqual(y1.values, first);
    assert.deepEqual(x.values, xs);
    assert.deepEqual(w.values, ws);
  });
});

test('conv2d through the public op agrees with the reference for every padding mode and option', () => {
  forEachBackend(() => {
    const x = st.randomNormal([2, 11, 10, 6], { seed: 8, dtype: 'float64' });
    const w = st.randomNormal([3, 2, 6, 5], { seed: 9, dtype: 'float64' });
    for (const padding of ['valid', 'same', 1, [[2, 0], [0, 1]]] as const) {
      for (const strides of [1, 2, [2, 3]] as const) {
        for (const dilations of [1, [2, 1]] as const) {
          if (dilations !== 1 && strides !== 1) continue; // tfjs: stride and dilation > 1 are exclusive
          const y = st.conv2d(x, w, { strides: strides as number | number[], padding: padding as st.Padding, dilations: dilations as number | number[] });
          // Rebuild the geometry the op used from its output size and compare with the reference.
          const sArr = typeof strides === 'number' ? [strides, strides] : strides;
          const dArr = typeof dilations === 'number' ? [dilations, dilations] : dilations;
          const padBefore = [0, 1].map((d) => {
            const kEff = ([3, 2][d] - 1) * dArr[d] + 1, inS = [11, 10][d], outS = y.shape[1 + d];
            if (padding === 'valid') return 0;
            if (padding === 'same') return Math.floor(Math.max(0, (outS - 1) * sArr[d] + kEff - inS) / 2);
            if (typeof padding === 'number') return padding;
            return padding[d][0];
          });
          const info: ConvInfo = {
            batch: 2, inSize: [1, 11, 10], outSize: [1, y.shape[1], y.shape[2]], inChannels: 6, outChannels: 5,
            kernel: [1, 3, 2], strides: [1, sArr[0], sArr[1]], dilations: [1, dArr[0], dArr[1]], padBefore: [0, padBefore[0], padBefore[1]], multiplier: 1,
          };
          expectClose(y, refForward(Float64Array.from(x.values), Float64Array.from(w.values), info), 1e-11, 1e-11,
            `conv2d padding ${JSON.stringify(padding)} strides ${JSON.stringify(strides)} dilations ${JSON.stringify(dilations)}`);
        }
      }
    }
  }, 'fallback');
});
