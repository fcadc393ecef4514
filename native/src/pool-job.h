// The job word both thread pools share (thread-pool.cc natively, native/wasm/thread-pool-wasm.cc in
// the threaded wasm build): generation (32 bits) | task count (16) | next task (16). Claiming a task
// is a compare-and-swap that also checks the generation, so a worker that wakes late can never take a
// task of a newer job with the function of an older one, and the caller never waits for workers that
// took nothing.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace strata {

// How long an idle worker spins before sleeping: long enough that back-to-back GEMMs (a training
// step) find it awake, short enough not to steal a core from Node (or a page) for long.
constexpr auto kWorkerSpin = std::chrono::microseconds(200);

inline uint32_t genOf(uint64_t job) { return uint32_t(job >> 32); }
inline int tasksOf(uint64_t job) { return int((job >> 16) & 0xFFFF); }
inline int nextOf(uint64_t job) { return int(job & 0xFFFF); }

/** The word of job `gen` with `tasks` tasks, none claimed yet. */
inline uint64_t newJob(uint32_t gen, int tasks) { return (uint64_t(gen) << 32) | (uint64_t(tasks) << 16); }

/** Claims the next task of job `gen`; false when that job has no task left (or was replaced). */
inline bool claimTask(std::atomic<uint64_t>& word, uint32_t gen, int* task) {
  uint64_t job = word.load(std::memory_order_acquire);
  for (;;) {
    if (genOf(job) != gen || nextOf(job) >= tasksOf(job)) return false;
    if (word.compare_exchange_weak(job, job + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
      *task = nextOf(job);
      return true;
    }
  }
}

}  // namespace strata
