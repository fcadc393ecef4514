import { ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { runOp } from './engine.js';

function resolvePerm(x: Tensor, perm: readonly number[] | undefined): number[] {
  const r = x.rank;
  if (perm === undefined || perm === null) return Array.from({ length: r }, (_, i) => r - 1 - i);
  const bad = (why: string): ShapeError => new ShapeError(
    `transpose: perm ${JSON.stringify(perm)} ${why} (x is ${fmtShape(x.shape)}); ` +
    `give each axis 0..${r - 1} exactly once, e.g. [${Array.from({ length: r }, (_, i) => r - 1 - i).join(', ')}]`);
  if (!Array.isArray(perm)) throw bad('is not an array');
  if (perm.length !== r) throw bad(`has ${perm.length} entries but x has rank ${r}`);
  const out = perm.map((p) => (Number.isInteger(p) && p < 0 ? p + r : p));
  const seen = new Set<number>();
  for (const p of out) {
    if (!Number.isInteger(p) || p < 0 || p >= r) throw bad(`holds ${p}, which is not an axis of a rank-${r} tensor`);
    if (seen.has(p)) throw bad(`lists axis ${p} twice`);
    seen.add(p);
  }
  return out;
}

/**
 * Permutes the axes of x: result.shape[i] = x.shape[perm[i]]. Without perm the axes are reversed
 * (a matrix is transposed). Negative entries count from the end.
 * @example st.transpose(x, [0, 3, 1, 2]) // NHWC → NCHW
 */
export function transpose(x: TensorLike, perm?: number[]): Tensor {
  const $x = toTensor(x, 'transpose', 'x');
  const p = resolvePerm($x, perm);
  if (p.every((a, i) => a === i)) return $x;
  const inverse = new Array<number>(p.length);
  p.forEach((a, i) => { inverse[a] = i; });
  return runOp('Transpose', [$x], (b) => b.transpose($x, p), (dy) => [transpose(dy, inverse)]);
}
