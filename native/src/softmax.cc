// Softmax and log-softmax along one axis of float32 data viewed as [outer, n, inner], computed as the
// js reference does: the max subtracted, sums in double, results stored to float32; along the last
// axis the exponentials use the vectorised float exp (fast-math.h), elsewhere double std::exp.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "elementwise.h"
#include "fast-math.h"
#include "parallel.h"

namespace strata {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// Rows of at most this many values take softmaxNarrow.
constexpr int64_t kNarrow = 32;
// Rows softmaxNarrow handles at once, one per vector lane.
constexpr int kLanes = 16;

/**
 * softmaxRows for rows of n ≤ kNarrow values (a classifier's 10 classes, say), kLanes rows at a time
 * with one row per vector lane: the per-row loops of a few elements cost more in loop set-up and calls
 * than in arithmetic (128 × 10, one thread: 6.2 → 2.5 µs). The same float max, differences and exponentials as the
 * per-row loop, and each row's sum in double, in order (as the js reference).
 */
void softmaxNarrow(const float* x, float* out, int64_t lo, int64_t hi, int64_t n, bool log) {
  alignas(64) float v[kNarrow][kLanes];
  alignas(64) float e[kNarrow][kLanes];
  for (int64_t r0 = lo; r0 < hi; r0 += kLanes) {
    const int lanes = int(std::min<int64_t>(kLanes, hi - r0));
    for (int l = 0; l < kLanes; ++l) {
      // Missing rows repeat the last one: their results are not stored.
      const float* row = x + (r0 + std::min(l, lanes - 1)) * n;
      for (int64_t k = 0; k < n; ++k) v[k][l] = row[k];
    }
    alignas(64) float mx[kLanes];
    alignas(64) int nan[kLanes];
    for (int l = 0; l < kLanes; ++l) mx[l] = -std::numeric_limits<float>::infinity(), nan[l] = 0;
    for (int64_t k = 0; k < n; ++k) {
      for (int l = 0; l < kLanes; ++l) {
        mx[l] = v[k][l] > mx[l] ? v[k][l] : mx[l];
        nan[l] |= v[k][l] != v[k][l];
      }
    }
    // A row with a NaN has the max NaN, as the per-row loop (which stops at the first NaN).
    for (int l = 0; l < kLanes; ++l) mx[l] = nan[l] ? std::numeric_limits<float>::quiet_NaN() : mx[l];
    for (int64_t k = 0; k < n; ++k) {
      for (int l = 0; l < kLanes; ++l) e[k][l] = v[k][l] - mx[l];
    }
    expArray(&e[0][0], &e[0][0], n * kLanes);
    double sum[kLanes] = {};
    for (int64_t k = 0; k < n; ++k) {
      for (int l = 0; l < kLanes; ++l) sum[l] += e[k][l];
    }
    if (log) {
      double shift[kLanes];
      for (int l = 0; l < kLanes; ++l) shift[l] = double(mx[l]) + std::log(sum[l]);
      for (int l = 0; l < lanes; ++l) {
        float* y = out + (r0 + l) * n;
        for (int64_t k = 0; k < n; ++k) y[k] = float(v[k][l] - shift[l]);
      }
    } else {
      double inv[kLanes];
      for (int l = 0; l < kLanes; ++l) inv[l] = 1 / sum[l];
      for (int l = 0; l < lanes; ++l) {
        float* y = out + (r0 + l) * n;
        for (int64_t k = 0; k < n; ++k) y[k] = float(e[k][l] * inv[l]);
      }
    }
  }
}

void softmaxRows(const float* x, float* out, int64_t lo, int64_t hi, int64_t n, bool log) {
  if (n <= kNarrow) {
    softmaxNarrow(x, out, lo, hi, n, log);
    return;
  }
  for (int64_t o = lo; o < hi; ++o) {
    const float* v = x + o * n;
    float* y = out + o * n;
    double mx = kNegInf;
    for (int64_t k = 0; k < n; ++k) {
      const double t = v[k];
      if (t > mx || t != t) mx = t;
      if (mx != mx) break;
    }
    // Exponentials in the vectorised float exp (≤ 2 ulp), written to y first; sums in double.
    const float m = float(mx);
    for (int64_t k = 0; k < n; ++k) y[k] = v[k] - m;
    expArray(y, y, n);
    double sum = 0;
#pragma omp simd reduction(+ : sum)
    for (int64_t k = 0; k < n; ++k) sum += y[k];
    if (log) {
      const double shift = mx + std::log(sum);
      for (int64_t k = 0; k < n; ++k) y[k] = float(v[k] - shift);
    } else {
      const double inv = 1 / sum;
      for (int64_t k = 0; k < n; ++k) y[k] = float(y[k] * inv);
    }
  }
}

void softmaxBlocks(const float* x, float* out, int64_t lo, int64_t hi, int64_t n, int64_t inner, bool log) {
  std::vector<double> mx(static_cast<size_t>(inner)), sum(static_cast<size_t>(inner));
  for (int64_t o = lo; o < hi; ++o) {
    const int64_t base = o * n * inner;
    for (int64_t i = 0; i < inner; ++i) { mx[size_t(i)] = kNegInf; sum[size_t(i)] = 0; }
    for (int64_t k = 0; k < n; ++k) {
      const float* row = x + base + k * inner;
      for (int64_t i = 0; i < inner; ++i) {
        const double t = row[i], m = mx[size_t(i)];
        if (t > m || t != t) mx[size_t(i)] = t != t || m != m ? std::numeric_limits<double>::quiet_NaN() : t;
      }
    }
    for (int64_t k = 0; k < n; ++k) {
      const float* row = x + base + k * inner;
      float* y = out + base + k * inner;
      for (int64_t i = 0; i < inner; ++i) {
        const double e = std::exp(row[i] - mx[size_t(i)]);
        sum[size_t(i)] += e;
        if (!log) y[i] = float(e);
      }
    }
    if (log) {
      for (int64_t i = 0; i < inner; ++i) sum[size_t(i)] = mx[size_t(i)] + std::log(sum[size_t(i)]);
      for (int64_t k = 0; k < n; ++k) {
        const float* row = x + base + k * inner;
        float* y = out + base + k * inner;
        for (int64_t i = 0; i < inner; ++i) y[i] = float(row[i] - sum[size_t(i)]);
      }
    } else {
      for (int64_t i = 0; i < inner; ++i) sum[size_t(i)] = 1 / sum[size_t(i)];
      for (int64_t k = 0; k < n; ++k) {
        float* y = out + base + k * inner;
        for (int64_t i = 0; i < inner; ++i) y[i] = float(y[i] * sum[size_t(i)]);
      }
    }
  }
}

}  // namespace

void softmaxRowsF32(const float* x, float* out, int64_t rows, int64_t n, bool log) { softmaxRows(x, out, 0, rows, n, log); }

void softmaxF32(const float* x, float* out, int64_t outer, int64_t n, int64_t inner, bool log) {
  if (inner == 1) {
    parallelFor(outer, double(n) * 3, 1, [&](int64_t lo, int64_t hi) { softmaxRows(x, out, lo, hi, n, log); });
  } else {
    parallelFor(outer, double(n * inner) * 12, 1, [&](int64_t lo, int64_t hi) { softmaxBlocks(x, out, lo, hi, n, inner, log); });
  }
}

}  // namespace strata
