import { Random } from '../tensor/random.js';

// The stages of a pipeline: each reads an upstream iterator and is itself an async generator, so
// pending next() calls are served one after the other, in order.

/** Ends an upstream iterator early (closing a file, running a generator's finally); a no-op once it has ended. */
export async function close(it: AsyncIterator<unknown>): Promise<void> {
  await it.return?.(undefined);
}

export async function* mapStage<I, O>(up: AsyncIterator<I>, f: (x: I) => O | Promise<O>): AsyncGenerator<O> {
  try {
    for (let r = await up.next(); !r.done; r = await up.next()) yield await f(r.value);
  } finally {
    await close(up);
  }
}

export async function* filterStage<T>(up: AsyncIterator<T>, keep: (x: T) => boolean): AsyncGenerator<T> {
  try {
    for (let r = await up.next(); !r.done; r = await up.next()) if (keep(r.value)) yield r.value;
  } finally {
    await close(up);
  }
}

/** The first `count` elements (all of them when count < 0); reads no element past the last one given. */
export async function* takeStage<T>(up: AsyncIterator<T>, count: number): AsyncGenerator<T> {
  try {
    for (let n = 0; count < 0 || n < count; n++) {
      const r = await up.next();
      if (r.done) return;
      yield r.value;
    }
  } finally {
    await close(up);
  }
}

/** All but the first `count` elements (count < 0 skips nothing). */
export async function* skipStage<T>(up: AsyncIterator<T>, count: number): AsyncGenerator<T> {
  try {
    for (let n = 0; n < count; n++) if ((await up.next()).done) return;
    for (let r = await up.next(); !r.done; r = await up.next()) yield r.value;
  } finally {
    await close(up);
  }
}

/** Groups of `size` consecutive elements; a shorter final group only when `smallLast`. */
export async function* rowsStage<T>(up: AsyncIterator<T>, size: number, smallLast: boolean): AsyncGenerator<T[]> {
  try {
    for (;;) {
      const rows: T[] = [];
      while (rows.length < size) {
        const r = await up.next();
        if (r.done) {
          if (smallLast && rows.length > 0) yield rows;
          return;
        }
        rows.push(r.value);
      }
      yield rows;
    }
  } finally {
    await close(up);
  }
}

/**
 * The elements of each iterator in turn; `open` makes the i-th one (null when there are no more).
 * With `stopOnEmpty`, a pass that yields nothing ends the chain (an endless repeat of nothing).
 */
export async function* chainStage<T>(open: (i: number) => Promise<AsyncIterator<T> | null>, stopOnEmpty = false): AsyncGenerator<T> {
  for (let i = 0; ; i++) {
    const it = await open(i);
    if (!it) return;
    let n = 0;
    try {
      for (let r = await it.next(); !r.done; r = await it.next(), n++) yield r.value;
    } finally {
      await close(it);
    }
    if (stopOnEmpty && n === 0) return;
  }
}

/**
 * Shuffles through a window of `bufferSize` elements, as tf.data does: fill the window, hand out a
 * random one and put the next upstream element in its place. The i-th element out is one of the
 * first i + bufferSize in; a window as large as the data gives a uniform permutation.
 */
export async function* shuffleStage<T>(up: AsyncIterator<T>, bufferSize: number, rng: Random): AsyncGenerator<T> {
  const window: T[] = [];
  let exhausted = false;
  const refill = async (): Promise<void> => {
    while (!exhausted && window.length < bufferSize) {
      const r = await up.next();
      if (r.done) exhausted = true;
      else window.push(r.value);
    }
  };
  try {
    await refill();
    while (window.length > 0) {
      const i = Math.floor(rng.uniform() * window.length);
      const chosen = window[i];
      window[i] = window[window.length - 1];
      window.pop();
      yield chosen;
      await refill();
    }
  } finally {
    await close(up);
  }
}

/**
 * Keeps `bufferSize` upstream reads in flight, so the upstream work for the next elements overlaps
 * the consumer's work on this one. Order and values are unchanged.
 */
export function prefetchStage<T>(up: AsyncIterator<T>, bufferSize: number): AsyncIterator<T> {
  const pending: Promise<IteratorResult<T>>[] = [];
  return {
    next(): Promise<IteratorResult<T>> {
      while (pending.length < bufferSize) {
        const p = up.next();
        // A read that fails while nobody awaits it yet must not crash the process as unhandled;
        // the consumer still sees the rejection when it reaches this read.
        p.catch(() => undefined);
        pending.push(p);
      }
      return pending.shift()!;
    },
    async return(): Promise<IteratorResult<T>> {
      await close(up);
      return { value: undefined, done: true };
    },
  };
}
