// The compiled functions themselves (the NativeAddon interface), on every transport: the Node addon
// working on typed arrays in place and the wasm module behind its copying transport run the same
// binding code (native/src/bind-*.cc, addon.cc), so the same strided GEMM, thread splits and argument
// checks hold on both. The kernels through the Backend interface are in test/backend-parity.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NativeAddon } from '../src/kernels/native/addon.js';
import type { ElementwiseAddon } from '../src/kernels/native/elementwise.js';
import { compiled, randF32, settings } from './parity-harness.js';

function randomArray(n: number, seed: number): Float32Array {
  return randF32([n], seed).values as Float32Array;
}

/**
 * One strided product through the addon, C (+)= op(A)·op(B), checked against float64 sums: op(A) is
 * m × k with row stride lda (row-major, the path of the transposing packer) or, transposed, column
 * stride lda; every C element within 1e-5 · Σ|a||b|, and C's padding columns left alone.
 */
function checkGemm(addon: NativeAddon, m: number, n: number, k: number, ta: boolean, tb: boolean, accumulate: boolean, seed: number, label: string): void {
  const lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 5, ldc = n + 2;
  const aLen = (ta ? k : m) * lda, bLen = (tb ? n : k) * ldb;
  const a = randomArray(aLen, seed), b = randomArray(bLen, seed + 1), c = randomArray(m * ldc, seed + 2);
  const before = c.slice();
  const [aRs, aCs] = ta ? [1, lda] : [lda, 1];
  const [bRs, bCs] = tb ? [1, ldb] : [ldb, 1];
  addon.gemm(m, n, k, a, 0, aRs, aCs, b, 0, bRs, bCs, c, 0, ldc, accumulate);
  const what = `${label} m=${m} n=${n} k=${k} ta=${ta} tb=${tb} accumulate=${accumulate}`;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < ldc; j++) {
      const at = i * ldc + j;
      if (j >= n) {
        assert.equal(c[at], before[at], `${what}: C[${i}, ${j}] lies beyond n and must be left alone`);
        continue;
      }
      let s = accumulate ? before[at] : 0, scale = accumulate ? Math.abs(before[at]) : 0;
      for (let p = 0; p < k; p++) {
        const x = a[i * aRs + p * aCs] * b[p * bRs + j * bCs];
        s += x;
        scale += Math.abs(x);
      }
      const tol = 1e-5 * scale + 1e-6;
      if (!(Math.abs(c[at] - s) <= tol)) assert.fail(`${what}: C[${i}, ${j}] is ${c[at]}, expected ${s} (tolerance ${tol})`);
    }
  }
}

test('gemm with padded leading dimensions: odd sizes, depths around the k blocks, every micro-kernel, 1 and 2 threads', (t) => {
  if (compiled(t).length === 0) return;
  // k 513 and 1025 sit just past one and two AVX-512 k blocks (512), 257 and 769 past the AVX2 and
  // generic ones (256); m 13 and 25 leave partial row panels; k 17 and 33 leave a tail after 16-step
  // transposes.
  const shapes = [[1, 7, 33], [7, 1, 257], [13, 33, 17], [25, 65, 513], [33, 257, 7], [100, 70, 1025], [60, 40, 769], [257, 33, 300]];
  for (const c of compiled(t)) {
    for (const s of settings(t, c, { isas: true })) {
      let seed = 1;
      for (const [m, n, k] of shapes) {
        for (const ta of [false, true]) for (const tb of [false, true]) {
          checkGemm(c.addon, m, n, k, ta, tb, (m + n + k + (ta ? 1 : 0)) % 2 === 0, seed += 3, s.label);
        }
      }
    }
  }
});

test('gemm: strided views, offsets, accumulate, and bounds checks', (t) => {
  if (compiled(t).length === 0) return;
  for (const c of compiled(t)) {
    const m = 5, n = 37, k = 19, lda = 23, ldb = 41, ldc = 40;
    // Arrays exactly as long as the views need, so one element more is out of bounds.
    const a = randomArray(4 + (m - 1) * lda + k, 1), b = randomArray(3 + (k - 1) * ldb + n, 2), cArr = randomArray(2 + (m - 1) * ldc + n, 3);
    const before = cArr.slice();
    c.addon.gemm(m, n, k, a, 4, lda, 1, b, 3, ldb, 1, cArr, 2, ldc, true);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < ldc; j++) {
        const idx = 2 + i * ldc + j;
        if (idx >= cArr.length) break;
        if (j >= n) {
          assert.equal(cArr[idx], before[idx], `[${c.name}] column ${j} beyond n must be left alone`);
          continue;
        }
        let s = before[idx];
        for (let p = 0; p < k; p++) s += a[4 + i * lda + p] * b[3 + p * ldb + j];
        assert.ok(Math.abs(cArr[idx] - s) < 1e-4, `[${c.name}] C[${i}, ${j}] = ${cArr[idx]}, expected ${s}`);
      }
    }
    assert.equal(cArr[0], before[0]);
    assert.throws(() => c.addon.gemm(m, n, k, a, 5, lda, 1, b, 3, ldb, 1, cArr, 2, ldc, false), RangeError);
    assert.throws(() => c.addon.gemm(m, n, k, a, 4, lda, 1, b, 3, ldb, 1, cArr, 2, ldc + 1, false), RangeError);
    assert.throws(() => c.addon.gemm(1, 1, 1, new Float64Array(1) as unknown as Float32Array, 0, 1, 1, b, 0, 1, 1, cArr, 0, 1, false), RangeError);
    // k = 0 (st.matmul sends empty products to js, the GEMM must still write C): every element 0.
    const c0 = new Float32Array(200 * 200).fill(Number.NaN);
    c.addon.gemm(200, 200, 0, new Float32Array(0), 0, 0, 1, new Float32Array(0), 0, 200, 1, c0, 0, 200, false);
    assert.ok(c0.every((v) => v === 0), `[${c.name}] k = 0: every element of C must be 0`);
  }
});

test('gemm: a product split across threads gives the same C on 1 and 2 threads, wherever the learned speeds cut it; the speeds are learned', (t) => {
  if (compiled(t).length === 0) return;
  // Rows split (m ≥ n), columns split (n > m), and sizes that leave a remainder past the last whole panel.
  const shapes = [[300, 260, 400], [150, 700, 300], [301, 97, 260], [61, 1001, 120]];
  for (const c of compiled(t)) {
    const addon = c.addon;
    addon.setThreads(2);
    if (addon.getThreads() !== 2) {
      addon.setThreads(0);
      t.diagnostic(`${c.name}: single-threaded (getThreads() = ${addon.getThreads()} when asked for 2); no thread split to check`);
      continue;
    }
    try {
      for (const [m, n, k] of shapes) {
        const a = randomArray(m * k, m), b = randomArray(k * n, n);
        const product = (threads: number, speeds: number[]): Float32Array => {
          addon.setThreads(threads);
          speeds.forEach((s, i) => addon.setTaskSpeed(i, s));
          const out = new Float32Array(m * n);
          addon.gemm(m, n, k, a, 0, k, 1, b, 0, n, 1, out, 0, n, false);
          return out;
        };
        const single = product(1, [0, 0, 0]);
        // Each C element is summed in the same order whichever thread computes it.
        for (const speeds of [[0, 0], [1, 1], [5, 0.2], [0.2, 5], [1, 3, 0.5]]) {
          assert.deepEqual(product(speeds.length, speeds), single, `[${c.name}] m=${m} n=${n} k=${k} speeds ${speeds}: C must not depend on where the parts are cut`);
        }
      }
      // A product long enough to time (well over 100 µs a part) teaches the speeds of both parts.
      addon.setThreads(2);
      addon.setTaskSpeed(0, 0);
      addon.setTaskSpeed(1, 0);
      const n = 512, a = randomArray(n * n, 7), b = randomArray(n * n, 8), out = new Float32Array(n * n);
      for (let i = 0; i < 3; i++) addon.gemm(n, n, n, a, 0, n, 1, b, 0, n, 1, out, 0, n, false);
      const [s0, s1] = addon.taskSpeeds();
      assert.ok(s0 > 0 && s1 > 0, `[${c.name}] speeds after three 512 × 512 products: ${s0}, ${s1}; both must be learned`);
      assert.ok(s0 >= 0.5 && s0 <= 2 && s1 >= 0.5 && s1 <= 2, `[${c.name}] learned speeds ${s0}, ${s1} must stay within 0.5 to 2`);
    } finally {
      addon.setThreads(0);
      for (let i = 0; i < 3; i++) addon.setTaskSpeed(i, 0);
    }
  }
});

test('conv bindings refuse a geometry or arrays that do not fit', (t) => {
  if (compiled(t).length === 0) return;
  for (const c of compiled(t)) {
    const a = c.addon as unknown as Record<string, (...args: unknown[]) => void>;
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
    a.conv3dBiasActivation(geom, x, w, null, 1, 0, y);
    assert.throws(() => a.conv3dBiasActivation(geom, x, w, new Float32Array(2), 1, 0, y), RangeError); // bias ≠ outC
    assert.throws(() => a.conv3dBiasActivation(geom, x, w, null, 99, 0, y), RangeError);                // unknown activation
    // conv3dBiasActivationMaxPool: a 2 × 2 pool over the 3 × 3 × 3 output.
    const pool = Int32Array.from([1, 1, 3, 3, 3, 1, 2, 2, 1, 2, 2, 0, 0, 0, 1, 1, 1]);
    a.conv3dBiasActivationMaxPool(geom, x, w, null, 1, 0, pool, new Float32Array(3));
    assert.throws(() => a.conv3dBiasActivationMaxPool(geom, x, w, null, 1, 0, pool, new Float32Array(4)), RangeError); // y ≠ pool output
    const other = pool.slice();
    other[4] = 2; // channels ≠ the conv's outC
    assert.throws(() => a.conv3dBiasActivationMaxPool(geom, x, w, null, 1, 0, other, new Float32Array(2)), RangeError);
    assert.throws(() => a.conv3dBiasActivationMaxPool(geom, x, w, null, 1, 0, pool.subarray(1), new Float32Array(3)), RangeError);
    assert.throws(() => a.conv3dBiasActivationMaxPool(geom, x, w, null, 99, 0, pool, new Float32Array(3)), RangeError);
  }
});

test('pooling bindings refuse a geometry or arrays that do not fit', (t) => {
  if (compiled(t).length === 0) return;
  for (const c of compiled(t)) {
    const raw = c.addon as unknown as {
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
    tooFar[15] = 3; // a third output row would start past the input
    assert.throws(() => raw.maxPool3d(x, tooFar, new Float32Array(6)), /invalid geometry/);
    const badPad = g.slice();
    badPad[12] = 2; // padding as large as the window: the first window lies wholly in the padding
    assert.throws(() => raw.maxPool3d(x, badPad, y), /invalid geometry/);
    assert.throws(() => raw.avgPool3dBackward(y, g, new Float32Array(4)), /does not match the geometry/);
  }
});

test('elementwise and optimizer bindings refuse shapes that disagree with the arrays instead of reading past them', (t) => {
  if (compiled(t).length === 0) return;
  for (const c of compiled(t)) {
    const ew = c.addon as NativeAddon & ElementwiseAddon;
    assert.throws(() => ew.binary(0, new Float32Array(4), new Float32Array(4), new Float32Array(8), Int32Array.from([1, 8, 4, 4])), RangeError);
    assert.throws(() => ew.binary(0, new Float32Array(4), new Float32Array(3), new Float32Array(4), Int32Array.from([1, 4, 4, 3])), RangeError);
    assert.throws(() => ew.unary(99, new Float32Array(4), new Float32Array(4), 0, 0), RangeError);
    const n = 1000, f = () => new Float32Array(n);
    const raw = c.addon as unknown as { adamUpdate: (...args: unknown[]) => void };
    assert.throws(() => raw.adamUpdate(f(), f(), f(), new Float32Array(n - 1), null, 1, 0.9, 0.999, 1e-7, 0, f(), f(), f(), null), /parameter's length/);
    assert.throws(() => raw.adamUpdate(f(), f(), f(), f(), null, 1, 0.9, 0.999, 1e-7, 0, f(), f(), f(), f()), /go together/);
  }
});
