// AVX-512 micro-kernel: an MR × 32 tile of C held in 2·MR zmm accumulators; each k step loads one
// 32-float row of the B panel (two zmm) and broadcasts MR values of the A panel into FMAs.
// Compiled with target attributes, so the file builds on any x86-64 compiler flags and only runs
// where the CPU reports AVX-512 (see cpu.cc).
#include "gemm.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include <algorithm>

#define STRATA_AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,fma,avx2")))

namespace strata {
namespace {

constexpr int kMR = 12;
constexpr int kNV = 2;  // zmm vectors per tile row
constexpr int kNR = 16 * kNV;

// MR rows of accumulators over an A panel packed AS rows wide (AS ≥ MR: an edge tile of a wider panel),
// NV vectors of a B panel packed BS floats wide (BS ≥ 16 · NV: the left part of a wider panel).
template <int MR, int NV, int AS = MR, int BS = 16 * NV>
STRATA_AVX512 void kernel(int64_t kc, const float* __restrict ap, const float* __restrict bp, float* c,
                          int64_t ldc, bool accumulate, int mr, int nr) {
  __m512 acc[MR][NV];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_setzero_ps();
  }
  // The tile's rows span 16 · NV floats: fetch every line of them (for writing) while the k loop runs.
  for (int i = 0; i < mr; ++i) {
#pragma GCC unroll 4
    for (int v = 0; v <= NV; ++v) __builtin_prefetch(c + i * ldc + std::min(16 * v, 16 * NV - 1), 1, 3);
  }
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
    ap += AS;
    bp += BS;
  }
  __mmask16 mask[NV];
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) mask[v] = laneMask(nr - 16 * v);
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

/**
 * The tile for mr valid rows and nr valid columns: an edge tile of 8 or 4 rows runs that many
 * accumulators instead of twelve, one of 16 columns or fewer one vector per row instead of two (each
 * element's sum is the same chain of FMAs either way), so a product whose rows are not a multiple of 12
 * — or a part of one cut at 4-row steps — or whose last panel is half empty does not pay for a whole tile.
 */
STRATA_AVX512 void tile(int64_t kc, const float* ap, const float* bp, float* c, int64_t ldc, bool accumulate, int mr, int nr) {
  if (nr <= 16) {
    // The left half of the panel (a layer of 10 units, say): half the FMAs.
    if (mr > 8) {
      kernel<kMR, 1, kMR, kNR>(kc, ap, bp, c, ldc, accumulate, mr, nr);
    } else if (mr > 4) {
      kernel<8, 1, kMR, kNR>(kc, ap, bp, c, ldc, accumulate, mr, nr);
    } else {
      kernel<4, 1, kMR, kNR>(kc, ap, bp, c, ldc, accumulate, mr, nr);
    }
  } else if (mr > 8) {
    kernel<kMR, kNV>(kc, ap, bp, c, ldc, accumulate, mr, nr);
  } else if (mr > 4) {
    kernel<8, kNV, kMR>(kc, ap, bp, c, ldc, accumulate, mr, nr);
  } else {
    kernel<4, kNV, kMR>(kc, ap, bp, c, ldc, accumulate, mr, nr);
  }
}

/** Transposes the 16 × 16 block r (rows) in place into its columns. */
STRATA_AVX512 inline void transpose16(__m512 r[16]) {
  __m512 t[16], u[16];
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  // Inside each 128-bit lane L, u[4q + j] now holds column 4L + j of rows 4q .. 4q + 3.
#pragma GCC unroll 4
  for (int q = 0; q < 4; ++q) {
    const __m512d a = _mm512_castps_pd(t[4 * q]), b = _mm512_castps_pd(t[4 * q + 2]);
    const __m512d c = _mm512_castps_pd(t[4 * q + 1]), d = _mm512_castps_pd(t[4 * q + 3]);
    u[4 * q] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, b));
    u[4 * q + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, b));
    u[4 * q + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(c, d));
    u[4 * q + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(c, d));
  }
  // Gather lane L of u[j], u[4 + j], u[8 + j], u[12 + j] into column 4L + j.
#pragma GCC unroll 4
  for (int j = 0; j < 4; ++j) {
    const __m512 v0 = _mm512_shuffle_f32x4(u[j], u[4 + j], 0x88), w0 = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], 0x88);
    const __m512 v1 = _mm512_shuffle_f32x4(u[j], u[4 + j], 0xDD), w1 = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], 0xDD);
    r[j] = _mm512_shuffle_f32x4(v0, w0, 0x88);
    r[8 + j] = _mm512_shuffle_f32x4(v0, w0, 0xDD);
    r[4 + j] = _mm512_shuffle_f32x4(v1, w1, 0x88);
    r[12 + j] = _mm512_shuffle_f32x4(v1, w1, 0xDD);
  }
}

/** packRows for MR ≤ 16: 16 k steps at a time, one 16 × 16 transpose and MR-wide masked stores. */
STRATA_AVX512 void packRows(int mr, int64_t mc, int64_t kc, const float* a, int64_t rs, float* out) {
  const __mmask16 keep = __mmask16((1u << mr) - 1);
  for (int64_t i0 = 0; i0 < mc; i0 += mr) {
    const int rows = int(std::min<int64_t>(mr, mc - i0));
    const float* src = a + i0 * rs;
    int64_t p = 0;
    for (; p + 16 <= kc; p += 16) {
      __m512 r[16];
#pragma GCC unroll 16
      for (int i = 0; i < 16; ++i) r[i] = i < rows ? _mm512_loadu_ps(src + i * rs + p) : _mm512_setzero_ps();
      transpose16(r);
#pragma GCC unroll 16
      for (int q = 0; q < 16; ++q) _mm512_mask_storeu_ps(out + q * mr, keep, r[q]);
      out += 16 * mr;
    }
    for (; p < kc; ++p) {
      int i = 0;
      for (; i < rows; ++i) out[i] = src[i * rs + p];
      for (; i < mr; ++i) out[i] = 0.f;
      out += mr;
    }
  }
}

}  // namespace

MicroKernel microKernelAvx512() {
  // kc 512: the 12 × 512 A panel (24 KiB) sits in L1; nc 256: the 512 × 256 B block (512 KiB) in L2.
  // Against kc 384 / nc 320 at n = 1024 on two threads, same hour: 386 → 391 GFLOPS (warm C), 360 →
  // 365 (fresh C); other shapes within noise.
  return MicroKernel{Isa::avx512, kMR, kNR, 512, 256, 1536, tile, packRows, 4};
}

}  // namespace strata
#endif
