// AVX2 + FMA micro-kernel: a 6 × 16 tile of C in 12 ymm accumulators (two 8-float vectors per row),
// leaving registers for the two B vectors and one broadcast A value.
#include "gemm.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define STRATA_AVX2 __attribute__((target("avx2,fma")))

namespace strata {
namespace {

constexpr int kMR = 6;
constexpr int kNR = 16;

STRATA_AVX2 void kernel(int64_t kc, const float* __restrict ap, const float* __restrict bp, float* c, int64_t ldc,
                        bool accumulate, int mr, int nr) {
  __m256 acc[kMR][2];
#pragma GCC unroll 8
  for (int i = 0; i < kMR; ++i) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
#pragma GCC unroll 4
  for (int64_t p = 0; p < kc; ++p) {
    const __m256 b0 = _mm256_load_ps(bp), b1 = _mm256_load_ps(bp + 8);
#pragma GCC unroll 8
    for (int i = 0; i < kMR; ++i) {
      const __m256 av = _mm256_broadcast_ss(ap + i);
      acc[i][0] = _mm256_fmadd_ps(av, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(av, b1, acc[i][1]);
    }
    ap += kMR;
    bp += kNR;
  }
  if (mr == kMR && nr == kNR) {
#pragma GCC unroll 8
    for (int i = 0; i < kMR; ++i) {
      float* row = c + i * ldc;
      __m256 x0 = acc[i][0], x1 = acc[i][1];
      if (accumulate) {
        x0 = _mm256_add_ps(x0, _mm256_loadu_ps(row));
        x1 = _mm256_add_ps(x1, _mm256_loadu_ps(row + 8));
      }
      _mm256_storeu_ps(row, x0);
      _mm256_storeu_ps(row + 8, x1);
    }
    return;
  }
  // Edge tile: spill, then copy the valid part.
  alignas(32) float tile[kMR * kNR];
#pragma GCC unroll 8
  for (int i = 0; i < kMR; ++i) {
    _mm256_store_ps(tile + i * kNR, acc[i][0]);
    _mm256_store_ps(tile + i * kNR + 8, acc[i][1]);
  }
  copyEdgeTile(tile, kNR, c, ldc, accumulate, mr, nr);
}

}  // namespace

MicroKernel microKernelAvx2() {
  // kc 256: the 6 × 256 A panel (6 KiB) sits in L1; the 256 × 256 B block (256 KiB) in L2.
  return MicroKernel{Isa::avx2, kMR, kNR, 256, 256, 960, kernel, nullptr};
}

}  // namespace strata
#endif
