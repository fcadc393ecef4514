// Option parsing shared by the spatial layers (transposed convs, upsampling, padding, cropping).
import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import type { LayerShape } from './layer.js';
import { type DataFormat, layoutOf } from './data-format.js';


/** A number or a tuple of `rank` integers ≥ `min`, expanded to the tuple. */
export function intTuple(where: string, name: string, v: unknown, rank: number, min: number): number[] {
  const list = typeof v === 'number' ? new Array<number>(rank).fill(v) : v;
  if (!Array.isArray(list) || list.length !== rank || list.some((d) => !Number.isInteger(d) || d < min)) {
    const kind = min > 0 ? 'positive' : 'non-negative';
    throw new ConfigError(`${where}: ${name} must be a ${kind} integer or a tuple of ${rank}, got ${JSON.stringify(v)}`);
  }
  return list as number[];
}

/**
 * Keras' padding/cropping forms: n (n on both sides of every dim), one number per dim
 * (symmetric), or one [before, after] pair per dim. For rank 1, a pair [before, after] also.
 */
export function pairsPerDim(where: string, name: string, v: unknown, rank: number): [number, number][] {
  const ok = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0;
  const fail = (): never => {
    const eg = rank === 1 ? '2, or [before, after]' : `2, a tuple of ${rank}, or ${rank} pairs [before, after]`;
    throw new ConfigError(`${where}: ${name} must be a non-negative integer (e.g. ${eg}), got ${JSON.stringify(v)}`);
  };
  if (ok(v)) return Array.from({ length: rank }, (): [number, number] => [v, v]);
  if (!Array.isArray(v)) return fail();
  if (rank === 1 && v.length === 2 && v.every(ok)) return [[v[0], v[1]]];
  if (rank === 1 && v.length === 1 && ok(v[0])) return [[v[0], v[0]]];
  if (v.length !== rank) return fail();
  if (v.every(ok)) return v.map((n: number): [number, number] => [n, n]);
  if (v.every((p) => Array.isArray(p) && p.length === 2 && p.every(ok))) return v.map((p: number[]): [number, number] => [p[0], p[1]]);
  return fail();
}

/** Throws a ShapeError unless the input is [batch, ...rank spatial dims, channels] (channels first: [batch, channels, ...]), with a fix. */
export function checkSpatialInput(where: string, rank: number, shape: LayerShape, needChannels = false, format: DataFormat = 'channelsLast'): void {
  const first = format === 'channelsFirst', layout = layoutOf(rank, format);
  const target = (first ? [1, ...shape.slice(1)] : [...shape.slice(1), 1]).map((d) => d ?? -1);
  const fix = shape.length === rank + 1 ? ` — add a channels dimension with reshape (st.layers.reshape({ targetShape: ${fmtShape(target)} }))`
    : shape.length < rank + 1 ? ` — reshape the input to ${layout}`
      : ` — this layer is ${rank}-D; use the ${shape.length - 2}-D variant or reshape the input`;
  if (shape.length !== rank + 2) {
    throw new ShapeError(`${where}: expected input of rank ${rank + 2} ${layout}, got ${fmtShape(shape)}${fix}`);
  }
  if (needChannels && shape[first ? 1 : rank + 1] === null) {
    throw new ShapeError(`${where}: the channels dimension (${first ? 'axis 1' : 'last'}) of the input must be known, got ${fmtShape(shape)}`);
  }
}

