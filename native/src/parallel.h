// Splitting an elementwise range over the thread pool, only when the work pays for waking threads
// (about a millisecond); below that the caller runs it alone, so small ops stay cheap.
#pragma once

#include <algorithm>
#include <cstdint>

#include "thread-pool.h"

namespace strata {

/** Work units (≈ nanoseconds of one core) below which a kernel stays on the calling thread. */
constexpr int64_t kParallelWork = 1000000;

/**
 * Calls fn(lo, hi) over [0, n) in chunks, on several threads when n · costPerItem ≥ kParallelWork.
 * Chunks are multiples of `align` items so vector loops see whole blocks.
 */
template <typename Fn>
void parallelFor(int64_t n, double costPerItem, int64_t align, const Fn& fn) {
  if (n <= 0) return;
  const double work = double(n) * costPerItem;
  const int threads = ThreadPool::instance().threads();
  if (threads <= 1 || work < double(kParallelWork)) {
    fn(int64_t(0), n);
    return;
  }
  const int64_t tasks = std::min<int64_t>(int64_t(threads) * 4, std::max<int64_t>(1, int64_t(work / (kParallelWork / 4))));
  int64_t chunk = (n + tasks - 1) / tasks;
  chunk = (chunk + align - 1) / align * align;
  struct Ctx {
    const Fn* fn;
    int64_t n, chunk;
  } ctx{&fn, n, chunk};
  const int count = int((n + chunk - 1) / chunk);
  ThreadPool::instance().run(count, [](void* c, int t) {
    const Ctx& x = *static_cast<const Ctx*>(c);
    const int64_t lo = int64_t(t) * x.chunk;
    (*x.fn)(lo, std::min(x.n, lo + x.chunk));
  }, &ctx);
}

}  // namespace strata
