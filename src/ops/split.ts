import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { normalizeAxis } from '../tensor/shape.js';
import { runOpMulti } from './engine.js';
import { concat, stack } from './concat.js';

function splitSizes(x: Tensor, spec: number | readonly number[], axis: number, a: number): number[] {
  const n = x.shape[a];
  if (typeof spec === 'number') {
    if (!Number.isInteger(spec) || spec <= 0) throw new ConfigError(`split: the number of splits must be a positive integer, got ${spec}`);
    if (n % spec !== 0) {
      throw new ShapeError(`split: axis ${axis} of x (shape ${fmtShape(x.shape)}) has size ${n}, which does not divide into ` +
        `${spec} equal parts; pass a list of sizes instead`);
    }
    return new Array<number>(spec).fill(n / spec);
  }
  if (!Array.isArray(spec) || spec.length === 0 || spec.some((s) => !Number.isInteger(s) || s < -1)) {
    throw new ConfigError(`split: numOrSizeSplits must be a positive integer or a list of non-negative sizes (one may be -1), got ${JSON.stringify(spec)}`);
  }
  const sizes = spec.slice();
  const free = sizes.indexOf(-1);
  if (free >= 0 && sizes.indexOf(-1, free + 1) >= 0) throw new ConfigError(`split: at most one size may be -1, got ${JSON.stringify(spec)}`);
  const known = sizes.reduce((t, s) => (s === -1 ? t : t + s), 0);
  if (free >= 0 && known <= n) sizes[free] = n - known;
  if (free >= 0 ? known > n : known !== n) {
    throw new ShapeError(`split: sizes ${JSON.stringify(spec)} sum to ${known} but axis ${axis} of x (shape ${fmtShape(x.shape)}) ` +
      `has size ${n}; make them sum to ${n} or use -1 for one of them`);
  }
  return sizes;
}

/** Slices of x along axis a with the given sizes (a multi-output op: the gradient is one concat). */
function pieces(name: string, x: Tensor, sizes: number[], a: number, dropAxis: boolean): Tensor[] {
  return runOpMulti(name, [x], (k) => {
    const begin = x.shape.map(() => 0);
    return sizes.map((s) => {
      const size = x.shape.slice();
      size[a] = s;
      const piece = k.slice(x, begin, size);
      begin[a] += s;
      return dropAxis ? new Tensor(piece.values, size.filter((_, i) => i !== a)) : piece;
    });
  }, (dys) => [dropAxis ? stack(dys, a) : concat(dys, a)]);
}

/**
 * Splits x along `axis` (default 0) into `numOrSizeSplits` equal parts, or into parts of the listed
 * sizes (one may be -1: the rest).
 * @example const [a, b] = st.split(x, [3, -1], 1); // first 3 columns, then the others
 */
export function split(x: TensorLike, numOrSizeSplits: number | number[], axis = 0): Tensor[] {
  const $x = toTensor(x, 'split', 'x');
  if ($x.rank === 0) throw new ShapeError('split: x is a scalar (shape []); there is no axis to split');
  const a = normalizeAxis('split', axis, $x.rank);
  return pieces('Split', $x, splitSizes($x, numOrSizeSplits, axis, a), a, false);
}

/**
 * Splits x along `axis` (default 0) into its x.shape[axis] slices, with that axis removed.
 * @example const [r0, r1] = st.unstack(st.tensor([[1, 2], [3, 4]])); // [1, 2] and [3, 4]
 */
export function unstack(x: TensorLike, axis = 0): Tensor[] {
  const $x = toTensor(x, 'unstack', 'x');
  if ($x.rank === 0) throw new ShapeError('unstack: x is a scalar (shape []); there is no axis to unstack');
  const a = normalizeAxis('unstack', axis, $x.rank);
  return pieces('Unstack', $x, new Array<number>($x.shape[a]).fill(1), a, true);
}
