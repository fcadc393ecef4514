import { ConfigError, DTypeError, ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { alloc, dtypeOf, type DType, type TypedArray } from '../tensor/dtype.js';
import { tensor } from '../tensor/create.js';
import { describe } from './iterator.js';

const WHERE = 'Dataset.batch';

const el = (i: number, path: string): string => `element ${i}${path ? ` at ${path}` : ''}`;

/** Joins same-shaped tensors along a new first axis by copying storage (data, not a differentiable op). */
function stackRows(rows: Tensor[], path: string): Tensor {
  const first = rows[0];
  const out = alloc(first.dtype, rows.length * first.size);
  rows.forEach((t, i) => {
    if (t.size !== first.size || t.shape.length !== first.shape.length || t.shape.some((d, j) => d !== first.shape[j])) {
      throw new ShapeError(`${WHERE}: ${el(i, path)} has shape ${fmtShape(t.shape)} but element 0 has ${fmtShape(first.shape)}; ` +
        'every element of a batch needs the same shape (pad or resize them in a map() before batch())');
    }
    if (t.dtype !== first.dtype) {
      throw new DTypeError(`${WHERE}: ${el(i, path)} is ${t.dtype} but element 0 is ${first.dtype}; cast them to one dtype in a map()`);
    }
    out.set(t.values, i * first.size);
  });
  return new Tensor(out, [rows.length, ...first.shape]);
}

function stackTyped(rows: ArrayBufferView[], path: string): Tensor {
  const first = rows[0] as TypedArray;
  const dtype: DType = first instanceof Int32Array || first instanceof Float32Array || first instanceof Float64Array ? dtypeOf(first) : 'float32';
  const out = alloc(dtype, rows.length * first.length);
  rows.forEach((r, i) => {
    if (!ArrayBuffer.isView(r) || (r as TypedArray).length !== first.length) {
      throw new ShapeError(`${WHERE}: ${el(i, path)} is ${ArrayBuffer.isView(r) ? `a typed array of ${(r as TypedArray).length}` : describe(r)} ` +
        `but element 0 is a typed array of ${first.length}`);
    }
    out.set(r as TypedArray, i * first.length);
  });
  return new Tensor(out, [rows.length, first.length]);
}

/** True when an array holds only numbers, booleans or arrays of them (a tensor literal). */
function isNumeric(v: unknown): boolean {
  if (typeof v === 'number' || typeof v === 'boolean') return true;
  return Array.isArray(v) && v.every(isNumeric);
}

function leafError(v: unknown, path: string, i: number): never {
  const what = typeof v === 'string'
    ? 'a string; Strata tensors hold numbers, so map strings to numbers (e.g. class indices) before batch()'
    : `${describe(v)}; only tensors, numbers, typed arrays and (nested) arrays or objects of them can be batched`;
  throw new ConfigError(`${WHERE}: ${el(i, path)} is ${what}`);
}

/**
 * Turns a list of dataset elements into one element of batched tensors, as tf.data's batch():
 * tensors are stacked on a new first axis, numbers and nested number arrays become a float32
 * tensor, and plain objects are batched key by key (keys of the first element). Arrays that hold
 * tensors or objects are batched position by position (TensorFlow.js rejects them).
 */
export function deepBatch(rows: unknown[], path = ''): unknown {
  const first = rows[0];
  if (first instanceof Tensor) {
    rows.forEach((r, i) => r instanceof Tensor || leafError(r, path, i));
    return stackRows(rows as Tensor[], path);
  }
  if (ArrayBuffer.isView(first)) return stackTyped(rows as ArrayBufferView[], path);
  if (typeof first === 'number' || typeof first === 'boolean' || (Array.isArray(first) && isNumeric(first))) {
    rows.forEach((r, i) => isNumeric(r) || leafError(r, path, i));
    try {
      return tensor(rows as number[]);
    } catch (e) {
      throw new ShapeError(`${WHERE}: the elements${path ? ` at ${path}` : ''} do not form one tensor (${(e as Error).message}); ` +
        'every element of a batch needs the same shape');
    }
  }
  if (Array.isArray(first)) {
    return first.map((_, k) => deepBatch(rows.map((r, i) => {
      if (!Array.isArray(r) || r.length !== first.length) {
        throw new ShapeError(`${WHERE}: ${el(i, path)} is ${describe(r)} but element 0 is an array of ${first.length}`);
      }
      return r[k];
    }), `${path}[${k}]`));
  }
  if (first !== null && typeof first === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first)) {
      out[key] = deepBatch(rows.map((r, i) => {
        if (r === null || typeof r !== 'object' || !(key in r)) {
          throw new ConfigError(`${WHERE}: ${el(i, path)} has no key '${key}' (element 0 has [${Object.keys(first).join(', ')}])`);
        }
        return (r as Record<string, unknown>)[key];
      }), `${path}.${key}`);
    }
    return out;
  }
  return leafError(first, path, 0);
}
