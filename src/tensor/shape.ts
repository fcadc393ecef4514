import { ConfigError, ShapeError, fmtShape } from '../errors.js';

export type Shape = number[];

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a shape, in elements. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The NumPy broadcast of two shapes; throws naming the op when they cannot broadcast. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): Shape {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot broadcast: ` +
        `dimension ${i - rank} is ${da} in one and ${db} in the other (each must be equal or 1)`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * The axes along which `inShape` was broadcast to reach `outShape` — the axes a gradient must be
 * summed over to return to the input's shape.
 */
export function broadcastedAxes(inShape: readonly number[], outShape: readonly number[]): number[] {
  const axes: number[] = [];
  const offset = outShape.length - inShape.length;
  for (let i = 0; i < outShape.length; i++) {
    const d = i < offset ? 1 : inShape[i - offset];
    if (d === 1 && outShape[i] !== 1) axes.push(i);
    else if (i < offset) axes.push(i);
  }
  return axes;
}

/** Resolves a possibly negative axis against a rank; throws naming the op when out of range. */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1) && !(rank === 0 && axis === 0)) {
    throw new ShapeError(`${op}: axis ${axis} is out of range for a tensor of rank ${rank} (use -${rank} to ${rank - 1})`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Resolves `axis` (undefined = all, a number or a list) to sorted, unique, non-negative axes. */
export function normalizeAxes(op: string, axis: number | readonly number[] | undefined | null, rank: number): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axis === 'number' ? [axis] : axis;
  const seen = new Set<number>();
  for (const a of list) {
    const n = normalizeAxis(op, a, rank);
    if (seen.has(n)) throw new ShapeError(`${op}: axis ${a} is listed twice in [${list.join(', ')}]`);
    seen.add(n);
  }
  return [...seen].sort((p, q) => p - q);
}

/** Checks that a shape is a list of non-negative integers. */
export function assertShape(op: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ShapeError(`${op}: a shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
}

/** Checks that a value is a positive integer, naming the option. */
export function assertPositiveInt(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new ConfigError(`${op}: ${name} must be a positive integer, got ${JSON.stringify(v)}`);
  }
  return v;
}
