import { ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { runOp } from './engine.js';
import { pad } from './pad.js';

function expand(op: string, name: string, v: number | readonly number[] | undefined, rank: number, fill: number): number[] {
  const list = v === undefined || v === null ? [] : typeof v === 'number' ? [v] : v;
  if (!Array.isArray(list) && typeof v !== 'number') {
    throw new ShapeError(`${op}: ${name} must be a number or an array of integers, got ${JSON.stringify(v)}`);
  }
  if (list.length > rank) {
    throw new ShapeError(`${op}: ${name} ${JSON.stringify(v)} has ${list.length} entries but x has rank ${rank}`);
  }
  const out = list.slice();
  while (out.length < rank) out.push(fill);
  return out;
}

/**
 * The part of x starting at `begin` with extent `size`, as tf.slice. A size of -1 (or a missing
 * entry) takes everything to the end of that axis; begin and size may be numbers for rank 1,
 * and shorter than the rank (missing begins are 0).
 * @example st.slice(x, [0, 1], [-1, 2]) // every row, columns 1 and 2
 */
export function slice(x: TensorLike, begin: number | number[], size?: number | number[]): Tensor {
  const $x = toTensor(x, 'slice', 'x');
  const shape = $x.shape;
  const b = expand('slice', 'begin', begin, $x.rank, 0);
  const s = expand('slice', 'size', size, $x.rank, -1);
  for (let i = 0; i < $x.rank; i++) {
    if (!Number.isInteger(b[i]) || b[i] < 0 || b[i] > shape[i]) {
      throw new ShapeError(`slice: begin[${i}] = ${b[i]} is out of bounds for axis ${i} of size ${shape[i]} ` +
        `(x is ${fmtShape(shape)}); use 0 to ${shape[i]}`);
    }
    if (s[i] === -1) s[i] = shape[i] - b[i];
    if (!Number.isInteger(s[i]) || s[i] < 0) {
      throw new ShapeError(`slice: size[${i}] = ${s[i]} must be a non-negative integer or -1 (to the end)`);
    }
    if (b[i] + s[i] > shape[i]) {
      throw new ShapeError(`slice: begin[${i}] + size[${i}] = ${b[i]} + ${s[i]} = ${b[i] + s[i]} exceeds axis ${i} ` +
        `of size ${shape[i]} (x is ${fmtShape(shape)}); use size -1 to slice to the end`);
    }
  }
  if (b.every((v) => v === 0) && s.every((v, i) => v === shape[i])) return $x;
  return runOp('Slice', [$x], (k) => k.slice($x, b, s),
    (dy) => [pad(dy, b.map((v, i): [number, number] => [v, shape[i] - v - s[i]]))]);
}
