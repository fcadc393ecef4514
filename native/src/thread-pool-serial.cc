// The thread pool of the single-threaded wasm build (wasm/strata.wasm): one thread, every job run in
// turn on the caller. The threaded build (wasm/strata-threads.wasm, STRATA_WASM_THREADS, for Node and
// cross-origin isolated pages) uses native/wasm/thread-pool-wasm.cc instead.
#include "thread-pool.h"

#if defined(__wasm__) && !defined(STRATA_WASM_THREADS)

namespace strata {

int ThreadPool::defaultThreads() { return 1; }

ThreadPool& ThreadPool::instance() {
  static ThreadPool pool(1);
  return pool;
}

ThreadPool::ThreadPool(int threads) : threads_(threads < 1 ? 1 : threads) {}

ThreadPool::~ThreadPool() = default;

void ThreadPool::setThreads(int) { threads_.store(1); }

bool ThreadPool::run(int tasks, TaskFn fn, void* ctx) {
  for (int t = 0; t < tasks; ++t) fn(ctx, t);
  return false;
}

}  // namespace strata

#endif  // defined(__wasm__) && !defined(STRATA_WASM_THREADS)
