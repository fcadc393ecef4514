// Shared pieces of the native convolution kernels: 64-byte aligned scratch, the zero-padded copy of
// an input (so every tap of every window reads memory, and the kernels need no bounds checks), and
// how many pool tasks a piece of work deserves.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "thread-pool.h"

namespace strata {

struct FreeDeleter {
  void operator()(float* p) const { std::free(p); }
};
using FloatBuffer = std::unique_ptr<float[], FreeDeleter>;

/** n floats, 64-byte aligned, uninitialised (aborts when out of memory, as the GEMM does). */
inline FloatBuffer allocFloats(int64_t n) {
  const size_t bytes = (size_t(std::max<int64_t>(n, 1)) * sizeof(float) + 63) / 64 * 64;
  float* p = static_cast<float*>(std::aligned_alloc(64, bytes));
  if (!p) std::abort();
  return FloatBuffer(p);
}

/**
 * dst [batch, pdims, C] = src [batch, dims, C] placed at `front` inside zeros. Requires
 * front[d] + dims[d] ≤ pdims[d].
 */
inline void padCopy(const float* src, int64_t batch, const int64_t dims[3], int64_t C, const int64_t front[3],
                    const int64_t pdims[3], float* dst) {
  // Only the margins are zeroed: the copy itself writes the rest once.
  const int64_t rowLen = dims[2] * C, pRow = pdims[2] * C, plane = pdims[1] * pRow;
  const int64_t before = front[2] * C, after = pRow - before - rowLen;
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t pd = 0; pd < pdims[0]; ++pd) {
      float* pl = dst + (n * pdims[0] + pd) * plane;
      const int64_t d = pd - front[0];
      if (d < 0 || d >= dims[0]) {
        std::memset(pl, 0, sizeof(float) * size_t(plane));
        continue;
      }
      for (int64_t ph = 0; ph < pdims[1]; ++ph) {
        float* o = pl + ph * pRow;
        const int64_t h = ph - front[1];
        if (h < 0 || h >= dims[1]) {
          std::memset(o, 0, sizeof(float) * size_t(pRow));
          continue;
        }
        std::memset(o, 0, sizeof(float) * size_t(before));
        std::memcpy(o + before, src + ((n * dims[0] + d) * dims[1] + h) * rowLen, sizeof(float) * size_t(rowLen));
        std::memset(o + before + rowLen, 0, sizeof(float) * size_t(after));
      }
    }
  }
}

/** Below this many multiply-adds a kernel stays on the calling thread (about 20 µs of work). */
constexpr int64_t kConvParallelMin = int64_t(1) << 21;

/** Pool tasks for `work` multiply-adds split into at most `units` pieces: 1 when small. */
inline int convTasks(int64_t work, int64_t units, int perThread) {
  const int threads = ThreadPool::instance().threads();
  if (threads <= 1 || work < kConvParallelMin || units <= 1) return 1;
  return int(std::min<int64_t>({units, int64_t(threads) * perThread, work / (kConvParallelMin / 4), 0xFFFF}));
}

/** Runs fn(ctx, t) for t < tasks, on the pool when there is more than one. */
inline void runTasks(int tasks, ThreadPool::TaskFn fn, void* ctx) {
  if (tasks <= 1) {
    fn(ctx, 0);
  } else {
    ThreadPool::instance().run(tasks, fn, ctx);
  }
}

}  // namespace strata
