// A per-thread scratch buffer: 64-byte aligned floats, grown on demand and kept for the thread's life,
// so a kernel called again and again packs into memory that is already mapped and in cache.
#pragma once

#include <cstddef>
#include <cstdlib>

namespace strata {

struct ThreadScratch {
  float* p = nullptr;
  size_t cap = 0;
  ThreadScratch() = default;
  ThreadScratch(const ThreadScratch&) = delete;
  ThreadScratch& operator=(const ThreadScratch&) = delete;
  ~ThreadScratch() { std::free(p); }
  /** At least n floats (the old contents are not kept); aborts when memory is exhausted. */
  float* get(size_t n) {
    if (cap < n) {
      std::free(p);
      p = static_cast<float*>(std::aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64));
      cap = p ? n : 0;
      if (!p) std::abort();
    }
    return p;
  }
};

}  // namespace strata
