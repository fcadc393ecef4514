import { DTypeError } from '../errors.js';

/**
 * Element types. `float64` exists in the reference backend for precise gradient checks;
 * models use `float32` and `int32`.
 */
export type DType = 'float32' | 'int32' | 'float64';

export type TypedArray = Float32Array | Int32Array | Float64Array;

/** Numbers to fill a tensor with: a flat array, a nested array, or a typed array. */
export type DataLike = TypedArray | number | boolean | readonly (number | boolean | DataLikeNested)[];
export type DataLikeNested = readonly (number | boolean | DataLikeNested)[];

const RANK: Record<DType, number> = { int32: 0, float32: 1, float64: 2 };

/** Allocates a zeroed typed array of the given dtype. */
export function alloc(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float32': return new Float32Array(size);
    case 'int32': return new Int32Array(size);
    case 'float64': return new Float64Array(size);
    default: throw new DTypeError(`unknown dtype '${String(dtype)}': use 'float32', 'int32' or 'float64'`);
  }
}

/** The dtype whose storage is `values`. */
export function dtypeOf(values: TypedArray): DType {
  if (values instanceof Float32Array) return 'float32';
  if (values instanceof Int32Array) return 'int32';
  return 'float64';
}

/** The wider of two dtypes (int32 < float32 < float64), as binary ops promote their inputs. */
export function upcast(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

export function isFloat(dtype: DType): boolean {
  return dtype !== 'int32';
}

export function assertDType(dtype: string): DType {
  if (dtype === 'float32' || dtype === 'int32' || dtype === 'float64') return dtype;
  throw new DTypeError(`unknown dtype '${dtype}': use 'float32', 'int32' or 'float64'`);
}
