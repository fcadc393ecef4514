// Every compiled backend (native, wasm: one TypeScript glue over the C++ kernels, two transports)
// against the js reference through the Backend interface: every kernel the glue implements, on odd
// shapes above every size threshold and at the thresholds' edges, at 1 and 2 threads where the
// transport runs them, every GEMM micro-kernel for matmul and conv; dtype fallbacks and error paths;
// and a final check that each of those kernels really ran compiled code (test/parity-harness.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { jsBackend } from '../src/kernels/js/index.js';
import type { NativeAddon } from '../src/kernels/native/addon.js';
import { compiledKernels } from '../src/kernels/native/index.js';
import { JS_MAX_MATMUL_WORK } from '../src/kernels/native/matmul.js';
import { JS_MAX_CONV_WORK } from '../src/kernels/native/conv.js';
import { NATIVE_MIN_GATHER } from '../src/kernels/native/gather.js';
import { NATIVE_MIN_POOL } from '../src/kernels/native/pool.js';
import { NATIVE_MIN_OPTIMIZER } from '../src/kernels/native/optimizer.js';
import { NATIVE_MIN_BIAS_ACTIVATION, NATIVE_MIN_BINARY, NATIVE_MIN_SOFTMAX, NATIVE_MIN_UNARY } from '../src/kernels/native/elementwise.js';
import { NATIVE_MIN_REDUCE } from '../src/kernels/native/reduce.js';
import type { ConvInfo, ConvKernels, Triple } from '../src/kernels/conv-kernels.js';
import type { BinaryOp, FusedActivation, UnaryOp } from '../src/kernels/elementwise-kernels.js';
import type { ReduceOp } from '../src/kernels/reduce-kernels.js';
import type { DenseActivation } from '../src/kernels/matmul-kernels.js';
import type { Pool3dInfo } from '../src/kernels/pool-kernels.js';
import { planPool, poolShape5d, readPoolArgs } from '../src/ops/pool-util.js';
import { ShapeError } from '../src/errors.js';
import { Tensor } from '../src/tensor/tensor.js';
import { expectClose, expectError } from './helpers.js';
import {
  absF64, arrays, compareOutputs, compiled, expectNear, expectPath, expectSame, expectWithinScale, missingCompiled, randF32, recordCompiled,
  settings, toF64,
} from './parity-harness.js';

// ---------------------------------------------------------------- matmul

function stored(batch: number[], rows: number, cols: number, t: boolean): number[] {
  return t ? [...batch, cols, rows] : [...batch, rows, cols];
}

interface MatmulCase { a: Tensor; b: Tensor; ta: boolean; tb: boolean; what: string; want: Tensor; scale: Tensor; work: number }

function matmulCase(a: Tensor, b: Tensor, ta: boolean, tb: boolean, what: string): MatmulCase {
  const want = jsBackend.matmul(toF64(a), toF64(b), ta, tb);
  const k = ta ? a.shape[a.rank - 2] : a.shape[a.rank - 1];
  return { a, b, ta, tb, what, want, scale: jsBackend.matmul(absF64(a), absF64(b), ta, tb), work: want.size * k };
}

/**
 * Each case on every compiled backend and setting: compiled code above JS_MAX_MATMUL_WORK
 * multiply-adds, js at or below it; float32 against the float64 reference within 1e-5 · Σ|a||b|.
 */
function checkMatmul(t: import('node:test').TestContext, cases: MatmulCase[], opts: { isas?: boolean; threads?: number[]; skip?: (cs: MatmulCase, isa: string, best: string) => boolean }): void {
  for (const c of compiled(t)) {
    for (const s of settings(t, c, opts)) {
      for (const cs of cases) {
        if (opts.skip?.(cs, s.isa, c.addon.getBestIsa())) continue;
        const what = `${s.label} ${cs.what}`;
        const got = expectPath(c, 'matmul', cs.work > JS_MAX_MATMUL_WORK, () => c.backend.matmul(cs.a, cs.b, cs.ta, cs.tb), what);
        expectWithinScale(got, cs.want, cs.scale, 1e-5, 1e-6, what);
      }
    }
  }
}

test('matmul: odd shapes (1, 7, 33, 257 crossed), every transpose, every micro-kernel; products ≤ 512 multiply-adds run js', (t) => {
  if (compiled(t).length === 0) return;
  const SIZES = [1, 7, 33, 257];
  const cases: MatmulCase[] = [];
  let seed = 1;
  for (const m of SIZES) for (const n of SIZES) for (const k of SIZES) for (const ta of [false, true]) for (const tb of [false, true]) {
    cases.push(matmulCase(randF32(stored([], m, k, ta), seed++), randF32(stored([], k, n, tb), seed++), ta, tb, `m=${m} n=${n} k=${k} ta=${ta} tb=${tb}`));
  }
  // The full cross on the best micro-kernel; the others skip the slowest (all-257) shapes.
  checkMatmul(t, cases, { isas: true, threads: [1], skip: (cs, isa, best) => isa !== best && cs.work > 257 * 257 * 33 });
});

test('matmul: shapes around the tile and block edges, 1 and 2 threads', (t) => {
  if (compiled(t).length === 0) return;
  const shapes = [[12, 32, 384], [13, 33, 385], [11, 31, 383], [100, 300, 700], [600, 65, 129], [3, 500, 400], [400, 3, 500], [64, 64, 1]];
  const cases: MatmulCase[] = [];
  let seed = 1000;
  for (const [m, n, k] of shapes) for (const ta of [false, true]) for (const tb of [false, true]) {
    cases.push(matmulCase(randF32(stored([], m, k, ta), seed++), randF32(stored([], k, n, tb), seed++), ta, tb, `m=${m} n=${n} k=${k} ta=${ta} tb=${tb}`));
  }
  checkMatmul(t, cases, {});
});

test('matmul: broadcast batch dims, with and without transposes, 1 and 2 threads', (t) => {
  if (compiled(t).length === 0) return;
  const shapes: [number[], number[], number, number, number][] = [
    [[2, 3], [2, 3], 5, 6, 7],
    [[4, 1, 3], [1, 5, 1], 7, 3, 2],
    [[5], [], 33, 17, 9],        // shared b: one tall product
    [[], [6], 9, 17, 33],        // shared a
    [[2, 1], [1, 3], 70, 80, 90], // large products, threaded one by one
    [[64], [64], 33, 33, 33],     // many small products, spread across threads whole
    [[3], [1], 1, 1, 1],
  ];
  const cases: MatmulCase[] = [];
  let seed = 2000;
  for (const [ba, bb, m, n, k] of shapes) for (const ta of [false, true]) for (const tb of [false, true]) {
    cases.push(matmulCase(randF32(stored(ba, m, k, ta), seed++), randF32(stored(bb, k, n, tb), seed++), ta, tb,
      `batch ${JSON.stringify(ba)}×${JSON.stringify(bb)} m=${m} n=${n} k=${k} ta=${ta} tb=${tb}`));
  }
  checkMatmul(t, cases, {});
});

test('matmul hands float64, int32, mixed dtypes, empty products and shape errors to js', (t) => {
  if (compiled(t).length === 0) return;
  for (const c of compiled(t)) {
    const k = c.backend;
    const a64 = st.randomNormal([30, 40], { seed: 1, dtype: 'float64' }), b64 = st.randomNormal([40, 50], { seed: 2, dtype: 'float64' });
    expectSame(expectPath(c, 'matmul', false, () => k.matmul(a64, b64, false, false), 'float64'), jsBackend.matmul(a64, b64, false, false), `[${c.name}] float64`);
    const ai = st.tensor([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), bi = st.tensor([1, 0, -1, 2, 3, 1], [3, 2], 'int32');
    const yi = expectPath(c, 'matmul', false, () => k.matmul(ai, bi, false, false), 'int32');
    assert.equal(yi.dtype, 'int32');
    assert.deepEqual(Array.from(yi.values), [8, 7, 17, 16]);
    const mixed = k.matmul(ai, st.tensor([1, 2, 3, 4, 5, 6], [3, 2]), false, false);
    assert.equal(mixed.dtype, 'float32');
    assert.deepEqual(Array.from(mixed.values), [22, 28, 49, 64]);
    assert.deepEqual(k.matmul(randF32([0, 3], 1), randF32([3, 4], 2), false, false).shape, [0, 4]);
    assert.deepEqual(Array.from(k.matmul(randF32([2, 0], 1), randF32([0, 3], 2), false, false).values), [0, 0, 0, 0, 0, 0]);
    assert.throws(() => k.matmul(randF32([2, 3], 1), randF32([4, 5], 2), false, false), /inner dimensions differ/);
  }
});

test('dense forward (matmulBiasActivation) equals the backend\'s matmul then biasActivation / softmax: every activation, packed weights reused across micro-kernels and threads', (t) => {
  if (compiled(t).length === 0) return;
  const acts: DenseActivation[] = ['linear', 'relu', 'sigmoid', 'tanh', 'elu', 'selu', 'softmax'];
  // [rows (leading shape), k, n]: the W2 layers, tile and panel edges, thin products (unpacked), a rank-3
  // input, and ones small enough to run js.
  const shapes: [number[], number, number][] = [[[128], 784, 128], [[128], 128, 10], [[13], 33, 70], [[64], 100, 17], [[5], 300, 3],
    [[1], 64, 128], [[3, 7], 40, 33], [[2], 4, 20], [[4], 5, 16]];
  let seed = 3000;
  const cases = shapes.map(([lead, k, n]) => ({ x: randF32([...lead, k], seed++), w: randF32([k, n], seed++), bias: randF32([n], seed++), lead, k, n }));
  for (const c of compiled(t)) {
    const k = c.backend;
    for (const s of settings(t, c, { isas: true })) {
      cases.forEach((cs, i) => {
        const act = acts[i % acts.length], alpha = 0.7;
        for (const bias of [cs.bias, null]) {
          for (const reuse of [true, false]) {
            const what = `${s.label} ${act} bias=${bias !== null} reuse=${reuse} x=${JSON.stringify(cs.x.shape)} w=${JSON.stringify(cs.w.shape)}`;
            const m = cs.x.size / cs.k;
            const compiledPath = m * cs.n * cs.k > JS_MAX_MATMUL_WORK || m * cs.n >= NATIVE_MIN_BIAS_ACTIVATION;
            const got = expectPath(c, 'matmulBiasActivation', compiledPath, () => k.matmulBiasActivation(cs.x, cs.w, bias, act, alpha, reuse), what);
            const y = k.matmul(cs.x, cs.w, false, false);
            const want = act === 'softmax' ? k.softmax(bias ? k.biasActivation(y, bias, 'linear', 0) : y, y.rank - 1) : k.biasActivation(y, bias, act, alpha);
            assert.deepEqual(got.shape, [...cs.lead, cs.n], what);
            expectNear(got, want, what, 1e-6, 1e-7);
          }
        }
      });
    }
    // Other dtypes run the js reference.
    const x64 = toF64(cases[1].x), w64 = toF64(cases[1].w);
    expectSame(expectPath(c, 'matmulBiasActivation', false, () => k.matmulBiasActivation(x64, w64, null, 'relu', 1, true), 'float64'),
      jsBackend.matmulBiasActivation(x64, w64, null, 'relu', 1, true), `[${c.name}] float64 dense`);
  }
});

// ---------------------------------------------------------------- convolutions

type ConvName = Exclude<keyof ConvKernels, 'conv3dBiasActivation' | 'conv3dBiasActivationMaxPool'>;
const CONV_NAMES: ConvName[] = ['conv3d', 'conv3dBackpropInput', 'conv3dBackpropFilter',
  'depthwiseConv3d', 'depthwiseConv3dBackpropInput', 'depthwiseConv3dBackpropFilter'];

interface ConvCase {
  batch: number; in: Triple; c: number; f: number; k: Triple;
  s?: Triple; d?: Triple; pad?: 'valid' | 'same' | Triple; m?: number;
}

/** ConvInfo of a case ('same': TF's split; an explicit Triple: that many zeros on both sides). */
function infoOf(cs: ConvCase, depthwise: boolean): ConvInfo {
  const s = cs.s ?? [1, 1, 1], d = cs.d ?? [1, 1, 1], m = depthwise ? cs.m ?? 1 : 1;
  const outSize = [0, 0, 0] as Triple, padBefore = [0, 0, 0] as Triple;
  for (let i = 0; i < 3; i++) {
    const kEff = (cs.k[i] - 1) * d[i] + 1;
    if (cs.pad === 'same') {
      outSize[i] = Math.ceil(cs.in[i] / s[i]);
      padBefore[i] = Math.floor(Math.max(0, (outSize[i] - 1) * s[i] + kEff - cs.in[i]) / 2);
    } else if (Array.isArray(cs.pad)) {
      padBefore[i] = cs.pad[i];
      outSize[i] = Math.floor((cs.in[i] + 2 * cs.pad[i] - kEff) / s[i]) + 1;
    } else {
      outSize[i] = Math.ceil((cs.in[i] - kEff + 1) / s[i]);
    }
  }
  return {
    batch: cs.batch, inSize: cs.in, outSize, inChannels: cs.c, outChannels: depthwise ? cs.c * m : cs.f,
    kernel: cs.k, strides: s, dilations: d, padBefore, multiplier: m,
  };
}

// Odd shapes and every option of ConvInfo; each well above JS_MAX_CONV_WORK multiply-adds.
const CONV_CASES: ConvCase[] = [
  { batch: 2, in: [1, 7, 7], c: 3, f: 5, k: [1, 3, 3], pad: 'same' },
  { batch: 1, in: [1, 33, 33], c: 1, f: 32, k: [1, 3, 3] },                       // one input channel
  { batch: 2, in: [1, 7, 33], c: 7, f: 33, k: [1, 3, 3], s: [1, 2, 2], pad: 'same' },
  { batch: 1, in: [1, 13, 13], c: 4, f: 16, k: [1, 3, 3], d: [1, 2, 2] },          // dilation
  { batch: 3, in: [1, 1, 33], c: 7, f: 1, k: [1, 1, 5], pad: 'same' },             // 1-D, one filter
  { batch: 2, in: [7, 7, 7], c: 3, f: 17, k: [3, 3, 3], s: [2, 1, 2], pad: 'same' }, // 3-D
  { batch: 2, in: [1, 9, 9], c: 33, f: 64, k: [1, 1, 1] },                         // pointwise
  { batch: 1, in: [1, 16, 16], c: 5, f: 7, k: [1, 2, 2], s: [1, 3, 3] },            // stride > kernel
  { batch: 4, in: [1, 30, 30], c: 16, f: 32, k: [1, 3, 3], pad: 'same' },           // large: threaded
  { batch: 3, in: [1, 13, 13], c: 32, f: 64, k: [1, 3, 3] },                        // W3's second conv
  { batch: 2, in: [1, 7, 9], c: 3, f: 4, k: [1, 3, 3], pad: [0, 4, 2] },            // padding wider than the kernel
  { batch: 2, in: [1, 28, 28], c: 16, f: 16, k: [1, 3, 3], s: [1, 2, 2], pad: 'same' }, // W4's transposed conv
  { batch: 1, in: [5, 9, 11], c: 2, f: 3, k: [2, 4, 3], s: [2, 2, 3], d: [2, 3, 1], pad: [1, 1, 2] },
  { batch: 2, in: [1, 11, 11], c: 6, f: 5, k: [1, 1, 1], s: [1, 2, 2] },            // strided 1×1: dx rows get nothing
  { batch: 1, in: [1, 33, 7], c: 7, f: 40, k: [1, 5, 1], d: [1, 2, 1], pad: 'same', m: 3 },
  { batch: 2, in: [1, 12, 12], c: 8, f: 8, k: [1, 3, 3], s: [1, 2, 2], pad: 'same', m: 2 },
  // Short patches (≤ 32 taps × channels) with 33–64 filters: the direct AVX-512 kernels' 3- and 4-vector rows.
  { batch: 2, in: [1, 10, 10], c: 3, f: 64, k: [1, 3, 3], s: [1, 2, 2] },
  { batch: 2, in: [1, 9, 9], c: 2, f: 40, k: [1, 3, 3], d: [1, 2, 2], pad: 'same' },
  // Short patches whose filters end in half a wasm tile (F mod 8 = 4), one of them threaded (wasm's direct kernels).
  { batch: 2, in: [1, 11, 11], c: 2, f: 20, k: [1, 3, 3], pad: 'same' },
  { batch: 16, in: [1, 28, 28], c: 1, f: 36, k: [1, 3, 3] },
  // 3×3 stride 1 above the Winograd thresholds (native/src/conv-winograd.cc): F(4×4) on 'same' 13×15 and
  // 'valid' 11×11 outputs (partial tiles), on depth slices; F(2×2) on W3's conv2 above (27 tiles of 4×4).
  { batch: 2, in: [1, 13, 15], c: 24, f: 40, k: [1, 3, 3], pad: 'same' },
  { batch: 4, in: [1, 13, 13], c: 16, f: 24, k: [1, 3, 3] },
  { batch: 2, in: [3, 11, 11], c: 20, f: 17, k: [1, 3, 3], pad: [0, 2, 1] },
];

/** The two inputs of a conv kernel for info, seeded. */
function convInputs(name: ConvName, info: ConvInfo, seed: number): [Tensor, Tensor] {
  const x = [info.batch, ...info.inSize, info.inChannels];
  const y = [info.batch, ...info.outSize, info.outChannels];
  const depthwise = name.startsWith('depthwise');
  const w = [...info.kernel, info.inChannels, depthwise ? info.multiplier : info.outChannels];
  const shapes = name.endsWith('BackpropInput') ? [y, w] : name.endsWith('BackpropFilter') ? [x, y] : [x, w];
  return [randF32(shapes[0], seed), randF32(shapes[1], seed + 1)];
}

test('conv kernels (forward, both gradients, depthwise) match js on odd shapes, strides, dilations, padding, 1-D/3-D, multipliers; every micro-kernel, 1 and 2 threads', (t) => {
  if (compiled(t).length === 0) return;
  const cases: { name: ConvName; a: Tensor; b: Tensor; info: ConvInfo; want: Tensor; scale: Tensor; what: string }[] = [];
  let seed = 1;
  for (const cs of CONV_CASES) {
    for (const name of CONV_NAMES) {
      const depthwise = name.startsWith('depthwise');
      if (depthwise !== (cs.m !== undefined) && !(depthwise && cs.f === cs.c)) continue;
      const info = infoOf(cs, depthwise);
      const [a, b] = convInputs(name, info, seed += 2);
      cases.push({ name, a, b, info, want: jsBackend[name](toF64(a), toF64(b), info), scale: jsBackend[name](absF64(a), absF64(b), info),
        what: `${name} ${JSON.stringify(cs)}` });
    }
  }
  for (const c of compiled(t)) {
    for (const s of settings(t, c, { isas: true })) {
      for (const cs of cases) {
        const what = `${s.label} ${cs.what}`;
        const got = expectPath(c, cs.name, true, () => c.backend[cs.name](cs.a, cs.b, cs.info), what);
        expectWithinScale(got, cs.want, cs.scale, 3e-5, 1e-6, what);
      }
    }
  }
});

test('conv + bias + activation matches the backend\'s conv then the js biasActivation (every activation, with and without bias, 1 and 2 threads)', (t) => {
  if (compiled(t).length === 0) return;
  const acts: FusedActivation[] = ['linear', 'relu', 'sigmoid', 'tanh', 'elu', 'selu'];
  for (const c of compiled(t)) {
    for (const s of settings(t, c)) {
      let seed = 500;
      for (const cs of CONV_CASES.filter((x) => x.m === undefined)) {
        const info = infoOf(cs, false);
        const act = acts[seed % acts.length];
        const [x, w] = convInputs('conv3d', info, seed += 2);
        const bias = seed % 4 === 0 ? null : randF32([info.outChannels], seed + 1);
        const what = `${s.label} ${act} bias=${bias !== null} ${JSON.stringify(cs)}`;
        const got = expectPath(c, 'conv3dBiasActivation', true, () => c.backend.conv3dBiasActivation(x, w, bias, act, 0.7, info), what);
        // The reference: this backend's conv (checked against js above), then the js biasActivation.
        const want = jsBackend.biasActivation(c.backend.conv3d(x, w, info), bias, act, 0.7);
        expectNear(got, want, what, 1e-6, 1e-6);
      }
    }
  }
});

/** A max pool over a conv's output ([batch, ...outSize, F]): 2-wide windows (or 3, stride 2, 'same'), 1 where a dim is 1. */
function poolOver(info: ConvInfo, same: boolean): Pool3dInfo {
  const shape5d = [info.batch, ...info.outSize, info.outChannels];
  const size = info.outSize.map((o) => (o === 1 ? 1 : same ? 3 : 2)), strides = info.outSize.map((o) => (o === 1 ? 1 : 2));
  return planPool('pool', shape5d, shape5d, 3, readPoolArgs('pool', 3, size, strides, same ? 'same' : 'valid'));
}

test('conv + bias + activation + max pool matches the backend\'s conv + bias + activation then its max pool, and js (chunked batches, batch 1, 1 and 2 threads)', (t) => {
  if (compiled(t).length === 0) return;
  const acts: FusedActivation[] = ['relu', 'linear', 'tanh', 'elu'];
  // The W3 pairs (batch 64 and an odd batch: chunks of images, some short) and batch 1 (chunk by chunk, threaded inside).
  const cases: ConvCase[] = [...CONV_CASES.filter((x) => x.m === undefined),
    { batch: 64, in: [1, 28, 28], c: 1, f: 32, k: [1, 3, 3] }, { batch: 9, in: [1, 13, 13], c: 32, f: 64, k: [1, 3, 3] },
    { batch: 1, in: [1, 13, 13], c: 32, f: 64, k: [1, 3, 3] }];
  let seed = 900;
  const inputs = cases.map((cs) => {
    const info = infoOf(cs, false), same = seed % 3 === 0;
    const [x, w] = convInputs('conv3d', info, seed += 2);
    const bias = seed % 5 === 0 ? null : randF32([info.outChannels], seed + 1);
    const pool = poolOver(info, same);
    const act = acts[seed % acts.length];
    const want = jsBackend.conv3dBiasActivationMaxPool(toF64(x), toF64(w), bias && toF64(bias), act, 0.7, info, pool);
    return { cs, info, x, w, bias, pool, act, want, what: `${act} bias=${bias !== null} same=${same} ${JSON.stringify(cs)}` };
  });
  for (const c of compiled(t)) {
    for (const s of settings(t, c)) {
      for (const { info, x, w, bias, pool, act, want, what: w0 } of inputs) {
        const what = `${s.label} ${w0}`;
        const got = expectPath(c, 'conv3dBiasActivationMaxPool', true,
          () => c.backend.conv3dBiasActivationMaxPool(x, w, bias, act, 0.7, info, pool), what);
        assert.deepEqual(got.shape, [pool.batch, pool.outD, pool.outH, pool.outW, pool.channels], what);
        expectNear(toF64(got), want, `${what} (vs js)`, 1e-4, 1e-4);
        // Unfused on the same backend, with the conv path pinned: the fused op convolves a few images at a
        // time, and on its own the Winograd choice follows the number of tiles of each call (F(2×2) for
        // a chunk where the whole batch takes F(4×4)), so only a pinned path gives the same numbers.
        try {
          for (const mode of ['off', 'f4']) {
            c.addon.setConvWinograd(mode);
            const fused = c.backend.conv3dBiasActivationMaxPool(x, w, bias, act, 0.7, info, pool);
            const unfused = c.backend.maxPool3d(c.backend.conv3dBiasActivation(x, w, bias, act, 0.7, info), pool);
            expectNear(fused, unfused, `${what} (vs unfused, Winograd ${mode})`, 1e-6, 1e-6);
          }
        } finally {
          c.addon.setConvWinograd('auto');
        }
      }
    }
  }
});

test('conv kernels hand float64 and problems of ≤ 2048 multiply-adds to js', (t) => {
  if (compiled(t).length === 0) return;
  for (const c of compiled(t)) {
    const info = infoOf({ batch: 1, in: [1, 5, 5], c: 2, f: 3, k: [1, 3, 3] }, false); // 9·18·3 = 486 multiply-adds
    const x = st.randomNormal([1, 1, 5, 5, 2], { seed: 1, dtype: 'float64' }), w = st.randomNormal([1, 3, 3, 2, 3], { seed: 2, dtype: 'float64' });
    expectSame(expectPath(c, 'conv3d', false, () => c.backend.conv3d(x, w, info), 'float64'), jsBackend.conv3d(x, w, info), `[${c.name}] float64 conv3d`);
    const xf = st.cast(x, 'float32'), wf = st.cast(w, 'float32');
    expectSame(expectPath(c, 'conv3d', false, () => c.backend.conv3d(xf, wf, info), 'tiny'), jsBackend.conv3d(xf, wf, info), `[${c.name}] tiny conv3d`);
    expectPath(c, 'conv3dBiasActivation', false, () => c.backend.conv3dBiasActivation(x, w, null, 'relu', 0, info), 'float64');
    expectPath(c, 'conv3dBiasActivationMaxPool', false, () => c.backend.conv3dBiasActivationMaxPool(x, w, null, 'relu', 0, info, poolOver(info, false)), 'float64');
  }
});

// ---------------------------------------------------------------- elementwise, reductions, softmax

const UNARY: [UnaryOp, number?, number?][] = [
  ['neg'], ['exp'], ['log'], ['log1p'], ['sqrt'], ['rsqrt'], ['square'], ['abs'], ['sign'], ['reciprocal'], ['floor'],
  ['round'], ['ceil'], ['sin'], ['cos'], ['erf'], ['expm1'], ['relu'], ['relu6'], ['leakyRelu', 0.1], ['elu', 1.3],
  ['selu'], ['sigmoid'], ['tanh'], ['softplus'], ['softsign'], ['swish'], ['gelu'], ['geluTanh'], ['mish'],
  ['hardSigmoid'], ['hardSigmoidKeras3'], ['clip', -0.5, 0.7], ['step', 0.3], ['reluGrad'], ['relu6Grad'],
  ['leakyReluGrad', 0.1], ['eluGrad', 1.3], ['seluGrad'], ['swishGrad'], ['geluGrad'], ['geluTanhGrad'], ['mishGrad'],
  ['hardSigmoidGrad'], ['hardSigmoidKeras3Grad'], ['clipGrad', -0.5, 0.7],
];
const BINARY: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'squaredDifference',
  'equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual'];
const FUSED: FusedActivation[] = ['linear', 'relu', 'sigmoid', 'tanh', 'elu', 'selu'];

/** Seeded normal float32 values times `scale`, with NaN, ±Infinity, ±0 and the ops' kinks sprinkled in when `special`. */
function scaled(shape: number[], seed: number, scale = 3, special = false): Tensor {
  const t = randF32(shape, seed);
  const v = t.values as Float32Array;
  for (let i = 0; i < v.length; i++) v[i] *= scale;
  if (special) {
    const s = [NaN, Infinity, -Infinity, 0, -0, 6, -2.5, 2.5, 3, -3, 0.5, 1.5, -0.5, 0.7, 1e-8, -40, 40];
    for (let i = 0; i < s.length && i * 5 < v.length; i++) v[i * 5] = s[i];
  }
  return t;
}

test('unary: every op, with NaN, ±Infinity and the kinks, on odd sizes either side of 64 elements and threaded sizes', (t) => {
  if (compiled(t).length === 0) return;
  let seed = 1;
  const inputs = [[1], [7], [33], [63], [64], [65], [257], [5, 13], [7, 33], [3, 7, 11], [100003]].map((shape) => scaled(shape, seed++, 3, true));
  const big = scaled([2100000], 99); // cheap ops thread only above ~2M elements
  for (const c of compiled(t)) {
    for (const s of settings(t, c)) {
      for (const x of inputs) {
        for (const [op, a, b] of UNARY) {
          const what = `${s.label} ${op} ${JSON.stringify(x.shape)}`;
          expectNear(expectPath(c, 'unary', x.size >= NATIVE_MIN_UNARY, () => c.backend.unary(op, x, a, b), what), jsBackend.unary(op, x, a, b), what);
        }
      }
      for (const op of ['relu', 'neg', 'abs'] as UnaryOp[]) {
        expectNear(expectPath(c, 'unary', true, () => c.backend.unary(op, big), op), jsBackend.unary(op, big), `${s.label} ${op} large`);
      }
    }
  }
});

test('binary: every op on every broadcast pattern, ties included, either side of 64 elements and threaded', (t) => {
  if (compiled(t).length === 0) return;
  const pairs: [number[], number[]][] = [[[63], [63]], [[64], []], [[9, 7], [7]], [[8, 8], [8, 1]]];
  for (const n of [1, 7, 33, 67, 257]) {
    pairs.push([[n], [n]], [[3, n], [3, n]], [[n], []], [[], [n]], [[5, n], [n]], [[n], [5, n]], [[65, n], [n]],
      [[n, 1], [1, 7]], [[2, n, 3], [n, 1]], [[4, 1, n], [3, 1]], [[2, 3, 1, n], [3, 5, n]], [[2, 1, 4, n], [1, 3, 1, 1]],
      [[n, 3], [n, 1]], [[1, n], [9, 1]], [[2, 3, n, 2], [2, 1, n, 1]]);
  }
  let seed = 100;
  const cases = pairs.map(([sa, sb]) => {
    const a = scaled(sa, seed++, 2, true), b = scaled(sb, seed++, 2, true);
    // Ties, so the comparisons see equal values too.
    if (a.size > 3 && b.size > 3) { a.values[1] = b.values[1]; a.values[2] = b.values[2]; }
    return { a, b, wants: BINARY.map((op) => jsBackend.binary(op, a, b)) };
  });
  // Threaded: one long run, a scalar, short tiled rows, a column.
  const big = scaled([1 << 21], 7), col = scaled([1 << 19, 1], 9), sc = scaled([], 10), big2 = scaled([1 << 19, 4], 11), row = scaled([4], 12);
  const large: [Tensor, Tensor][] = [[big, big], [big, sc], [sc, big], [big2, row], [big2, col], [col, big2]];
  for (const c of compiled(t)) {
    for (const s of settings(t, c)) {
      for (const { a, b, wants } of cases) {
        BINARY.forEach((op, i) => {
          const what = `${s.label} ${op} ${JSON.stringify(a.shape)} ${JSON.stringify(b.shape)}`;
          const got = expectPath(c, 'binary', wants[i].size >= NATIVE_MIN_BINARY, () => c.backend.binary(op, a, b), what);
          expectNear(got, wants[i], what, op === 'pow' ? 1e-6 : 2e-7);
        });
      }
      for (const [a, b] of large) {
        for (const op of ['add', 'mul', 'greater'] as BinaryOp[]) {
          const what = `${s.label} large ${op} ${JSON.stringify(a.shape)} ${JSON.stringify(b.shape)}`;
          expectNear(expectPath(c, 'binary', true, () => c.backend.binary(op, a, b), what), jsBackend.binary(op, a, b), what);
        }
      }
    }
  }
});

test('elementwise kernels leave int32, float64, mixed dtypes and shape errors to js', (t) => {
  if (compiled(t).length === 0) return;
  for (const c of compiled(t)) {
    const k = c.backend;
    const i32 = new Tensor(Int32Array.from({ length: 100 }, (_, i) => i - 50), [100]);
    for (const op of ['relu', 'exp', 'abs'] as UnaryOp[]) expectSame(expectPath(c, 'unary', false, () => k.unary(op, i32), op), jsBackend.unary(op, i32), `[${c.name}] int32 ${op}`);
    const f64 = st.randomNormal([100], { seed: 3, dtype: 'float64' });
    expectSame(expectPath(c, 'unary', false, () => k.unary('tanh', f64), 'tanh'), jsBackend.unary('tanh', f64), `[${c.name}] float64 tanh`);
    const q = expectPath(c, 'binary', false, () => k.binary('div', i32, new Tensor(Int32Array.from({ length: 100 }, () => 7), [100])), 'int32 div');
    assert.equal(q.dtype, 'int32');
    assert.equal(q.values[0], Math.floor(-50 / 7));
    assert.equal(expectPath(c, 'binary', false, () => k.binary('add', i32, scaled([100], 1)), 'mixed').dtype, 'float32');
    assert.throws(() => k.binary('add', scaled([70, 3], 1), scaled([70, 4], 2)), /add/);
    expectSame(expectPath(c, 'softmax', false, () => k.softmax(f64, 0), 'softmax'), jsBackend.softmax(f64, 0), `[${c.name}] float64 softmax`);
    expectSame(expectPath(c, 'reduce', false, () => k.reduce('sum', f64, [0], false), 'sum'), jsBackend.reduce('sum', f64, [0], false), `[${c.name}] float64 sum`);
    expectSame(expectPath(c, 'biasActivation', false, () => k.biasActivation(f64, null, 'relu', 0), 'bias'), jsBackend.biasActivation(f64, null, 'relu', 0), `[${c.name}] float64 biasActivation`);
  }
});

/** Every subset of [0, rank). */
function subsets(rank: number): number[][] {
  const out: number[][] = [];
  for (let m = 0; m < 1 << rank; m++) out.push([...Array(rank).keys()].filter((d) => m & (1 << d)));
  return out;
}

test('reduce: sum, max, min, prod over every axis subset of rank ≤ 4, NaN, either side of 64 elements and threaded', (t) => {
  if (compiled(t).length === 0) return;
  let seed = 300;
  const inputs = [[63], [257], [7, 33], [33, 1, 7], [3, 7, 1, 33], [2, 7, 5, 3], [1, 65, 1, 1], [257, 1], [4, 257]].map((shape) => {
    const x = scaled(shape, seed++, 2);
    // Products stay finite with factors near 1.
    return { x, near1: new Tensor(Float32Array.from(x.values, (v) => 1 + 0.01 * v), shape) };
  });
  const withNaN = scaled([9, 70], 5);
  withNaN.values[75] = NaN;
  const big = scaled([4096, 520], 6);
  for (const c of compiled(t)) {
    for (const s of settings(t, c)) {
      for (const { x, near1 } of inputs) {
        for (const axes of subsets(x.rank)) {
          for (const op of ['sum', 'max', 'min', 'prod'] as ReduceOp[]) {
            const input = op === 'prod' ? near1 : x;
            for (const keep of [false, true]) {
              const what = `${s.label} ${op} ${JSON.stringify(x.shape)} axes ${JSON.stringify(axes)} keepDims ${keep}`;
              const got = expectPath(c, 'reduce', x.size >= NATIVE_MIN_REDUCE, () => c.backend.reduce(op, input, axes, keep), what);
              expectNear(got, jsBackend.reduce(op, input, axes, keep), what, 1e-6, 1e-6);
            }
          }
        }
      }
      // NaN poisons max/min as in js; large inputs take the threaded paths.
      for (const axes of [[0], [1], [0, 1]]) {
        for (const op of ['max', 'min', 'sum'] as ReduceOp[]) {
          expectNear(c.backend.reduce(op, withNaN, axes, false), jsBackend.reduce(op, withNaN, axes, false), `${s.label} ${op} NaN ${axes}`);
        }
        expectNear(expectPath(c, 'reduce', true, () => c.backend.reduce('sum', big, axes, false), 'large'), jsBackend.reduce('sum', big, axes, false), `${s.label} large sum ${axes}`, 1e-6, 1e-5);
        expectNear(c.backend.reduce('max', big, axes, false), jsBackend.reduce('max', big, axes, false), `${s.label} large max ${axes}`);
      }
    }
  }
});

test('argMax / argMin on every axis, first index on ties, either side of 64 elements', (t) => {
  if (compiled(t).length === 0) return;
  let seed = 400;
  // Small integers: many ties.
  const inputs = [[63], [257], [7, 33], [33, 7, 3], [2, 7, 5, 3], [1, 65]].map((shape) =>
    new Tensor(Float32Array.from(scaled(shape, seed++).values, (v) => Math.round(v)), shape));
  for (const c of compiled(t)) {
    for (const s of settings(t, c)) {
      for (const x of inputs) {
        for (let axis = 0; axis < x.rank; axis++) {
          for (const op of ['argMax', 'argMin'] as const) {
            const what = `${s.label} ${op} ${JSON.stringify(x.shape)} axis ${axis}`;
            expectSame(expectPath(c, 'argReduce', x.size >= NATIVE_MIN_REDUCE, () => c.backend.argReduce(op, x, axis), what), jsBackend.argReduce(op, x, axis), what);
          }
        }
      }
    }
  }
});

test('softmax and logSoftmax on every axis, a large logit, NaN, either side of 64 elements and threaded', (t) => {
  if (compiled(t).length === 0) return;
  let seed = 500;
  // [40000, 10] and [8, 2000, 10] along 1: above the C++ threading threshold (native/src/softmax.cc, parallel.h).
  const inputs = [[63], [257], [7, 33], [33, 7, 3], [2, 7, 5, 3], [65, 1], [3000, 10], [40000, 10], [8, 2000, 10]].map((shape) => {
    const x = scaled(shape, seed++, 4);
    x.values[3] = 80; // a large logit: the max must be subtracted
    return x;
  });
  const withNaN = scaled([8, 16], 9);
  withNaN.values[20] = NaN;
  for (const c of compiled(t)) {
    for (const s of settings(t, c)) {
      for (const x of inputs) {
        for (let axis = 0; axis < x.rank; axis++) {
          const what = `${s.label} ${JSON.stringify(x.shape)} axis ${axis}`;
          const onCompiled = x.size >= NATIVE_MIN_SOFTMAX;
          expectNear(expectPath(c, 'softmax', onCompiled, () => c.backend.softmax(x, axis), what), jsBackend.softmax(x, axis), `softmax ${what}`);
          expectNear(expectPath(c, 'logSoftmax', onCompiled, () => c.backend.logSoftmax(x, axis), what), jsBackend.logSoftmax(x, axis), `logSoftmax ${what}`, 2e-6, 1e-6);
        }
      }
      for (const axis of [0, 1]) expectNear(c.backend.softmax(withNaN, axis), jsBackend.softmax(withNaN, axis), `${s.label} softmax NaN axis ${axis}`);
    }
  }
});

test('fused softmax cross-entropy and its gradient on probabilities from a softmax, clipped rows included; float64 falls back', (t) => {
  if (compiled(t).length === 0) return;
  let seed = 560;
  for (const c of compiled(t)) {
    for (const s of settings(t, c)) {
      for (const shape of [[1, 10], [64, 10], [3, 5, 7], [2000, 10]]) {
        const probs = jsBackend.softmax(scaled(shape, seed++, 6), shape.length - 1);
        probs.values[0] = 1e-9; // below the 1e-7 clip
        const labels = jsBackend.softmax(scaled(shape, seed++, 3), shape.length - 1);
        const dLoss = scaled(shape.slice(0, -1), seed++, 1);
        const what = `${s.label} ${JSON.stringify(shape)}`;
        expectNear(expectPath(c, 'softmaxCrossEntropy', true, () => c.backend.softmaxCrossEntropy(labels, probs), what),
          jsBackend.softmaxCrossEntropy(labels, probs), `softmaxCrossEntropy ${what}`, 2e-6, 1e-6);
        expectNear(expectPath(c, 'softmaxCrossEntropyGrad', true, () => c.backend.softmaxCrossEntropyGrad(labels, probs, dLoss), what),
          jsBackend.softmaxCrossEntropyGrad(labels, probs, dLoss), `softmaxCrossEntropyGrad ${what}`, 2e-6, 1e-7);
      }
      const p64 = toF64(jsBackend.softmax(scaled([4, 6], 9), 1));
      expectSame(expectPath(c, 'softmaxCrossEntropy', false, () => c.backend.softmaxCrossEntropy(p64, p64), 'float64'),
        jsBackend.softmaxCrossEntropy(p64, p64), `[${c.name}] float64 softmaxCrossEntropy`);
    }
  }
});

test('biasActivation and its gradient for every activation, with and without bias, either side of 64 elements and threaded', (t) => {
  if (compiled(t).length === 0) return;
  let seed = 600;
  // [16, 32, 32, 64]: 2²⁰ elements, above the C++ threading threshold of the forward and the gradient (native/src/bias-activation.cc).
  const inputs = [[1, 63], [1, 64], [7, 33], [65, 1], [3, 5, 257], [2, 7, 7, 33], [64, 26, 26, 8], [16, 32, 32, 64]].map((shape) => {
    const ch = shape[shape.length - 1];
    const x = scaled(shape, seed++, 2, true), b = scaled([ch], seed++, 1), dy = scaled(shape, seed++, 1);
    return FUSED.flatMap((act) => [b, null].map((bias) => {
      const y = jsBackend.biasActivation(x, bias, act, 1.3);
      return { x, bias, dy, act, y, grads: jsBackend.biasActivationGrad(dy, y, act, 1.3, bias !== null) };
    }));
  }).flat();
  for (const c of compiled(t)) {
    for (const s of settings(t, c)) {
      for (const { x, bias, dy, act, y, grads: [dxJs, dbJs] } of inputs) {
        const onCompiled = x.size >= NATIVE_MIN_BIAS_ACTIVATION;
        const what = `${s.label} ${act} ${JSON.stringify(x.shape)} bias ${bias !== null}`;
        expectNear(expectPath(c, 'biasActivation', onCompiled, () => c.backend.biasActivation(x, bias, act, 1.3), what), y, what);
        const [dx, db] = expectPath(c, 'biasActivationGrad', onCompiled, () => c.backend.biasActivationGrad(dy, y, act, 1.3, bias !== null), what);
        // (1 − y²) near saturation cancels: float32 without FMA (wasm SIMD128) is a few ulps of |dy| off there.
        expectNear(dx, dxJs, `${what} dx`, 1e-6, 5e-7);
        if (dbJs) expectNear(db!, dbJs, `${what} db`, 1e-5, 1e-4);
        else assert.equal(db, null);
      }
    }
  }
});

// ---------------------------------------------------------------- gather and its gradient

/** Seeded int32 indices in [0, n) (with repeats) of the given shape. */
function indices(shape: number[], n: number, seed: number): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const v = new Int32Array(size);
  let s = seed;
  for (let i = 0; i < size; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    v[i] = s % n;
  }
  return new Tensor(v, shape);
}

test('gather along every axis, indices of any rank, exact; results under 256 elements run js', (t) => {
  if (compiled(t).length === 0) return;
  const X_SHAPES = [[257, 7], [33, 1, 9], [5000, 32], [7, 33, 5], [1, 300], [3, 7, 33], [65, 9, 3], [9, 41, 7]];
  const INDEX_SHAPES = [[1], [7], [33, 2], [2, 3, 7], [257]];
  const cases: { x: Tensor; idx: Tensor; axis: number; want: Tensor }[] = [];
  let seed = 1;
  for (const xs of X_SHAPES) {
    const x = randF32(xs, seed++);
    for (let axis = 0; axis < xs.length; axis++) {
      for (const is of INDEX_SHAPES) {
        const idx = indices(is, xs[axis], seed++);
        cases.push({ x, idx, axis, want: jsBackend.gather(x, idx, axis) });
      }
    }
  }
  for (const c of compiled(t)) {
    for (const s of settings(t, c)) {
      let ran = 0;
      for (const { x, idx, axis, want } of cases) {
        const what = `${s.label} x ${JSON.stringify(x.shape)} axis ${axis} indices ${JSON.stringify(idx.shape)}`;
        if (want.size >= NATIVE_MIN_GATHER) ran++;
        expectSame(expectPath(c, 'gather', want.size >= NATIVE_MIN_GATHER, () => c.backend.gather(x, idx, axis), what), want, what);
      }
      assert.ok(ran >= 80, `only ${ran} of the cases ran the compiled gather`);
    }
  }
});

test('unsortedSegmentSum along every axis; out-of-range ids are dropped', (t) => {
  if (compiled(t).length === 0) return;
  const cases: { x: Tensor; ids: Tensor; segments: number; axis: number; want: Tensor }[] = [];
  let seed = 100;
  for (const [shape, idRank, segments] of [
    [[257, 7], 1, 33], [[33, 2, 9], 2, 5], [[3200, 32], 1, 500], [[7, 33, 5], 1, 1], [[2, 3, 7, 33], 2, 300],
  ] as [number[], number, number][]) {
    const x = randF32(shape, seed++);
    for (let axis = 0; axis + idRank <= shape.length; axis++) {
      const ids = indices(shape.slice(axis, axis + idRank), segments + 2, seed++);
      ids.values[0] = -1; // dropped, like ids ≥ segments
      cases.push({ x, ids, segments, axis, want: jsBackend.unsortedSegmentSum(x, ids, segments, axis) });
    }
  }
  for (const c of compiled(t)) {
    for (const s of settings(t, c)) {
      for (const { x, ids, segments, axis, want } of cases) {
        const what = `${s.label} x ${JSON.stringify(x.shape)} axis ${axis} ids ${JSON.stringify(ids.shape)} segments ${segments}`;
        const got = expectPath(c, 'unsortedSegmentSum', x.size >= NATIVE_MIN_GATHER, () => c.backend.unsortedSegmentSum(x, ids, segments, axis), what);
        assert.deepEqual(got.shape, want.shape, `${what}: shape`);
        expectClose(got, want, 1e-6, 1e-6, what);
      }
    }
  }
});

test('gather hands out-of-range indices, float64 and int32 tables to js; the ops report bad indices on every backend', (t) => {
  if (compiled(t).length === 0) return;
  for (const c of compiled(t)) {
    const k = c.backend;
    const x = randF32([40, 10], 200);
    const bad = indices([50], 40, 201);
    bad.values[17] = 40;
    // The compiled gather is tried and refuses (returns false): the js kernel then writes the result.
    expectSame(k.gather(x, bad, 0), jsBackend.gather(x, bad, 0), `[${c.name}] out-of-range index`);
    const x64 = st.randomNormal([40, 10], { seed: 202, dtype: 'float64' });
    const idx = indices([50], 40, 203);
    expectSame(expectPath(c, 'gather', false, () => k.gather(x64, idx, 0), 'float64'), jsBackend.gather(x64, idx, 0), `[${c.name}] float64 gather`);
    const xi = new Tensor(Int32Array.from({ length: 400 }, (_, i) => i), [40, 10]);
    expectSame(expectPath(c, 'gather', false, () => k.gather(xi, idx, 0), 'int32'), jsBackend.gather(xi, idx, 0), `[${c.name}] int32 gather`);
    assert.equal(expectPath(c, 'unsortedSegmentSum', false, () => k.unsortedSegmentSum(x64, idx, 40, 0), 'float64').dtype, 'float64');
  }
  const before = st.getBackend();
  try {
    for (const c of compiled(t)) {
      st.setBackend(c.name);
      const table = st.randomNormal([5000, 32], { seed: 300 });
      const ids = indices([32, 100], 5000, 301);
      ids.values[105] = 5000;
      expectError(() => st.gather(table, ids), ShapeError, 'indices[1, 5] = 5000', 'valid indices are 0 to 4999');
      const neg = indices([32, 100], 5000, 302);
      neg.values[0] = -3;
      expectError(() => st.gather(table, neg), ShapeError, 'indices[0, 0] = -3');
      expectError(() => st.unsortedSegmentSum(st.ones([3200, 2]), st.reshape(neg, [3200]), 5000), ShapeError, 'segmentIds[0] = -3');
    }
  } finally {
    st.setBackend(before);
  }
});

// ---------------------------------------------------------------- pooling

/** Seeded float32 values; `ties` rounds them to halves so windows often hold equal maxima. */
function poolInput(shape: number[], seed: number, ties = false): Tensor {
  const x = randF32(shape, seed);
  if (ties) for (let i = 0; i < x.size; i++) x.values[i] = Math.round(x.values[i] * 2) / 2;
  return x;
}

/** The kernels' view of a `rank`-D pooling of x, planned as the ops plan it. */
function plan(x: Tensor, rank: number, size: number[], strides: number[], padding: 'valid' | 'same'): Pool3dInfo {
  const { shape5d } = poolShape5d('pool', x, rank);
  return planPool('pool', x.shape, shape5d, rank, readPoolArgs('pool', rank, size, strides, padding));
}

/** Odd shapes of each rank (channels 1, 7, 33; spatial sizes 1 to 13) with windows and strides 1 to 3, both paddings, with and without ties. */
function poolPlans(): { x: Tensor; info: Pool3dInfo; what: string }[] {
  const cases: { shape: number[]; rank: number; size: number[]; strides: number[] }[] = [
    { shape: [3, 257, 7], rank: 1, size: [3], strides: [2] },
    { shape: [2, 33, 33], rank: 1, size: [2], strides: [1] },
    { shape: [1, 13, 1], rank: 1, size: [1], strides: [3] },
    { shape: [5, 7, 9, 7], rank: 2, size: [2, 2], strides: [2, 2] },
    { shape: [2, 13, 11, 33], rank: 2, size: [3, 2], strides: [2, 3] },
    { shape: [4, 9, 9, 1], rank: 2, size: [3, 3], strides: [1, 1] },
    { shape: [64, 1, 7, 7], rank: 2, size: [1, 3], strides: [1, 2] },
    { shape: [2, 5, 7, 6, 7], rank: 3, size: [2, 3, 2], strides: [2, 2, 1] },
    { shape: [1, 7, 5, 9, 33], rank: 3, size: [3, 3, 3], strides: [3, 1, 2] },
    { shape: [1, 255, 1], rank: 1, size: [2], strides: [2] }, // just under NATIVE_MIN_POOL
    { shape: [1, 256, 1], rank: 1, size: [2], strides: [2] }, // at it
  ];
  const out: { x: Tensor; info: Pool3dInfo; what: string }[] = [];
  let seed = 1;
  for (const cs of cases) {
    for (const padding of ['valid', 'same'] as const) {
      const spatial = cs.shape.slice(1, 1 + cs.rank);
      if (padding === 'valid' && cs.size.some((k, i) => k > spatial[i])) continue;
      for (const ties of [false, true]) {
        const x = poolInput(cs.shape, seed++, ties);
        out.push({ x, info: plan(x, cs.rank, cs.size, cs.strides, padding),
          what: `${cs.rank}-D x ${JSON.stringify(cs.shape)} size ${cs.size} strides ${cs.strides} ${padding}${ties ? ' ties' : ''}` });
      }
    }
  }
  return out;
}

test('max pooling, argmax and the fused pass match js exactly; inputs under 256 elements run js', (t) => {
  if (compiled(t).length === 0) return;
  const plans = poolPlans().map((p) => ({ ...p, want: jsBackend.maxPool3d(p.x, p.info), wantArg: jsBackend.maxPool3dArgmax(p.x, p.info) }));
  for (const c of compiled(t)) {
    for (const s of settings(t, c)) {
      let ran = 0;
      for (const { x, info, what: w, want, wantArg } of plans) {
        const what = `${s.label} ${w}`, onCompiled = x.size >= NATIVE_MIN_POOL;
        expectSame(expectPath(c, 'maxPool3d', onCompiled, () => c.backend.maxPool3d(x, info), what), want, `${what}: maxPool3d`);
        expectSame(expectPath(c, 'maxPool3dArgmax', onCompiled, () => c.backend.maxPool3dArgmax(x, info), what), wantArg, `${what}: argmax`);
        const fused = expectPath(c, 'maxPool3dWithArgmax', onCompiled, () => c.backend.maxPool3dWithArgmax(x, info), what);
        expectSame(fused.argmax, wantArg, `${what}: fused argmax`);
        expectSame(fused.values, want, `${what}: fused values`);
        if (onCompiled) ran++;
      }
      assert.ok(ran >= 30, `only ${ran} cases ran compiled code`);
    }
  }
});

test('average pooling and its gradient match js; inputs under 256 elements run js', (t) => {
  if (compiled(t).length === 0) return;
  let seed = 500;
  const plans = poolPlans().map((p) => {
    const dy = poolInput([p.info.batch, p.info.outD, p.info.outH, p.info.outW, p.info.channels], seed++);
    return { ...p, dy, want: jsBackend.avgPool3d(p.x, p.info), wantDx: jsBackend.avgPool3dBackward(dy, p.info) };
  });
  for (const c of compiled(t)) {
    for (const s of settings(t, c)) {
      for (const { x, info, dy, what: w, want, wantDx } of plans) {
        const what = `${s.label} ${w}`, onCompiled = x.size >= NATIVE_MIN_POOL;
        expectClose(expectPath(c, 'avgPool3d', onCompiled, () => c.backend.avgPool3d(x, info), what), want, 1e-6, 1e-5, `${what}: avgPool3d`);
        const got = expectPath(c, 'avgPool3dBackward', onCompiled, () => c.backend.avgPool3dBackward(dy, info), what);
        assert.deepEqual(got.shape, wantDx.shape, `${what}: dx shape`);
        expectClose(got, wantDx, 1e-6, 1e-5, `${what}: avgPool3dBackward`);
      }
    }
  }
});

test('pooling: NaN propagates as in js (the argmax skips it); a large input on 1 and 2 threads', (t) => {
  if (compiled(t).length === 0) return;
  // 7 channels: the compiled kernels' tail loop only; 19: a full 16-channel block, then a tail.
  const nanCases = [7, 19].map((ch) => {
    const x = poolInput([2, 9, 9, ch], 950);
    x.values[0] = NaN;
    x.values[ch * 9 * 2 + 3] = NaN;
    x.values[ch * 9 * 4 + 17] = NaN;
    return { x, info: plan(x, 2, [2, 2], [2, 2], 'same') };
  });
  const big = poolInput([8, 66, 66, 64], 960); // 2.2M elements: above the threading threshold
  const bigInfo = plan(big, 2, [3, 3], [2, 2], 'same');
  const wantArg = jsBackend.maxPool3dArgmax(big, bigInfo);
  const dy = poolInput([bigInfo.batch, bigInfo.outD, bigInfo.outH, bigInfo.outW, bigInfo.channels], 961);
  const wantDx = jsBackend.avgPool3dBackward(dy, bigInfo);
  for (const c of compiled(t)) {
    for (const s of settings(t, c)) {
      for (const { x, info } of nanCases) {
        expectSame(c.backend.maxPool3d(x, info), jsBackend.maxPool3d(x, info), `${s.label} NaN maxPool3d, ${info.channels} channels`);
        expectSame(c.backend.maxPool3dArgmax(x, info), jsBackend.maxPool3dArgmax(x, info), `${s.label} NaN argmax, ${info.channels} channels`);
      }
      const fused = expectPath(c, 'maxPool3dWithArgmax', true, () => c.backend.maxPool3dWithArgmax(big, bigInfo), 'large');
      expectSame(fused.argmax, wantArg, `${s.label} large argmax`);
      expectClose(expectPath(c, 'avgPool3dBackward', true, () => c.backend.avgPool3dBackward(dy, bigInfo), 'large'), wantDx, 1e-6, 1e-5, `${s.label} large avgPool3dBackward`);
    }
  }
});

test('gatherFlat and scatterAddFlat match js, out-of-range indices included; under 256 indices run js', (t) => {
  if (compiled(t).length === 0) return;
  const x = poolInput([7, 33, 5], 900);
  const flat = (n: number): Tensor => {
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = (i * 7919) % x.size;
    idx[3] = -1;
    idx[10] = x.size;
    return new Tensor(idx, [n]);
  };
  for (const c of compiled(t)) {
    for (const s of settings(t, c)) {
      for (const n of [255, 256, 1000]) {
        const idx = flat(n), what = `${s.label} ${n} indices`;
        const got = expectPath(c, 'gatherFlat', n >= NATIVE_MIN_POOL, () => c.backend.gatherFlat(x, idx), what);
        assert.ok(Number.isNaN(got.values[3]) && Number.isNaN(got.values[10]), `${what}: out-of-range reads give NaN, as in js`);
        expectSame(got, jsBackend.gatherFlat(x, idx), `${what}: gatherFlat`);
        const dy = poolInput([n], 901);
        const dx = expectPath(c, 'scatterAddFlat', n >= NATIVE_MIN_POOL, () => c.backend.scatterAddFlat(dy, idx, x.shape), what);
        assert.deepEqual(dx.shape, x.shape);
        expectClose(dx, jsBackend.scatterAddFlat(dy, idx, x.shape), 1e-6, 1e-6, `${what}: scatterAddFlat (repeats accumulate, out-of-range skipped)`);
      }
    }
  }
});

test('pooling hands float64, int32 and tiny inputs to js', (t) => {
  if (compiled(t).length === 0) return;
  for (const c of compiled(t)) {
    const k = c.backend;
    const x64 = st.randomNormal([2, 9, 9, 3], { seed: 970, dtype: 'float64' });
    const info = plan(x64, 2, [2, 2], [2, 2], 'valid');
    expectSame(expectPath(c, 'maxPool3d', false, () => k.maxPool3d(x64, info), 'float64'), jsBackend.maxPool3d(x64, info), `[${c.name}] float64 maxPool3d`);
    const dy64 = st.randomNormal([2, 4, 4, 3], { seed: 971, dtype: 'float64' });
    assert.equal(expectPath(c, 'avgPool3dBackward', false, () => k.avgPool3dBackward(dy64, info), 'float64').dtype, 'float64');
    const xi = new Tensor(Int32Array.from({ length: 2 * 9 * 9 * 3 }, (_, i) => (i * 37) % 101), [2, 9, 9, 3]);
    const yi = expectPath(c, 'avgPool3d', false, () => k.avgPool3d(xi, info), 'int32');
    assert.equal(yi.dtype, 'float32', 'int32 average pooling gives float32, as in js');
    expectSame(yi, jsBackend.avgPool3d(xi, info), `[${c.name}] int32 avgPool3d`);
    const tiny = poolInput([1, 3, 3, 1], 972);
    const tinyInfo = plan(tiny, 2, [2, 2], [1, 1], 'same');
    expectSame(expectPath(c, 'maxPool3d', false, () => k.maxPool3d(tiny, tinyInfo), 'tiny'), jsBackend.maxPool3d(tiny, tinyInfo), `[${c.name}] tiny maxPool3d`);
  }
});

// ---------------------------------------------------------------- optimizer

test('adamUpdate matches the js rule to float32 rounding (with and without AMSGrad and decay, subnormal squares); under 256 parameters runs js; threaded', (t) => {
  if (compiled(t).length === 0) return;
  type Arrays = readonly [Float32Array, Float32Array, Float32Array, Float32Array | null];
  const outs = (n: number, amsgrad: boolean): Arrays => [new Float32Array(n), new Float32Array(n), new Float32Array(n), amsgrad ? new Float32Array(n) : null];
  const cases: { n: number; amsgrad: boolean; decay: number; inputs: Float32Array[]; vHat: Float32Array | null; want: Arrays }[] = [];
  // 600000 parameters: above the C++ threading threshold (native/src/optimizer.cc, parallel.h).
  for (const n of [255, 256, 1000, 600000]) {
    const rand = (seed: number, positive = false) => {
      const v = randF32([n], seed).values as Float32Array;
      return positive ? v.map(Math.abs) : v;
    };
    for (const amsgrad of [false, true]) {
      for (const decay of [0, 0.004]) {
        const inputs = [rand(1), rand(2), rand(3), rand(4, true)], vHat = amsgrad ? rand(5, true) : null;
        const want = outs(n, amsgrad);
        jsBackend.adamUpdate(inputs[0], inputs[1], inputs[2], inputs[3], vHat, 1e-3, 0.9, 0.999, 1e-7, decay, want[0], want[1], want[2], want[3]);
        cases.push({ n, amsgrad, decay, inputs, vHat, want });
      }
    }
  }
  // Gradients near 1e-20 and subnormal slots: g² is subnormal, which the native kernel flushes to zero
  // (optimizer.cc); the parameters and slots still agree with the float64 rule.
  for (const amsgrad of [false, true]) {
    const n = 1000, tiny = (seed: number, scale: number) => (randF32([n], seed).values as Float32Array).map((x) => Math.abs(x) * scale);
    const inputs = [randF32([n], 6).values as Float32Array, tiny(7, 1e-20).map((x, i) => (i % 2 ? x : -x)), tiny(8, 1e-39), tiny(9, 1e-39)];
    const vHat = amsgrad ? tiny(10, 1e-39) : null, want = outs(n, amsgrad);
    jsBackend.adamUpdate(inputs[0], inputs[1], inputs[2], inputs[3], vHat, 1e-3, 0.9, 0.999, 1e-7, 0, want[0], want[1], want[2], want[3]);
    cases.push({ n, amsgrad, decay: 0, inputs, vHat, want });
  }
  for (const c of compiled(t)) {
    for (const s of settings(t, c)) {
      for (const { n, amsgrad, decay, inputs: [p, g, m, v], vHat, want } of cases) {
        const got = outs(n, amsgrad);
        const what = `${s.label} n=${n} amsgrad=${amsgrad} decay=${decay}`;
        expectPath(c, 'adamUpdate', n >= NATIVE_MIN_OPTIMIZER, () => c.backend.adamUpdate(p, g, m, v, vHat, 1e-3, 0.9, 0.999, 1e-7, decay, got[0], got[1], got[2], got[3]), what);
        for (let k = 0; k < 4; k++) {
          const x = got[k], y = want[k];
          if (!x || !y) continue;
          for (let i = 0; i < n; i++) {
            if (!(Math.abs(x[i] - y[i]) <= 2e-6 * (1 + Math.abs(y[i])))) assert.fail(`${what} output ${k} element ${i}: ${x[i]} vs ${y[i]}`);
          }
        }
      }
    }
  }
});

// ---------------------------------------------------------------- the edges of the size thresholds

test('every size threshold: js at the last size below it, compiled code from the first size at it', (t) => {
  if (compiled(t).length === 0) return;
  for (const c of compiled(t)) {
    const k = c.backend;
    const side = (kernel: Parameters<typeof expectPath>[1], below: () => unknown, at: () => unknown): void => {
      expectPath(c, kernel, false, below, `${kernel} below its threshold`);
      expectPath(c, kernel, true, at, `${kernel} at its threshold`);
    };
    // matmul: more than JS_MAX_MATMUL_WORK multiply-adds; conv: more than JS_MAX_CONV_WORK.
    side('matmul', () => k.matmul(randF32([8, 8], 1), randF32([8, JS_MAX_MATMUL_WORK / 64], 2), false, false),
      () => k.matmul(randF32([1, JS_MAX_MATMUL_WORK + 1], 1), randF32([JS_MAX_MATMUL_WORK + 1, 1], 2), false, false));
    const pointwise = (w: number): [Tensor, Tensor, ConvInfo] => [randF32([1, 1, 1, w, 1], 3), randF32([1, 1, 1, 1, 1], 4),
      infoOf({ batch: 1, in: [1, 1, w], c: 1, f: 1, k: [1, 1, 1] }, false)];
    for (const w of [JS_MAX_CONV_WORK, JS_MAX_CONV_WORK + 1]) {
      const [x, f, info] = pointwise(w);
      const got = expectPath(c, 'conv3d', w > JS_MAX_CONV_WORK, () => k.conv3d(x, f, info), `conv3d work ${w}`);
      expectNear(got, jsBackend.conv3d(x, f, info), `[${c.name}] conv3d work ${w}`, 1e-6, 0);
    }
    side('unary', () => k.unary('exp', randF32([NATIVE_MIN_UNARY - 1], 5)), () => k.unary('exp', randF32([NATIVE_MIN_UNARY], 5)));
    side('binary', () => k.binary('add', randF32([NATIVE_MIN_BINARY - 1], 6), randF32([], 7)), () => k.binary('add', randF32([NATIVE_MIN_BINARY], 6), randF32([], 7)));
    side('softmax', () => k.softmax(randF32([NATIVE_MIN_SOFTMAX - 1], 8), 0), () => k.softmax(randF32([NATIVE_MIN_SOFTMAX], 8), 0));
    side('reduce', () => k.reduce('sum', randF32([NATIVE_MIN_REDUCE - 1], 9), [0], false), () => k.reduce('sum', randF32([NATIVE_MIN_REDUCE], 9), [0], false));
    side('biasActivation', () => k.biasActivation(randF32([NATIVE_MIN_BIAS_ACTIVATION - 1, 1], 10), null, 'relu', 0),
      () => k.biasActivation(randF32([NATIVE_MIN_BIAS_ACTIVATION, 1], 10), null, 'relu', 0));
    side('gather', () => k.gather(randF32([10, 1], 11), indices([NATIVE_MIN_GATHER - 1], 10, 12), 0),
      () => k.gather(randF32([10, 1], 11), indices([NATIVE_MIN_GATHER], 10, 12), 0));
    side('unsortedSegmentSum', () => k.unsortedSegmentSum(randF32([NATIVE_MIN_GATHER - 1], 13), indices([NATIVE_MIN_GATHER - 1], 5, 14), 5, 0),
      () => k.unsortedSegmentSum(randF32([NATIVE_MIN_GATHER], 13), indices([NATIVE_MIN_GATHER], 5, 14), 5, 0));
    // (Pooling, gatherFlat / scatterAddFlat and adamUpdate: their 255 / 256 cases are in their tests above.)
  }
});

// ---------------------------------------------------------------- through the ops, models and autograd

/** Every output of `body` (forward values and gradients), as arrays. */
type OpsCase = { name: string; body: () => st.Tensor[] };
const rnd = (shape: number[], seed: number): st.Tensor => st.randomNormal(shape, { seed });

const OPS_CASES: OpsCase[] = [
  {
    name: 'matmul: batched and broadcast, every transpose, with gradients',
    body: () => {
      const a = rnd([3, 40, 50], 1), b = rnd([3, 50, 30], 2), b2 = rnd([30, 50], 3);
      const { value, grads } = st.valueAndGrads(() => st.sum(st.mul(st.matmul(a, b), st.matmul(a, b2, false, true))), [a, b, b2]);
      return [value, ...grads, st.matmul(b, a, true, true)];
    },
  },
  {
    name: 'conv2d + bias + relu, max pooling, depthwise conv, average pooling, transposed conv, dense softmax: values and gradients',
    body: () => {
      st.setSeed(11);
      const model = st.sequential({
        layers: [
          st.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', inputShape: [14, 14, 3] }),
          st.layers.maxPooling2d({ poolSize: 2 }),
          st.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'elu' }),
          st.layers.averagePooling2d({ poolSize: 2 }),
          st.layers.conv2dTranspose({ filters: 8, kernelSize: 3, strides: 2, activation: 'sigmoid' }),
          st.layers.flatten(),
          st.layers.dense({ units: 10, activation: 'softmax' }),
        ],
      });
      const x = rnd([4, 14, 14, 3], 5);
      const { value, grads } = st.valueAndGrads(() => st.sum(st.mul(model.apply(x) as st.Tensor, rnd([4, 10], 6))),
        model.trainableWeights);
      return [value, ...grads];
    },
  },
  {
    name: 'max and average pooling gradients with tied maxima',
    body: () => {
      const x = st.tensor(Float32Array.from(rnd([4, 11, 11, 7], 990).dataSync() as Float32Array, (v) => Math.round(v * 2) / 2), [4, 11, 11, 7]);
      const { value, grads } = st.valueAndGrads(() => st.add(st.sum(st.mul(st.maxPool(x, 3, 2, 'same'), st.avgPool(x, 2, 2, 'same'))),
        st.sum(st.square(st.maxPool(x, 2, 1, 'valid')))), [x]);
      return [value, ...grads];
    },
  },
  {
    name: 'elementwise, broadcast, softmax, log-softmax, reductions and argMax',
    body: () => {
      const x = rnd([8, 33, 17], 7), y = rnd([33, 1], 8);
      const z = st.add(st.mul(st.exp(st.tanh(x)), y), st.sigmoid(x));
      return [z, st.softmax(x, 1), st.logSoftmax(x, -1), st.sum(z, [0, 2]), st.max(x, 1), st.mean(z, [1], true),
        st.argMax(x, 2), st.sub(st.relu(x), st.square(y))];
    },
  },
  {
    name: 'embedding gather and its scatter-add gradient',
    body: () => {
      const table = rnd([300, 24], 9);
      const ids = st.tensor(Int32Array.from({ length: 512 }, (_, i) => (i * 37) % 300), [512], 'int32');
      const { value, grads } = st.valueAndGrads(() => st.sum(st.mul(st.gather(table, ids), rnd([512, 24], 10))), [table]);
      return [value, ...grads];
    },
  },
  {
    name: 'an embedding layer\'s gradient (gather forward, segment sum backward) over a 5000 × 32 table',
    body: () => {
      const layer = st.layers.embedding({ inputDim: 5000, outputDim: 32, embeddingsInitializer: 'glorotUniform' });
      layer.build([null, 100]);
      layer.setWeights([st.randomNormal([5000, 32], { seed: 401 })]);
      const ids = st.tensor(indices([32, 100], 5000, 400).values, [32, 100], 'int32');
      const { value, grads } = st.valueAndGrads(() => st.sum(st.square(layer.apply(ids) as st.Tensor)), layer.trainableWeights);
      return [value, ...grads];
    },
  },
  {
    name: 'plain conv2d and max / average pooling outside autograd (inference kernels)',
    body: () => {
      const x = rnd([3, 17, 15, 6], 18), w = rnd([3, 3, 6, 12], 19);
      const y = st.noGrad(() => st.conv2d(x, w, 2, 'same'));
      return [y, st.noGrad(() => st.maxPool(x, 3, 2, 'same')), st.noGrad(() => st.avgPool(y, 2, 1, 'valid'))];
    },
  },
  {
    name: 'LSTM, GRU and SimpleRNN sequences (fused forward and BPTT)',
    body: () => {
      st.setSeed(12);
      const layers = [st.layers.lstm({ units: 20, returnSequences: true }), st.layers.gru({ units: 18, returnSequences: true }),
        st.layers.simpleRNN({ units: 16 })];
      const x = rnd([6, 9, 12], 13);
      const { value, grads } = st.valueAndGrads(() => {
        let h = x;
        for (const l of layers) h = l.apply(h) as st.Tensor;
        return st.sum(st.mul(h, rnd([6, 16], 14)));
      }, [x]);
      return [value, ...grads, ...layers.flatMap((l) => l.trainableWeights.map((w) => w.read()))];
    },
  },
  {
    name: 'LSTM and GRU sequences large enough to split the batch across threads (native/src/rnn.cc tasksFor)',
    body: () => {
      st.setSeed(16);
      // time · batch · gates · units² ≥ 2²²: LSTM 10 · 32 · 4 · 64² = 5.2M, GRU 10 · 32 · 3 · 72² = 5.0M.
      const layers = [st.layers.lstm({ units: 64, returnSequences: true }), st.layers.gru({ units: 72 })];
      const x = rnd([32, 10, 16], 17);
      const { value, grads } = st.valueAndGrads(() => {
        let h = x;
        for (const l of layers) h = l.apply(h) as st.Tensor;
        return st.sum(st.mul(h, rnd([32, 72], 18)));
      }, [x]);
      return [value, ...grads, ...layers.flatMap((l) => l.trainableWeights.map((w) => w.read()))];
    },
  },
  {
    name: 'a training step with Adam (the fused update)',
    body: () => {
      st.setSeed(15);
      const model = st.sequential({ layers: [st.layers.dense({ units: 64, activation: 'tanh', inputShape: [40] }), st.layers.dense({ units: 3 })] });
      model.compile({ optimizer: st.optimizers.adam({ learningRate: 0.01 }), loss: 'meanSquaredError' });
      const x = rnd([32, 40], 16), y = rnd([32, 3], 17);
      model.trainOnBatch(x, y);
      model.trainOnBatch(x, y);
      return [model.predict(x) as st.Tensor, ...model.trainableWeights.map((w) => w.read())];
    },
  },
];


test('ops, layers, autograd and training steps match js on every compiled backend, 1 and 2 threads', (t) => {
  if (compiled(t).length === 0) return;
  const before = st.getBackend();
  try {
    st.setBackend('js');
    const refs = OPS_CASES.map((c) => arrays(c.body()));
    for (const c of compiled(t)) {
      for (const s of settings(t, c)) {
        st.setBackend(c.name);
        OPS_CASES.forEach((cs, i) => compareOutputs(recordCompiled(c, () => arrays(cs.body())), refs[i], `${s.label} ${cs.name}`));
      }
    }
  } finally {
    st.setBackend(before);
  }
});

// Last: the counts of the tests above.
test('every kernel the compiled glue implements ran compiled code on every compiled backend, at each thread count run', (t) => {
  if (compiled(t).length === 0) return;
  const kernels = Object.keys(compiledKernels({} as NativeAddon));
  for (const c of compiled(t)) {
    const missing = missingCompiled(c, kernels);
    assert.deepEqual(missing, [], `[${c.name}] kernels that never ran compiled code in this file: ${missing.join(', ')}`);
  }
});
