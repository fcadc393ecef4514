// Direct WebAssembly SIMD128 kernels for convolutions with a short patch (K = taps · inC ≤ 32: a first
// layer on one or three channels) and at most 64 filters (a multiple of 4), forward and filter
// gradient: the wasm counterparts of conv-small.cc's AVX-512 ones (only the wasm build compiles this
// file). The implicit GEMM's 4 × 8 tile (conv-tile.cc) runs only K steps per call at such a patch, and
// the packed filter GEMM (conv-filter.cc) copies each 9-float patch and dy row into panels: at W3's
// conv1 (64 × 28 × 28 × 1 → 32, 3 × 3) both ran at ~12 GFLOPS against ~45 for conv2.
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "conv-small.h"
#include "conv-util.h"
#include "gemm.h"
#include "simd128-madd.h"

namespace strata {
namespace {

/** Longest patch the direct kernels take: past it, the engines' longer runs pay for their set-up. */
constexpr int64_t kMaxPatch = 32;
/** Output rows per forward task block (whole blocks per task, as conv-small.cc). */
constexpr int64_t kBlockRows = 64;
/** Rows of the forward tile: 4 × 8 (8 accumulators), as the engine's tile, so the row pointers fit too. */
constexpr int kRows = 4;

// ---- forward ----

/**
 * kRows output rows (window origins org[i] in src), every column in chunks of 8: y[i] = Σ_k
 * src[org[i] + off[k]] · wp[k], + bias, then relu when asked, wp packed K × F8 (F rounded up to 8,
 * zero-padded), bias padded the same (zeros without one). Rows i ≥ rows are computed (org repeats a
 * valid one) but not stored; so are the columns past F.
 */
void forwardRows(const float* src, const int32_t* org, const int32_t* off, int K, const float* wp, const float* bias,
                 bool relu, float* y, int F, int rows) {
  const int F8 = (F + 7) & ~7;
  const float* r[kRows];
#pragma unroll
  for (int i = 0; i < kRows; ++i) r[i] = src + org[i];
  const v128_t zero = wasm_f32x4_splat(0.f);
  for (int j0 = 0; j0 < F8; j0 += 8) {
    v128_t acc[kRows][2];
#pragma unroll
    for (int i = 0; i < kRows; ++i) acc[i][0] = acc[i][1] = zero;
    const float* w = wp + j0;
    for (int k = 0; k < K; ++k, w += F8) {
      const int32_t o = off[k];
      const v128_t w0 = wasm_v128_load(w), w1 = wasm_v128_load(w + 4);
#pragma unroll
      for (int i = 0; i < kRows; ++i) {
        const v128_t a = wasm_v128_load32_splat(r[i] + o);
        acc[i][0] = madd(a, w0, acc[i][0]);
        acc[i][1] = madd(a, w1, acc[i][1]);
      }
    }
    // The bias added to the finished sum (as conv, then biasActivateRows: the same rounding), relu as
    // f32x4.max, which keeps NaN as biasActivateRows does.
    const v128_t b0 = wasm_v128_load(bias + j0), b1 = wasm_v128_load(bias + j0 + 4);
    const bool both = j0 + 8 <= F;
#pragma unroll
    for (int i = 0; i < kRows; ++i) {
      if (i < rows) {
        float* out = y + i * F + j0;
        const v128_t y0 = wasm_f32x4_add(acc[i][0], b0), y1 = wasm_f32x4_add(acc[i][1], b1);
        wasm_v128_store(out, relu ? wasm_f32x4_max(y0, zero) : y0);
        if (both) wasm_v128_store(out + 4, relu ? wasm_f32x4_max(y1, zero) : y1);
      }
    }
  }
}

struct ForwardJob {
  const ConvGeom* g;
  const float* src;
  const int64_t* pdims;
  const int32_t* off;
  int K;
  const float* wp;
  const float* bias;  // padded to F8; zeros when the conv has none or the epilogue is not fused
  bool relu;
  float* y;
  int64_t rows, rowsPerTask;
  const ConvEpilogue* after;  // an epilogue the tile does not fuse (not relu or linear), or null
};

void forwardTask(void* ctx, int t) {
  const ForwardJob& j = *static_cast<const ForwardJob*>(ctx);
  const int64_t F = j.g->outC;
  const int64_t r0 = t * j.rowsPerTask, r1 = std::min(j.rows, r0 + j.rowsPerTask);
  PositionWalk pos(*j.g, j.pdims, r0);
  int32_t org[kRows];
  for (int64_t b0 = r0; b0 < r1; b0 += kBlockRows) {
    const int64_t b1 = std::min(r1, b0 + kBlockRows);
    for (int64_t r = b0; r < b1; r += kRows) {
      const int rows = int(std::min<int64_t>(kRows, b1 - r));
      for (int i = 0; i < rows; ++i, pos.next()) org[i] = int32_t(pos.origin());
      for (int i = rows; i < kRows; ++i) org[i] = org[0];
      forwardRows(j.src, org, j.off, j.K, j.wp, j.bias, j.relu, j.y + r * F, int(F), rows);
    }
    if (const ConvEpilogue* e = j.after) biasActivateRows(e->act, e->bias, j.y + b0 * F, b1 - b0, F, e->alpha);
  }
}

// ---- filter gradient ----

/**
 * dw[k, 0:4·NV] += Σ_p src[orig[p] + off[k]] · dy[p, 0:4·NV] over `count` positions (orig lists their
 * window origins, dy their rows, F apart), for the KC patch elements off[0..KC); rows k ≥ kValid
 * are padding (computed, not stored).
 */
template <int KC, int NV>
void filterChunk(const float* src, const int32_t* orig, const int32_t* off, const float* dy, int F, int count,
                 float* dw, int kValid) {
  v128_t acc[KC][NV];
#pragma unroll
  for (int k = 0; k < KC; ++k) {
#pragma unroll
    for (int v = 0; v < NV; ++v) acc[k][v] = wasm_f32x4_splat(0.f);
  }
  int32_t o[KC];
#pragma unroll
  for (int k = 0; k < KC; ++k) o[k] = off[k];
  for (int p = 0; p < count; ++p, dy += F) {
    const float* x = src + orig[p];
    v128_t d[NV];
#pragma unroll
    for (int v = 0; v < NV; ++v) d[v] = wasm_v128_load(dy + 4 * v);
#pragma unroll
    for (int k = 0; k < KC; ++k) {
      const v128_t a = wasm_v128_load32_splat(x + o[k]);
#pragma unroll
      for (int v = 0; v < NV; ++v) acc[k][v] = madd(a, d[v], acc[k][v]);
    }
  }
#pragma unroll
  for (int k = 0; k < KC; ++k) {
    if (k < kValid) {
#pragma unroll
      for (int v = 0; v < NV; ++v) {
        float* out = dw + k * F + 4 * v;
        wasm_v128_store(out, wasm_f32x4_add(wasm_v128_load(out), acc[k][v]));
      }
    }
  }
}

using FilterFn = void (*)(const float*, const int32_t*, const int32_t*, const float*, int, int, float*, int);

/**
 * Patch elements per chunk: KC · NV accumulators, the NV dy vectors and the broadcast (and, without
 * relaxed SIMD, the product) within V8's 15 xmm registers: 6 × 2 relaxed, 5 × 2 plain.
 */
#if defined(__wasm_relaxed_simd__)
constexpr int kMaxChunk = 6;
#else
constexpr int kMaxChunk = 5;
#endif

template <int NV>
FilterFn filterFn(int kc) {
  switch (kc) {
    case 1: return filterChunk<1, NV>;
    case 2: return filterChunk<2, NV>;
    case 3: return filterChunk<3, NV>;
    case 4: return filterChunk<4, NV>;
    case 5: return filterChunk<5, NV>;
#if defined(__wasm_relaxed_simd__)
    case 6: return filterChunk<6, NV>;
#endif
    default: return nullptr;
  }
}

struct FilterJob {
  const ConvGeom* g;
  const float* src;
  const int64_t* pdims;
  const std::vector<int32_t>* off;  // K offsets
  int chunk;                         // patch elements per chunk
  const float* dy;
  int64_t positions, perTask;
  float* partial;  // tasks × K × F
};

/** Positions per pass: their dy rows (≤ 64 KiB at 64 filters) stay in L2 across the chunks. */
constexpr int64_t kFilterBlock = 256;

void filterTask(void* ctx, int t) {
  const FilterJob& j = *static_cast<const FilterJob*>(ctx);
  const int F = int(j.g->outC), K = int(j.off->size());
  float* acc = j.partial + int64_t(t) * K * F;
  std::memset(acc, 0, sizeof(float) * size_t(K * F));
  const int64_t p0 = t * j.perTask, p1 = std::min(j.positions, p0 + j.perTask);
  const FilterFn full = filterFn<2>(j.chunk), half = filterFn<1>(j.chunk);
  int32_t orig[kFilterBlock];
  int32_t off[kMaxChunk];
  PositionWalk pos(*j.g, j.pdims, p0);
  for (int64_t b0 = p0; b0 < p1; b0 += kFilterBlock) {
    const int rows = int(std::min(kFilterBlock, p1 - b0));
    for (int r = 0; r < rows; ++r, pos.next()) orig[r] = int32_t(pos.origin());
    const float* d = j.dy + b0 * F;
    for (int k0 = 0; k0 < K; k0 += j.chunk) {
      const int valid = std::min(j.chunk, K - k0);
      // Padding rows repeat the last valid offset: they read memory that exists and are not stored.
      for (int k = 0; k < j.chunk; ++k) off[k] = (*j.off)[size_t(k0 + std::min(k, valid - 1))];
      int j0 = 0;
      for (; j0 + 8 <= F; j0 += 8) full(j.src, orig, off, d + j0, F, rows, acc + k0 * F + j0, valid);
      if (j0 < F) half(j.src, orig, off, d + j0, F, rows, acc + k0 * F + j0, valid);
    }
  }
}

/** Whether the direct kernels take this shape: SIMD128 chosen (not the generic ISA the tests force), a short patch, F a multiple of 4 up to 64. */
bool takes(const ConvGeom& g, const Segments& seg) {
  const int64_t F = g.outC, K = seg.total;
  return gemmIsa() == Isa::simd128 && K <= kMaxPatch && F > 4 && F <= 64 && F % 4 == 0 &&
         g.batch * g.in[0] * g.in[1] * g.in[2] * g.inC < (int64_t(1) << 31);
}

}  // namespace

bool conv3dSmallPatch(const ConvGeom& g, const float* src, const int64_t pdims[3], const Segments& seg, const float* w,
                      float* y, const ConvEpilogue* epilogue) {
  if (!takes(g, seg)) return false;
  const int64_t F = g.outC, K = seg.total, F8 = (F + 7) & ~7;
  const std::vector<int32_t> off = patchOffsets(seg);
  // The filter as K rows of F8 floats, then the bias (zero-padded), one buffer.
  FloatBuffer wp = allocFloats(K * F8 + F8);
  for (int64_t k = 0; k < K; ++k) {
    for (int64_t f = 0; f < F8; ++f) wp[k * F8 + f] = f < F ? w[k * F + f] : 0.f;
  }
  float* bias = wp.get() + K * F8;
  // Relu and linear run in the tile; other activations after each block (biasActivateRows).
  const bool fused = !epilogue || epilogue->act == FusedAct::linear || epilogue->act == FusedAct::relu;
  for (int64_t f = 0; f < F8; ++f) bias[f] = fused && epilogue && epilogue->bias && f < F ? epilogue->bias[f] : 0.f;
  const int64_t rows = g.batch * g.out[0] * g.out[1] * g.out[2];
  const int tasks = convTasks(rows * K * F, rows / kBlockRows, 4);
  const int64_t blocks = (rows + kBlockRows - 1) / kBlockRows;
  ForwardJob job{&g, src, pdims, off.data(), int(K), wp.get(), bias, fused && epilogue && epilogue->act == FusedAct::relu,
                 y, rows, (blocks + tasks - 1) / tasks * kBlockRows, fused ? nullptr : epilogue};
  runTasks(int((rows + job.rowsPerTask - 1) / job.rowsPerTask), forwardTask, &job);
  return true;
}

bool conv3dBackpropFilterSmallPatch(const ConvGeom& g, const float* src, const int64_t pdims[3], const Segments& seg,
                                    const float* dy, float* dw) {
  if (!takes(g, seg)) return false;
  const int64_t F = g.outC, K = seg.total;
  const int64_t chunks = (K + kMaxChunk - 1) / kMaxChunk;
  const int chunk = int((K + chunks - 1) / chunks);
  const std::vector<int32_t> off = patchOffsets(seg);
  const int64_t positions = g.batch * g.out[0] * g.out[1] * g.out[2];
  // Several shares per thread (each summed into its own dw): a busy core does not hold up the step.
  const int tasks = convTasks(positions * K * F, positions / 256, 4);
  FilterJob job{&g, src, pdims, &off, chunk, dy, positions, (positions + tasks - 1) / tasks, nullptr};
  const int used = int((positions + job.perTask - 1) / job.perTask);
  FloatBuffer partial = allocFloats(used * K * F);
  job.partial = partial.get();
  runTasks(used, filterTask, &job);
  sumTaskPartials(job.partial, used, K * F, dw);
  return true;
}

}  // namespace strata
#endif
