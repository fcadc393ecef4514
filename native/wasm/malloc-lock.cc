// The threaded wasm build's allocator: wasi-libc's dlmalloc behind one lock. Debian's wasi-libc is
// built without atomics, so its malloc takes no lock, while kernels allocate inside pool tasks (the
// per-thread GEMM packing buffers, std::vector scratch in pooling, reductions, the RNN sequences).
// The link wraps every entry point (-Wl,--wrap=malloc,… in scripts/build-wasm.mjs): each call here
// holds a spin lock around the real one. A spin lock, not memory.atomic.wait: the browser's main
// thread may not block, and the critical sections are short. (Moving every allocation out of tasks
// would be a second, easily broken rule over all the kernels; a freestanding allocator would be a
// second allocator to trust.) Re-entrant per thread, in case one entry point of dlmalloc calls another.
#if defined(__wasm__) && defined(STRATA_WASM_THREADS)

#include <atomic>
#include <cstddef>

extern "C" {
void* __real_malloc(size_t);
void __real_free(void*);
void* __real_calloc(size_t, size_t);
void* __real_realloc(void*, size_t);
void* __real_aligned_alloc(size_t, size_t);
int __real_posix_memalign(void**, size_t, size_t);
}

namespace {

std::atomic<int32_t> gLock{0};
thread_local bool tHolding = false;

struct Hold {
  bool outer = !tHolding;
  Hold() {
    if (!outer) return;
    tHolding = true;
    for (;;) {
      int32_t free = 0;
      if (gLock.compare_exchange_weak(free, 1, std::memory_order_acquire)) return;
      while (gLock.load(std::memory_order_relaxed) != 0) {
      }
    }
  }
  ~Hold() {
    if (!outer) return;
    tHolding = false;
    gLock.store(0, std::memory_order_release);
  }
};

}  // namespace

extern "C" {

void* __wrap_malloc(size_t n) {
  Hold h;
  return __real_malloc(n);
}

void __wrap_free(void* p) {
  if (!p) return;
  Hold h;
  __real_free(p);
}

void* __wrap_calloc(size_t n, size_t size) {
  Hold h;
  return __real_calloc(n, size);
}

void* __wrap_realloc(void* p, size_t n) {
  Hold h;
  return __real_realloc(p, n);
}

void* __wrap_aligned_alloc(size_t align, size_t n) {
  Hold h;
  return __real_aligned_alloc(align, n);
}

int __wrap_posix_memalign(void** out, size_t align, size_t n) {
  Hold h;
  return __real_posix_memalign(out, align, n);
}

}

#endif  // defined(__wasm__) && defined(STRATA_WASM_THREADS)
