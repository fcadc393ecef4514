// The filter gradient of a convolution, float32, channels-last: dw[K, F] = Σ_p patches[p, K]ᵀ ·
// dy[p, F]. Blocks of patch rows (read from a zero-padded x) are copied into packed panels and fed to
// the GEMM micro-kernel (gemm.h); each task sums its share of positions into its own dw, and the
// partial sums are added at the end. With four filters or fewer, the patch rows are added straight
// into dwᵀ instead (a 16-wide tile would be mostly padding).
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "conv-small.h"
#include "conv-util.h"
#include "conv-window.h"
#include "conv.h"
#include "gemm.h"
#include "thread-pool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define STRATA_AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,fma,avx2")))
#endif

namespace strata {
namespace {

/** The GEMM micro-kernel for a product with `columns` columns (16 or fewer: the 16-wide AVX2 one). */
MicroKernel gemmKernelFor(int64_t columns) {
#if defined(__x86_64__) || defined(__i386__)
  if (gemmIsa() == Isa::avx512) return columns <= 16 ? microKernelAvx2() : microKernelAvx512();
  if (gemmIsa() == Isa::avx2) return microKernelAvx2();
#endif
  (void)columns;
#if defined(__wasm_simd128__)
  if (gemmIsa() == Isa::simd128) return microKernelWasm();
#endif
  return microKernelGeneric();
}

/** The most floats of per-task partial sums the filter gradient splits into extra tasks for (4 MiB). */
constexpr int64_t kPartialFloats = int64_t(1) << 20;

struct FilterJob {
  const ConvGeom* g;
  const float* src;  // padded x
  int64_t pdims[3];
  const Segments* seg;
  const float* dy;
  MicroKernel mk;
  int64_t positions, perTask;
  float* partial;    // tasks × K × F sums: [K][F] for the GEMM, [F][K] for the few-filter path
  bool inPlace;      // the AVX-512 tile reads patches and dy where they are (filterTaskInPlace)
};

/** Copies n floats: short runs by hand, where a call to memcpy costs more than the moves. */
inline void copyFloats(float* __restrict d, const float* __restrict s, int64_t n) {
  if (n > 16) {
    std::memcpy(d, s, sizeof(float) * size_t(n));
  } else {
    for (int64_t i = 0; i < n; ++i) d[i] = s[i];
  }
}

/**
 * Floats from one packed panel to the next for a block of `rows` positions of `width` floats each: a
 * cache line more than the panel, so that the panels do not start a multiple of 4 KiB apart (512 rows
 * of 12 floats are 24 KiB: every store of a position's patch then fell in the same L1 set, and packing
 * took a third of W3's conv2 filter gradient).
 */
inline int64_t panelStride(int64_t rows, int width) { return rows * width + 16; }

/**
 * Packs positions [b0, b0 + rows) for the micro-kernel: A panels (MR taps of one position side by
 * side, k-major over positions) from the patch rows, B panels (NR filters) from dy's rows; panel i
 * starts at i · panelStride.
 */
template <int MR, int NR>
void packFilterBlock(const FilterJob& j, int64_t b0, int64_t rows, float* row, float* ap, float* bp) {
  const ConvGeom& g = *j.g;
  const int64_t K = j.seg->total, F = g.outC;
  const int64_t aPanels = (K + MR - 1) / MR, bPanels = (F + NR - 1) / NR;
  const int segs = int(j.seg->off.size());
  const int64_t* off = j.seg->off.data();
  const int32_t* len = j.seg->len.data();
  const int64_t aStride = panelStride(rows, MR), bStride = panelStride(rows, NR);
  // Where each A panel's MR patch elements start in the window when they lie inside one segment: when
  // all do (K a multiple of MR, segments too: W3's conv2 on the 6-row wasm tile), each panel is copied
  // straight from the input instead of through the gathered row (a third of the packing there).
  int64_t direct[64];
  bool allDirect = aPanels > 1 && aPanels <= 64 && K % MR == 0;
  for (int64_t i = 0, s = 0, start = 0; allDirect && i < aPanels; ++i) {
    while (i * MR >= start + len[s]) start += len[s++];
    allDirect = i * MR + MR <= start + len[s];
    direct[i] = off[s] + (i * MR - start);
  }
  PositionWalk pos(g, j.pdims, b0);
  for (int64_t r = 0; r < rows; ++r, pos.next()) {
    const float* base = j.src + pos.origin();
    if (allDirect) {
      for (int64_t i = 0; i < aPanels; ++i) std::memcpy(ap + i * aStride + r * MR, base + direct[i], sizeof(float) * MR);
    } else {
      // A patch that fits one panel goes there directly; a longer one is gathered, then sliced.
      float* o = aPanels == 1 ? ap + r * MR : row;
      for (int s = 0; s < segs; ++s) {
        copyFloats(o, base + off[s], len[s]);
        o += len[s];
      }
      if (aPanels == 1) {
        for (int64_t k = K; k < MR; ++k) ap[r * MR + k] = 0.f;
      } else {
        for (int64_t i = 0; i < aPanels; ++i) std::memcpy(ap + i * aStride + r * MR, row + i * MR, sizeof(float) * MR);
      }
    }
    const float* d = j.dy + (b0 + r) * F;
    for (int64_t i = 0; i < bPanels; ++i) {
      float* out = bp + i * bStride + r * NR;
      const int64_t cols = std::min<int64_t>(NR, F - i * NR);
      if (cols == NR) {
        std::memcpy(out, d + i * NR, sizeof(float) * NR);
      } else {
        for (int64_t c = 0; c < NR; ++c) out[c] = c < cols ? d[i * NR + c] : 0.f;
      }
    }
  }
}

#if defined(__x86_64__) || defined(__i386__)
/**
 * c[i, 0:nr] += Σ_p x[orig[p] + off + i] · dy[p · F + 0:nr] over kc positions, for the 12 (FULL) or mr
 * patch elements i of one segment: 12 × 32 accumulators as the GEMM micro-kernel, with the patch
 * values and dy's rows read in place instead of packed into panels first.
 */
template <bool FULL>
STRATA_AVX512 void filterTileInPlace(int64_t kc, const float* x, const int64_t* orig, int64_t off, int mr,
                                     const float* dy, int64_t F, float* c, int nr) {
  constexpr int MR = 12, NV = 2;
  __m512 acc[MR][NV];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_setzero_ps();
  }
  __mmask16 mask[NV];
#pragma GCC unroll 2
  for (int v = 0; v < NV; ++v) mask[v] = laneMask(nr - 16 * v);
  int idx[MR];
  for (int i = 0; i < MR; ++i) idx[i] = FULL || i < mr ? i : 0;
  for (int64_t p = 0; p < kc; ++p) {
    const float* a = x + orig[p] + off;
    __m512 bv[NV];
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) bv[v] = _mm512_maskz_loadu_ps(mask[v], dy + p * F + 16 * v);
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      const __m512 av = _mm512_set1_ps(a[FULL ? i : idx[i]]);
#pragma GCC unroll 2
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(av, bv[v], acc[i][v]);
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
    if (i >= mr) break;
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) {
      float* out = c + i * F + 16 * v;
      _mm512_mask_storeu_ps(out, mask[v], _mm512_add_ps(_mm512_maskz_loadu_ps(mask[v], out), acc[i][v]));
    }
  }
}

/**
 * filterTask on AVX-512 without packing: each block of positions has its window origins listed, and
 * the tile walks the patch 12 elements of a segment at a time against 32 filters of dy. Packing the
 * patches into panels was a third of W3's conv2 filter gradient.
 */
void filterTaskInPlace(const FilterJob& j, int t) {
  const ConvGeom& g = *j.g;
  const int64_t K = j.seg->total, F = g.outC;
  float* acc = j.partial + t * K * F;
  std::memset(acc, 0, sizeof(float) * size_t(K * F));
  const int64_t p0 = t * j.perTask, p1 = std::min(j.positions, p0 + j.perTask);
  // Runs of at most 12 patch elements inside one segment: (offset in the window, k, length).
  struct Chunk {
    int64_t off, k;
    int len;
  };
  std::vector<Chunk> chunks;
  for (size_t s = 0, k = 0; s < j.seg->off.size(); k += size_t(j.seg->len[s]), ++s) {
    for (int32_t q = 0; q < j.seg->len[s]; q += 12) {
      chunks.push_back(Chunk{j.seg->off[s] + q, int64_t(k) + q, int(std::min<int32_t>(12, j.seg->len[s] - q))});
    }
  }
  constexpr int64_t kBlock = 512;  // positions per pass: their dy rows (≤ 128 KiB at 64 filters) stay in L2
  std::vector<int64_t> orig(static_cast<size_t>(kBlock));
  PositionWalk pos(g, j.pdims, p0);
  for (int64_t b0 = p0; b0 < p1; b0 += kBlock) {
    const int64_t rows = std::min(kBlock, p1 - b0);
    for (int64_t r = 0; r < rows; ++r, pos.next()) orig[size_t(r)] = pos.origin();
    for (const Chunk& c : chunks) {
      for (int64_t j0 = 0; j0 < F; j0 += 32) {
        const int nr = int(std::min<int64_t>(32, F - j0));
        float* out = acc + c.k * F + j0;
        const float* d = j.dy + b0 * F + j0;
        if (c.len == 12) filterTileInPlace<true>(rows, j.src, orig.data(), c.off, 12, d, F, out, nr);
        else filterTileInPlace<false>(rows, j.src, orig.data(), c.off, c.len, d, F, out, nr);
      }
    }
  }
}
#endif

void filterTask(void* ctx, int t) {
  const FilterJob& j = *static_cast<const FilterJob*>(ctx);
#if defined(__x86_64__) || defined(__i386__)
  if (j.inPlace) {
    filterTaskInPlace(j, t);
    return;
  }
#endif
  const ConvGeom& g = *j.g;
  const int64_t K = j.seg->total, F = g.outC;
  const int MR = j.mk.mr, NR = j.mk.nr;
  const int64_t aPanels = (K + MR - 1) / MR, bPanels = (F + NR - 1) / NR;
  float* acc = j.partial + t * K * F;
  std::memset(acc, 0, sizeof(float) * size_t(K * F));
  const int64_t p0 = t * j.perTask, p1 = std::min(j.positions, p0 + j.perTask);
  const int64_t block = j.mk.kc;
  FloatBuffer row = allocFloats(aPanels * MR);
  FloatBuffer ap = allocFloats(aPanels * panelStride(block, MR));
  FloatBuffer bp = allocFloats(bPanels * panelStride(block, NR));
  std::fill(row.get(), row.get() + aPanels * MR, 0.f);
  for (int64_t b0 = p0; b0 < p1; b0 += block) {
    const int64_t rows = std::min(block, p1 - b0);
    if (MR == 12 && NR == 32) {
      packFilterBlock<12, 32>(j, b0, rows, row.get(), ap.get(), bp.get());
    } else if (MR == 6 && NR == 16) {
      packFilterBlock<6, 16>(j, b0, rows, row.get(), ap.get(), bp.get());
    } else if (MR == 5 && NR == 8) {  // the wasm SIMD128 kernel
      packFilterBlock<5, 8>(j, b0, rows, row.get(), ap.get(), bp.get());
#if defined(__wasm_relaxed_simd__)
    } else if (MR == 6 && NR == 8) {  // the wasm relaxed-SIMD kernel
      packFilterBlock<6, 8>(j, b0, rows, row.get(), ap.get(), bp.get());
#endif
    } else if (MR == 4 && NR == 16) {  // the generic kernel
      packFilterBlock<4, 16>(j, b0, rows, row.get(), ap.get(), bp.get());
    } else {
      std::abort();  // a micro-kernel tile with no packer here: add its case above
    }
    for (int64_t i = 0; i < aPanels; ++i) {
      const int mr = int(std::min<int64_t>(MR, K - i * MR));
      for (int64_t jb = 0; jb < bPanels; ++jb) {
        const int nr = int(std::min<int64_t>(NR, F - jb * NR));
        j.mk.run(rows, ap.get() + i * panelStride(rows, MR), bp.get() + jb * panelStride(rows, NR),
                 acc + i * MR * F + jb * NR, F, true, mr, nr);
      }
    }
  }
}

/** Few filters (F ≤ 4): dwᵀ[f, :] += dy[p, f] · patch[p, :], vectorised along the patch, no packing. */
void filterFewTask(void* ctx, int t) {
  const FilterJob& j = *static_cast<const FilterJob*>(ctx);
  const ConvGeom& g = *j.g;
  const int64_t K = j.seg->total, F = g.outC;
  float* acc = j.partial + t * K * F;
  std::memset(acc, 0, sizeof(float) * size_t(K * F));
  const int64_t p0 = t * j.perTask, p1 = std::min(j.positions, p0 + j.perTask);
  const int segs = int(j.seg->off.size());
  const int64_t* off = j.seg->off.data();
  const int32_t* len = j.seg->len.data();
  PositionWalk pos(g, j.pdims, p0);
  for (int64_t p = p0; p < p1; ++p, pos.next()) {
    const float* base = j.src + pos.origin();
    for (int64_t f = 0; f < F; ++f) {
      const float d = j.dy[p * F + f];
      float* __restrict a = acc + f * K;
      for (int s = 0; s < segs; ++s) {
        const float* __restrict x = base + off[s];
#pragma omp simd
        for (int q = 0; q < len[s]; ++q) a[q] += d * x[q];
        a += len[s];
      }
    }
  }
}

}  // namespace

void conv3dBackpropFilter(const ConvGeom& g, const float* x, const float* dy, float* dw) {
  const int64_t F = g.outC, K = g.taps() * g.inC;
  if (K * F == 0) return;
  const int64_t positions = g.batch * g.out[0] * g.out[1] * g.out[2];
  if (positions == 0) {
    std::memset(dw, 0, sizeof(float) * size_t(K * F));
    return;
  }
  FilterJob job{};
  FloatBuffer padded;
  job.g = &g;
  job.src = paddedInput(g, x, padded, job.pdims);
  const Segments seg = windowSegments(g, job.pdims);
  if (conv3dBackpropFilterSmallPatch(g, job.src, job.pdims, seg, dy, dw)) return;
  job.seg = &seg;
  job.dy = dy;
  job.mk = gemmKernelFor(F);
  job.positions = positions;
  // More than 16 filters on AVX-512 (the GEMM's 12 × 32 tile): patches and dy read in place.
  job.inPlace = F > 16 && gemmIsa() == Isa::avx512;
  const bool few = F <= 4;
  // Shares of positions, each summed into its own dw, only when the work pays for it: up to four per
  // thread, claimed as threads come free, so a thread the OS holds back (a shared machine, a busy page)
  // delays the step by a quarter of its share, not all of it (with one share per thread the caller
  // spun ~8% of a 2-thread W3 step waiting here).
  // Each share beyond one per thread costs a K × F partial sum: kept to kPartialFloats in all.
  const int threads = ThreadPool::instance().threads();
  const int tasks = int(std::min<int64_t>(convTasks(positions * K * F, positions / 64, 4),
                                          std::max<int64_t>(threads, kPartialFloats / (K * F))));
  job.perTask = (positions + tasks - 1) / tasks;
  const int used = int((positions + job.perTask - 1) / job.perTask);
  FloatBuffer partial = allocFloats(used * K * F);
  job.partial = partial.get();
  runTasks(used, few ? filterFewTask : filterTask, &job);
  for (int64_t k = 0; k < K; ++k) {
    for (int64_t f = 0; f < F; ++f) {
      // The few-filter path summed dwᵀ [F][K].
      const int64_t i = few ? f * K + k : k * F + f;
      float sum = 0.f;
      for (int t = 0; t < used; ++t) sum += job.partial[t * K * F + i];
      dw[k * F + f] = sum;
    }
  }
}


}  // namespace strata
