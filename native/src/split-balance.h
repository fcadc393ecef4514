// Splitting one product across the pool's threads in proportion to how fast each part ran before.
// The cores of a shared machine are not equal: measured here, one vCPU ran an FMA loop 5-8% slower than
// the other for hours, and a worker can start its part late; an even split then leaves the faster
// thread waiting for the slower one at the end of every product.
#pragma once

#include <cstdint>

namespace strata {

/** Splits into more tasks than this are cut evenly (nothing is learned for them). */
constexpr int kMaxBalancedTasks = 64;

/** Seconds on a monotonic clock. */
double monotonicSeconds();

/**
 * Cuts [0, total) into `tasks` ranges of whole `unit`s (the last range also takes the remainder):
 * bounds[0] = 0 < bounds[1] < … < bounds[tasks] = total, each range in proportion to the learned speed
 * of the task with that index (even before anything is learned). Needs 1 ≤ tasks ≤ kMaxBalancedTasks
 * and total ≥ tasks · unit; every range then holds at least one unit.
 */
void balancedBounds(int tasks, int64_t total, int64_t unit, int64_t* bounds);

/**
 * Learns from one split product posted at `start` (monotonicSeconds) whose task t covered
 * [bounds[t], bounds[t + 1]) and finished at end[t]. Products whose tasks took under 100 µs teach
 * nothing: their times are mostly wake-up noise.
 */
void learnTaskSpeeds(int tasks, const int64_t* bounds, double start, const double* end);

/** The learned relative speed of task t (1 = average), or 0 before anything was learned for it. */
float taskSpeed(int t);

/** Sets the speed of task t (for tests and experiments); 0 or less forgets it. */
void setTaskSpeed(int t, float speed);

}  // namespace strata
