#include "gather.h"

#include <cstring>

namespace strata {

bool gatherRows(const float* x, int64_t outer, int64_t n, int64_t inner, const int32_t* indices, int64_t m,
                float* out) {
  for (int64_t j = 0; j < m; ++j) {
    if (indices[j] < 0 || indices[j] >= n) return false;
  }
  const size_t bytes = sizeof(float) * size_t(inner);
  for (int64_t o = 0; o < outer; ++o) {
    const float* src = x + o * n * inner;
    float* dst = out + o * m * inner;
    for (int64_t j = 0; j < m; ++j) std::memcpy(dst + j * inner, src + int64_t(indices[j]) * inner, bytes);
  }
  return true;
}

void segmentSumRows(const float* x, int64_t outer, int64_t m, int64_t inner, const int32_t* ids, int64_t segments,
                    float* out) {
  for (int64_t o = 0; o < outer; ++o) {
    const float* src = x + o * m * inner;
    float* base = out + o * segments * inner;
    for (int64_t j = 0; j < m; ++j) {
      const int64_t s = ids[j];
      if (s < 0 || s >= segments) continue;
      float* __restrict dst = base + s * inner;
      const float* __restrict row = src + j * inner;
#pragma omp simd
      for (int64_t t = 0; t < inner; ++t) dst[t] += row[t];
    }
  }
}

}  // namespace strata
