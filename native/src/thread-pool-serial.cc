// The thread pool of the wasm build: one thread, every job run in turn on the caller. (WebAssembly
// threads need a shared memory and workers the JS side starts; until the transport provides them,
// the kernels' parallel paths simply see a pool of one.)
#include "thread-pool.h"

#if defined(__wasm__)

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

#endif  // defined(__wasm__)
