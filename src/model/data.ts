import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { alloc } from '../tensor/dtype.js';
import { writeOnlyFloat32, writeOnlyInt32 } from '../tensor/write-only.js';

/** Inputs or targets: one tensor, or one per model input/output (a list, or an object by name). */
export type TensorOrList = Tensor | Tensor[] | Record<string, Tensor>;

/** One batch from an iterable dataset: `{ xs, ys }` (TensorFlow.js) or `[xs, ys]` (Keras). */
export type Batch = { xs: TensorOrList; ys?: TensorOrList; sampleWeight?: Tensor } | [TensorOrList, TensorOrList?, Tensor?];

/** Data that does not fit in memory: any iterable or async iterable of batches. */
export type BatchSource = Iterable<Batch> | AsyncIterable<Batch>;

export function isBatchSource(x: unknown): x is BatchSource {
  return !!x && typeof x === 'object' && !(x instanceof Tensor) && !Array.isArray(x) &&
    (Symbol.asyncIterator in x || Symbol.iterator in x);
}

/** Orders a list-or-record of tensors by the given names. */
export function asList(v: TensorOrList | undefined, names: string[], what: string, where: string): Tensor[] {
  if (v === undefined || v === null) throw new ConfigError(`${where}: ${what} is required`);
  if (v instanceof Tensor) return [v];
  if (Array.isArray(v)) {
    if (v.some((t) => !(t instanceof Tensor))) throw new ConfigError(`${where}: ${what} must be tensors`);
    return v;
  }
  if (typeof v === 'object') {
    return names.map((n) => {
      const t = (v as Record<string, Tensor>)[n];
      if (!(t instanceof Tensor)) throw new ConfigError(`${where}: ${what} has no tensor for '${n}' (keys: ${Object.keys(v).join(', ')})`);
      return t;
    });
  }
  throw new ConfigError(`${where}: ${what} must be a tensor, a list of tensors or an object of tensors`);
}

/** Checks that every tensor has the same number of samples (first dimension) and returns it. */
export function sampleCount(groups: Tensor[][], where: string): number {
  const all = groups.flat();
  const n = all[0]?.shape[0];
  for (const t of all) {
    if (t.rank === 0 || t.shape[0] !== n) {
      throw new ShapeError(`${where}: every input and target needs the same number of samples on axis 0; got shapes ` +
        all.map((x) => fmtShape(x.shape)).join(', '));
    }
  }
  return n ?? 0;
}

/** Rows `indices` of x along axis 0, copied into a new tensor (no gradient: data, not weights). */
export function takeRows(x: Tensor, indices: Int32Array | number[], start = 0, end = indices.length): Tensor {
  const row = x.size / Math.max(1, x.shape[0]);
  const n = end - start;
  // Every element is written below; inside a training step the storage is recycled (tensor/write-only.ts).
  const out = x.dtype === 'float32' ? writeOnlyFloat32(n * row) : x.dtype === 'int32' ? writeOnlyInt32(n * row) : alloc(x.dtype, n * row);
  // Consecutive indices become one block copy (the unshuffled case).
  let contiguous = true;
  for (let i = start + 1; i < end && contiguous; i++) contiguous = indices[i] === indices[i - 1] + 1;
  if (contiguous && n > 0) out.set(x.values.subarray(indices[start] * row, (indices[start] + n) * row));
  else for (let i = 0; i < n; i++) out.set(x.values.subarray(indices[start + i] * row, (indices[start + i] + 1) * row), i * row);
  return new Tensor(out, [n, ...x.shape.slice(1)]);
}

/** Rows [start, end) of x along axis 0. */
export function sliceRows(x: Tensor, start: number, end: number): Tensor {
  const row = x.size / Math.max(1, x.shape[0]);
  return new Tensor(x.values.slice(start * row, end * row), [end - start, ...x.shape.slice(1)]);
}

/** Joins per-batch results along axis 0. */
export function concatRows(parts: Tensor[]): Tensor {
  const total = parts.reduce((n, p) => n + p.shape[0], 0);
  const out = alloc(parts[0].dtype, parts.reduce((n, p) => n + p.size, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p.values, offset);
    offset += p.size;
  }
  return new Tensor(out, [total, ...parts[0].shape.slice(1)]);
}

/** Normalises one batch of a BatchSource into lists of tensors. */
export function readBatch(b: Batch, inputNames: string[], outputNames: string[], where: string): { xs: Tensor[]; ys: Tensor[] | null; sw: Tensor | null } {
  if (Array.isArray(b)) {
    return { xs: asList(b[0], inputNames, 'xs', where), ys: b[1] ? asList(b[1], outputNames, 'ys', where) : null, sw: b[2] ?? null };
  }
  if (b && typeof b === 'object' && 'xs' in b) {
    return { xs: asList(b.xs, inputNames, 'xs', where), ys: b.ys ? asList(b.ys, outputNames, 'ys', where) : null, sw: b.sampleWeight ?? null };
  }
  throw new ConfigError(`${where}: each batch must be { xs, ys } or [xs, ys], got ${typeof b}`);
}
