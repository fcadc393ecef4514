import { ConfigError } from '../errors.js';
import { type Samples, permutation, sampleCount, takeRows } from './split.js';

/** Options of `batches`. */
export interface BatchOptions {
  /** Samples per batch (default 32). */
  batchSize?: number;
  /** Shuffle the samples first (default false). */
  shuffle?: boolean;
  /** Seed of the shuffle (default: the global generator). */
  seed?: number;
  /** Leave out a last batch smaller than batchSize (default false). */
  dropRemainder?: boolean;
}

/**
 * Cuts a tensor, array or record of them into batches along the first axis. A record `{ xs, ys }`
 * of tensors gives batches that `model.fit` takes as a data source.
 * @example
 * for (const { xs, ys } of st.datasets.batches({ xs: images, ys: labels }, { batchSize: 64, shuffle: true, seed: 1 })) { ... }
 */
export function batches<T extends Samples>(data: T, opts: BatchOptions = {}): Generator<T> {
  const { batchSize = 32, dropRemainder = false } = opts;
  // Checked here, when called, not when the first batch is asked for.
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`batches: batchSize must be a positive integer, got ${batchSize}`);
  const n = sampleCount(data, 'batches');
  const order = opts.shuffle ? permutation(n, opts.seed) : null;
  return cut(data, n, batchSize, dropRemainder, order);
}

function* cut<T extends Samples>(data: T, n: number, batchSize: number, dropRemainder: boolean, order: Int32Array | null): Generator<T> {
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    if (dropRemainder && end - start < batchSize) return;
    const idx = order ? order.subarray(start, end) : Int32Array.from({ length: end - start }, (_, i) => start + i);
    yield takeRows(data, idx);
  }
}
