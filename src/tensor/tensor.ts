import { ShapeError, fmtShape } from '../errors.js';
import { type DType, type TypedArray, dtypeOf } from './dtype.js';
import { sizeOf } from './shape.js';
import { formatTensor } from './print.js';
import { noteStorageShared } from './buffer-pool.js';

let nextId = 0;

/** A nested array of numbers, as `arraySync` returns it. */
export type NestedArray = number | NestedArray[];

/**
 * An immutable n-dimensional array: a shape, a dtype and contiguous row-major storage,
 * channels-last. Memory is reclaimed by the garbage collector; there is nothing to dispose.
 */
export class Tensor {
  /** Unique identity, used by the gradient tape. */
  readonly id: number = nextId++;
  /** Dimensions, outermost first. A scalar has shape `[]`. */
  readonly shape: number[];
  /** Number of elements. */
  readonly size: number;
  /**
   * Contiguous row-major storage. Internal: kernels read it and never write it; users call
   * `dataSync()` for a copy. Only a `Variable` replaces it (on `assign`).
   */
  values: TypedArray;

  /** Wraps storage without copying; `values.length` must equal the product of `shape`. */
  constructor(values: TypedArray, shape: readonly number[]) {
    const size = sizeOf(shape);
    if (values.length !== size) {
      throw new ShapeError(`tensor: shape ${fmtShape(shape)} holds ${size} values, but ${values.length} were given`);
    }
    this.values = values;
    noteStorageShared(values);
    this.shape = shape.slice();
    this.size = size;
  }

  get dtype(): DType {
    return dtypeOf(this.values);
  }

  get rank(): number {
    return this.shape.length;
  }

  /** A copy of the values as a flat typed array. */
  dataSync(): TypedArray {
    return this.values.slice();
  }

  /** A copy of the values as a flat typed array (async for TensorFlow.js compatibility). */
  async data(): Promise<TypedArray> {
    return this.dataSync();
  }

  /** The values as nested arrays; a scalar gives a number. */
  arraySync(): NestedArray {
    const v = this.values;
    const shape = this.shape;
    if (shape.length === 0) return v[0];
    const build = (dim: number, offset: number, stride: number): NestedArray[] => {
      const n = shape[dim];
      const inner = stride / n;
      const out: NestedArray[] = new Array(n);
      for (let i = 0; i < n; i++) {
        out[i] = dim === shape.length - 1 ? v[offset + i] : build(dim + 1, offset + i * inner, inner);
      }
      return out;
    };
    return build(0, 0, this.size);
  }

  async array(): Promise<NestedArray> {
    return this.arraySync();
  }

  /** The scalar value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new ShapeError(`item: expected a tensor of one element, got shape ${fmtShape(this.shape)}`);
    return this.values[0];
  }

  /** Prints like NumPy: nested brackets, aligned columns, `...` in the middle of long axes. */
  toString(): string {
    return formatTensor(this.values, this.shape, this.dtype);
  }

  print(): void {
    console.log(this.toString());
  }
}
