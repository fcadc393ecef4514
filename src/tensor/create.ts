import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import { type DType, type TypedArray, alloc, assertDType, dtypeOf } from './dtype.js';
import { assertShape, sizeOf } from './shape.js';
import { Tensor } from './tensor.js';
import { randomFor } from './random.js';

/** Anything an op accepts where a tensor is expected: a tensor, a number, nested arrays or a typed array. */
export type TensorLike = Tensor | number | boolean | TypedArray | readonly unknown[];

function inferShape(values: unknown, op: string): number[] {
  const shape: number[] = [];
  let v: unknown = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0];
  }
  return shape;
}

function flattenInto(values: unknown, shape: number[], dim: number, out: number[], op: string): void {
  if (dim === shape.length) {
    if (typeof values === 'number') out.push(values);
    else if (typeof values === 'boolean') out.push(values ? 1 : 0);
    else throw new ConfigError(`${op}: expected a number, got ${JSON.stringify(values)}`);
    return;
  }
  if (!Array.isArray(values) || values.length !== shape[dim]) {
    throw new ShapeError(`${op}: nested arrays are ragged: expected ${shape[dim]} items at depth ${dim} for shape ${fmtShape(shape)}`);
  }
  for (const v of values) flattenInto(v, shape, dim + 1, out, op);
}

function fromNumbers(nums: ArrayLike<number>, dtype: DType): TypedArray {
  const out = alloc(dtype, nums.length);
  for (let i = 0; i < nums.length; i++) out[i] = nums[i];
  return out;
}

/**
 * Creates a tensor from values (a number, nested arrays, a flat array or a typed array).
 * @param shape inferred from nested arrays when omitted; a flat array needs it unless it is 1-D.
 * @param dtype defaults to the typed array's type, else 'float32'.
 * @example st.tensor([[1, 2], [3, 4]]) // shape [2, 2]
 */
export function tensor(values: TensorLike, shape?: readonly number[], dtype?: DType): Tensor {
  if (dtype !== undefined) assertDType(dtype);
  if (values instanceof Tensor) {
    const t = dtype && dtype !== values.dtype ? new Tensor(fromNumbers(values.values, dtype), values.shape) : values;
    return shape ? new Tensor(t === values ? values.values.slice() : t.values, shape) : t;
  }
  let flat: TypedArray;
  let inferred: number[];
  if (ArrayBuffer.isView(values)) {
    const dt = dtype ?? dtypeOf(values as TypedArray);
    flat = dt === dtypeOf(values as TypedArray) ? (values as TypedArray).slice() : fromNumbers(values as TypedArray, dt);
    inferred = [flat.length];
  } else if (Array.isArray(values)) {
    inferred = inferShape(values, 'tensor');
    const nums: number[] = [];
    flattenInto(values, inferred, 0, nums, 'tensor');
    flat = fromNumbers(nums, dtype ?? 'float32');
  } else if (typeof values === 'number' || typeof values === 'boolean') {
    flat = fromNumbers([Number(values)], dtype ?? 'float32');
    inferred = [];
  } else {
    throw new ConfigError(`tensor: cannot make a tensor from ${typeof values}; pass numbers, nested arrays or a typed array`);
  }
  if (shape === undefined) return new Tensor(flat, inferred);
  assertShape('tensor', shape);
  if (sizeOf(shape) !== flat.length) {
    throw new ShapeError(`tensor: shape ${fmtShape(shape)} holds ${sizeOf(shape)} values, but ${flat.length} were given`);
  }
  return new Tensor(flat, shape);
}

/** A rank-0 tensor. */
export function scalar(value: number, dtype: DType = 'float32'): Tensor {
  return tensor(value, [], dtype);
}

/** Converts what an op was given into a tensor, naming the op and argument when that fails. */
export function toTensor(x: TensorLike, op: string, arg: string, dtype?: DType): Tensor {
  if (x instanceof Tensor) return x;
  if (x === undefined || x === null) throw new ConfigError(`${op}: argument '${arg}' is required, got ${String(x)}`);
  try {
    return tensor(x, undefined, dtype);
  } catch (e) {
    throw new ConfigError(`${op}: argument '${arg}' is not a tensor: ${(e as Error).message}`);
  }
}

/** A tensor of the given shape with every element equal to `value`. */
export function fill(shape: readonly number[], value: number, dtype: DType = 'float32'): Tensor {
  assertShape('fill', shape);
  const v = alloc(assertDType(dtype), sizeOf(shape));
  v.fill(value);
  return new Tensor(v, shape);
}

/** A tensor of zeros. */
export function zeros(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  assertShape('zeros', shape);
  return new Tensor(alloc(assertDType(dtype), sizeOf(shape)), shape);
}

/** A tensor of ones. */
export function ones(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return fill(shape, 1, dtype);
}

/** Zeros with the shape and dtype of `x`. */
export function zerosLike(x: Tensor): Tensor {
  return zeros(x.shape, x.dtype);
}

/** Ones with the shape and dtype of `x`. */
export function onesLike(x: Tensor): Tensor {
  return ones(x.shape, x.dtype);
}

/**
 * Evenly spaced values in [start, stop) with the given step, as `tf.range`.
 * @example st.range(0, 5) // [0, 1, 2, 3, 4]
 */
export function range(start: number, stop: number, step = 1, dtype: DType = 'float32'): Tensor {
  if (step === 0) throw new ConfigError('range: step must not be 0');
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const v = alloc(assertDType(dtype), n);
  for (let i = 0; i < n; i++) v[i] = start + i * step;
  return new Tensor(v, [n]);
}

/** An identity matrix with `numRows` rows and `numColumns` (default `numRows`) columns. */
export function eye(numRows: number, numColumns = numRows, dtype: DType = 'float32'): Tensor {
  assertShape('eye', [numRows, numColumns]);
  const v = alloc(assertDType(dtype), numRows * numColumns);
  for (let i = 0; i < Math.min(numRows, numColumns); i++) v[i * numColumns + i] = 1;
  return new Tensor(v, [numRows, numColumns]);
}

export interface RandomNormalOptions {
  mean?: number;
  stddev?: number;
  /** Same seed, same values, on every run and machine. Omitted: drawn from `setSeed`'s generator. */
  seed?: number;
  /** 'float32' (default), 'float64', or 'int32' (samples rounded to the nearest integer, as TF.js). */
  dtype?: DType;
}

/**
 * Reads the arguments after `shape`: TF.js's positional form `(a, b, dtype, seed)` or Strata's
 * options object `({ ... })`. Mixing the two is refused, since the positional part would be ignored.
 */
function randomArgs(op: string, names: [string, string], second: unknown, rest: unknown[]):
  { a?: number; b?: number; dtype?: DType; seed?: number } {
  if (second !== null && typeof second === 'object') {
    if (rest.some((r) => r !== undefined)) {
      throw new ConfigError(`${op}: got an options object and further positional arguments; pass either ` +
        `${op}(shape, { ${names.join(', ')}, dtype, seed }) or ${op}(shape, ${names.join(', ')}, dtype, seed)`);
    }
    const o = second as Record<string, unknown>;
    return { a: o[names[0]] as number | undefined, b: o[names[1]] as number | undefined,
      dtype: o.dtype as DType | undefined, seed: o.seed as number | undefined };
  }
  const [b, dtype, seed] = rest;
  const num = (v: unknown, what: string): number | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || Number.isNaN(v)) throw new ConfigError(`${op}: ${what} must be a number, got ${JSON.stringify(v)}`);
    return v;
  };
  if (dtype !== undefined && dtype !== null && typeof dtype !== 'string') {
    throw new ConfigError(`${op}: dtype (4th argument) must be 'float32', 'int32' or 'float64', got ${JSON.stringify(dtype)}`);
  }
  return { a: num(second, names[0]), b: num(b, names[1]), dtype: (dtype ?? undefined) as DType | undefined, seed: num(seed, 'seed') };
}

function normalSamples(op: string, shape: readonly number[], second: unknown, rest: unknown[], truncated: boolean): Tensor {
  assertShape(op, shape);
  const { a: mean = 0, b: stddev = 1, dtype = 'float32', seed } = randomArgs(op, ['mean', 'stddev'], second, rest);
  const rng = randomFor(seed);
  const v = alloc(assertDType(dtype), sizeOf(shape));
  // TF.js rounds int32 samples to the nearest integer (its MPRandGauss.convertValue).
  const round = dtype === 'int32';
  for (let i = 0; i < v.length; i++) {
    let z: number;
    do z = rng.normal(); while (truncated && Math.abs(z) > 2);
    const x = mean + stddev * z;
    v[i] = round ? Math.round(x) : x;
  }
  return new Tensor(v, shape);
}

/**
 * Samples from a normal distribution, with TF.js's positional arguments or an options object.
 * @param mean default 0. @param stddev default 1.
 * @param dtype 'float32' (default), 'float64', or 'int32' (rounded samples, as TF.js).
 * @param seed same seed, same values; omitted: drawn from `setSeed`'s generator.
 * @example st.randomNormal([2, 3], 0, 0.1, 'float32', 42) // or st.randomNormal([2, 3], { stddev: 0.1, seed: 42 })
 */
export function randomNormal(shape: readonly number[], mean?: number | RandomNormalOptions, stddev?: number,
  dtype?: DType, seed?: number): Tensor {
  return normalSamples('randomNormal', shape, mean, [stddev, dtype, seed], false);
}

/**
 * Samples from a normal distribution, redrawing any value more than two stddevs from the mean.
 * Arguments as `randomNormal`: `(shape, mean?, stddev?, dtype?, seed?)` or `(shape, { mean, stddev, dtype, seed })`.
 * @example st.truncatedNormal([3, 3], 0, 0.05, 'float32', 7)
 */
export function truncatedNormal(shape: readonly number[], mean?: number | RandomNormalOptions, stddev?: number,
  dtype?: DType, seed?: number): Tensor {
  return normalSamples('truncatedNormal', shape, mean, [stddev, dtype, seed], true);
}

export interface RandomUniformOptions {
  /** Lower bound, inclusive (default 0). */
  minval?: number;
  /** Upper bound, exclusive (default 1). */
  maxval?: number;
  seed?: number;
  dtype?: DType;
}

/**
 * Samples uniformly from [minval, maxval), with TF.js's positional arguments or an options object.
 * With dtype 'int32' it draws integers floor(u), uniform over minval … maxval − 1 for integer bounds.
 * (TF.js truncates toward zero instead, which differs only when minval < 0.)
 * @example st.randomUniform([5], 0, 10, 'int32', 1) // integers in [0, 10)
 */
export function randomUniform(shape: readonly number[], minval?: number | RandomUniformOptions, maxval?: number,
  dtype?: DType, seed?: number): Tensor {
  assertShape('randomUniform', shape);
  const args = randomArgs('randomUniform', ['minval', 'maxval'], minval, [maxval, dtype, seed]);
  const { a: lo = 0, b: hi = 1, dtype: dt = 'float32' } = args;
  if (!(hi > lo)) throw new ConfigError(`randomUniform: maxval (${hi}) must be greater than minval (${lo})`);
  const rng = randomFor(args.seed);
  const v = alloc(assertDType(dt), sizeOf(shape));
  const span = hi - lo;
  for (let i = 0; i < v.length; i++) {
    const u = lo + span * rng.uniform();
    v[i] = dt === 'int32' ? Math.floor(u) : u;
  }
  return new Tensor(v, shape);
}
