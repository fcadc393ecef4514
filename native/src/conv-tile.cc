#include "conv-tile.h"

#include "gemm.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define STRATA_AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,fma,avx2")))
#endif
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include "simd128-madd.h"
#endif

namespace strata {
namespace {

#if defined(__x86_64__) || defined(__i386__)
// MR × 16·NV tile in 2·MR (or MR) zmm accumulators; each k step loads NV vectors of B and broadcasts
// one value of each of the MR rows straight from the input.
template <int MR, int NV>
STRATA_AVX512 void tileAvx512(const float* const* a, const int64_t* segOff, const int32_t* segLen, int segs,
                              const float* bp, float* const* c, int mr, int nr) {
  __m512 acc[MR][NV];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_setzero_ps();
  }
  for (int s = 0; s < segs; ++s) {
    const float* r[MR];
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) r[i] = a[i] + segOff[s];
    const int len = segLen[s];
#pragma GCC unroll 2
    for (int p = 0; p < len; ++p) {
      __m512 bv[NV];
#pragma GCC unroll 2
      for (int v = 0; v < NV; ++v) bv[v] = _mm512_load_ps(bp + 16 * v);
#pragma GCC unroll 16
      for (int i = 0; i < MR; ++i) {
        const __m512 av = _mm512_set1_ps(r[i][p]);
#pragma GCC unroll 2
        for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(av, bv[v], acc[i][v]);
      }
      bp += 16 * NV;
    }
  }
  __mmask16 mask[NV];
#pragma GCC unroll 2
  for (int v = 0; v < NV; ++v) mask[v] = laneMask(nr - 16 * v);
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
    if (i >= mr) break;
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) _mm512_mask_storeu_ps(c[i] + 16 * v, mask[v], acc[i][v]);
  }
}

// Dot products along K for up to four columns: one accumulator vector per (row, column), masked
// loads for the ends of segments, one horizontal sum per output.
template <int MR>
STRATA_AVX512 void tileDotAvx512(const float* const* a, const int64_t* segOff, const int32_t* segLen, int segs,
                                 const float* bp, float* const* c, int mr, int nr) {
  int64_t K = 0;
  for (int s = 0; s < segs; ++s) K += segLen[s];
  for (int n = 0; n < nr; ++n) {
    __m512 acc[MR];
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) acc[i] = _mm512_setzero_ps();
    const float* b = bp + n * K;
    for (int s = 0; s < segs; ++s) {
      const int len = segLen[s];
      const int64_t o = segOff[s];
      int p = 0;
      for (; p + 16 <= len; p += 16) {
        const __m512 bv = _mm512_loadu_ps(b + p);
#pragma GCC unroll 8
        for (int i = 0; i < MR; ++i) acc[i] = _mm512_fmadd_ps(_mm512_loadu_ps(a[i] + o + p), bv, acc[i]);
      }
      if (p < len) {
        const __mmask16 m = __mmask16((1u << (len - p)) - 1);
        const __m512 bv = _mm512_maskz_loadu_ps(m, b + p);
#pragma GCC unroll 8
        for (int i = 0; i < MR; ++i) acc[i] = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a[i] + o + p), bv, acc[i]);
      }
      b += len;
    }
    for (int i = 0; i < mr; ++i) c[i][n] = _mm512_reduce_add_ps(acc[i]);
  }
}
#endif

#if defined(__wasm_simd128__)
// WebAssembly SIMD128: MR × 4·NV tile in MR·NV v128 accumulators (madd, simd128-madd.h: a multiply and
// an add per step, one FMA in the relaxed builds). 4 × 8: at the W3 conv2 shape (64 × 13 × 13 × 32 → 64, Node 20, CPU time,
// builds interleaved) forward ran 9.2 ms and backprop-input 12.9 ms, against 17.3 and 21.1 for 5 × 8
// (the GEMM's tile, gemm-wasm.cc; here five row pointers join the registers) and 12.8 and 18.4 before
// the accumulators stayed in registers (see the end of the function).
// With relaxed SIMD (madd is an FMA) 4 × 8 still wins: 5 × 8, 6 × 8 and 3 × 12 ran 8–50 % behind it
// at W3 conv2 and W6 (the row pointers, not the vectors, run out); relaxed 4 × 8 runs those kernels
// 1.15–1.3× the plain build.
template <int MR, int NV>
void tileWasm(const float* const* a, const int64_t* segOff, const int32_t* segLen, int segs, const float* bp,
              float* const* c, int mr, int nr) {
  constexpr int NR = 4 * NV;
  v128_t acc[MR][NV];
#pragma unroll
  for (int i = 0; i < MR; ++i) {
#pragma unroll
    for (int v = 0; v < NV; ++v) acc[i][v] = wasm_f32x4_splat(0.f);
  }
  for (int s = 0; s < segs; ++s) {
    const float* r[MR];
#pragma unroll
    for (int i = 0; i < MR; ++i) r[i] = a[i] + segOff[s];
    const int len = segLen[s];
    for (int p = 0; p < len; ++p) {
      v128_t b[NV];
#pragma unroll
      for (int v = 0; v < NV; ++v) b[v] = wasm_v128_load(bp + 4 * v);
#pragma unroll
      for (int i = 0; i < MR; ++i) {
        const v128_t av = wasm_v128_load32_splat(r[i] + p);
#pragma unroll
        for (int v = 0; v < NV; ++v) acc[i][v] = madd(av, b[v], acc[i][v]);
      }
      bp += NR;
    }
  }
  // acc is indexed by constants only (fixed-count unrolled loops, no early exit; the edge spills the
  // whole tile first): with a run-time row index clang keeps acc in memory and stores every
  // accumulator on every step of the loop above.
  if (nr == NR) {
#pragma unroll
    for (int i = 0; i < MR; ++i) {
      if (i < mr) {
#pragma unroll
        for (int v = 0; v < NV; ++v) wasm_v128_store(c[i] + 4 * v, acc[i][v]);
      }
    }
    return;
  }
  alignas(16) float tile[MR * NR];
#pragma unroll
  for (int i = 0; i < MR; ++i) {
#pragma unroll
    for (int v = 0; v < NV; ++v) wasm_v128_store(tile + i * NR + 4 * v, acc[i][v]);
  }
  for (int i = 0; i < mr; ++i) {
    for (int j = 0; j < nr; ++j) c[i][j] = tile[i * NR + j];
  }
}
#endif

// Portable tile (any CPU; also what the tests run when they force the generic GEMM ISA).
template <int MR, int NR>
void tileGeneric(const float* const* a, const int64_t* segOff, const int32_t* segLen, int segs, const float* bp,
                 float* const* c, int mr, int nr) {
  float acc[MR][NR] = {};
  for (int s = 0; s < segs; ++s) {
    const float* r[MR];
    for (int i = 0; i < MR; ++i) r[i] = a[i] + segOff[s];
    const int len = segLen[s];
    for (int p = 0; p < len; ++p) {
      for (int i = 0; i < MR; ++i) {
        const float av = r[i][p];
#pragma omp simd
        for (int j = 0; j < NR; ++j) acc[i][j] += av * bp[j];
      }
      bp += NR;
    }
  }
  for (int i = 0; i < mr; ++i) {
    for (int j = 0; j < nr; ++j) c[i][j] = acc[i][j];
  }
}

// Dot products along K for the few-column case: bp holds column n at bp + n·K, nr = the columns.
void tileDot(const float* const* a, const int64_t* segOff, const int32_t* segLen, int segs, const float* bp,
             float* const* c, int mr, int nr) {
  int64_t K = 0;
  for (int s = 0; s < segs; ++s) K += segLen[s];
  for (int i = 0; i < mr; ++i) {
    for (int n = 0; n < nr; ++n) {
      const float* __restrict b = bp + n * K;
      float sum = 0.f;
      for (int s = 0; s < segs; ++s) {
        const float* __restrict r = a[i] + segOff[s];
        const int len = segLen[s];
#pragma omp simd reduction(+ : sum)
        for (int p = 0; p < len; ++p) sum += r[p] * b[p];
        b += len;
      }
      c[i][n] = sum;
    }
  }
}

}  // namespace

ConvTile convTile(int64_t columns) {
#if defined(__x86_64__) || defined(__i386__)
  if (columns <= 4 && gemmIsa() == Isa::avx512) return ConvTile{8, int(columns), tileDotAvx512<8>, true};
#endif
  if (columns <= 4) return ConvTile{4, int(columns), tileDot, true};
#if defined(__x86_64__) || defined(__i386__)
  if (gemmIsa() == Isa::avx512) {
    // 16 columns or fewer (a 16-filter layer): one vector per row, so no lane is wasted on padding.
    if (columns <= 16) return ConvTile{12, 16, tileAvx512<12, 1>};
    return ConvTile{12, 32, tileAvx512<12, 2>};
  }
#endif
#if defined(__wasm_simd128__)
  if (gemmIsa() == Isa::simd128) return ConvTile{4, 8, tileWasm<4, 2>};
#endif
  return ConvTile{4, 16, tileGeneric<4, 16>};
}

}  // namespace strata
