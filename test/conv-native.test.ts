import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { loadAddon, type NativeAddon } from '../src/kernels/native/addon.js';
import { nativeConvKernels } from '../src/kernels/native/conv.js';
import { jsBackend } from '../src/kernels/js/index.js';
import type { ConvInfo, ConvKernels, Triple } from '../src/kernels/conv-kernels.js';
import { Tensor } from '../src/tensor/tensor.js';
import type { FusedActivation } from '../src/kernels/elementwise-kernels.js';

// The native conv kernels against the js reference (in float64) on odd shapes and every option of
// ConvInfo, on one and two threads and on every tile the CPU runs (AVX-512 and portable).

const load = loadAddon();
const addon: NativeAddon | null = load.addon;
const skipReason = load.addon ? undefined : `native backend not built: ${load.reason}`;

type Name = Exclude<keyof ConvKernels, 'conv3dBiasActivation'>;
const NAMES: Name[] = ['conv3d', 'conv3dBackpropInput', 'conv3dBackpropFilter',
  'depthwiseConv3d', 'depthwiseConv3dBackpropInput', 'depthwiseConv3dBackpropFilter'];

/** The addon with its conv calls counted, so a test can tell that the native path ran. */
function countingKernels(): { kernels: ConvKernels; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const a = addon as unknown as Record<string, unknown>;
  const spy: Record<string, unknown> = { ...a };
  for (const n of NAMES) {
    const fn = a[n] as (...args: unknown[]) => void;
    spy[n] = (...args: unknown[]) => {
      calls.set(n, (calls.get(n) ?? 0) + 1);
      // conv3d's output array is not zero-filled (writeOnlyFloat32): poisoned, any element the engine
      // left unwritten shows as NaN against js.
      if (n === 'conv3d') (args[3] as Float32Array).fill(NaN);
      fn(...args);
    };
  }
  return { kernels: nativeConvKernels(spy as unknown as NativeAddon), calls };
}

interface Case {
  batch: number; in: Triple; c: number; f: number; k: Triple;
  s?: Triple; d?: Triple; pad?: 'valid' | 'same' | Triple; m?: number;
}

/** ConvInfo of a case ('same': TF's split; an explicit Triple: that many zeros on both sides). */
function infoOf(cs: Case, depthwise: boolean): ConvInfo {
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

const CASES: Case[] = [
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
];

function toF64(t: Tensor): Tensor {
  return new Tensor(Float64Array.from(t.values), t.shape);
}

function absF64(t: Tensor): Tensor {
  return new Tensor(Float64Array.from(t.values, Math.abs), t.shape);
}

/** The two inputs of a kernel for info, seeded. */
function inputsOf(name: Name, info: ConvInfo, seed: number): [Tensor, Tensor] {
  const x = [info.batch, ...info.inSize, info.inChannels];
  const y = [info.batch, ...info.outSize, info.outChannels];
  const depthwise = name.startsWith('depthwise');
  const w = [...info.kernel, info.inChannels, depthwise ? info.multiplier : info.outChannels];
  const shapes = name.endsWith('BackpropInput') ? [y, w] : name.endsWith('BackpropFilter') ? [x, y] : [x, w];
  return [st.randomNormal(shapes[0], { seed, dtype: 'float32' }), st.randomNormal(shapes[1], { seed: seed + 1, dtype: 'float32' })];
}

/** Native float32 against js float64 within float32 rounding: |Δ| ≤ 3e-5 · Σ|a||b| + 1e-6 per element. */
function expectKernelMatches(kernels: ConvKernels, name: Name, info: ConvInfo, seed: number, what: string): void {
  const [a, b] = inputsOf(name, info, seed);
  const got = kernels[name](a, b, info);
  const want = jsBackend[name](toF64(a), toF64(b), info);
  const scale = jsBackend[name](absF64(a), absF64(b), info);
  assert.equal(got.dtype, 'float32', `${what}: dtype`);
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  for (let i = 0; i < want.size; i++) {
    const tol = 3e-5 * scale.values[i] + 1e-6;
    if (!(Math.abs(got.values[i] - want.values[i]) <= tol)) {
      assert.fail(`${what}: element ${i} of ${want.size} is ${got.values[i]}, expected ${want.values[i]} (tolerance ${tol})`);
    }
  }
}

function isas(): string[] {
  const order = ['generic', 'avx2', 'avx512'];
  return order.slice(0, order.indexOf(addon!.getBestIsa()) + 1);
}

test('native conv kernels match js on odd shapes, strides, dilations, padding, 1-D/3-D, multipliers, 1 and 2 threads', (t) => {
  if (skipReason) return t.skip(skipReason);
  const { kernels, calls } = countingKernels();
  const isa0 = addon!.getIsa();
  let seed = 1;
  try {
    for (const isa of isas()) {
      assert.ok(addon!.setIsa(isa), `setIsa(${isa})`);
      for (const threads of [1, 2]) {
        addon!.setThreads(threads);
        for (const cs of CASES) {
          for (const name of NAMES) {
            const depthwise = name.startsWith('depthwise');
            if (depthwise !== (cs.m !== undefined) && !(depthwise && cs.f === cs.c)) continue;
            const info = infoOf(cs, depthwise);
            expectKernelMatches(kernels, name, info, seed += 2, `${name} ${isa} threads=${threads} ${JSON.stringify(cs)}`);
          }
        }
      }
    }
  } finally {
    addon!.setIsa(isa0);
    addon!.setThreads(0);
  }
  // Every kernel ran natively (none of these cases is small enough for the js fallback).
  for (const name of NAMES) assert.ok((calls.get(name) ?? 0) > 0, `${name} never reached the addon`);
});

test('native conv kernels hand float64, tiny problems and mismatched sizes to js', (t) => {
  if (skipReason) return t.skip(skipReason);
  const { kernels, calls } = countingKernels();
  const info = infoOf({ batch: 1, in: [1, 5, 5], c: 2, f: 3, k: [1, 3, 3] }, false);
  const x = st.randomNormal([1, 1, 5, 5, 2], { seed: 1, dtype: 'float64' }), w = st.randomNormal([1, 3, 3, 2, 3], { seed: 2, dtype: 'float64' });
  const y = kernels.conv3d(x, w, info);
  assert.equal(y.dtype, 'float64');
  assert.deepEqual(Array.from(y.values), Array.from(jsBackend.conv3d(x, w, info).values));
  const small = kernels.conv3d(st.cast(x, 'float32'), st.cast(w, 'float32'), info); // 9·18·3 = 486 multiply-adds
  assert.deepEqual(small.shape, [1, 1, 3, 3, 3]);
  assert.equal(calls.size, 0, 'no addon call for float64 or tiny convolutions');
});

test('addon conv refuses a geometry or arrays that do not fit', (t) => {
  if (skipReason) return t.skip(skipReason);
  const a = addon as unknown as Record<string, (...args: unknown[]) => void>;
  const geom = Int32Array.from([1, 1, 5, 5, 1, 3, 3, 2, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1]);
  const x = new Float32Array(50), w = new Float32Array(54), y = new Float32Array(27);
  a.conv3d(geom, x, w, y);
  assert.throws(() => a.conv3d(geom, x, w, new Float32Array(26)), RangeError);
  assert.throws(() => a.conv3d(geom, new Float32Array(49), w, y), RangeError);
  assert.throws(() => a.conv3dBackpropFilter(geom, x, y, new Float32Array(53)), RangeError);
  const bad = geom.slice();
  bad[12] = 0; // stride 0
  assert.throws(() => a.conv3d(bad, x, w, y), RangeError);
  assert.throws(() => a.conv3d(geom.subarray(1), x, w, y), RangeError);
  assert.throws(() => a.depthwiseConv3d(geom, x, w, y), RangeError); // outC ≠ inC · multiplier
});

test('native conv + bias + activation matches the js conv then biasActivation (every activation, with and without bias)', (t) => {
  if (skipReason) return t.skip(skipReason);
  const kernels = nativeConvKernels(addon!);
  const acts: FusedActivation[] = ['linear', 'relu', 'sigmoid', 'tanh', 'elu', 'selu'];
  let seed = 500, calls = 0;
  const a = addon as unknown as Record<string, (...args: unknown[]) => void>;
  const spy = { ...(addon as unknown as Record<string, unknown>) };
  spy.conv3dBiasActivation = (...args: unknown[]) => { calls++; a.conv3dBiasActivation(...args); };
  const counted = nativeConvKernels(spy as unknown as NativeAddon);
  try {
    for (const threads of [1, 2]) {
      addon!.setThreads(threads);
      for (const cs of CASES.filter((c) => c.m === undefined)) {
        const info = infoOf(cs, false);
        const act = acts[seed % acts.length];
        const [x, w] = inputsOf('conv3d', info, seed += 2);
        const bias = seed % 4 === 0 ? null : st.randomNormal([info.outChannels], { seed: seed + 1, dtype: 'float32' });
        const got = counted.conv3dBiasActivation(x, w, bias, act, 0.7, info);
        // The reference: the native conv (checked against js above), then the js biasActivation.
        const want = jsBackend.biasActivation(kernels.conv3d(x, w, info), bias, act, 0.7);
        const what = `${act} bias=${bias !== null} threads=${threads} ${JSON.stringify(cs)}`;
        assert.deepEqual(got.shape, want.shape, `${what}: shape`);
        for (let i = 0; i < want.size; i++) {
          const tol = 1e-6 * (1 + Math.abs(want.values[i]));
          if (!(Math.abs(got.values[i] - want.values[i]) <= tol)) {
            assert.fail(`${what}: element ${i} is ${got.values[i]}, expected ${want.values[i]}`);
          }
        }
      }
    }
  } finally {
    addon!.setThreads(0);
  }
  assert.ok(calls > 0, 'the fused kernel never reached the addon');
  const geom = Int32Array.from([1, 1, 5, 5, 1, 3, 3, 2, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1]);
  const x = new Float32Array(50), w = new Float32Array(54), y = new Float32Array(27);
  a.conv3dBiasActivation(geom, x, w, null, 1, 0, y);
  assert.throws(() => a.conv3dBiasActivation(geom, x, w, new Float32Array(2), 1, 0, y), RangeError); // bias ≠ outC
  assert.throws(() => a.conv3dBiasActivation(geom, x, w, null, 99, 0, y), RangeError);                // unknown activation
});
