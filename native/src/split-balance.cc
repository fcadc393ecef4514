#include "split-balance.h"

#include <algorithm>
#include <atomic>
#include <chrono>

namespace strata {

namespace {

// Relative speed of task t (1 = average); 0 means not learned yet. Races between JS threads only blur
// the estimate, so relaxed atomics suffice.
std::atomic<float> gSpeed[kMaxBalancedTasks];

constexpr double kMinTaskSeconds = 100e-6;
constexpr float kSmoothing = 0.2f;               // weight of the newest product
constexpr float kMinRelative = 0.5f, kMaxRelative = 2.f;  // one preempted task must not skew the next split far

float speedOf(int t) {
  const float v = gSpeed[t].load(std::memory_order_relaxed);
  return v > 0.f ? v : 1.f;
}

}  // namespace

double monotonicSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void balancedBounds(int tasks, int64_t total, int64_t unit, int64_t* bounds) {
  const int64_t units = total / unit;
  double sum = 0;
  for (int t = 0; t < tasks; ++t) sum += speedOf(t);
  double cumulative = 0;
  bounds[0] = 0;
  for (int t = 1; t < tasks; ++t) {
    cumulative += speedOf(t - 1);
    int64_t cut = int64_t(double(units) * cumulative / sum + 0.5);
    // At least one unit for this task and each after it.
    cut = std::min(std::max(cut, bounds[t - 1] / unit + 1), units - (tasks - t));
    bounds[t] = cut * unit;
  }
  bounds[tasks] = total;
}

void learnTaskSpeeds(int tasks, const int64_t* bounds, double start, const double* end) {
  if (tasks < 2 || tasks > kMaxBalancedTasks) return;
  double rate[kMaxBalancedTasks];
  double mean = 0;
  for (int t = 0; t < tasks; ++t) {
    const double seconds = end[t] - start;
    if (seconds < kMinTaskSeconds) return;
    rate[t] = double(bounds[t + 1] - bounds[t]) / seconds;
    mean += rate[t] / tasks;
  }
  for (int t = 0; t < tasks; ++t) {
    const float relative = std::clamp(float(rate[t] / mean), kMinRelative, kMaxRelative);
    gSpeed[t].store((1.f - kSmoothing) * speedOf(t) + kSmoothing * relative, std::memory_order_relaxed);
  }
}

float taskSpeed(int t) {
  return t >= 0 && t < kMaxBalancedTasks ? gSpeed[t].load(std::memory_order_relaxed) : 0.f;
}

void setTaskSpeed(int t, float speed) {
  if (t >= 0 && t < kMaxBalancedTasks) gSpeed[t].store(speed > 0.f ? speed : 0.f, std::memory_order_relaxed);
}

}  // namespace strata
