#include "thread-pool.h"

#if !defined(__wasm__)  // wasm: thread-pool-serial.cc

#include <chrono>
#include <cstdlib>

#include "pool-job.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define STRATA_PAUSE() _mm_pause()
#else
#define STRATA_PAUSE() std::this_thread::yield()
#endif

namespace strata {

int ThreadPool::defaultThreads() {
  if (const char* env = std::getenv("STRATA_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n > 0) return n > kMaxThreads ? kMaxThreads : n;
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

ThreadPool& ThreadPool::instance() {
  // Leaked on purpose: joining threads from a static destructor at process exit can deadlock.
  static ThreadPool* pool = new ThreadPool(defaultThreads());
  return *pool;
}

ThreadPool::ThreadPool(int threads) : threads_(threads < 1 ? 1 : threads) {}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lk(m_);
    stop_.store(true);
    job_.store(uint64_t(++generation_) << 32, std::memory_order_release);
  }
  cv_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::setThreads(int n) {
  std::lock_guard<std::mutex> job(busy_);
  threads_.store(n < 1 ? 1 : (n > kMaxThreads ? kMaxThreads : n));
}

void ThreadPool::startWorkers(int total) {
  // Called with busy_ held and no job running, so workers_ only grows between jobs.
  while (static_cast<int>(workers_.size()) < total - 1) {
    try {
      workers_.emplace_back([this] { workerLoop(); });
    } catch (...) {
      threads_.store(static_cast<int>(workers_.size()) + 1);
      return;
    }
  }
}

void ThreadPool::workerLoop() {
  uint32_t seen = genOf(job_.load(std::memory_order_acquire));
  for (;;) {
    auto start = std::chrono::steady_clock::now();
    int spins = 0;
    while (genOf(job_.load(std::memory_order_acquire)) == seen) {
      STRATA_PAUSE();
      if (++spins % 256 == 0 && std::chrono::steady_clock::now() - start > kWorkerSpin) {
        std::unique_lock<std::mutex> lk(m_);
        sleepers_.fetch_add(1);
        cv_.wait(lk, [&] { return genOf(job_.load(std::memory_order_acquire)) != seen; });
        sleepers_.fetch_sub(1);
        break;
      }
    }
    if (stop_.load()) return;
    seen = genOf(job_.load(std::memory_order_acquire));
    // fn_ and ctx_ are read only after a successful claim: the caller cannot start another job
    // until this task is counted in done_.
    int task;
    while (claimTask(job_, seen, &task)) {
      fn_(ctx_, task);
      done_.fetch_add(1, std::memory_order_acq_rel);
    }
  }
}

bool ThreadPool::run(int tasks, TaskFn fn, void* ctx) {
  const int want = threads();
  if (tasks <= 1 || want <= 1 || tasks > 0xFFFF || !busy_.try_lock()) {
    for (int t = 0; t < tasks; ++t) fn(ctx, t);
    return false;
  }
  std::lock_guard<std::mutex> job(busy_, std::adopt_lock);
  startWorkers(want);
  fn_ = fn;
  ctx_ = ctx;
  done_.store(0, std::memory_order_relaxed);
  const uint32_t gen = ++generation_;
  {
    // Under m_ so that a worker about to sleep cannot miss the new job.
    std::lock_guard<std::mutex> lk(m_);
    job_.store(newJob(gen, tasks), std::memory_order_release);
  }
  if (sleepers_.load() > 0) cv_.notify_all();
  int task;
  while (claimTask(job_, gen, &task)) {
    fn(ctx, task);
    done_.fetch_add(1, std::memory_order_acq_rel);
  }
  while (done_.load(std::memory_order_acquire) < tasks) STRATA_PAUSE();
  return true;
}

}  // namespace strata

#endif  // !defined(__wasm__)
