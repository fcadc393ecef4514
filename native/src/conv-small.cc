#include "conv-small.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "conv-util.h"
#include "gemm.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define STRATA_AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,fma,avx2")))
#endif

namespace strata {

#if defined(__x86_64__) || defined(__i386__)
namespace {

/** Longest patch the direct kernels take: past it, packing pays for itself. */
constexpr int64_t kMaxPatch = 32;
/** Output rows per block of the forward conv: the epilogue runs over a block while it is in L1. */
constexpr int64_t kBlockRows = 64;

// ---- forward ----

/**
 * R output rows (window origins org[i] in src) of 16·NV columns: y[i] = Σ_k src[org[i] + off[k]] · wp[k],
 * wp packed K × 16·NV. Rows i ≥ rows are computed (org repeats a valid one) but not stored.
 */
template <int R, int NV>
STRATA_AVX512 void forwardRows(const float* src, const int64_t* org, const int32_t* off, int K, const float* wp,
                               float* y, int64_t F, int rows) {
  __m512 acc[R][NV];
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i) {
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_setzero_ps();
  }
  const float* row[R];
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i) row[i] = src + org[i];
  for (int k = 0; k < K; ++k, wp += 16 * NV) {
    const int32_t o = off[k];
    __m512 wv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) wv[v] = _mm512_load_ps(wp + 16 * v);
#pragma GCC unroll 16
    for (int i = 0; i < R; ++i) {
      const __m512 a = _mm512_set1_ps(row[i][o]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(a, wv[v], acc[i][v]);
    }
  }
  __mmask16 mask[NV];
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) mask[v] = laneMask(int(F) - 16 * v);
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i) {
    if (i >= rows) break;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) _mm512_mask_storeu_ps(y + i * F + 16 * v, mask[v], acc[i][v]);
  }
}

using ForwardFn = void (*)(const float*, const int64_t*, const int32_t*, int, const float*, float*, int64_t, int);

struct ForwardJob {
  const ConvGeom* g;
  const float* src;
  const int64_t* pdims;
  const int32_t* off;
  int K;
  const float* wp;
  float* y;
  int64_t rows, rowsPerTask;
  int R;
  ForwardFn fn;
  const ConvEpilogue* epilogue;
};

void forwardTask(void* ctx, int t) {
  const ForwardJob& j = *static_cast<const ForwardJob*>(ctx);
  const int64_t F = j.g->outC;
  const int64_t r0 = t * j.rowsPerTask, r1 = std::min(j.rows, r0 + j.rowsPerTask);
  PositionWalk pos(*j.g, j.pdims, r0);
  int64_t org[16];
  for (int64_t b0 = r0; b0 < r1; b0 += kBlockRows) {
    const int64_t b1 = std::min(r1, b0 + kBlockRows);
    for (int64_t r = b0; r < b1; r += j.R) {
      const int rows = int(std::min<int64_t>(j.R, b1 - r));
      for (int i = 0; i < rows; ++i, pos.next()) org[i] = pos.origin();
      for (int i = rows; i < j.R; ++i) org[i] = org[0];
      j.fn(j.src, org, j.off, j.K, j.wp, j.y + r * F, F, rows);
    }
    if (const ConvEpilogue* e = j.epilogue) biasActivateRows(e->act, e->bias, j.y + b0 * F, b1 - b0, F, e->alpha);
  }
}

// ---- filter gradient ----

/**
 * dw[k, :] += Σ_p src[origin(p) + off[k]] · dy[p, :] for the KC patch elements off[0..KC) and the
 * positions [p0, p1), all in registers; rows k ≥ kValid are padding (not stored).
 */
template <int KC, int NV>
STRATA_AVX512 void filterChunk(const ConvGeom& g, const float* src, const int64_t* pdims, const int32_t* off,
                               const float* dy, int64_t p0, int64_t p1, float* dw, int kValid) {
  const int64_t F = g.outC;
  __m512 acc[KC][NV];
#pragma GCC unroll 24
  for (int k = 0; k < KC; ++k) {
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[k][v] = _mm512_setzero_ps();
  }
  __mmask16 mask[NV];
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) mask[v] = laneMask(int(F) - 16 * v);
  int32_t o[KC];
#pragma GCC unroll 24
  for (int k = 0; k < KC; ++k) o[k] = off[k];
  PositionWalk pos(g, pdims, p0);
  const float* d = dy + p0 * F;
  for (int64_t p = p0; p < p1; ++p, pos.next(), d += F) {
    const float* x = src + pos.origin();
    __m512 dv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) dv[v] = _mm512_maskz_loadu_ps(mask[v], d + 16 * v);
#pragma GCC unroll 24
    for (int k = 0; k < KC; ++k) {
      const __m512 a = _mm512_set1_ps(x[o[k]]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[k][v] = _mm512_fmadd_ps(a, dv[v], acc[k][v]);
    }
  }
#pragma GCC unroll 24
  for (int k = 0; k < KC; ++k) {
    if (k >= kValid) break;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      float* out = dw + k * F + 16 * v;
      _mm512_mask_storeu_ps(out, mask[v], _mm512_add_ps(_mm512_maskz_loadu_ps(mask[v], out), acc[k][v]));
    }
  }
}

using FilterFn = void (*)(const ConvGeom&, const float*, const int64_t*, const int32_t*, const float*, int64_t, int64_t,
                          float*, int);

/** Patch elements per register chunk: a multiple of 3 (a 3-wide kernel row) with KC · NV ≤ 24 accumulators. */
template <int NV>
FilterFn filterFn(int kc) {
  switch (kc) {
    case 3: return filterChunk<3, NV>;
    case 6: return filterChunk<6, NV>;
    case 9: if constexpr (9 * NV <= 24) return filterChunk<9, NV>; break;
    case 12: if constexpr (12 * NV <= 24) return filterChunk<12, NV>; break;
    case 15: if constexpr (15 * NV <= 24) return filterChunk<15, NV>; break;
    case 18: if constexpr (18 * NV <= 24) return filterChunk<18, NV>; break;
    case 21: if constexpr (21 * NV <= 24) return filterChunk<21, NV>; break;
    case 24: if constexpr (24 * NV <= 24) return filterChunk<24, NV>; break;
    default: break;
  }
  return nullptr;
}

struct FilterJob {
  const ConvGeom* g;
  const float* src;
  const int64_t* pdims;
  const std::vector<int32_t>* off;  // K offsets
  int chunk;                         // patch elements per chunk
  FilterFn fn;
  const float* dy;
  int64_t positions, perTask;
  float* partial;  // tasks × K × F
};

void filterTask(void* ctx, int t) {
  const FilterJob& j = *static_cast<const FilterJob*>(ctx);
  const int64_t F = j.g->outC, K = int64_t(j.off->size());
  float* acc = j.partial + t * K * F;
  std::memset(acc, 0, sizeof(float) * size_t(K * F));
  const int64_t p0 = t * j.perTask, p1 = std::min(j.positions, p0 + j.perTask);
  int32_t off[24];
  for (int64_t k0 = 0; k0 < K; k0 += j.chunk) {
    const int valid = int(std::min<int64_t>(j.chunk, K - k0));
    // Padding rows repeat the last valid offset: they read memory that exists and are not stored.
    for (int k = 0; k < j.chunk; ++k) off[k] = (*j.off)[size_t(k0 + std::min(k, valid - 1))];
    j.fn(*j.g, j.src, j.pdims, off, j.dy, p0, p1, acc + k0 * F, valid);
  }
}

}  // namespace

bool conv3dSmallPatch(const ConvGeom& g, const float* src, const int64_t pdims[3], const Segments& seg, const float* w,
                      float* y, const ConvEpilogue* epilogue) {
  const int64_t F = g.outC, K = seg.total;
  if (gemmIsa() != Isa::avx512 || K > kMaxPatch || F <= 4 || F > 64) return false;
  const int NV = int((F + 15) / 16);
  static const ForwardFn fns[4] = {forwardRows<16, 1>, forwardRows<8, 2>, forwardRows<5, 3>, forwardRows<4, 4>};
  static const int rowsOf[4] = {16, 8, 5, 4};
  const std::vector<int32_t> off = patchOffsets(seg);
  // The filter as K rows of 16·NV floats, zero-padded.
  FloatBuffer wp = allocFloats(K * 16 * NV);
  for (int64_t k = 0; k < K; ++k) {
    for (int64_t f = 0; f < 16 * NV; ++f) wp[k * 16 * NV + f] = f < F ? w[k * F + f] : 0.f;
  }
  const int64_t rows = g.batch * g.out[0] * g.out[1] * g.out[2];
  const int R = rowsOf[NV - 1];
  const int tasks = convTasks(rows * K * F, rows / kBlockRows, 4);
  // Whole blocks per task, so a task's epilogue passes line up with its own rows only.
  const int64_t blocks = (rows + kBlockRows - 1) / kBlockRows;
  ForwardJob job{&g, src, pdims, off.data(), int(K), wp.get(), y, rows,
                 (blocks + tasks - 1) / tasks * kBlockRows, R, fns[NV - 1], epilogue};
  runTasks(int((rows + job.rowsPerTask - 1) / job.rowsPerTask), forwardTask, &job);
  return true;
}

bool conv3dBackpropFilterSmallPatch(const ConvGeom& g, const float* src, const int64_t pdims[3], const Segments& seg,
                                    const float* dy, float* dw) {
  const int64_t F = g.outC, K = seg.total;
  if (gemmIsa() != Isa::avx512 || K > kMaxPatch || F <= 4 || F > 64) return false;
  const int NV = int((F + 15) / 16);
  const int maxChunk = 24 / NV / 3 * 3;  // 24, 12, 6, 6
  const int64_t chunks = (K + maxChunk - 1) / maxChunk;
  const int chunk = int(((K + chunks - 1) / chunks + 2) / 3 * 3);
  const FilterFn fn = NV == 1   ? filterFn<1>(chunk)
                     : NV == 2 ? filterFn<2>(chunk)
                     : NV == 3 ? filterFn<3>(chunk)
                               : filterFn<4>(chunk);
  if (!fn) return false;
  const std::vector<int32_t> off = patchOffsets(seg);
  const int64_t positions = g.batch * g.out[0] * g.out[1] * g.out[2];
  // Several shares per thread (each summed into its own dw): a busy core does not hold up the step.
  const int tasks = convTasks(positions * K * F, positions / 256, 4);
  FilterJob job{&g, src, pdims, &off, chunk, fn, dy, positions, (positions + tasks - 1) / tasks, nullptr};
  const int used = int((positions + job.perTask - 1) / job.perTask);
  FloatBuffer partial = allocFloats(used * K * F);
  job.partial = partial.get();
  runTasks(used, filterTask, &job);
  sumTaskPartials(job.partial, used, K * F, dw);
  return true;
}

#elif !defined(__wasm_simd128__)  // no direct kernels on this target (ARM, …): the general engines run
// (wasm SIMD128 has its own: conv-small-wasm.cc)

bool conv3dSmallPatch(const ConvGeom&, const float*, const int64_t*, const Segments&, const float*, float*,
                      const ConvEpilogue*) {
  return false;
}

bool conv3dBackpropFilterSmallPatch(const ConvGeom&, const float*, const int64_t*, const Segments&, const float*,
                                    float*) {
  return false;
}

#endif

}  // namespace strata
