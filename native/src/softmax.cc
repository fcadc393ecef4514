// Softmax and log-softmax along one axis of float32 data viewed as [outer, n, inner], computed as the
// js reference does: the max subtracted, sums in double, results stored to float32; along the last
// axis the exponentials use the vectorised float exp (fast-math.h), elsewhere double std::exp.
#include <cmath>
#include <limits>
#include <vector>

#include "elementwise.h"
#include "fast-math.h"
#include "parallel.h"

namespace strata {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

void softmaxRows(const float* x, float* out, int64_t lo, int64_t hi, int64_t n, bool log) {
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

void softmaxF32(const float* x, float* out, int64_t outer, int64_t n, int64_t inner, bool log) {
  if (inner == 1) {
    parallelFor(outer, double(n) * 3, 1, [&](int64_t lo, int64_t hi) { softmaxRows(x, out, lo, hi, n, log); });
  } else {
    parallelFor(outer, double(n * inner) * 12, 1, [&](int64_t lo, int64_t hi) { softmaxBlocks(x, out, lo, hi, n, inner, log); });
  }
}

}  // namespace strata
