/**
 * The wasm backend's thread count, asked of whichever build of Strata is given (Node entry or
 * browser bundle). The one place the benchmarks touch a thread setting of the wasm backend, so they
 * follow the library's API as it settles: the TensorFlow.js names (`setThreadsCount` /
 * `getThreadsCount`, as its wasm backend has) or `setThreads` / `getThreads`, on `st` or `st.wasm`.
 */

/** What a module may offer to set and read the wasm backend's threads. */
interface ThreadControls {
  setThreadsCount?: (n: number) => unknown;
  getThreadsCount?: () => number;
  setThreads?: (n: number) => unknown;
  getThreads?: () => number;
}

/** The line printed and stored where a build has no threads. */
export const NO_THREADS = 'threads: not available in this build';

/**
 * Asks the wasm backend for `n` threads; returns the count it reports afterwards, or null when the
 * build has no thread control (a single-threaded build, or a page that is not cross-origin isolated
 * where the library reports 1).
 */
export async function setWasmThreads(st: object, n: number): Promise<number | null> {
  const places = [st as ThreadControls, (st as { wasm?: ThreadControls }).wasm].filter((p): p is ThreadControls => !!p);
  for (const p of places) {
    const set = p.setThreadsCount ?? p.setThreads, get = p.getThreadsCount ?? p.getThreads;
    if (typeof set !== 'function' || typeof get !== 'function') continue;
    await set.call(p, n);
    const got = Number(get.call(p));
    return Number.isFinite(got) ? got : null;
  }
  return null;
}
