// Small helpers shared by the pooling, reshaping, activation and merge layers (internal: not in the barrel).
import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import type { Layer } from './layer.js';

/** Formats a layer shape with unknown dims as null: `[null, 28, 28, 1]`. */

/**
 * Reads a size option (poolSize, strides) given as one positive integer or a tuple of `rank`;
 * 1-D files written by TensorFlow.js hold `[2]`.
 */
export function readTuple(layer: Layer, name: string, v: unknown, rank: number): number[] {
  const list = typeof v === 'number' ? new Array<number>(rank).fill(v) : Array.isArray(v) ? v.slice() : null;
  if (!list || list.length !== rank || list.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new ConfigError(`${layer.describe()}: ${name} must be a positive integer or a tuple of ${rank}, got ${JSON.stringify(v)}`);
  }
  return list as number[];
}

/** Fails when an input shape does not have the rank a layer expects, naming the layout and a fix. */
export function expectRank(layer: Layer, shape: readonly (number | null)[], rank: number, layout: string, fix: string): void {
  if (shape.length !== rank) {
    throw new ShapeError(`${layer.describe()}: expected input of rank ${rank} ${layout}, got ${fmtShape(shape)}${fix ? ` — ${fix}` : ''}`);
  }
}

