/**
 * TensorFlow.js's rank-checked tensor constructors: tensor1d … tensor6d. Each is `st.tensor` plus the
 * rank checks TF.js makes, so a program that passes the wrong nesting fails at the call that did it.
 */
import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { type TensorLike, tensor } from '../tensor/create.js';

/** What tensor1d … tensor6d accept: what st.tensor takes, plus the other typed arrays TF.js takes (Uint8Array pixels, …). */
export type TensorNdValues = TensorLike | Uint8Array | Uint8ClampedArray | Int8Array | Int16Array | Uint16Array | Uint32Array;

/** Depth of nested arrays (a typed array or flat array is 1, a number 0). */
function nestedRank(values: unknown): number {
  if (ArrayBuffer.isView(values)) return 1;
  let r = 0;
  let v: unknown = values;
  while (Array.isArray(v)) {
    r++;
    if (v.length === 0) break;
    v = v[0];
  }
  return r;
}

/**
 * Typed arrays other than Float32Array / Int32Array / Float64Array become the dtype TF.js infers
 * for them (int32 for Uint8Array, Uint8ClampedArray, Int8/16, Uint16; float32 otherwise).
 */
function normalizeTyped(values: TensorNdValues, dtype: DType | undefined): TensorLike {
  if (!ArrayBuffer.isView(values) || values instanceof Float32Array || values instanceof Int32Array || values instanceof Float64Array) {
    return values as TensorLike;
  }
  const v: unknown = values;
  const ints = v instanceof Uint8Array || v instanceof Uint8ClampedArray || v instanceof Int8Array ||
    v instanceof Int16Array || v instanceof Uint16Array;
  const target = dtype ?? (ints ? 'int32' : 'float32');
  const src = values as unknown as ArrayLike<number>;
  return target === 'int32' ? Int32Array.from(src) : target === 'float64' ? Float64Array.from(src) : Float32Array.from(src);
}

function tensorNd(rank: number, values: TensorNdValues, shape: readonly number[] | undefined, dtype: DType | undefined): Tensor {
  const op = `tensor${rank}d`;
  if (values === null || values === undefined) throw new ConfigError(`${op}: values are required, got ${String(values)}`);
  if (shape !== undefined && shape !== null && (!Array.isArray(shape) || shape.length !== rank)) {
    throw new ShapeError(`${op}: shape must have ${rank} numbers, got ${Array.isArray(shape) ? fmtShape(shape) : JSON.stringify(shape)}`);
  }
  const given = values instanceof Tensor ? values.shape.length : nestedRank(values);
  if (given !== rank && given !== 1) {
    throw new ShapeError(`${op}: values must be nested ${rank} deep (or a flat array / typed array with a shape), ` +
      `got values nested ${given} deep`);
  }
  if (given === 1 && rank !== 1 && (shape === undefined || shape === null)) {
    throw new ShapeError(`${op}: a flat array or typed array needs a shape of ${rank} numbers, e.g. ${op}(values, [${Array(rank).fill('n').join(', ')}])`);
  }
  return tensor(normalizeTyped(values, dtype), shape ?? undefined, dtype);
}

/**
 * A rank-1 tensor, as `tf.tensor1d(values, dtype?)` (TF.js takes no shape here).
 * @example st.tensor1d([1, 2, 3])
 */
export function tensor1d(values: TensorNdValues, dtype?: DType): Tensor {
  if (typeof dtype === 'object' && dtype !== null) {
    throw new ConfigError('tensor1d: the second argument is the dtype (tensor1d takes no shape), e.g. tensor1d([1, 2], \'int32\')');
  }
  return tensorNd(1, values, undefined, dtype);
}

/**
 * A rank-2 tensor from nested arrays, or from flat values and a shape of 2 numbers.
 * @example st.tensor2d([1, 2, 3, 4], [2, 2])
 */
export function tensor2d(values: TensorNdValues, shape?: [number, number], dtype?: DType): Tensor {
  return tensorNd(2, values, shape, dtype);
}

/** A rank-3 tensor; `shape` (3 numbers) is needed for flat values. @example st.tensor3d([[[1], [2]]]) */
export function tensor3d(values: TensorNdValues, shape?: [number, number, number], dtype?: DType): Tensor {
  return tensorNd(3, values, shape, dtype);
}

/** A rank-4 tensor; `shape` (4 numbers) is needed for flat values. @example st.tensor4d(pixels, [1, 28, 28, 1]) */
export function tensor4d(values: TensorNdValues, shape?: [number, number, number, number], dtype?: DType): Tensor {
  return tensorNd(4, values, shape, dtype);
}

/** A rank-5 tensor; `shape` (5 numbers) is needed for flat values. @example st.tensor5d(v, [1, 2, 2, 2, 1]) */
export function tensor5d(values: TensorNdValues, shape?: [number, number, number, number, number], dtype?: DType): Tensor {
  return tensorNd(5, values, shape, dtype);
}

/** A rank-6 tensor; `shape` (6 numbers) is needed for flat values. @example st.tensor6d(v, [1, 1, 2, 2, 2, 1]) */
export function tensor6d(values: TensorNdValues, shape?: [number, number, number, number, number, number], dtype?: DType): Tensor {
  return tensorNd(6, values, shape, dtype);
}
