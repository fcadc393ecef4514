// AVX-512 micro-kernel: an MR × 32 tile of C held in 2·MR zmm accumulators; each k step loads one
// 32-float row of the B panel (two zmm) and broadcasts MR values of the A panel into FMAs.
// Compiled with target attributes, so the file builds on any x86-64 compiler flags and only runs
// where the CPU reports AVX-512 (see cpu.cc).
#include "gemm.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define STRATA_AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,fma,avx2")))

namespace strata {
namespace {

constexpr int kMR = 12;
constexpr int kNV = 2;  // zmm vectors per tile row
constexpr int kNR = 16 * kNV;

template <int MR, int NV>
STRATA_AVX512 void kernel(int64_t kc, const float* __restrict ap, const float* __restrict bp, float* c,
                          int64_t ldc, bool accumulate, int mr, int nr) {
  __m512 acc[MR][NV];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_setzero_ps();
  }
  for (int i = 0; i < mr; ++i) _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
#pragma GCC unroll 4
  for (int64_t p = 0; p < kc; ++p) {
    __m512 bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) bv[v] = _mm512_load_ps(bp + 16 * v);
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      const __m512 av = _mm512_set1_ps(ap[i]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(av, bv[v], acc[i][v]);
    }
    ap += MR;
    bp += 16 * NV;
  }
  __mmask16 mask[NV];
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) {
    const int left = nr - 16 * v;
    mask[v] = left >= 16 ? __mmask16(0xFFFF) : left <= 0 ? __mmask16(0) : __mmask16((1u << left) - 1);
  }
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
    if (i >= mr) break;
    float* row = c + i * ldc;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      __m512 x = acc[i][v];
      if (accumulate) x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(mask[v], row + 16 * v));
      _mm512_mask_storeu_ps(row + 16 * v, mask[v], x);
    }
  }
}

}  // namespace

MicroKernel microKernelAvx512() {
  // kc 384: the 12 × 384 A panel (18 KiB) sits in L1; nc 320: the 384 × 320 B block (480 KiB) in L2.
  return MicroKernel{Isa::avx512, kMR, kNR, 384, 320, 1536, kernel<kMR, kNV>};
}

}  // namespace strata
#endif
