import { ConfigError, DTypeError, ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { type DType, alloc } from '../tensor/dtype.js';
import { assertShape, sizeOf } from '../tensor/shape.js';
import { randomFor } from '../tensor/random.js';
import { mul } from './arithmetic.js';

function checkRate(op: string, rate: unknown): number {
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
    throw new ConfigError(`${op}: rate must be a number in [0, 1) (the fraction of units dropped), got ${JSON.stringify(rate)}`);
  }
  return rate;
}

function checkSeed(op: string, seed: unknown): number | undefined {
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isFinite(seed))) {
    throw new ConfigError(`${op}: seed must be a finite number, got ${JSON.stringify(seed)}`);
  }
  return seed;
}

/**
 * The scaled keep-mask of inverted dropout: each element is 1/(1 − rate) with probability
 * 1 − rate, else 0. Same seed, same mask. Useful to reuse one mask over several steps (recurrent dropout).
 * @param dtype 'float32' (default) or 'float64'.
 * @example const m = st.dropoutMask([32, 64], 0.25, 7); // then st.mul(h, m) at every step
 */
export function dropoutMask(shape: readonly number[], rate: number, seed?: number, dtype: DType = 'float32'): Tensor {
  assertShape('dropoutMask', shape);
  checkRate('dropoutMask', rate);
  checkSeed('dropoutMask', seed);
  if (dtype === 'int32') throw new DTypeError(`dropoutMask: dtype must be 'float32' or 'float64', got 'int32'`);
  const rng = randomFor(seed);
  const v = alloc(dtype, sizeOf(shape));
  const scale = 1 / (1 - rate);
  // Kept when u ≥ rate, which happens with probability 1 − rate.
  for (let i = 0; i < v.length; i++) v[i] = rng.uniform() >= rate ? scale : 0;
  return new Tensor(v, shape);
}

function resolveNoiseShape(x: Tensor, noiseShape: readonly (number | null)[] | undefined): number[] {
  if (noiseShape === undefined || noiseShape === null) return x.shape.slice();
  const bad = !Array.isArray(noiseShape) || noiseShape.length !== x.rank ||
    noiseShape.some((d, i) => d !== null && d !== 1 && d !== x.shape[i]);
  if (bad) {
    const given = Array.isArray(noiseShape) ? `[${noiseShape.map(String).join(', ')}]` : JSON.stringify(noiseShape);
    const hint = x.rank >= 3 ? `, e.g. [${x.shape.map((d, i) => (i === 0 || i === x.rank - 1 ? d : 1)).join(', ')}] to drop whole channels` : '';
    throw new ShapeError(`dropout: noiseShape ${given} does not fit x of shape ${fmtShape(x.shape)}: ` +
      `give one entry per dimension of x, each equal to x's size or 1 (null keeps x's)${hint}`);
  }
  return noiseShape.map((d, i) => d ?? x.shape[i]);
}

/**
 * Inverted dropout: sets each element of x to 0 with probability `rate` and scales the rest by
 * 1/(1 − rate), so the expected value is unchanged. Its gradient is dy times the same mask.
 * @param rate fraction dropped, in [0, 1); 0 returns x itself.
 * @param noiseShape shape of the mask, broadcast over x: one entry per dim, x's size or 1 (null = x's);
 *   e.g. [N, 1, 1, C] drops whole feature maps (spatial dropout). Default: x's shape.
 * @param seed same seed, same mask; omitted, drawn from `st.setSeed`'s generator.
 * @example st.dropout(x, 0.5, undefined, 42)
 */
export function dropout(x: TensorLike, rate: number, noiseShape?: readonly (number | null)[], seed?: number): Tensor {
  const $x = toTensor(x, 'dropout', 'x');
  checkRate('dropout', rate);
  checkSeed('dropout', seed);
  if ($x.dtype === 'int32') {
    throw new DTypeError(`dropout: x must be a float tensor since it is scaled, got int32 — cast it with st.cast(x, 'float32')`);
  }
  const shape = resolveNoiseShape($x, noiseShape);
  if (rate === 0) return $x;
  return mul($x, dropoutMask(shape, rate, seed, $x.dtype));
}
