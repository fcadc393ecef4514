// A small persistent thread pool: the calling thread plus (size - 1) workers that spin briefly after
// each job, then sleep. One job at a time; a caller that finds the pool busy (another JS thread)
// runs its job inline instead of waiting.
#pragma once

#include <atomic>
#include <cstdint>
#if !defined(__wasm__)
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>
#endif

namespace strata {

class ThreadPool {
 public:
  using TaskFn = void (*)(void* ctx, int task);

  /** The most threads a pool runs (STRATA_NUM_THREADS and setThreads are capped here). */
  static constexpr int kMaxThreads = 256;

  /** The process-wide pool, created on first use with `defaultThreads()` threads. */
  static ThreadPool& instance();

  /** hardware_concurrency, or STRATA_NUM_THREADS when set to a positive integer. */
  static int defaultThreads();

  ~ThreadPool();

  /** Threads a job may use (the caller included). */
  int threads() const { return threads_.load(std::memory_order_relaxed); }

  /** Sets the threads jobs use from now on (1 = run on the caller only); grows the pool if needed. */
  void setThreads(int n);

  /**
   * Whether a job posted now would find every worker started and awake (spinning after a job that just
   * ended, kWorkerSpin), so that a job of a few microseconds pays to split. Always false in the wasm
   * builds.
   */
  bool workersAwake() const {
#if defined(__wasm__)
    return false;
#else
    return int(workers_.size()) + 1 >= threads() && sleepers_.load(std::memory_order_relaxed) == 0;
#endif
  }

  /**
   * Runs fn(ctx, t) for every t in [0, tasks) (tasks ≤ 65535), on up to `threads()` threads; returns when
   * all are done: true if workers took part, false if the caller ran every task itself in turn.
   */
  bool run(int tasks, TaskFn fn, void* ctx);

 private:
  explicit ThreadPool(int threads);
  std::atomic<int> threads_;
#if !defined(__wasm__)
  // (The wasm builds: thread-pool-serial.cc runs every job on the caller; the threaded one,
  // native/wasm/thread-pool-wasm.cc, keeps its state in that file.)
  void startWorkers(int total);
  void workerLoop();

  std::vector<std::thread> workers_;
  std::mutex busy_;            // held by the caller for a whole job
  std::mutex m_;               // guards sleeping on cv_
  std::condition_variable cv_;
  std::atomic<uint64_t> job_{0};  // the current job in one word (pool-job.h)
  uint32_t generation_ = 0;    // the caller's copy
  std::atomic<int> sleepers_{0};
  std::atomic<int> done_{0};
  std::atomic<bool> stop_{false};
  TaskFn fn_ = nullptr;
  void* ctx_ = nullptr;
#endif
};

}  // namespace strata
