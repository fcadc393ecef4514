// Float32 reductions (sum, prod in double accumulators as the js reference; max, min exact) over any
// set of axes, and argMax / argMin. The input is walked in memory order as merged runs of reduced or
// kept axes, so the two common cases — reducing trailing axes (rows → one value each) and reducing
// leading axes (a batch summed into one row) — are straight vector loops.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "elementwise.h"
#include "parallel.h"

namespace strata {
namespace {

constexpr int kLanes = 16;

double initOf(ReduceOp op) {
  switch (op) {
    case ReduceOp::sum: return 0;
    case ReduceOp::prod: return 1;
    case ReduceOp::max: return -std::numeric_limits<double>::infinity();
    default: return std::numeric_limits<double>::infinity();
  }
}

inline double pickMax(double acc, double v) { return (v > acc || v != v) ? v : acc; }
inline double pickMin(double acc, double v) { return (v < acc || v != v) ? v : acc; }

/** op over one contiguous run, combined into acc. Independent lanes let the loops vectorise. */
double reduceRun(ReduceOp op, const float* x, int64_t n, double acc) {
  switch (op) {
    case ReduceOp::sum: {
      double s = 0;
#pragma omp simd reduction(+ : s)
      for (int64_t i = 0; i < n; ++i) s += x[i];
      return acc + s;
    }
    case ReduceOp::prod: {
      for (int64_t i = 0; i < n; ++i) acc *= x[i];
      return acc;
    }
    case ReduceOp::max:
    case ReduceOp::min: {
      const bool isMax = op == ReduceOp::max;
      float lanes[kLanes];
      const float init = float(initOf(op));
      for (int j = 0; j < kLanes; ++j) lanes[j] = init;
      int64_t i = 0;
      if (isMax) {
        for (; i + kLanes <= n; i += kLanes)
          for (int j = 0; j < kLanes; ++j) { const float v = x[i + j]; lanes[j] = (v > lanes[j] || v != v) ? v : lanes[j]; }
      } else {
        for (; i + kLanes <= n; i += kLanes)
          for (int j = 0; j < kLanes; ++j) { const float v = x[i + j]; lanes[j] = (v < lanes[j] || v != v) ? v : lanes[j]; }
      }
      for (int j = 0; j < kLanes; ++j) acc = isMax ? pickMax(acc, lanes[j]) : pickMin(acc, lanes[j]);
      for (; i < n; ++i) acc = isMax ? pickMax(acc, x[i]) : pickMin(acc, x[i]);
      return acc;
    }
    default: return acc;
  }
}

/** acc[i] = acc[i] op x[i] for one contiguous run of kept elements. */
void accumulateRow(ReduceOp op, const float* x, double* acc, int64_t n) {
  switch (op) {
    case ReduceOp::sum: for (int64_t i = 0; i < n; ++i) acc[i] += x[i]; return;
    case ReduceOp::prod: for (int64_t i = 0; i < n; ++i) acc[i] *= x[i]; return;
    case ReduceOp::max: for (int64_t i = 0; i < n; ++i) acc[i] = pickMax(acc[i], x[i]); return;
    case ReduceOp::min: for (int64_t i = 0; i < n; ++i) acc[i] = pickMin(acc[i], x[i]); return;
    default: return;
  }
}

}  // namespace

void reduceF32(ReduceOp op, const float* x, const int32_t* shape, const uint8_t* reduced, int rank, float* out,
               int64_t outSize) {
  // Merged axes, innermost first: size, whether reduced, and the output stride (kept axes only).
  int dims = 0;
  int64_t size[kMaxRank], ostr[kMaxRank];
  bool red[kMaxRank];
  int64_t total = 1, ro = 1;
  for (int d = rank - 1; d >= 0; --d) {
    const int64_t n = shape[d];
    total *= n;
    if (n == 1) continue;
    const bool r = reduced[d] != 0;
    if (dims > 0 && red[dims - 1] == r) {
      size[dims - 1] *= n;
    } else {
      size[dims] = n;
      red[dims] = r;
      ostr[dims] = r ? 0 : ro;
      ++dims;
    }
    if (!r) ro *= n;
  }
  const double init = initOf(op);
  if (dims == 0) {
    out[0] = float(reduceRun(op, x, 1, init));
    return;
  }
  // Reducing trailing axes: each output is one contiguous run.
  if (red[0] && (dims == 1 || (dims == 2 && !red[1]))) {
    const int64_t len = size[0];
    parallelFor(outSize, double(len) * 0.5, 1, [&](int64_t lo, int64_t hi) {
      for (int64_t o = lo; o < hi; ++o) out[o] = float(reduceRun(op, x + o * len, len, init));
    });
    return;
  }
  std::vector<double> acc(size_t(outSize), init);
  // Reducing leading axes: rows accumulate into one row; threads split the row.
  if (!red[0] && dims == 2 && red[1]) {
    const int64_t len = size[0], rows = size[1];
    parallelFor(len, double(rows) * 0.5, 16, [&](int64_t lo, int64_t hi) {
      for (int64_t r = 0; r < rows; ++r) accumulateRow(op, x + r * len + lo, acc.data() + lo, hi - lo);
    });
  } else {
    // General: walk the input in order; each run of the innermost merged axis either collapses into one
    // output or accumulates into a run of outputs.
    const int64_t len = size[0];
    const int64_t runs = total / len;
    int64_t counter[kMaxRank] = {0};
    int64_t pos = 0;
    for (int64_t r = 0; r < runs; ++r) {
      const float* row = x + r * len;
      if (red[0]) acc[size_t(pos)] = reduceRun(op, row, len, acc[size_t(pos)]);
      else accumulateRow(op, row, acc.data() + pos, len);
      for (int k = 1; k < dims; ++k) {
        pos += ostr[k];
        if (++counter[k] < size[k]) break;
        pos -= ostr[k] * counter[k];
        counter[k] = 0;
      }
    }
  }
  for (int64_t i = 0; i < outSize; ++i) out[i] = float(acc[size_t(i)]);
}

void argReduceF32(int sign, const float* x, int64_t outer, int64_t n, int64_t inner, int32_t* out) {
  const float s = float(sign);
  if (inner == 1) {
    for (int64_t o = 0; o < outer; ++o) {
      const float* row = x + o * n;
      int32_t best = 0;
      float bestV = row[0] * s;
      for (int64_t k = 1; k < n; ++k) {
        const float c = row[k] * s;
        if (c > bestV) { bestV = c; best = int32_t(k); }
      }
      out[o] = best;
    }
    return;
  }
  std::vector<float> bestV(static_cast<size_t>(inner));
  for (int64_t o = 0; o < outer; ++o) {
    const float* base = x + o * n * inner;
    int32_t* idx = out + o * inner;
    for (int64_t i = 0; i < inner; ++i) { bestV[size_t(i)] = base[i] * s; idx[i] = 0; }
    for (int64_t k = 1; k < n; ++k) {
      const float* row = base + k * inner;
      for (int64_t i = 0; i < inner; ++i) {
        const float c = row[i] * s;
        const bool better = c > bestV[size_t(i)];
        bestV[size_t(i)] = better ? c : bestV[size_t(i)];
        idx[i] = better ? int32_t(k) : idx[i];
      }
    }
  }
}

}  // namespace strata
