import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { loadAddon } from '../src/kernels/native/addon.js';
import { createNativeBackend } from '../src/kernels/native/index.js';
import { jsBackend } from '../src/kernels/js/index.js';
import type { Pool3dInfo } from '../src/kernels/pool-kernels.js';
import { planPool, poolShape5d, readPoolArgs } from '../src/ops/pool-util.js';
import { Tensor } from '../src/tensor/tensor.js';
import { expectClose, onNativePath } from './helpers.js';

const load = loadAddon();
const addon = load.addon;
const skipReason = addon ? undefined : `native backend not built: ${load.reason}`;
const native = addon ? createNativeBackend(addon) : undefined;

/** Seeded float32 values; `ties` rounds them to halves so windows often hold equal maxima. */
function input(shape: number[], seed: number, ties = false): Tensor {
  const x = st.randomNormal(shape, { seed, dtype: 'float32' });
  if (ties) for (let i = 0; i < x.size; i++) x.values[i] = Math.round(x.values[i] * 2) / 2;
  return x;
}

/** The kernels' view of a `rank`-D pooling of x, planned as the ops plan it. */
function plan(x: Tensor, rank: number, size: number[], strides: number[], padding: 'valid' | 'same'): Pool3dInfo {
  const { shape5d } = poolShape5d('pool', x, rank);
  return planPool('pool', x, shape5d, rank, readPoolArgs('pool', rank, size, strides, padding));
}

/** Pooling inputs under this many elements run in js (src/kernels/native/pool.ts). */
const POOL_TINY = 256;

interface Case { shape: number[]; rank: number; size: number[]; strides: number[] }

/** Odd shapes of each rank (channels 1, 7, 33; spatial sizes 1 to 13) with windows and strides 1 to 3. */
const CASES: Case[] = [
  { shape: [3, 257, 7], rank: 1, size: [3], strides: [2] },
  { shape: [2, 33, 33], rank: 1, size: [2], strides: [1] },
  { shape: [1, 13, 1], rank: 1, size: [1], strides: [3] },
  { shape: [5, 7, 9, 7], rank: 2, size: [2, 2], strides: [2, 2] },
  { shape: [2, 13, 11, 33], rank: 2, size: [3, 2], strides: [2, 3] },
  { shape: [4, 9, 9, 1], rank: 2, size: [3, 3], strides: [1, 1] },
  { shape: [64, 1, 7, 7], rank: 2, size: [1, 3], strides: [1, 2] },
  { shape: [2, 5, 7, 6, 7], rank: 3, size: [2, 3, 2], strides: [2, 2, 1] },
  { shape: [1, 7, 5, 9, 33], rank: 3, size: [3, 3, 3], strides: [3, 1, 2] },
];

/** Every case with both paddings (windows larger than the input need 'same'). */
function* plans(): Generator<{ x: Tensor; info: Pool3dInfo; what: string; ties: boolean }> {
  let seed = 1;
  for (const c of CASES) {
    for (const padding of ['valid', 'same'] as const) {
      const spatial = c.shape.slice(1, 1 + c.rank);
      if (padding === 'valid' && c.size.some((k, i) => k > spatial[i])) continue;
      for (const ties of [false, true]) {
        const x = input(c.shape, seed++, ties);
        const info = plan(x, c.rank, c.size, c.strides, padding);
        yield { x, info, ties, what: `${c.rank}-D x ${JSON.stringify(c.shape)} size ${c.size} strides ${c.strides} ${padding}${ties ? ' ties' : ''}` };
      }
    }
  }
}

test('native max pooling, argmax and the fused pass match js exactly over odd shapes and options', (t) => {
  if (skipReason) return t.skip(skipReason);
  let ran = 0;
  for (const { x, info, what } of plans()) {
    const want = jsBackend.maxPool3d(x, info);
    // Inputs under 256 elements are the js fallback's (checked); the others the addon's.
    const onNative = x.size >= POOL_TINY;
    const got = onNativePath(onNative, () => native!.maxPool3d(x, info), what);
    assert.deepEqual(got.shape, want.shape, `${what}: shape`);
    assert.deepEqual(Array.from(got.values), Array.from(want.values), `${what}: maxPool3d`);
    const wantArg = jsBackend.maxPool3dArgmax(x, info);
    const gotArg = onNativePath(onNative, () => native!.maxPool3dArgmax(x, info), what);
    assert.equal(gotArg.dtype, 'int32');
    assert.deepEqual(Array.from(gotArg.values), Array.from(wantArg.values), `${what}: argmax`);
    const fused = onNativePath(onNative, () => native!.maxPool3dWithArgmax(x, info), what);
    assert.deepEqual(Array.from(fused.argmax.values), Array.from(wantArg.values), `${what}: fused argmax`);
    assert.deepEqual(Array.from(fused.values.values), Array.from(want.values), `${what}: fused values`);
    if (onNative) ran++;
  }
  assert.ok(ran >= 30, `only ${ran} cases ran native code`);
});

test('native average pooling and its gradient match js over odd shapes and options', (t) => {
  if (skipReason) return t.skip(skipReason);
  let seed = 500;
  for (const { x, info, what } of plans()) {
    expectClose(onNativePath(x.size >= POOL_TINY, () => native!.avgPool3d(x, info), what), jsBackend.avgPool3d(x, info), 1e-6, 1e-5, `${what}: avgPool3d`);
    const dy = input([info.batch, info.outD, info.outH, info.outW, info.channels], seed++);
    const got = onNativePath(x.size >= POOL_TINY, () => native!.avgPool3dBackward(dy, info), what), want = jsBackend.avgPool3dBackward(dy, info);
    assert.deepEqual(got.shape, want.shape, `${what}: dx shape`);
    expectClose(got, want, 1e-6, 1e-5, `${what}: avgPool3dBackward`);
  }
});

test('native gatherFlat and scatterAddFlat match js, out-of-range indices included', (t) => {
  if (skipReason) return t.skip(skipReason);
  const x = input([7, 33, 5], 900);
  const n = 1000;
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = (i * 7919) % x.size;
  idx[3] = -1;
  idx[10] = x.size;
  const indices = new Tensor(idx, [10, 100]);
  const got = native!.gatherFlat(x, indices), want = jsBackend.gatherFlat(x, indices);
  assert.deepEqual(got.shape, [10, 100]);
  assert.ok(Number.isNaN(got.values[3]) && Number.isNaN(got.values[10]), 'out-of-range reads give NaN, as in js');
  assert.deepEqual(Array.from(got.values), Array.from(want.values));
  const dy = input([10, 100], 901);
  const dx = native!.scatterAddFlat(dy, indices, x.shape);
  assert.deepEqual(dx.shape, x.shape);
  expectClose(dx, jsBackend.scatterAddFlat(dy, indices, x.shape), 1e-6, 1e-6, 'scatterAddFlat (repeats accumulate, out-of-range skipped)');
});

test('native max pooling propagates NaN as js does; the argmax skips it', (t) => {
  if (skipReason) return t.skip(skipReason);
  const x = input([2, 9, 9, 7], 950);
  x.values[0] = NaN;
  x.values[7 * 9 * 2 + 3] = NaN;
  const info = plan(x, 2, [2, 2], [2, 2], 'same');
  assert.deepEqual(Array.from(native!.maxPool3d(x, info).values), Array.from(jsBackend.maxPool3d(x, info).values));
  assert.deepEqual(Array.from(native!.maxPool3dArgmax(x, info).values), Array.from(jsBackend.maxPool3dArgmax(x, info).values));
});

test('native pooling: one and all threads agree on a large input', (t) => {
  if (skipReason) return t.skip(skipReason);
  const x = input([8, 66, 66, 64], 960);  // 2.2M elements: above the threading threshold
  const info = plan(x, 2, [3, 3], [2, 2], 'same');
  const want = jsBackend.maxPool3dArgmax(x, info);
  const dy = input([info.batch, info.outD, info.outH, info.outW, info.channels], 961);
  const wantDx = jsBackend.avgPool3dBackward(dy, info);
  try {
    for (const threads of [1, 0]) {
      addon!.setThreads(threads);
      const fused = onNativePath(true, () => native!.maxPool3dWithArgmax(x, info), 'large fused max pooling');
      assert.deepEqual(fused.argmax.values, want.values, `threads=${addon!.getThreads()}: argmax`);
      expectClose(native!.avgPool3dBackward(dy, info), wantDx, 1e-6, 1e-5, `threads=${addon!.getThreads()}: avgPool3dBackward`);
    }
  } finally {
    addon!.setThreads(0);
  }
});

test('native pooling hands float64, int32 and tiny inputs to the js kernels', (t) => {
  if (skipReason) return t.skip(skipReason);
  const x64 = st.randomNormal([2, 9, 9, 3], { seed: 970, dtype: 'float64' });
  const info = plan(x64, 2, [2, 2], [2, 2], 'valid');
  const y64 = native!.maxPool3d(x64, info);
  assert.equal(y64.dtype, 'float64');
  assert.deepEqual(Array.from(y64.values), Array.from(jsBackend.maxPool3d(x64, info).values));
  assert.equal(native!.avgPool3dBackward(st.randomNormal([2, 4, 4, 3], { seed: 971, dtype: 'float64' }), info).dtype, 'float64');
  const xi = new Tensor(Int32Array.from({ length: 2 * 9 * 9 * 3 }, (_, i) => (i * 37) % 101), [2, 9, 9, 3]);
  const yi = native!.avgPool3d(xi, info);
  assert.equal(yi.dtype, 'float32', 'int32 average pooling gives float32, as in js');
  assert.deepEqual(Array.from(yi.values), Array.from(jsBackend.avgPool3d(xi, info).values));
  const tiny = input([1, 3, 3, 1], 972);
  const tinyInfo = plan(tiny, 2, [2, 2], [1, 1], 'same');
  assert.deepEqual(Array.from(native!.maxPool3d(tiny, tinyInfo).values), Array.from(jsBackend.maxPool3d(tiny, tinyInfo).values));
});

test('addon pooling bindings refuse a geometry or arrays that do not fit', (t) => {
  if (skipReason) return t.skip(skipReason);
  const raw = addon as unknown as {
    maxPool3d(x: Float32Array, g: Int32Array, y: Float32Array): void;
    avgPool3dBackward(dy: Float32Array, g: Int32Array, dx: Float32Array): void;
  };
  // batch 1, 1×4×4 input, 1 channel, 2×2 windows, stride 2, no padding → 1×2×2 output.
  const g = Int32Array.from([1, 1, 4, 4, 1, 1, 2, 2, 1, 2, 2, 0, 0, 0, 1, 2, 2]);
  const x = new Float32Array(16).map((_, i) => i);
  const y = new Float32Array(4);
  raw.maxPool3d(x, g, y);
  assert.deepEqual(Array.from(y), [5, 7, 13, 15]);
  assert.throws(() => raw.maxPool3d(x, g, new Float32Array(5)), /does not match the geometry/);
  assert.throws(() => raw.maxPool3d(new Float32Array(15), g, y), /does not match the geometry/);
  const tooFar = g.slice();
  tooFar[15] = 3;  // a third output row would start past the input
  assert.throws(() => raw.maxPool3d(x, tooFar, new Float32Array(6)), /invalid geometry/);
  const badPad = g.slice();
  badPad[12] = 2;  // padding as large as the window: the first window lies wholly in the padding
  assert.throws(() => raw.maxPool3d(x, badPad, y), /invalid geometry/);
  assert.throws(() => raw.avgPool3dBackward(y, g, new Float32Array(4)), /does not match the geometry/);
});

test('max pooling gradients agree between the native and js backends', (t) => {
  if (skipReason) return t.skip(skipReason);
  const before = st.getBackend();
  const x = input([4, 11, 11, 7], 990, true);
  const results: number[][] = [];
  try {
    for (const backend of ['native', 'js']) {
      st.setBackend(backend);
      const f = (): Tensor => st.add(st.sum(st.mul(st.maxPool(x, 3, 2, 'same'), st.avgPool(x, 2, 2, 'same'))),
        st.sum(st.square(st.maxPool(x, 2, 1, 'valid'))));
      const { value, grads } = st.valueAndGrads(f, [x]);
      results.push([...value.values, ...grads[0].values]);
    }
  } finally {
    st.setBackend(before);
  }
  expectClose(results[0], results[1], 1e-5, 1e-5, 'value and gradient');
});
