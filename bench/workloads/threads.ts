/**
 * The wasm backend's thread count, through `st.setThreads` / `st.getThreads` of whichever build of
 * Strata is given (Node entry or browser bundle): the one place the benchmarks set it.
 */

/** What the benchmarks need of Strata's thread API. */
interface ThreadApi {
  setThreads(n: number): void;
  getThreads(): number;
}

/** Asks the backend in use for `n` threads; returns the count it runs (1 in a single-threaded build). */
export function setWasmThreads(st: ThreadApi, n: number): number {
  st.setThreads(n);
  return st.getThreads();
}

/** Why a cell asking for `want` threads cannot run with the `got` the backend gave, or null when it can. */
export function threadShortfall(got: number, want: number): string | null {
  return got < want
    ? `threads: the wasm backend gave ${got} of ${want} (a single-threaded build: a page that is not cross-origin isolated)`
    : null;
}
