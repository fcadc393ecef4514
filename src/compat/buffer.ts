/**
 * TensorFlow.js's TensorBuffer: a mutable, shaped typed array to fill element by element before
 * turning it into an (immutable) tensor with `toTensor()`.
 */
import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import { type DType, type TypedArray, alloc, assertDType, dtypeOf } from '../tensor/dtype.js';
import { assertShape, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * A mutable buffer with a shape: `set(value, ...loc)`, `get(...loc)`, then `toTensor()`.
 * @example
 * const b = st.buffer([2, 2]);
 * b.set(5, 0, 1);
 * b.toTensor(); // [[0, 5], [0, 0]]
 */
export class TensorBuffer {
  readonly shape: number[];
  readonly dtype: DType;
  readonly size: number;
  /** Row-major strides of every dimension but the last (TF.js's convention: [] for rank ≤ 1). */
  readonly strides: number[];
  values: TypedArray;

  constructor(shape: readonly number[], dtype: DType = 'float32', values?: TypedArray) {
    assertShape('buffer', shape);
    this.shape = shape.slice();
    this.dtype = assertDType(dtype);
    this.size = sizeOf(shape);
    if (values !== undefined && values !== null) {
      if (!ArrayBuffer.isView(values)) throw new ConfigError(`buffer: values must be a typed array, got ${typeof values}`);
      if (values.length !== this.size) {
        throw new ShapeError(`buffer: ${values.length} values do not fill shape ${fmtShape(shape)} (size ${this.size})`);
      }
      if (dtypeOf(values) !== this.dtype) {
        throw new ConfigError(`buffer: values are a ${values.constructor.name} but dtype is '${this.dtype}'; pass matching values`);
      }
      this.values = values;
    } else {
      this.values = alloc(this.dtype, this.size);
    }
    let s = 1;
    const tail: number[] = [];
    for (let d = this.shape.length - 1; d > 0; d--) {
      s *= this.shape[d];
      tail.push(s);
    }
    this.strides = tail.reverse();
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Sets the element at `loc` (one index per dimension). @example b.set(1, row, col) */
  set(value: number, ...loc: number[]): void {
    if (loc.length === 0) loc = [0];
    this.values[this.locToIndex(loc)] = value;
  }

  /** The element at `loc` (one index per dimension). */
  get(...loc: number[]): number {
    if (loc.length === 0) loc = [0];
    return this.values[this.locToIndex(loc)];
  }

  /** The flat (row-major) index of a location; checks its length and bounds. */
  locToIndex(loc: readonly number[]): number {
    const r = this.rank;
    if (r === 0) {
      if (loc.length === 1 && loc[0] === 0) return 0;
      throw new ShapeError(`TensorBuffer: a scalar buffer has one element, at [] or [0]; got ${fmtShape(loc)}`);
    }
    if (loc.length !== r) {
      throw new ShapeError(`TensorBuffer: location ${fmtShape(loc)} has ${loc.length} indices, the buffer has rank ${r} (shape ${fmtShape(this.shape)})`);
    }
    let index = 0;
    for (let d = 0; d < r; d++) {
      const i = loc[d];
      if (!Number.isInteger(i) || i < 0 || i >= this.shape[d]) {
        throw new ShapeError(`TensorBuffer: location ${fmtShape(loc)} is out of range for shape ${fmtShape(this.shape)}`);
      }
      index += d === r - 1 ? i : i * this.strides[d];
    }
    return index;
  }

  /** The location of a flat (row-major) index. */
  indexToLoc(index: number): number[] {
    if (!Number.isInteger(index) || index < 0 || index >= Math.max(this.size, 1)) {
      throw new ShapeError(`TensorBuffer: index ${index} is out of range for ${this.size} elements`);
    }
    if (this.rank === 0) return [];
    const loc: number[] = [];
    for (let d = 0; d < this.rank - 1; d++) {
      loc.push(Math.floor(index / this.strides[d]));
      index -= loc[d] * this.strides[d];
    }
    loc.push(index);
    return loc;
  }

  /** A tensor holding a copy of the current values (later `set` calls do not change it). */
  toTensor(): Tensor {
    return new Tensor(this.values.slice(), this.shape);
  }
}

/**
 * A TensorBuffer of the given shape and dtype, zero-filled or wrapping `values` (not copied), as `tf.buffer`.
 * @example const b = st.buffer([3], 'int32'); b.set(7, 2); b.toTensor() // [0, 0, 7]
 */
export function buffer(shape: readonly number[], dtype: DType = 'float32', values?: TypedArray): TensorBuffer {
  return new TensorBuffer(shape, dtype, values);
}
