import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError, expectGradientsClose, expectShape, forEachBackend, rand } from './helpers.js';

/** Reference transpose by index arithmetic, to check the strided and tiled kernel paths. */
function naiveTranspose(x: st.Tensor, perm: number[]): number[] {
  const shape = perm.map((p) => x.shape[p]);
  const inStrides = x.shape.map((_, i) => x.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out: number[] = [];
  const idx = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < x.size; k++) {
    let src = 0;
    for (let d = 0; d < shape.length; d++) src += idx[d] * inStrides[perm[d]];
    out.push(x.values[src]);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}

/** 0, 1, 2, ... in the given shape. */
function grid(shape: number[], dtype: st.DType = 'float32'): st.Tensor {
  return st.reshape(st.range(0, shape.reduce((a, b) => a * b, 1), 1, dtype), shape);
}

test('transpose: forward values, default perm, dtypes kept', () => {
  forEachBackend(() => {
    const x = st.tensor([[1, 2, 3], [4, 5, 6]]);
    expectShape(st.transpose(x), [3, 2]);
    expectClose(st.transpose(x), [1, 4, 2, 5, 3, 6]);
    const y = grid([2, 3, 4], 'int32');
    const t = st.transpose(y);
    assert.equal(t.dtype, 'int32');
    expectShape(t, [4, 3, 2]);
    expectClose(t, naiveTranspose(y, [2, 1, 0]));
    expectClose(st.transpose(y, [0, -1, 1]), naiveTranspose(y, [0, 2, 1]));
    assert.equal(st.transpose(y, [0, 1, 2]), y);
  }, 'fallback');
});

test('transpose: every permutation of a rank-4 tensor, forward and gradient', () => {
  forEachBackend(() => {
    const x = rand([2, 3, 4, 5], 1);
    for (const perm of permutations(4)) {
      expectShape(st.transpose(x, perm), perm.map((p) => x.shape[p]));
      expectClose(st.transpose(x, perm), naiveTranspose(x, perm));
      expectGradientsClose((a) => st.transpose(a, perm), [x], { maxChecks: 40 });
    }
  }, 'fallback');
});

test('transpose: large and batched matrices (tiled path) match the reference', () => {
  forEachBackend(() => {
    for (const [shape, perm] of [[[37, 70], [1, 0]], [[3, 40, 33], [0, 2, 1]], [[20, 3, 50], [2, 1, 0]], [[2, 17, 5, 19], [0, 3, 2, 1]]] as [number[], number[]][]) {
      const x = grid(shape);
      expectClose(st.transpose(x, perm), naiveTranspose(x, perm));
    }
  }, 'fallback');
});

test('transpose rejects bad perms', () => {
  const x = st.zeros([2, 3, 4]);
  expectError(() => st.transpose(x, [0, 1]), st.ShapeError, 'transpose: perm [0,1]', 'has 2 entries but x has rank 3', '[2, 3, 4]');
  expectError(() => st.transpose(x, [0, 0, 1]), st.ShapeError, 'lists axis 0 twice');
  expectError(() => st.transpose(x, [0, 1, 3]), st.ShapeError, 'holds 3');
});

test('reverse: forward and gradient over each axis, lists and all axes', () => {
  forEachBackend(() => {
    const x = st.tensor([[1, 2, 3], [4, 5, 6]]);
    expectClose(st.reverse(x, 0), [4, 5, 6, 1, 2, 3]);
    expectClose(st.reverse(x, 1), [3, 2, 1, 6, 5, 4]);
    expectClose(st.reverse(x, -1), [3, 2, 1, 6, 5, 4]);
    expectClose(st.reverse(x), [6, 5, 4, 3, 2, 1]);
    expectClose(st.reverse(st.tensor([1, 2, 3])), [3, 2, 1]);
    const y = rand([2, 3, 4], 2);
    for (const axis of [undefined, 0, 1, 2, -1, [0, 2], [1, -1]]) expectGradientsClose((a) => st.reverse(a, axis), [y]);
    expectError(() => st.reverse(x, 2), st.ShapeError, 'reverse: axis 2', 'rank 2');
  }, 'fallback');
});

test('concat: forward along each axis, dtype upcast, gradient', () => {
  forEachBackend(() => {
    const a = st.tensor([[1, 2], [3, 4]]);
    const b = st.tensor([[5], [6]]);
    expectClose(st.concat([a, b], 1), [1, 2, 5, 3, 4, 6]);
    expectClose(st.concat([a, b], -1), [1, 2, 5, 3, 4, 6]);
    expectClose(st.concat([a, st.tensor([[7, 8]])]), [1, 2, 3, 4, 7, 8]);
    const c = st.concat([st.tensor([1, 2], undefined, 'int32'), st.tensor([2.5])]);
    assert.equal(c.dtype, 'float32');
    expectClose(c, [1, 2, 2.5]);
    const x = rand([2, 3, 4], 3), y = rand([2, 1, 4], 4), z = rand([2, 2, 4], 5);
    expectGradientsClose((p, q, r) => st.concat([p, q, r], 1), [x, y, z]);
    expectGradientsClose((p, q) => st.concat([p, q, p], -1), [x, rand([2, 3, 2], 6)]);
    expectGradientsClose((p, q) => st.concat([p, q], 0), [x, rand([1, 3, 4], 7)]);
  }, 'fallback');
});

test('concat rejects mismatched shapes naming both shapes and the axis', () => {
  expectError(() => st.concat([st.zeros([2, 3]), st.zeros([3, 3])], 1), st.ShapeError,
    'concat: tensors[1] has shape [3, 3] but tensors[0] has shape [2, 3]', 'except axis 1');
  expectError(() => st.concat([st.zeros([2, 3]), st.zeros([2, 3, 1])]), st.ShapeError, '[2, 3, 1]', 'axis 0');
  expectError(() => st.concat([st.zeros([2])], 1), st.ShapeError, 'concat: axis 1', 'rank 1');
  expectError(() => st.concat([]), st.ConfigError, 'concat: tensors must be a non-empty array');
  expectError(() => st.concat([st.scalar(1), st.scalar(2)]), st.ShapeError, 'concat: cannot concatenate scalars');
});

test('stack and unstack: forward and gradients', () => {
  forEachBackend(() => {
    const a = st.tensor([1, 2]), b = st.tensor([3, 4]);
    expectShape(st.stack([a, b]), [2, 2]);
    expectClose(st.stack([a, b]), [1, 2, 3, 4]);
    expectClose(st.stack([a, b], 1), [1, 3, 2, 4]);
    expectClose(st.stack([a, b], -1), [1, 3, 2, 4]);
    const rows = st.unstack(st.tensor([[1, 2, 3], [4, 5, 6]]));
    assert.equal(rows.length, 2);
    expectShape(rows[1], [3]);
    expectClose(rows[1], [4, 5, 6]);
    const cols = st.unstack(st.tensor([[1, 2, 3], [4, 5, 6]]), -1);
    assert.equal(cols.length, 3);
    expectClose(cols[2], [3, 6]);
    const x = rand([2, 3, 4], 8), y = rand([2, 3, 4], 9);
    for (const axis of [0, 1, 3, -1]) expectGradientsClose((p, q) => st.stack([p, q, p], axis), [x, y]);
    for (const axis of [0, 1, 2, -2]) {
      // Weights each slice differently and leaves one out, so a wrong order or a missing zero shows.
      expectGradientsClose((p) => {
        const parts = st.unstack(p, axis);
        return st.stack(parts.slice(1).map((t, i) => st.mul(t, i + 2)), 0);
      }, [x]);
    }
    expectError(() => st.stack([a, st.tensor([1, 2, 3])]), st.ShapeError,
      'stack: tensors[1] has shape [3] but tensors[0] has shape [2]');
    expectError(() => st.stack([a, b], 2), st.ShapeError, 'stack: axis 2');
    expectError(() => st.unstack(st.scalar(1)), st.ShapeError, 'unstack:');
  }, 'fallback');
});

test('split: equal parts, sizes with -1, each axis, gradients', () => {
  forEachBackend(() => {
    const x = grid([2, 6]);
    const [p, q, r] = st.split(x, 3, 1);
    expectShape(p, [2, 2]);
    expectClose(q, [2, 3, 8, 9]);
    expectClose(r, [4, 5, 10, 11]);
    const [u, v] = st.split(x, [1, -1], -1);
    expectShape(v, [2, 5]);
    expectClose(u, [0, 6]);
    const [top, bottom] = st.split(x, 2);
    expectClose(bottom, [6, 7, 8, 9, 10, 11]);
    const parts = st.split(x, [2, 0, 4], 1);
    expectShape(parts[1], [2, 0]);
    const y = rand([4, 6, 2], 10);
    for (const [spec, axis] of [[2, 0], [[1, -1, 2], 1], [[3, 3], -2], [2, 2], [[-1, 1], -1]] as [number | number[], number][]) {
      expectGradientsClose((a) => {
        const ps = st.split(a, spec, axis);
        return st.concat(ps.slice(1).reverse().map((t, i) => st.mul(t, i + 2)), axis);
      }, [y]);
    }
    void top;
  }, 'fallback');
});

test('split rejects sizes that do not fit the axis', () => {
  const x = st.zeros([2, 5]);
  expectError(() => st.split(x, 2, 1), st.ShapeError, 'split: axis 1 of x (shape [2, 5]) has size 5', '2 equal parts');
  expectError(() => st.split(x, [2, 2], 1), st.ShapeError, 'split: sizes [2,2] sum to 4', 'has size 5');
  expectError(() => st.split(x, [4, -1, 3], 1), st.ShapeError, 'sum to 7');
  expectError(() => st.split(x, [-1, -1], 1), st.ConfigError, 'at most one size may be -1');
  expectError(() => st.split(x, 0), st.ConfigError, 'positive integer');
  expectError(() => st.split(x, 1, 2), st.ShapeError, 'split: axis 2', 'rank 2');
});

test('slice: forward with -1 sizes, numbers for rank 1, short begin/size; gradient', () => {
  forEachBackend(() => {
    const x = grid([3, 4]);
    expectClose(st.slice(x, [1, 1], [2, 2]), [5, 6, 9, 10]);
    expectClose(st.slice(x, [0, 2], [-1, -1]), [2, 3, 6, 7, 10, 11]);
    expectClose(st.slice(x, [2]), [8, 9, 10, 11]);
    expectClose(st.slice(x, 1, 1), [4, 5, 6, 7]);
    expectClose(st.slice(st.tensor([1, 2, 3, 4]), 1, 2), [2, 3]);
    expectShape(st.slice(x, [1, 1], [0, 2]), [0, 2]);
    const y = grid([2, 3, 4, 5], 'int32');
    const s = st.slice(y, [1, 0, 1, 2], [1, 3, 2, -1]);
    assert.equal(s.dtype, 'int32');
    expectClose(s, [67, 68, 69, 72, 73, 74, 87, 88, 89, 92, 93, 94, 107, 108, 109, 112, 113, 114]);
    const z = rand([3, 4, 5], 12);
    expectGradientsClose((a) => st.slice(a, [1, 0, 2], [2, -1, 2]), [z]);
    expectGradientsClose((a) => st.slice(a, [0, 3], [3, 1]), [z]);
    expectGradientsClose((a) => st.slice(a, 2), [z]);
  }, 'fallback');
});

test('slice rejects boxes outside x', () => {
  const x = st.zeros([2, 4]);
  expectError(() => st.slice(x, [0, 3], [2, 2]), st.ShapeError, 'slice: begin[1] + size[1] = 3 + 2 = 5 exceeds axis 1 of size 4', '[2, 4]');
  expectError(() => st.slice(x, [3, 0]), st.ShapeError, 'slice: begin[0] = 3 is out of bounds for axis 0 of size 2');
  expectError(() => st.slice(x, [-1, 0]), st.ShapeError, 'begin[0] = -1');
  expectError(() => st.slice(x, [0, 0, 0]), st.ShapeError, 'has 3 entries but x has rank 2');
  expectError(() => st.slice(x, [0, 0], [1, -2]), st.ShapeError, 'size[1] = -2');
});

test('pad: asymmetric pads, constant value, dtypes, gradient', () => {
  forEachBackend(() => {
    const x = st.tensor([[1, 2], [3, 4]]);
    const p = st.pad(x, [[1, 0], [0, 2]]);
    expectShape(p, [3, 4]);
    expectClose(p, [0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0]);
    expectClose(st.pad(st.tensor([1, 2]), [[2, 1]], -1), [-1, -1, 1, 2, -1]);
    const i = st.pad(st.tensor([5], undefined, 'int32'), [[1, 1]], 7);
    assert.equal(i.dtype, 'int32');
    expectClose(i, [7, 5, 7]);
    const y = rand([2, 3, 4], 13);
    expectGradientsClose((a) => st.pad(a, [[0, 1], [2, 0], [1, 3]], 0.5), [y]);
    expectGradientsClose((a) => st.pad(a, [[1, 1], [0, 0], [0, 0]]), [y]);
    expectError(() => st.pad(x, [[1, 1]]), st.ShapeError, 'pad: paddings must hold one [before, after] pair per axis of x (rank 2');
    expectError(() => st.pad(x, [[1, 1], [0, -1]]), st.ConfigError, 'pad: paddings[1]');
  }, 'fallback');
});

test('tile: forward, reps per axis, gradient sums the copies', () => {
  forEachBackend(() => {
    expectClose(st.tile(st.tensor([1, 2]), [3]), [1, 2, 1, 2, 1, 2]);
    const x = st.tensor([[1, 2], [3, 4]]);
    const t = st.tile(x, [2, 3]);
    expectShape(t, [4, 6]);
    expectClose(t, [1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4, 1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4]);
    expectClose(st.tile(x, [1, 2]), [1, 2, 1, 2, 3, 4, 3, 4]);
    expectShape(st.tile(x, [0, 2]), [0, 4]);
    expectClose(st.grads(() => st.tile(x, [2, 3]), [x])[0], [6, 6, 6, 6]);
    const y = rand([2, 3, 2], 14);
    for (const reps of [[2, 1, 3], [1, 2, 1], [3, 3, 2]]) expectGradientsClose((a) => st.tile(a, reps), [y]);
    expectError(() => st.tile(x, [2]), st.ShapeError, 'tile: reps must have one entry per axis of x (rank 2');
    expectError(() => st.tile(x, [2, -1]), st.ConfigError, 'tile: reps must be non-negative integers');
  }, 'fallback');
});
