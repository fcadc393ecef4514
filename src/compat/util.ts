/**
 * `tf.util`: the helpers of TensorFlow.js's util namespace that programs call (assert, shuffle,
 * createShuffledIndices, now, sizeFromShape, …). Random helpers draw from Strata's global generator,
 * so `st.setSeed(n)` makes them repeatable (TF.js uses Math.random).
 */
import { ConfigError, StrataError, ShapeError } from '../errors.js';
import { randomFor } from '../tensor/random.js';

/** Thrown by `util.assert` when its condition is false. */
export class AssertionError extends StrataError {}

type Shuffleable = unknown[] | Uint32Array | Int32Array | Float32Array | Float64Array;

/**
 * Throws an error with `msg()` when `expr` is false; the message is built only then.
 * @example st.util.assert(x.rank === 2, () => `expected a matrix, got rank ${x.rank}`)
 */
export function assert(expr: boolean, msg: () => string): asserts expr {
  if (!expr) throw new AssertionError(typeof msg === 'function' ? msg() : String(msg));
}

/** Throws unless `a` is neither null nor undefined. */
export function assertNonNull(a: unknown): void {
  assert(a !== null && a !== undefined, () => 'The input to the tensor constructor must be a non-null value.');
}

/** Throws (ShapeError) unless the two shapes are equal. */
export function assertShapesMatch(shapeA: readonly number[], shapeB: readonly number[], errorMessagePrefix = ''): void {
  if (!arraysEqual(shapeA, shapeB)) throw new ShapeError(`${errorMessagePrefix} Shapes [${shapeA}] and [${shapeB}] must match`);
}

/** Swaps two elements of an array in place. */
export function swap<T>(array: { [i: number]: T }, i: number, j: number): void {
  const t = array[i];
  array[i] = array[j];
  array[j] = t;
}

/**
 * Shuffles an array in place (Fisher–Yates), drawing from Strata's global generator.
 * @example const idx = [0, 1, 2, 3]; st.util.shuffle(idx);
 */
export function shuffle(array: Shuffleable): void {
  const rng = randomFor();
  for (let n = array.length; n > 1; n--) swap(array as unknown[], n - 1, Math.floor(rng.uniform() * n));
}

/** Shuffles two arrays of the same length in place with the same permutation. */
export function shuffleCombo(array: Shuffleable, array2: Shuffleable): void {
  if (array.length !== array2.length) {
    throw new ConfigError(`util.shuffleCombo: the arrays must have the same length, got ${array.length} and ${array2.length}`);
  }
  const rng = randomFor();
  for (let n = array.length; n > 1; n--) {
    const j = Math.floor(rng.uniform() * n);
    swap(array as unknown[], n - 1, j);
    swap(array2 as unknown[], n - 1, j);
  }
}

/** The numbers 0 … n − 1 in random order, as a Uint32Array. @example st.util.createShuffledIndices(5) */
export function createShuffledIndices(n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  shuffle(out as unknown as Int32Array);
  return out;
}

/** The time in milliseconds, with sub-millisecond resolution (performance.now). */
export function now(): number {
  return globalThis.performance ? globalThis.performance.now() : Date.now();
}

/** Number of elements of a shape (1 for a scalar). @example st.util.sizeFromShape([2, 3]) // 6 */
export function sizeFromShape(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/** The row-major strides of every dimension but the last ([] for rank ≤ 1), as TF.js computes them. */
export function computeStrides(shape: readonly number[]): number[] {
  const strides: number[] = [];
  let s = 1;
  for (let d = shape.length - 1; d > 0; d--) {
    s *= shape[d];
    strides.unshift(s);
  }
  return strides;
}

/** Whether two flat arrays have the same length and elements. */
export function arraysEqual(a: ArrayLike<unknown> | null | undefined, b: ArrayLike<unknown> | null | undefined): boolean {
  if (a === b) return true;
  if (a === null || a === undefined || b === null || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether `a` is a typed array (Float32Array, Int32Array, Uint8Array, …; not a DataView). */
export function isTypedArray(a: unknown): a is Float32Array | Int32Array | Uint8Array | Uint8ClampedArray | Float64Array {
  return ArrayBuffer.isView(a) && !(a instanceof DataView);
}

/**
 * Flattens nested arrays (and typed arrays, unless `skipTypedArray`) into `result`, depth first.
 * @example st.util.flatten([[1, 2], [3, [4]]]) // [1, 2, 3, 4]
 */
export function flatten<T>(arr: unknown, result: T[] = [], skipTypedArray = false): T[] {
  if (Array.isArray(arr) || (isTypedArray(arr) && !skipTypedArray)) {
    for (let i = 0; i < (arr as ArrayLike<unknown>).length; i++) flatten((arr as ArrayLike<unknown>)[i], result, skipTypedArray);
  } else {
    result.push(arr as T);
  }
  return result;
}

/** `x` limited to [min, max]. Note TF.js's argument order: clamp(min, x, max). */
export function clamp(min: number, x: number, max: number): number {
  return Math.max(min, Math.min(x, max));
}

/** Sum of an array of numbers. */
export function sum(arr: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < arr.length; i++) s += arr[i];
  return s;
}

/** A uniform random number in [a, b), from Strata's global generator. */
export function randUniform(a: number, b: number): number {
  return a + (b - a) * randomFor().uniform();
}

/** Squared Euclidean distance between two vectors of the same length. */
export function distSquared(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new ShapeError(`util.distSquared: vectors of length ${a.length} and ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s;
}

/** The smallest even number ≥ val. */
export function nearestLargerEven(val: number): number {
  return val % 2 === 0 ? val : val + 1;
}

/** [rows, cols] close to a square holding `size` elements. */
export function sizeToSquarishShape(size: number): [number, number] {
  const width = Math.ceil(Math.sqrt(size));
  return [width, Math.ceil(size / width)];
}

/** `a` padded with spaces on the right to `size` characters. */
export function rightPad(a: string, size: number): string {
  return size <= a.length ? a : a + ' '.repeat(size - a.length);
}

/** Whether `a` is an integer. */
export const isInt = (a: number): boolean => Number.isInteger(a);
/** Whether `v` is a string (primitive or String object). */
export const isString = (v: unknown): v is string => typeof v === 'string' || v instanceof String;
/** Whether `v` is a number. */
export const isNumber = (v: unknown): v is number => typeof v === 'number';
/** Whether `v` is a boolean. */
export const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
/** Whether `f` is a function. */
export const isFunction = (f: unknown): boolean => typeof f === 'function';

function checkEncoding(where: string, encoding: string): void {
  if (!/^utf-?8$/i.test(encoding)) throw new ConfigError(`${where}: only 'utf-8' is supported, got '${encoding}'`);
}

/** UTF-8 bytes of a string. @example st.util.encodeString('hé') // Uint8Array [104, 195, 169] */
export function encodeString(s: string, encoding = 'utf-8'): Uint8Array {
  checkEncoding('util.encodeString', encoding);
  return new TextEncoder().encode(s);
}

/** The string of UTF-8 bytes. */
export function decodeString(bytes: Uint8Array, encoding = 'utf-8'): string {
  checkEncoding('util.decodeString', encoding);
  return new TextDecoder('utf-8').decode(bytes);
}
