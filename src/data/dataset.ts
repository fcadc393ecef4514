import { ConfigError } from '../errors.js';
import { Random, randomFor } from '../tensor/random.js';
import { DataIterator, checkCount, describe } from './iterator.js';
import { deepBatch } from './deep-batch.js';
import { chainStage, filterStage, mapStage, prefetchStage, rowsStage, shuffleStage, skipStage, takeStage } from './stages.js';

/** A shuffle seed: a number, or a string as in TensorFlow.js (hashed to a number). */
export type ShuffleSeed = number | string;

function seedNumber(seed: ShuffleSeed): number {
  if (typeof seed === 'number') return seed;
  let h = 0x811c9dc5; // FNV-1a: any string gives a stable 32-bit seed
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * An ordered collection of elements, read lazily, as TensorFlow.js's `tf.data.Dataset`: every
 * `iterator()` call starts a fresh pass; transformations return new datasets and change nothing.
 * Elements are any values: tensors, numbers, arrays or objects of them (`{ xs, ys }` for fitDataset).
 * @example
 * const ds = st.data.array([1, 2, 3, 4, 5]).map((x) => x * 2).shuffle(5, 42).batch(2);
 * await ds.forEachAsync((b) => console.log(b.arraySync()));
 */
export abstract class Dataset<T = unknown> {
  /** Number of elements: a count, Infinity, or null when unknown without reading (e.g. a generator). */
  readonly size: number | null = null;

  /** A fresh iterator over the elements. */
  abstract iterator(): Promise<DataIterator<T>>;

  /**
   * Groups consecutive elements into batches, stacking tensors and numbers into tensors with a new
   * first axis, object by object and key by key. The last batch may be smaller unless
   * `smallLastBatch` is false, which drops it.
   * @example st.data.array([{ xs: [1, 2], ys: 0 }, { xs: [3, 4], ys: 1 }]).batch(2) // { xs: [2, 2], ys: [2] }
   */
  batch(batchSize: number, smallLastBatch = true): Dataset<unknown> {
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new ConfigError(`Dataset.batch: batchSize must be a positive integer, got ${describe(batchSize)}`);
    const size = this.size === null || this.size === Infinity ? this.size
      : smallLastBatch ? Math.ceil(this.size / batchSize) : Math.floor(this.size / batchSize);
    return fromIteratorFn(async () => mapStage(rowsStage(await this.iterator(), batchSize, smallLastBatch), (rows) => deepBatch(rows)), size);
  }

  /** The elements of this dataset, then those of `other`. */
  concatenate(other: Dataset<T>): Dataset<T> {
    if (!(other instanceof Dataset)) throw new ConfigError(`Dataset.concatenate: expected a Dataset, got ${describe(other)}`);
    const size = this.size === Infinity || other.size === Infinity ? Infinity
      : this.size !== null && other.size !== null ? this.size + other.size : null;
    const parts = [this, other];
    return fromIteratorFn(async () => chainStage((i) => (i < 2 ? parts[i].iterator() : Promise.resolve(null))), size);
  }

  /** The elements for which `predicate` is true. */
  filter(predicate: (value: T) => boolean): Dataset<T> {
    return fromIteratorFn(async () => filterStage(await this.iterator(), predicate), this.size === Infinity ? Infinity : null);
  }

  /** Calls `f` on every element in order, awaiting each call. */
  async forEachAsync(f: (value: T) => unknown): Promise<void> {
    return (await this.iterator()).forEachAsync(f);
  }

  /** Applies `transform` to every element (a promise it returns is awaited, as with mapAsync). */
  map<O>(transform: (value: T) => O): Dataset<O> {
    return fromIteratorFn(async () => mapStage(await this.iterator(), transform), this.size);
  }

  /** Applies an asynchronous `transform` to every element, awaiting each result. */
  mapAsync<O>(transform: (value: T) => Promise<O>): Dataset<O> {
    return fromIteratorFn(async () => mapStage(await this.iterator(), transform), this.size);
  }

  /** Reads up to `bufferSize` elements ahead of the consumer, so producing and consuming overlap. */
  prefetch(bufferSize: number): Dataset<T> {
    if (!Number.isInteger(bufferSize) || bufferSize <= 0) throw new ConfigError(`Dataset.prefetch: bufferSize must be a positive integer, got ${describe(bufferSize)}`);
    return fromIteratorFn(async () => prefetchStage(await this.iterator(), bufferSize), this.size);
  }

  /**
   * The dataset `count` times over, each pass a fresh iteration (so a shuffle reshuffles); forever
   * when count is omitted or negative.
   */
  repeat(count?: number): Dataset<T> {
    const n = count === undefined ? -1 : checkCount('Dataset.repeat', 'count', count, true);
    const size = n === 0 ? 0 : this.size === null ? null : n > 0 ? this.size * n : this.size === 0 ? 0 : Infinity;
    return fromIteratorFn(async () => chainStage((i) => (n < 0 || i < n ? this.iterator() : Promise.resolve(null)), true), size);
  }

  /** All but the first `count` elements. */
  skip(count: number): Dataset<T> {
    const n = checkCount('Dataset.skip', 'count', count, true);
    const size = this.size === null || n < 0 ? this.size : Math.max(0, this.size - n);
    return fromIteratorFn(async () => skipStage(await this.iterator(), n), size);
  }

  /**
   * Shuffles through a window of `bufferSize` elements: the data fully when bufferSize ≥ size, only
   * locally when smaller. Seeded by `seed` (number or string), or by st.setSeed when omitted, so a
   * pipeline gives the same orders run after run. With `reshuffleEachIteration` (default) every
   * iterator() pass draws a new order; without it every pass repeats the first order.
   * @example st.data.array(items).shuffle(items.length, 7).batch(32)
   */
  shuffle(bufferSize: number, seed?: ShuffleSeed, reshuffleEachIteration = true): Dataset<T> {
    if (!Number.isInteger(bufferSize) || bufferSize <= 0) {
      throw new ConfigError(`Dataset.shuffle: bufferSize must be a positive integer, got ${describe(bufferSize)}` +
        (this.size !== null && Number.isFinite(this.size) ? `; to shuffle all of it in memory use the dataset size (${this.size})` : ''));
    }
    if (seed !== undefined && typeof seed !== 'number' && typeof seed !== 'string') {
      throw new ConfigError(`Dataset.shuffle: seed must be a number or a string, got ${describe(seed)}`);
    }
    const passes = randomFor(seed === undefined ? undefined : seedNumber(seed));
    const fixed = passes.nextUint32();
    return fromIteratorFn(async () => {
      const rng = new Random(reshuffleEachIteration ? passes.nextUint32() : fixed);
      return shuffleStage(await this.iterator(), bufferSize, rng);
    }, this.size);
  }

  /** The first `count` elements (all of them when count is negative). */
  take(count: number): Dataset<T> {
    const n = checkCount('Dataset.take', 'count', count, true);
    const size = this.size === null || n < 0 ? this.size : Math.min(this.size, n);
    return fromIteratorFn(async () => takeStage(await this.iterator(), n), size);
  }

  /** Every element in an array. Throws on an infinite dataset. */
  async toArray(): Promise<T[]> {
    if (this.size === Infinity) throw new ConfigError('Dataset.toArray: the dataset is infinite (repeat() without a count?); take(n) first');
    return (await this.iterator()).toArray();
  }
}

class FnDataset<T> extends Dataset<T> {
  override readonly size: number | null;
  constructor(private readonly open: () => Promise<AsyncIterator<T>>, size: number | null) {
    super();
    this.size = size;
  }
  async iterator(): Promise<DataIterator<T>> {
    return new DataIterator(await this.open());
  }
}

/** A dataset whose iterator() calls `open` for a fresh stream. */
export function fromIteratorFn<T>(open: () => Promise<AsyncIterator<T>>, size: number | null = null): Dataset<T> {
  return new FnDataset(open, size);
}
