// The thread pool of the threaded wasm build (wasm/strata-threads.wasm; STRATA_WASM_THREADS): the
// calling thread plus workers the JS side starts (src/kernels/wasm/threads.ts), each a Worker running
// another instance of this module over the same shared memory. A worker enters strata_worker_main with
// its own stack (__stack_pointer) and thread-local block (__wasm_init_tls), both set by the JS side,
// and never returns (the worker ends with its page or process): it claims tasks of the current job, spins briefly when out of work, then sleeps
// in memory.atomic.wait32 (allowed in workers). The caller never waits that way (a browser's main
// thread may not block): it runs tasks itself, then spins until the workers' tasks are done. Workers
// join whenever they have started, so a job finds zero or more of them; the task claiming (one 64-bit
// word, pool-job.h, as in thread-pool.cc) does not depend on how many there are.
#include "thread-pool.h"

#if defined(__wasm__) && defined(STRATA_WASM_THREADS)

#include <chrono>

#include "pool-job.h"

namespace strata {

namespace {

// One process-wide pool, so its state lives here rather than in the class (thread-pool.h keeps the
// native build's members).
std::atomic<uint64_t> gJob{0};      // the current job in one word (pool-job.h)
std::atomic<int32_t> gWake{0};      // bumped for every job; sleeping workers wait on it
std::atomic<int32_t> gSleepers{0};
std::atomic<int32_t> gDone{0};
std::atomic<int32_t> gBusy{0};      // a job is running (a nested run() goes inline)
std::atomic<int32_t> gWorkers{0};   // workers that entered their loop
std::atomic<uint32_t> gWorkerTasks{0};  // tasks run by workers since the module started
ThreadPool::TaskFn gFn = nullptr;
void* gCtx = nullptr;
uint32_t gGeneration = 0;
int gDefaultThreads = 1;

/** Waits (a worker only) until the job generation differs from `seen`. */
void awaitJob(uint32_t seen) {
  auto start = std::chrono::steady_clock::now();
  for (int spins = 1;; ++spins) {
    if (genOf(gJob.load()) != seen) return;
    if (spins % 256 == 0 && std::chrono::steady_clock::now() - start > kWorkerSpin) {
      // Read the wake word before the last look at the job: a job published after that look bumps
      // it, so the wait below returns at once instead of sleeping through the job.
      const int32_t wake = gWake.load();
      if (genOf(gJob.load()) != seen) return;
      gSleepers.fetch_add(1);
      __builtin_wasm_memory_atomic_wait32(reinterpret_cast<int32_t*>(&gWake), wake, -1);
      gSleepers.fetch_sub(1);
      start = std::chrono::steady_clock::now();
    }
  }
}

}  // namespace

int ThreadPool::defaultThreads() { return gDefaultThreads; }

ThreadPool& ThreadPool::instance() {
  static ThreadPool pool(defaultThreads());
  return pool;
}

ThreadPool::ThreadPool(int threads) : threads_(threads < 1 ? 1 : threads) {}

ThreadPool::~ThreadPool() = default;

void ThreadPool::setThreads(int n) { threads_.store(n < 1 ? 1 : (n > kMaxThreads ? kMaxThreads : n)); }

bool ThreadPool::run(int tasks, TaskFn fn, void* ctx) {
  int32_t idle = 0;
  if (tasks <= 1 || threads() <= 1 || tasks > 0xFFFF || gWorkers.load() == 0 || !gBusy.compare_exchange_strong(idle, 1)) {
    for (int t = 0; t < tasks; ++t) fn(ctx, t);
    return false;
  }
  gFn = fn;
  gCtx = ctx;
  gDone.store(0);
  const uint32_t gen = ++gGeneration;
  gJob.store(newJob(gen, tasks));
  gWake.fetch_add(1);
  if (gSleepers.load() > 0) __builtin_wasm_memory_atomic_notify(reinterpret_cast<int32_t*>(&gWake), uint32_t(tasks - 1));
  int task;
  while (claimTask(gJob, gen, &task)) {
    fn(ctx, task);
    gDone.fetch_add(1);
  }
  while (gDone.load() < tasks) {
  }
  gBusy.store(0);
  return true;
}

}  // namespace strata

using strata::gDefaultThreads;

namespace {
// The calling thread's thread-local block (the linker leaves __tls_base at 0 with a shared memory;
// each worker's block comes from the heap, see strata_worker_main).
alignas(64) char gMainTls[4096];
}  // namespace

extern "C" void __wasm_init_tls(void* block);  // made by wasm-ld: sets __tls_base, copies .tdata

extern "C" {

/**
 * Sets up the calling thread (its thread-local block) and the thread count setThreads(0) restores and
 * the pool starts with (the JS side passes STRATA_NUM_THREADS or the platform's core count). The JS
 * side calls it once, before _initialize and any kernel.
 */
__attribute__((export_name("strata_init_main_thread"))) void strataInitMainThread(int defaultThreads) {
  if (__builtin_wasm_tls_size() > sizeof gMainTls || __builtin_wasm_tls_align() > 64) __builtin_trap();
  __wasm_init_tls(gMainTls);
  gDefaultThreads = defaultThreads < 1 ? 1 : (defaultThreads > strata::ThreadPool::kMaxThreads ? strata::ThreadPool::kMaxThreads : defaultThreads);
}

/**
 * A worker's loop: the JS side (src/kernels/wasm/threads.ts) calls it in a Worker's instance once it
 * has set that instance's __stack_pointer and called __wasm_init_tls with a heap block of its own.
 */
__attribute__((export_name("strata_worker_main"), noreturn)) void strataWorkerMain() {
  using namespace strata;
  gWorkers.fetch_add(1);
  uint32_t seen = genOf(gJob.load());
  for (;;) {
    awaitJob(seen);
    seen = genOf(gJob.load());
    // gFn and gCtx are read only after a successful claim: the caller cannot start another job until
    // this task is counted in gDone.
    int task;
    while (claimTask(gJob, seen, &task)) {
      gFn(gCtx, task);
      gWorkerTasks.fetch_add(1);
      gDone.fetch_add(1);
    }
  }
}

/** Workers in their loop. */
__attribute__((export_name("strata_pool_workers"))) int strataPoolWorkers() { return strata::gWorkers.load(); }

/** Tasks the workers have run since the module started (tests check that they took part). */
__attribute__((export_name("strata_pool_worker_tasks"))) uint32_t strataPoolWorkerTasks() { return strata::gWorkerTasks.load(); }

}

#endif  // defined(__wasm__) && defined(STRATA_WASM_THREADS)
