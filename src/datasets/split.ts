import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import { Random, randomFor } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { alloc } from '../tensor/dtype.js';

/** Something with samples along its first axis: a tensor, an array or a typed array. */
export type Rows = Tensor | readonly unknown[] | Int32Array | Float32Array | Float64Array;

/** One `Rows`, or a record of them with the same number of samples (`{ images, labels }`). */
export type Samples = Rows | { readonly [key: string]: Rows };

/** Options of `splitIndices` and `trainTestSplit`. */
export interface SplitOptions {
  /** Test part: a fraction in [0, 1) or a count ≥ 1 (default 0.2). */
  test?: number;
  /** Validation part, taken from what the test part leaves: a fraction of all samples or a count (default 0). */
  validation?: number;
  /** Seed of the shuffle (default 0, so a split is the same on every run). */
  seed?: number;
  /** Shuffle before splitting (default true); false keeps order: train, then validation, then test last. */
  shuffle?: boolean;
  /** Labels to stratify by: each class is split in the same proportions. */
  stratify?: readonly number[] | Int32Array | Tensor;
}

/** Sample indices of a three-way split. */
export interface SplitIndices {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

/**
 * A random permutation of 0…n−1 (Fisher–Yates). Same seed, same permutation; without a seed it
 * draws from the global generator (`st.setSeed`).
 * @example st.datasets.permutation(5, 42) // Int32Array of 0–4 in a fixed order
 */
export function permutation(n: number, seed?: number): Int32Array {
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`permutation: n must be a non-negative integer, got ${n}`);
  return permute(n, randomFor(seed));
}

function permute(n: number, rng: Random): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    const t = p[i]; p[i] = p[j]; p[j] = t;
  }
  return p;
}

/** Number of samples in `data` (the first dimension), checking that every field of a record agrees. */
export function sampleCount(data: Samples, where = 'datasets'): number {
  if (isRows(data)) return rowsOf(data, where);
  const entries = Object.entries(data);
  if (entries.length === 0) throw new ConfigError(`${where}: the record of data is empty`);
  const counts = entries.map(([k, v]) => [k, rowsOf(v, `${where}: '${k}'`)] as const);
  if (counts.some(([, c]) => c !== counts[0][1])) {
    throw new ShapeError(`${where}: every field needs the same number of samples, got ${counts.map(([k, c]) => `${k}: ${c}`).join(', ')}`);
  }
  return counts[0][1];
}

/**
 * Takes samples `indices` (along the first axis) of a tensor, array or record of them, in that order.
 * @example st.datasets.takeRows({ x, y }, [2, 0]) // { x: rows 2 and 0 of x, y: the same of y }
 */
export function takeRows<T extends Samples>(data: T, indices: ArrayLike<number>): T {
  const n = sampleCount(data, 'takeRows');
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i];
    if (!Number.isInteger(k) || k < 0 || k >= n) throw new ConfigError(`takeRows: index ${k} is outside 0–${n - 1}`);
  }
  if (isRows(data)) return takeOne(data, indices) as T;
  const out: Record<string, Rows> = {};
  for (const [k, v] of Object.entries(data as { [key: string]: Rows })) out[k] = takeOne(v, indices);
  return out as unknown as T;
}

function takeOne(x: Rows, idx: ArrayLike<number>): Rows {
  if (x instanceof Tensor) {
    const row = x.shape[0] === 0 ? 0 : x.size / x.shape[0];
    const out = alloc(x.dtype, idx.length * row);
    for (let i = 0; i < idx.length; i++) out.set(x.values.subarray(idx[i] * row, (idx[i] + 1) * row), i * row);
    return new Tensor(out, [idx.length, ...x.shape.slice(1)]);
  }
  if (Array.isArray(x)) return Array.from(idx, (i) => x[i]);
  const t = x as Int32Array | Float32Array | Float64Array;
  const out = new (t.constructor as Int32ArrayConstructor)(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = t[idx[i]];
  return out;
}

/**
 * Shuffles the samples of a tensor, array or record of them (all fields in the same order).
 * Options: `seed` (default: the global generator, so each call differs unless seeded).
 * @example const { x, y } = st.datasets.shuffle({ x, y }, { seed: 1 });
 */
export function shuffle<T extends Samples>(data: T, opts: { seed?: number } = {}): T {
  return takeRows(data, permutation(sampleCount(data, 'shuffle'), opts.seed));
}

/**
 * Splits sample indices 0…n−1 into train, validation and test parts, shuffled with a seed
 * (default 0: the same split on every run) and optionally stratified by labels. Parts are
 * rounded to whole samples; train gets the rest.
 * @example
 * const { train, validation, test } = st.datasets.splitIndices(100, { validation: 0.1, test: 0.2, seed: 7 });
 * // 70, 10 and 20 indices, disjoint, covering 0–99
 */
export function splitIndices(n: number, opts: SplitOptions = {}): SplitIndices {
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`splitIndices: n must be a non-negative integer, got ${n}`);
  const testPart = part('test', opts.test ?? 0.2, n);
  const valPart = part('validation', opts.validation ?? 0, n);
  if (testPart + valPart > n) {
    throw new ConfigError(`splitIndices: test (${testPart}) and validation (${valPart}) samples exceed the ${n} samples`);
  }
  const doShuffle = opts.shuffle ?? true;
  const rng = new Random(opts.seed ?? 0);
  const groups = opts.stratify === undefined ? [rangeOf(n)] : byClass(opts.stratify, n);
  const train: number[] = [], validation: number[] = [], test: number[] = [];
  for (const g of groups) {
    const order = doShuffle ? Array.from(permute(g.length, rng), (i) => g[i]) : g;
    // Stratified: each class gives its share of the (already rounded) totals.
    const nTest = groups.length === 1 ? testPart : Math.round((g.length * testPart) / Math.max(1, n));
    const nVal = groups.length === 1 ? valPart : Math.round((g.length * valPart) / Math.max(1, n));
    const nTrain = Math.max(0, g.length - nTest - nVal);
    train.push(...order.slice(0, nTrain));
    validation.push(...order.slice(nTrain, nTrain + nVal));
    test.push(...order.slice(nTrain + nVal));
  }
  const finish = (xs: number[]): Int32Array => {
    const a = Int32Array.from(xs);
    if (groups.length > 1) return doShuffle ? Int32Array.from(permute(a.length, rng), (i) => a[i]) : a.sort();
    return a;
  };
  return { train: finish(train), validation: finish(validation), test: finish(test) };
}

/**
 * Splits a tensor, array or record of them into train, validation and test parts (see
 * `splitIndices` for the options; validation is empty unless asked for).
 * @example
 * const { train, test } = st.datasets.trainTestSplit({ x, y }, { test: 0.25, seed: 1, stratify: labels });
 */
export function trainTestSplit<T extends Samples>(data: T, opts: SplitOptions = {}): { train: T; validation: T; test: T } {
  const idx = splitIndices(sampleCount(data, 'trainTestSplit'), opts);
  return { train: takeRows(data, idx.train), validation: takeRows(data, idx.validation), test: takeRows(data, idx.test) };
}

function part(name: string, v: number, n: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (v >= 1 && !Number.isInteger(v))) {
    throw new ConfigError(`splitIndices: ${name} must be a fraction in [0, 1) or a whole count, got ${v}`);
  }
  return v < 1 ? Math.round(v * n) : v;
}

function rangeOf(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function byClass(labels: readonly number[] | Int32Array | Tensor, n: number): number[][] {
  const vals = labels instanceof Tensor ? labels.values : labels;
  if (labels instanceof Tensor && labels.rank !== 1) {
    throw new ShapeError(`splitIndices: stratify labels must be rank 1, got shape ${fmtShape(labels.shape)}`);
  }
  if (vals.length !== n) throw new ShapeError(`splitIndices: stratify has ${vals.length} labels for ${n} samples`);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const g = groups.get(vals[i]);
    if (g) g.push(i); else groups.set(vals[i], [i]);
  }
  return [...groups.keys()].sort((a, b) => a - b).map((k) => groups.get(k)!);
}

function isRows(x: Samples): x is Rows {
  return x instanceof Tensor || Array.isArray(x) || ArrayBuffer.isView(x);
}

function rowsOf(x: Rows, where: string): number {
  if (x instanceof Tensor) {
    if (x.rank === 0) throw new ShapeError(`${where}: a scalar has no samples; give a tensor with a first (sample) dimension`);
    return x.shape[0];
  }
  if (Array.isArray(x) || ArrayBuffer.isView(x)) return (x as ArrayLike<unknown>).length;
  throw new ConfigError(`${where}: expected a tensor, an array or a record of them, got ${typeof x}`);
}
