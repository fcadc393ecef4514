import { ConfigError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { Dataset, fromIteratorFn } from './dataset.js';
import { DataIterator, describe, fromItems, fromIterator } from './iterator.js';

/**
 * A dataset of the items of an array, in order (the items themselves, not copies).
 * @example const ds = st.data.array([{ x: 1, y: 2 }, { x: 3, y: 4 }]);
 */
export function array<T>(items: T[]): Dataset<T> {
  if (!Array.isArray(items)) throw new ConfigError(`data.array: expected an array of elements, got ${describe(items)}`);
  return fromIteratorFn(async () => fromItems(items), items.length);
}

/**
 * A dataset read from an iterator that `make` returns: a generator function (sync or async) or any
 * function returning an object with next(). Each iterator() pass calls `make` again, so a
 * generator function restarts; the size is unknown.
 * @example
 * const ds = st.data.generator(function* () { for (let i = 0; i < 100; i++) yield { xs: [i], ys: [2 * i] }; });
 */
export function generator<T>(make: () => Iterator<T> | AsyncIterator<T> | Promise<Iterator<T> | AsyncIterator<T>>): Dataset<T> {
  if (typeof make !== 'function') {
    throw new ConfigError(`data.generator: expected a function that returns an iterator (e.g. function* () { yield ... }), got ${describe(make)}` +
      (make && typeof (make as { next?: unknown }).next === 'function' ? '; a generator object can be read only once, pass the generator function itself' : ''));
  }
  return fromIteratorFn(async () => fromIterator(await make(), 'data.generator'));
}

/**
 * A dataset whose elements come from calling `f`, which returns `{ value, done }` (or a promise of
 * it). Every pass shares the one stream, as in TensorFlow.js.
 * @example let i = 0; const ds = st.data.func(() => ({ value: i++, done: i > 5 }));
 */
export function func<T>(f: () => IteratorResult<T> | Promise<IteratorResult<T>>): Dataset<T> {
  if (typeof f !== 'function') throw new ConfigError(`data.func: expected a function returning { value, done }, got ${describe(f)}`);
  const shared = fromIterator({ next: f } as AsyncIterator<T>, 'data.func');
  // Each pass reads the shared stream through a view without return(), so ending a pass early
  // (take(n)) leaves the stream open for the next pass.
  return fromIteratorFn(async () => ({ next: () => shared.next() }));
}

/** Datasets to zip: an array or object of datasets, nested to any depth. */
export type DatasetContainer = Dataset | DatasetContainer[] | { [key: string]: DatasetContainer };

type IteratorTree = DataIterator<unknown> | IteratorTree[] | { [key: string]: IteratorTree };

function sizeOf(c: DatasetContainer, where: string): number | null {
  if (c instanceof Dataset) return c.size;
  const children = Array.isArray(c) ? c : isPlainContainer(c) ? Object.values(c) : null;
  if (!children) throw new ConfigError(`${where}: the leaves must be Datasets, got ${describe(c)}`);
  let size: number | null = Infinity;
  for (const child of children) {
    const s = sizeOf(child, where);
    size = size === null || s === null ? null : Math.min(size, s);
  }
  return size;
}

function isPlainContainer(c: unknown): c is Record<string, DatasetContainer> {
  return !!c && typeof c === 'object' && !(c instanceof Tensor) && !(c instanceof Promise);
}

async function openAll(c: DatasetContainer): Promise<IteratorTree> {
  if (c instanceof Dataset) return c.iterator();
  if (Array.isArray(c)) return Promise.all(c.map(openAll));
  const out: Record<string, IteratorTree> = {};
  for (const [k, v] of Object.entries(c)) out[k] = await openAll(v);
  return out;
}

async function closeAll(t: IteratorTree): Promise<void> {
  if (t instanceof DataIterator) await t.return();
  else await Promise.all((Array.isArray(t) ? t : Object.values(t)).map(closeAll));
}

/** Reads one element from every iterator of the tree; null when any of them has ended. */
async function readAll(t: IteratorTree): Promise<{ value: unknown } | null> {
  if (t instanceof DataIterator) {
    const r = await t.next();
    return r.done ? null : { value: r.value };
  }
  const entries = Array.isArray(t) ? t.map((v, i) => [i, v] as const) : Object.entries(t);
  const results = await Promise.all(entries.map(([, v]) => readAll(v)));
  if (results.some((r) => r === null)) return null;
  const out = (Array.isArray(t) ? [] : {}) as Record<string | number, unknown>;
  entries.forEach(([k], i) => (out[k] = results[i]!.value));
  return { value: out };
}

/**
 * A dataset of tuples or dictionaries: element i holds element i of each given dataset, arranged as
 * the argument is (an array, an object, or nested ones). Ends with the shortest dataset.
 * @example const ds = st.data.zip({ xs: st.data.array(features), ys: st.data.array(labels) });
 */
export function zip<O = unknown>(datasets: DatasetContainer): Dataset<O> {
  if (datasets instanceof Dataset || !isPlainContainer(datasets)) {
    throw new ConfigError(`data.zip: expected an array or object of Datasets, e.g. zip({ xs, ys }) or zip([a, b]); got ${describe(datasets)}`);
  }
  if ((Array.isArray(datasets) ? datasets : Object.values(datasets)).length === 0) throw new ConfigError('data.zip: got no datasets to zip');
  const size = sizeOf(datasets, 'data.zip');
  return fromIteratorFn(async () => {
    const tree = await openAll(datasets);
    return (async function* () {
      try {
        for (;;) {
          const r = await readAll(tree);
          if (!r) return;
          yield r.value as O;
        }
      } finally {
        await closeAll(tree);
      }
    })();
  }, size);
}
