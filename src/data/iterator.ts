import { ConfigError } from '../errors.js';

/**
 * A pull-based stream of dataset elements, as `tf.data`'s LazyIterator: `await it.next()` gives
 * `{ value, done }`. Also an async iterable, so `for await (const x of await ds.iterator())` works.
 * Calls to next() are answered in order even when several are pending (the stages below are async
 * generators, which queue their requests), which is what lets prefetch run ahead.
 */
export class DataIterator<T> implements AsyncIterableIterator<T> {
  constructor(private readonly source: AsyncIterator<T>) {}

  /** The next element, or `{ done: true }` at the end. */
  next(): Promise<IteratorResult<T>> {
    return this.source.next();
  }

  /** Ends the stream early, releasing what it holds (an open file, a generator's finally blocks). */
  async return(value?: unknown): Promise<IteratorResult<T>> {
    await this.source.return?.(undefined);
    return { value: value as T, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Every remaining element, in order. Never call on an infinite stream. */
  async toArray(): Promise<T[]> {
    const out: T[] = [];
    for (let r = await this.next(); !r.done; r = await this.next()) out.push(r.value);
    return out;
  }

  /** Calls `f` on every remaining element, awaiting each call before reading the next element. */
  async forEachAsync(f: (value: T) => unknown): Promise<void> {
    for (let r = await this.next(); !r.done; r = await this.next()) await f(r.value);
  }
}

/** The stream over a fixed list. */
export async function* fromItems<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

/** The stream of a user iterator (sync or async); a done result ends it and its value is dropped. */
export async function* fromIterator<T>(it: Iterator<T> | AsyncIterator<T>, where: string): AsyncGenerator<T> {
  if (!it || typeof it.next !== 'function') {
    throw new ConfigError(`${where}: the function must return an iterator (an object with next()), e.g. a generator; got ${describe(it)}`);
  }
  try {
    for (;;) {
      const r = await it.next();
      if (!r || typeof r !== 'object') throw new ConfigError(`${where}: next() must return { value, done }, got ${describe(r)}`);
      if (r.done) return;
      yield r.value;
    }
  } finally {
    await it.return?.(undefined);
  }
}

/** A short description of a value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return `an object with keys [${Object.keys(v as object).slice(0, 6).join(', ')}]`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v} ${String(v)}`;
}

/** Checks a count argument: a non-negative integer (or, where `negativeMeansAll`, any integer). */
export function checkCount(where: string, name: string, n: unknown, negativeMeansAll: boolean): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || (!negativeMeansAll && n < 0)) {
    throw new ConfigError(`${where}: ${name} must be ${negativeMeansAll ? 'an integer' : 'a non-negative integer'}, got ${describe(n)}`);
  }
  return n;
}
