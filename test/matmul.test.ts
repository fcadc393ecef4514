import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { gemm } from '../src/kernels/js/gemm.js';
import { expectClose, expectError, expectGradientsClose, expectShape, forEachBackend, rand } from './helpers.js';

type DT = 'float32' | 'float64' | 'int32';

/** Seeded values of a dtype: small integers for int32 so products are exact. */
function make(shape: number[], seed: number, dtype: DT): st.Tensor {
  if (dtype === 'int32') return st.randomUniform(shape, { minval: -9, maxval: 10, seed, dtype: 'int32' });
  return rand(shape, seed, dtype);
}

/** Stored shape of an operand that is used as [r, c] after an optional transpose. */
function stored(batch: number[], r: number, c: number, t: boolean): number[] {
  return t ? [...batch, c, r] : [...batch, r, c];
}

/** Naive triple loop with NumPy batch broadcasting, in float64. */
function naive(a: st.Tensor, b: st.Tensor, ta: boolean, tb: boolean): { values: Float64Array; shape: number[] } {
  const ra = a.rank, rb = b.rank;
  const m = ta ? a.shape[ra - 1] : a.shape[ra - 2], k = ta ? a.shape[ra - 2] : a.shape[ra - 1];
  const n = tb ? b.shape[rb - 2] : b.shape[rb - 1];
  const ba = a.shape.slice(0, -2), bb = b.shape.slice(0, -2);
  const rank = Math.max(ba.length, bb.length);
  const pa = [...Array(rank - ba.length).fill(1), ...ba], pb = [...Array(rank - bb.length).fill(1), ...bb];
  const batch = pa.map((d, i) => Math.max(d, pb[i]));
  const nb = batch.reduce((x, y) => x * y, 1);
  const out = new Float64Array(nb * m * n);
  for (let q = 0; q < nb; q++) {
    let rem = q, ia = 0, ib = 0, sa = 1, sb = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const idx = rem % batch[d];
      rem = Math.floor(rem / batch[d]);
      ia += (pa[d] === 1 ? 0 : idx) * sa;
      ib += (pb[d] === 1 ? 0 : idx) * sb;
      sa *= pa[d];
      sb *= pb[d];
    }
    const A = (i: number, p: number) => a.values[ia * m * k + (ta ? p * m + i : i * k + p)];
    const B = (p: number, j: number) => b.values[ib * k * n + (tb ? j * k + p : p * n + j)];
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += A(i, p) * B(p, j);
        out[q * m * n + i * n + j] = s;
      }
    }
  }
  return { values: out, shape: [...batch, m, n] };
}

function expectMatches(a: st.Tensor, b: st.Tensor, ta: boolean, tb: boolean, what: string): void {
  const y = st.matmul(a, b, ta, tb);
  const ref = naive(a, b, ta, tb);
  expectShape(y, ref.shape);
  assert.equal(y.dtype, a.dtype, `${what}: dtype`);
  if (a.dtype === 'int32') expectClose(y, ref.values, 0, 0, what);
  else if (a.dtype === 'float32') expectClose(y, ref.values, 1e-4, 1e-4, what);
  else expectClose(y, ref.values, 1e-10, 1e-10, what);
}

const TRANSPOSES: [boolean, boolean][] = [[false, false], [false, true], [true, false], [true, true]];

test('matmul of 2×2 matrices, hand-computed', () => {
  forEachBackend(() => {
    const y = st.matmul([[1, 2], [3, 4]], [[5, 6], [7, 8]]);
    expectShape(y, [2, 2]);
    expectClose(y, [19, 22, 43, 50]);
    expectClose(st.matmul([[1, 2], [3, 4]], [[5, 6], [7, 8]], true, false), [26, 30, 38, 44]);
    expectClose(st.matmul([[1, 2], [3, 4]], [[5, 6], [7, 8]], false, true), [17, 23, 39, 53]);
    expectClose(st.matmul([[1, 2], [3, 4]], [[5, 6], [7, 8]], true, true), [23, 31, 34, 46]);
  }, 'fallback');
});

test('matmul matches a naive triple loop on odd shapes, every transpose, every dtype', () => {
  // Sizes that are not multiples of the 4×3 tile and cross the KC (256), MC (96) and NC (768) blocks.
  const shapes: [number, number, number][] = [
    [1, 1, 1], [1, 7, 1], [7, 1, 33], [7, 33, 65], [65, 7, 33], [33, 65, 1], [1, 257, 7],
    [257, 65, 33], [65, 257, 257], [5, 3, 800], [33, 300, 777],
  ];
  forEachBackend(() => {
    let seed = 1;
    for (const dtype of ['float64', 'float32', 'int32'] as DT[]) {
      for (const [m, k, n] of shapes) {
        if (dtype !== 'float64' && m * k * n > 1e6) continue;
        for (const [ta, tb] of TRANSPOSES) {
          const a = make(stored([], m, k, ta), seed++, dtype), b = make(stored([], k, n, tb), seed++, dtype);
          expectMatches(a, b, ta, tb, `${dtype} m=${m} k=${k} n=${n} ta=${ta} tb=${tb}`);
        }
      }
    }
  });
});

test('matmul by the same right-hand side again and again (packed once on the compiled backends) gives the values of its first product, also when its storage is read under another shape', () => {
  forEachBackend(() => {
    const a = rand([70, 300], 1, 'float32'), b = rand([300, 256], 2, 'float32');
    const first = st.matmul(a, b).dataSync();
    expectMatches(a, b, false, false, 'first product');
    for (let i = 0; i < 5; i++) assert.deepEqual(st.matmul(a, b).dataSync(), first, `product ${i + 2}`);
    // Other left-hand sides, a batch of them, and the same storage as a 600 × 128 matrix.
    const a2 = rand([2, 33, 300], 3, 'float32');
    for (let i = 0; i < 3; i++) expectMatches(a2, b, false, false, `batched left-hand side, product ${i + 1}`);
    const b2 = st.reshape(b, [600, 128]), a3 = rand([40, 600], 4, 'float32');
    for (let i = 0; i < 4; i++) expectMatches(a3, b2, false, false, `b as 600 × 128, product ${i + 1}`);
    for (let i = 0; i < 2; i++) assert.deepEqual(st.matmul(a, b).dataSync(), first, 'b as 300 × 256 again');
  });
});

test('matmul broadcasts batch dimensions', () => {
  const cases: [number[], number[]][] = [
    [[2, 3], [3]], [[], [4]], [[2, 1], [1, 3]], [[3], []], [[2, 3], [1]], [[4], [1, 1]], [[1], [5]], [[2], [2]],
  ];
  forEachBackend(() => {
    let seed = 100;
    for (const dtype of ['float64', 'float32', 'int32'] as DT[]) {
      for (const [batchA, batchB] of cases) {
        for (const [ta, tb] of TRANSPOSES) {
          const [m, k, n] = [5, 7, 6];
          const a = make(stored(batchA, m, k, ta), seed++, dtype), b = make(stored(batchB, k, n, tb), seed++, dtype);
          expectMatches(a, b, ta, tb, `${dtype} batch ${JSON.stringify(batchA)}×${JSON.stringify(batchB)} ta=${ta} tb=${tb}`);
        }
      }
      // Batches of blocked (not small) products, with a shared b folded into one tall product.
      const a = make([3, 2, 20, 30], seed++, dtype), b = make([30, 19], seed++, dtype);
      expectMatches(a, b, false, false, `${dtype} folded`);
      expectMatches(make([2, 30, 20], seed++, dtype), make([1, 30, 19], seed++, dtype), true, false, `${dtype} batched blocked`);
    }
  });
});

test('matmul follows NumPy rules for rank-1 operands', () => {
  forEachBackend(() => {
    const v = st.tensor([1, 2, 3]);
    const m = st.tensor([[1, 0], [0, 1], [1, 1]]);
    const vm = st.matmul(v, m);
    expectShape(vm, [2]);
    expectClose(vm, [4, 5]);
    const mv = st.matmul(st.tensor([[1, 2, 3], [4, 5, 6]]), v);
    expectShape(mv, [2]);
    expectClose(mv, [14, 32]);
    const vv = st.matmul(v, v);
    expectShape(vv, []);
    expectClose(vv, [14]);
    const bv = st.matmul(st.ones([4, 2, 3]), v);
    expectShape(bv, [4, 2]);
    expectClose(bv, new Array(8).fill(6));
    // transposeA on a vector has no effect; transposeB on the matrix still applies.
    expectClose(st.matmul(v, st.tensor([[1, 0, 1], [0, 1, 1]]), true, true), [4, 5]);
  }, 'fallback');
});

test('matmul promotes mixed dtypes', () => {
  forEachBackend(() => {
    const f32 = st.tensor([[1.5, 2]]), f64 = st.tensor([[2], [3]], undefined, 'float64');
    const i32 = st.tensor([[2], [3]], undefined, 'int32');
    assert.equal(st.matmul(f32, f64).dtype, 'float64');
    expectClose(st.matmul(f32, f64), [9]);
    assert.equal(st.matmul(f32, i32).dtype, 'float32');
    expectClose(st.matmul(f32, i32), [9]);
    assert.equal(st.matmul(st.tensor([[1, 2]], undefined, 'int32'), i32).dtype, 'int32');
    expectClose(st.matmul(st.tensor([[1, 2]], undefined, 'int32'), i32), [8]);
  }, 'fallback');
});

test('matmul gradients for every transpose combination', () => {
  forEachBackend(() => {
    let seed = 200;
    for (const [ta, tb] of TRANSPOSES) {
      const a = rand(stored([], 3, 4, ta), seed++), b = rand(stored([], 4, 5, tb), seed++);
      expectGradientsClose((p, q) => st.matmul(p, q, ta, tb), [a, b]);
      // Large enough to take the blocked path.
      const a2 = rand(stored([], 17, 19, ta), seed++), b2 = rand(stored([], 19, 14, tb), seed++);
      expectGradientsClose((p, q) => st.matmul(p, q, ta, tb), [a2, b2], { maxChecks: 40 });
    }
  }, 'fallback');
});

test('matmul gradients sum over broadcast batch dimensions', () => {
  const cases: [number[], number[]][] = [[[2, 1], [3]], [[], [2]], [[2], []], [[2, 3], [1]], [[1], [2]], [[2], [2]]];
  forEachBackend(() => {
    let seed = 300;
    for (const [batchA, batchB] of cases) {
      for (const [ta, tb] of TRANSPOSES) {
        const a = rand(stored(batchA, 3, 4, ta), seed++), b = rand(stored(batchB, 4, 2, tb), seed++);
        expectGradientsClose((p, q) => st.matmul(p, q, ta, tb), [a, b], { maxChecks: 60 });
      }
    }
  }, 'fallback');
});

test('matmul gradients for vectors, mixed dtypes and second order', () => {
  forEachBackend(() => {
    expectGradientsClose((p, q) => st.matmul(p, q), [rand([4], 1), rand([4, 3], 2)]);
    expectGradientsClose((p, q) => st.matmul(p, q), [rand([2, 3, 4], 3), rand([4], 4)]);
    expectGradientsClose((p, q) => st.matmul(p, q), [rand([4], 5), rand([4], 6)]);
    // A float32 operand gets a float32 gradient even when the product ran in float64.
    const a = rand([2, 3], 7, 'float32'), b = rand([3, 2], 8);
    const [da, db] = st.grads(() => st.matmul(a, b), [a, b]);
    assert.equal(da.dtype, 'float32');
    assert.equal(db.dtype, 'float64');
    expectClose(da, st.matmul(st.ones([2, 2], 'float64'), b, false, true), 1e-5, 1e-5);
    // d/da of sum((a·b)²) is itself differentiable.
    expectGradientsClose((p, q) => st.grads(() => { const y = st.matmul(p, q); return st.mul(y, y); }, [p])[0],
      [rand([2, 3], 9), rand([3, 2], 10)]);
  }, 'fallback');
});

test('matmul rejects bad shapes with messages that name them', () => {
  forEachBackend(() => {
    expectError(() => st.matmul(st.zeros([2, 3]), st.zeros([4, 5])), st.ShapeError,
      'matmul: inner dimensions differ: a is [2, 3], b is [4, 5]');
    expectError(() => st.matmul(st.zeros([2, 3]), st.zeros([2, 5]), true, true), st.ShapeError,
      'matmul: inner dimensions differ: a is [2, 3] (transposed: [3, 2]), b is [2, 5] (transposed: [5, 2])', 'a contributes 2 and b 5');
    expectError(() => st.matmul(st.zeros([3]), st.zeros([4, 5])), st.ShapeError, 'a is [3], b is [4, 5]');
    expectError(() => st.matmul(st.zeros([2, 2, 3]), st.zeros([3, 3, 4])), st.ShapeError,
      'matmul: batch dimensions do not broadcast: a is [2, 2, 3] (batch [2]), b is [3, 3, 4] (batch [3])');
    expectError(() => st.matmul(st.scalar(2), st.zeros([2, 2])), st.ShapeError, 'matmul: a must have rank ≥ 1', 'got a scalar');
    expectError(() => st.matmul(st.zeros([2, 2]), 3), st.ShapeError, 'matmul: b must have rank ≥ 1');
    expectError(() => st.matmul(st.zeros([2, 2]), st.zeros([2, 2]), 1 as unknown as boolean), st.ConfigError,
      'matmul: transposeA must be a boolean, got 1');
    expectError(() => st.matmul(st.zeros([2, 2]), 'x' as unknown as st.Tensor), st.ConfigError, "matmul: argument 'b'");
  }, 'fallback');
});

test('matmul handles empty dimensions', () => {
  forEachBackend(() => {
    expectShape(st.matmul(st.zeros([0, 3]), st.zeros([3, 4])), [0, 4]);
    const y = st.matmul(st.ones([2, 0]), st.ones([0, 3]));
    expectShape(y, [2, 3]);
    expectClose(y, [0, 0, 0, 0, 0, 0]);
    expectShape(st.matmul(st.zeros([0, 2, 3]), st.zeros([3, 4])), [0, 2, 4]);
  }, 'fallback');
});

test('gemm reads strided operands and accumulates into a sub-block of C', () => {
  for (const [m, n, k] of [[3, 2, 4], [37, 29, 41]]) {
    // A stored transposed inside a wider buffer, B with a column stride of 2, C with ldc = n + 3.
    const lda = m + 2, ldc = n + 3;
    const a = new Float64Array(5 + k * lda).map((_, i) => Math.sin(i));
    const b = new Float32Array(1 + k * n * 2).map((_, i) => Math.cos(i));
    const c = new Float64Array(2 + m * ldc).fill(1);
    gemm(m, n, k, a, 5, 1, lda, b, 1, 2 * n, 2, c, 2, ldc, true);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < ldc; j++) {
        let s = 1;
        if (j < n) for (let p = 0; p < k; p++) s += a[5 + i + p * lda] * b[1 + p * 2 * n + 2 * j];
        expectClose([c[2 + i * ldc + j]], [s], 1e-5, 1e-5, `C[${i}, ${j}]`);
      }
    }
    assert.equal(c[0], 1);
    gemm(m, n, k, a, 5, 1, lda, b, 1, 2 * n, 2, c, 2, ldc, false);
    let s = 0;
    for (let p = 0; p < k; p++) s += a[5 + p * lda] * b[1 + p * 2 * n];
    expectClose([c[2]], [s], 1e-5, 1e-5, 'overwritten C[0, 0]');
  }
});
