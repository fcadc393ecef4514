import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { upcast } from '../tensor/dtype.js';
import { sizeOf } from '../tensor/shape.js';
import { runOp } from './engine.js';
import { reshape } from './reshape.js';
import { sumToShape } from './broadcast-to.js';
import { cast } from './cast.js';

/**
 * Matrix product a · b, batched, as `tf.matMul`: a is [..., m, k], b is [..., k, n], the result
 * [..., m, n]. Leading (batch) dimensions broadcast by NumPy rules, so a [8, 5, 3] times b [3, 4]
 * applies one matrix to all eight. Mixed dtypes are promoted (int32 < float32 < float64).
 * A rank-1 operand follows NumPy's vector rules: a [k] is used as [1, k] and b [k] as [k, 1], and that
 * dimension is dropped from the result (so vector · vector is a scalar); a transpose flag on a rank-1
 * operand has no effect. Scalars are rejected with a ShapeError (use `st.mul`).
 * @param transposeA multiply by a's last two dimensions swapped (default false); costs no copy.
 * @param transposeB multiply by b's last two dimensions swapped (default false); costs no copy.
 * @example st.matmul(x, w)                 // [32, 784] · [784, 10] → [32, 10]
 * @example st.matmul(q, k, false, true)    // [b, t, d] · [b, t, d]ᵀ → [b, t, t]
 */
export function matmul(a: TensorLike, b: TensorLike, transposeA = false, transposeB = false): Tensor {
  let $a = toTensor(a, 'matmul', 'a');
  let $b = toTensor(b, 'matmul', 'b');
  if (typeof transposeA !== 'boolean') throw new ConfigError(`matmul: transposeA must be a boolean, got ${JSON.stringify(transposeA)}`);
  if (typeof transposeB !== 'boolean') throw new ConfigError(`matmul: transposeB must be a boolean, got ${JSON.stringify(transposeB)}`);
  for (const [name, t] of [['a', $a], ['b', $b]] as const) {
    if (t.rank === 0) {
      throw new ShapeError(`matmul: ${name} must have rank ≥ 1 (a vector or a batch of matrices), got a scalar — use st.mul to scale by a number`);
    }
  }
  const vecA = $a.rank === 1, vecB = $b.rank === 1;
  const ta = vecA ? false : transposeA, tb = vecB ? false : transposeB;
  checkShapes($a.shape, $b.shape, ta, tb);
  if (vecA) $a = reshape($a, [1, $a.shape[0]]);
  if (vecB) $b = reshape($b, [$b.shape[0], 1]);
  const dtype = upcast($a.dtype, $b.dtype);
  let y = matmulCore(cast($a, dtype), cast($b, dtype), ta, tb);
  if (vecA || vecB) {
    const shape = y.shape.slice(0, -2);
    if (!vecA) shape.push(y.shape[y.rank - 2]);
    if (!vecB) shape.push(y.shape[y.rank - 1]);
    y = reshape(y, shape);
  }
  return y;
}

/** Alias of `matmul` under TensorFlow.js's spelling. */
export const matMul = matmul;

/** The product of two tensors of rank ≥ 2 and one dtype, with its gradient. */
function matmulCore(a: Tensor, b: Tensor, ta: boolean, tb: boolean): Tensor {
  return runOp('MatMul', [a, b], (k) => k.matmul(a, b, ta, tb), (dy, _, needs) => [needs[0] ? gradA(dy, a, b, ta, tb) : null, needs[1] ? gradB(dy, a, b, ta, tb) : null]);
}

// With C = op(A)·op(B): d op(A) = dC·op(B)ᵀ and d op(B) = op(A)ᵀ·dC; each case below folds the outer
// transpose into the flags so no transposed copy is made.
function gradA(dy: Tensor, a: Tensor, b: Tensor, ta: boolean, tb: boolean): Tensor {
  let g: Tensor;
  if (!ta) g = tb ? matmulCore(dy, b, false, false) : matmulCore(dy, b, false, true);
  else g = tb ? matmulCore(b, dy, true, true) : matmulCore(b, dy, false, true);
  return sumToShape(g, a.shape);
}

function gradB(dy: Tensor, a: Tensor, b: Tensor, ta: boolean, tb: boolean): Tensor {
  const batchB = b.shape.slice(0, -2);
  if (!ta && sizeOf(batchB) === 1 && a.rank > 2) {
    // b was shared by every matrix of a: one product over the stacked rows replaces a batch + sum.
    const rows = sizeOf(a.shape.slice(0, -1));
    const a2 = reshape(a, [rows, a.shape[a.rank - 1]]);
    const dy2 = reshape(dy, [rows, dy.shape[dy.rank - 1]]);
    return reshape(tb ? matmulCore(dy2, a2, true, false) : matmulCore(a2, dy2, true, false), b.shape);
  }
  let g: Tensor;
  if (!tb) g = ta ? matmulCore(a, dy, false, false) : matmulCore(a, dy, true, false);
  else g = ta ? matmulCore(dy, a, true, true) : matmulCore(dy, a, true, false);
  return sumToShape(g, b.shape);
}

function describe(name: string, shape: readonly number[], transposed: boolean): string {
  if (!transposed) return `${name} is ${fmtShape(shape)}`;
  const s = shape.slice();
  const r = s.length;
  [s[r - 2], s[r - 1]] = [s[r - 1], s[r - 2]];
  return `${name} is ${fmtShape(shape)} (transposed: ${fmtShape(s)})`;
}

/** Checks the inner dimensions and the batch broadcast before any work, naming both shapes. */
function checkShapes(a: readonly number[], b: readonly number[], ta: boolean, tb: boolean): void {
  const ra = a.length, rb = b.length;
  const ka = ra === 1 ? a[0] : ta ? a[ra - 2] : a[ra - 1];
  const kb = rb === 1 ? b[0] : tb ? b[rb - 1] : b[rb - 2];
  if (ka !== kb) {
    throw new ShapeError(
      `matmul: inner dimensions differ: ${describe('a', a, ta)}, ${describe('b', b, tb)} — ` +
      `a contributes ${ka} and b ${kb}; they must be equal (transpose one operand or fix its shape)`);
  }
  const batchA = a.slice(0, -2), batchB = b.slice(0, -2);
  const rank = Math.max(batchA.length, batchB.length);
  for (let i = 1; i <= rank; i++) {
    const da = batchA[batchA.length - i] ?? 1, db = batchB[batchB.length - i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `matmul: batch dimensions do not broadcast: a is ${fmtShape(a)} (batch ${fmtShape(batchA)}), ` +
        `b is ${fmtShape(b)} (batch ${fmtShape(batchB)}); each batch dimension must be equal or 1`);
    }
  }
}
