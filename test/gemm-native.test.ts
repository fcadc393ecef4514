import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { loadAddon } from '../src/kernels/native/addon.js';

const load = loadAddon();
const addon = load.addon;
const skipReason = addon ? undefined : `native backend not built: ${load.reason}`;

function randomArray(n: number, seed: number): Float32Array {
  return st.randomNormal([n], { seed, dtype: 'float32' }).values as Float32Array;
}

/**
 * One strided product through the addon, C (+)= op(A)·op(B), checked against float64 sums: op(A) is
 * m × k with row stride lda (row-major, the path of the transposing packer) or, transposed, column
 * stride lda; every C element within 1e-5 · Σ|a||b|, and C's padding columns left alone.
 */
function checkGemm(m: number, n: number, k: number, ta: boolean, tb: boolean, accumulate: boolean, seed: number): void {
  const lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 5, ldc = n + 2;
  const aLen = (ta ? k : m) * lda, bLen = (tb ? n : k) * ldb;
  const a = randomArray(aLen, seed), b = randomArray(bLen, seed + 1), c = randomArray(m * ldc, seed + 2);
  const before = c.slice();
  const [aRs, aCs] = ta ? [1, lda] : [lda, 1];
  const [bRs, bCs] = tb ? [1, ldb] : [ldb, 1];
  addon!.gemm(m, n, k, a, 0, aRs, aCs, b, 0, bRs, bCs, c, 0, ldc, accumulate);
  const what = `m=${m} n=${n} k=${k} ta=${ta} tb=${tb} accumulate=${accumulate} isa=${addon!.getIsa()} threads=${addon!.getThreads()}`;
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

/** Micro-kernels this CPU runs: the AVX-512, AVX2 and portable paths. */
function isas(): string[] {
  const order = ['generic', 'avx2', 'avx512'];
  return order.slice(0, order.indexOf(addon!.getBestIsa()) + 1);
}

test('addon gemm with padded leading dimensions: odd sizes, depths around the k blocks, every micro-kernel, 1 and 2 threads', (t) => {
  if (skipReason) return t.skip(skipReason);
  // k 513 and 1025 sit just past one and two AVX-512 k blocks (512), 257 and 769 past the AVX2 and
  // generic ones (256); m 13 and 25 leave partial row panels; k 17 and 33 leave a tail after 16-step
  // transposes.
  const shapes = [[1, 7, 33], [7, 1, 257], [13, 33, 17], [25, 65, 513], [33, 257, 7], [100, 70, 1025], [60, 40, 769], [257, 33, 300]];
  const isaBefore = addon!.getIsa();
  let seed = 1;
  try {
    for (const isa of isas()) {
      assert.ok(addon!.setIsa(isa));
      for (const threads of [1, 2]) {
        addon!.setThreads(threads);
        for (const [m, n, k] of shapes) {
          for (const ta of [false, true]) for (const tb of [false, true]) {
            checkGemm(m, n, k, ta, tb, (m + n + k + (ta ? 1 : 0)) % 2 === 0, seed);
            seed += 3;
          }
        }
      }
    }
  } finally {
    addon!.setIsa(isaBefore);
    addon!.setThreads(0);
  }
});

test('addon gemm: a product large enough to split across threads gives the same C on 1 and 2 threads', (t) => {
  if (skipReason) return t.skip(skipReason);
  const m = 300, n = 260, k = 400;
  const a = randomArray(m * k, 50), b = randomArray(k * n, 51);
  const results: Float32Array[] = [];
  try {
    for (const threads of [1, 2]) {
      addon!.setThreads(threads);
      const c = new Float32Array(m * n);
      addon!.gemm(m, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, n, false);
      results.push(c);
    }
  } finally {
    addon!.setThreads(0);
  }
  // Each C element is summed in the same order whichever thread computes it.
  assert.deepEqual(results[0], results[1]);
});

test('addon gemm: parts sized by learned thread speeds give the same C wherever the cut falls, and the speeds are learned', (t) => {
  if (skipReason) return t.skip(skipReason);
  // Rows split (m ≥ n), columns split (n > m), and sizes that leave a remainder past the last whole panel.
  const shapes = [[300, 260, 400], [150, 700, 300], [301, 97, 260], [61, 1001, 120]];
  try {
    for (const [m, n, k] of shapes) {
      const a = randomArray(m * k, m), b = randomArray(k * n, n);
      const product = (threads: number, speeds: number[]): Float32Array => {
        addon!.setThreads(threads);
        speeds.forEach((s, i) => addon!.setTaskSpeed(i, s));
        const c = new Float32Array(m * n);
        addon!.gemm(m, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, n, false);
        return c;
      };
      const single = product(1, [0, 0, 0]);
      for (const speeds of [[1, 1], [5, 0.2], [0.2, 5], [1, 3, 0.5]]) {
        const c = product(speeds.length, speeds);
        assert.deepEqual(c, single, `m=${m} n=${n} k=${k} speeds ${speeds}: C must not depend on where the parts are cut`);
      }
    }
    // A product long enough to time (well over 100 µs a part) teaches the speeds of both parts.
    addon!.setThreads(2);
    addon!.setTaskSpeed(0, 0);
    addon!.setTaskSpeed(1, 0);
    const n = 512, a = randomArray(n * n, 7), b = randomArray(n * n, 8), c = new Float32Array(n * n);
    for (let i = 0; i < 3; i++) addon!.gemm(n, n, n, a, 0, n, 1, b, 0, n, 1, c, 0, n, false);
    const [s0, s1] = addon!.taskSpeeds();
    assert.ok(s0 > 0 && s1 > 0, `speeds after three 512 × 512 products: ${s0}, ${s1}; both must be learned`);
    assert.ok(s0 >= 0.5 && s0 <= 2 && s1 >= 0.5 && s1 <= 2, `learned speeds ${s0}, ${s1} must stay within 0.5 to 2`);
  } finally {
    addon!.setThreads(0);
    for (let i = 0; i < 3; i++) addon!.setTaskSpeed(i, 0);
  }
});

test('st.matmul on the native backend: large outputs are fully written (its output is not zero-filled first)', (t) => {
  if (skipReason) return t.skip(skipReason);
  // Leave non-zero garbage in freed memory first, so an element the kernel skipped would show.
  for (let i = 0; i < 4; i++) Buffer.allocUnsafe(200 * 200 * 4).fill(0x7f);
  // k = 0 through the addon itself (st.matmul sends empty products to js): C must still be written.
  const empty = Buffer.allocUnsafe(200 * 200 * 4).fill(0x7f);
  const c0 = new Float32Array(empty.buffer, empty.byteOffset, 200 * 200);
  addon!.gemm(200, 200, 0, new Float32Array(0), 0, 0, 1, new Float32Array(0), 0, 200, 1, c0, 0, 200, false);
  assert.ok(c0.every((v) => v === 0), 'k = 0: every element of C must be 0');
  const a = st.randomNormal([150, 70], { seed: 3 }), b = st.randomNormal([70, 130], { seed: 4 });
  const c = st.matmul(a, b).values as Float32Array;
  const av = a.values as Float32Array, bv = b.values as Float32Array;
  for (let i = 0; i < 150; i += 7) {
    for (let j = 0; j < 130; j++) {
      let s = 0;
      for (let p = 0; p < 70; p++) s += av[i * 70 + p] * bv[p * 130 + j];
      assert.ok(Math.abs(c[i * 130 + j] - s) <= 1e-4 * (1 + Math.abs(s)), `C[${i}, ${j}] is ${c[i * 130 + j]}, expected ${s}`);
    }
  }
});
