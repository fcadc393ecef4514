import { ConfigError } from '../errors.js';
import { permutation } from './split.js';

/** A labelled text dataset: `labels[i]` is the class of `texts[i]`. */
export interface TextDataset {
  texts: string[];
  labels: number[];
}

/** Options shared by the labelled text loaders. */
export interface TextLoadOptions {
  /** Keep only the first n samples of the (shuffled) order; only those are parsed. Default: all. */
  limit?: number;
  /** Return the samples in a seeded random order (default true) rather than the package's order, which is grouped by class. */
  shuffle?: boolean;
  /** Seed of that order (default 0). */
  seed?: number;
}

/** The order in which a loader returns samples 0…n−1: seeded shuffle or identity, cut to `limit`. */
export function sampleOrder(loader: string, n: number, opts: TextLoadOptions): Int32Array {
  const { limit } = opts;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new ConfigError(`${loader}: limit must be a positive integer, got ${JSON.stringify(limit)}`);
  }
  const order = opts.shuffle === false ? Int32Array.from({ length: n }, (_, i) => i) : permutation(n, opts.seed ?? 0);
  return limit === undefined ? order : order.subarray(0, Math.min(n, limit));
}
