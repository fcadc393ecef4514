// Winograd convolution F(m×m, 3×3) (Lavin & Gray, "Fast Algorithms for Convolutional Neural
// Networks"), float32, channels-last, for 3×3 stride-1 undilated 2-D filters: the forward conv, and
// the input gradient as the forward conv of dy with the flipped, transposed filter. (Input gradients of
// 'valid' convs gain least: the implicit GEMM skips dy's zero border, 28% of W3 conv2's multiply-adds,
// and 13×13 outputs fill 4×4 tiles poorly. W3 conv2's dx, CPU time on one thread: native 1541 µs
// implicit GEMM, 1524 F(4×4); wasm 5.9 ms, 4.9 ms. A 'same' 64×64×32 → 64 dx: native 771 µs, 365 µs.)
//
// Each m×m tile of output reads an α×α tile of input (α = m + 2). With the filter transformed once
// per call into U[ξ][C][F] (ξ < α², U = G·g·Gᵀ) and each input tile into V[ξ][tile][C] (Bᵀ·d·B), the
// tile's output is Aᵀ·M·A with M[ξ] = V[ξ] · U[ξ]: α² products of [tiles × C] · [C × F] that run on the
// GEMM micro-kernel (gemm.h), against 9·m² multiply-adds per channel pair for the direct conv: 4× fewer
// for F(4×4) (α = 6), 2.25× for F(2×2) (α = 4). The transforms are plain C++ loops over the channel
// dimension (contiguous in channels-last), which the compiler vectorises for AVX-512 and SIMD128 alike.
//
// Work is cut into blocks of tiles, one pool task each: a block's V and M stay in L2 between its input
// transform, its α² products and its output transform, which also applies the epilogue (bias and
// activation) while the tile is in L1.
//
// Rounding: the transforms add and scale up to α² terms (by up to 8 and 1/24 for F(4×4)), so the
// error grows with α. Against float64 sums (normal, ReLU'd-normal and uniform inputs; the W3 and W6
// shapes, 128 and 256 channels, test/conv-winograd.test.ts's), max |error| / Σ|x·w|: implicit GEMM
// ≤ 3.3e-7, F(2×2) ≤ 1.7e-7, F(4×4) 0.7–4.8e-6 (the most with 256 channels); / max|y|: F(4×4) ≤ 1.5e-5.
#include "conv-winograd.h"

#include <algorithm>
#include <cstring>

#include "conv-util.h"
#include "conv-winograd-transforms.h"
#include "gemm.h"
#include "thread-scratch.h"

namespace strata {
namespace {

using namespace winograd;

WinogradMode gMode = WinogradMode::autoSelect;

// Below these channel counts (input, output) the transforms cost more than the multiplies saved.
// Measured in CPU time on one thread, conv3d alone, 'same' 32×32 and 'valid' 13×13 convs: natively
// C = 8 or 12 → 16 or 32 filters, and 16 or 32 → 8, ran 1.2–2× slower than the implicit GEMM (which
// runs at 110–180 GFLOPS there), 16 → 16 1.0–1.4× faster. In wasm (relaxed SIMD) the implicit GEMM
// runs at 40–50 GFLOPS whatever the shape, and F(4×4) was faster from 8 → 16 and 16 → 8 up.
#if defined(__wasm__)
constexpr int64_t kMinInC = 8, kMinOutC = 8;
#else
constexpr int64_t kMinInC = 16, kMinOutC = 16;
#endif
/**
 * Tiles F(4×4) and F(2×2) want (else F(2×2), or the implicit GEMM): the filter transform, made once
 * per call, and each block's pass over it cost α²·C·F whatever the number of tiles, so with few tiles
 * the smaller α of F(2×2) wins (a 13×13 → 11×11 conv on one image: 9 tiles of 4×4, 36 of 2×2).
 */
constexpr int64_t kMinTiles4 = 32, kMinTiles2 = 16;
/**
 * L2 bytes a block's transformed inputs, their packed copy and its products may take (128 KiB to
 * 768 KiB ran alike on the W6 and W3 shapes; twice that ran 10% slower).
 */
constexpr int64_t kBlockBytes = int64_t(512) << 10;

struct FilterJob {
  const float* w;
  int64_t C, F, nr, perTask;
  float* u;
};

/**
 * U = G g Gᵀ for channels [t · perTask, (t + 1) · perTask) and every f, packed for the micro-kernel:
 * for each ξ, ⌈F/NR⌉ panels of C × NR (k-major, zero-padded columns). w is [3][3][C][F].
 */
template <int M>
void filterTask(void* ctx, int t) {
  const FilterJob& j = *static_cast<const FilterJob*>(ctx);
  const int64_t C = j.C, F = j.F, nr = j.nr, panels = (F + nr - 1) / nr, us = panels * C * nr;
  const int64_t c1 = std::min(C, (t + 1) * j.perTask);
  for (int64_t c = t * j.perTask; c < c1; ++c) {
    for (int64_t p = 0; p < panels; ++p) {
      const int64_t f0 = p * nr, cols = std::min<int64_t>(nr, F - f0);
      const float* g = j.w + c * F + f0;
      float* out = j.u + (p * C + c) * nr;
      int64_t i = 0;
      for (; i + kLanes <= cols; i += kLanes) filterLanes<M, Lanes>(g + i, C * F, out + i, us);
      for (; i < cols; ++i) filterLanes<M, float>(g + i, C * F, out + i, us);
    }
  }
}

/** The transformed filter (filterTask's layout), made on the pool when large. */
template <int M>
FloatBuffer transformFilter(const float* w, int64_t C, int64_t F, int nr) {
  constexpr int A = M + 2;
  const int64_t panels = (F + nr - 1) / nr, floats = A * A * panels * C * nr;
  FloatBuffer buf = allocFloats(floats);
  if (F % nr != 0) std::memset(buf.get(), 0, sizeof(float) * size_t(floats));
  // About 4 multiply-adds' worth of work per transformed value.
  const int tasks = convTasks(4 * A * A * C * F, C, 1);
  FilterJob job{w, C, F, nr, (C + tasks - 1) / tasks, buf.get()};
  runTasks(int((C + job.perTask - 1) / job.perTask), filterTask<M>, &job);
  return buf;
}

thread_local ThreadScratch tScratch;  // the block's transformed tiles and products

struct Job {
  const float* x;
  int64_t H, W, C, F;        // input height, width, channels; filters
  int64_t OH, OW, padH, padW;
  int64_t tilesH, tilesW, tiles;
  int64_t blockTiles, blocksPerTask;
  const float* u;            // transformFilter's panels
  MicroKernel mk;
  float* y;
  const ConvEpilogue* epilogue;
};

template <int M>
void task(void* ctx, int t) {
  constexpr int A = M + 2, A2 = A * A;
  const Job& j = *static_cast<const Job*>(ctx);
  const int64_t C = j.C, F = j.F, T = j.blockTiles, MR = j.mk.mr, NR = j.mk.nr;
  const int64_t Tp = (T + MR - 1) / MR * MR, panelsF = (F + NR - 1) / NR;
  const int64_t first = int64_t(t) * j.blocksPerTask * T;
  const int64_t last = std::min(j.tiles, first + j.blocksPerTask * T);
  if (first >= last) return;
  // Transformed tiles (rows of C), their packed copy, the products, one gathered input tile, one
  // output tile (an edge tile is written there, then its valid part copied out).
  float* vt = tScratch.get(size_t(A2 * T * C + A2 * Tp * C + A2 * T * F + A2 * C + M * M * F));
  float* vp = vt + A2 * T * C;
  float* mb = vp + A2 * Tp * C;
  float* patch = mb + A2 * T * F;
  float* ytile = patch + A2 * C;
  const int64_t kc = std::max<int64_t>(1, j.mk.kc);
  for (int64_t b0 = first; b0 < last; b0 += T) {
    const int64_t nt = std::min(T, last - b0);
    for (int64_t i = 0; i < nt; ++i) {
      const int64_t tile = b0 + i, tw = tile % j.tilesW, q = tile / j.tilesW, th = q % j.tilesH, n = q / j.tilesH;
      const int64_t h0 = th * M - j.padH, w0 = tw * M - j.padW;
      if (h0 >= 0 && w0 >= 0 && h0 + A <= j.H && w0 + A <= j.W) {
        inputTile<M>(j.x + ((n * j.H + h0) * j.W + w0) * C, j.W * C, C, vt + i * C, T * C);
      } else {
        // An edge tile: gather it with zeros where it leaves the input.
        for (int r = 0; r < A; ++r) {
          for (int k = 0; k < A; ++k) {
            const int64_t h = h0 + r, w = w0 + k;
            float* dst = patch + (r * A + k) * C;
            if (h >= 0 && h < j.H && w >= 0 && w < j.W) {
              std::memcpy(dst, j.x + ((n * j.H + h) * j.W + w) * C, sizeof(float) * size_t(C));
            } else {
              std::memset(dst, 0, sizeof(float) * size_t(C));
            }
          }
        }
        inputTile<M>(patch, A * C, C, vt + i * C, T * C);
      }
    }
    for (int xi = 0; xi < A2; ++xi) {
      const float* rows = vt + xi * T * C;
      float* out = vp + xi * Tp * C;
      if (j.mk.packRows) {
        j.mk.packRows(int(MR), nt, C, rows, C, out);
      } else {
        for (int64_t i0 = 0; i0 < nt; i0 += MR, out += MR * C) {
          const int64_t mr = std::min(MR, nt - i0);
          for (int64_t c = 0; c < C; ++c) {
            for (int64_t i = 0; i < MR; ++i) out[c * MR + i] = i < mr ? rows[(i0 + i) * C + c] : 0.f;
          }
        }
      }
    }
    for (int xi = 0; xi < A2; ++xi) {
      for (int64_t p = 0; p < panelsF; ++p) {
        const float* bp = j.u + (xi * panelsF + p) * C * NR;
        const int nr = int(std::min(NR, F - p * NR));
        for (int64_t i0 = 0; i0 < nt; i0 += MR) {
          const float* ap = vp + xi * Tp * C + i0 * C;
          float* c = mb + (xi * T + i0) * F + p * NR;
          const int mr = int(std::min(MR, nt - i0));
          for (int64_t pc = 0; pc < C; pc += kc) {
            j.mk.run(std::min(kc, C - pc), ap + pc * MR, bp + pc * NR, c, F, pc > 0, mr, nr);
          }
        }
      }
    }
    for (int64_t i = 0; i < nt; ++i) {
      const int64_t tile = b0 + i, tw = tile % j.tilesW, q = tile / j.tilesW, th = q % j.tilesH, n = q / j.tilesH;
      const int64_t oh = th * M, ow = tw * M;
      const int rows = int(std::min<int64_t>(M, j.OH - oh)), cols = int(std::min<int64_t>(M, j.OW - ow));
      float* y = j.y + ((n * j.OH + oh) * j.OW + ow) * F;
      if (rows == M && cols == M) {
        outputTile<M>(mb + i * F, T * F, F, y, j.OW * F);
      } else {
        outputTile<M>(mb + i * F, T * F, F, ytile, M * F);
        for (int r = 0; r < rows; ++r) {
          std::memcpy(y + r * j.OW * F, ytile + r * M * F, sizeof(float) * size_t(cols * F));
        }
      }
      if (const ConvEpilogue* e = j.epilogue) {
        for (int r = 0; r < rows; ++r) biasActivateRows(e->act, e->bias, y + r * j.OW * F, cols, F, e->alpha);
      }
    }
  }
}

template <int M>
void run(const ConvGeom& g, const float* x, const float* w, float* y, const ConvEpilogue* epilogue) {
  constexpr int A = M + 2;
  const MicroKernel mk = gemmMicroKernel();
  const int64_t C = g.inC, F = g.outC, batch = g.batch * g.in[0];
  const FloatBuffer u = transformFilter<M>(w, C, F, mk.nr);
  Job j{x, g.in[1], g.in[2], C, F, g.out[1], g.out[2], g.pad[1], g.pad[2], 0, 0, 0, 0, 0, u.get(), mk, y, epilogue};
  j.tilesH = (j.OH + M - 1) / M;
  j.tilesW = (j.OW + M - 1) / M;
  j.tiles = batch * j.tilesH * j.tilesW;
  const int64_t perTile = A * A * (2 * C + F) * int64_t(sizeof(float));
  int64_t T = std::max<int64_t>(mk.mr, kBlockBytes / perTile / mk.mr * mk.mr);
  // Enough blocks to keep every thread busy: at least two per thread where the tiles allow.
  const int64_t threads = ThreadPool::instance().threads();
  const int64_t fair = (j.tiles + 2 * threads - 1) / (2 * threads);
  T = std::max<int64_t>(mk.mr, std::min(T, (fair + mk.mr - 1) / mk.mr * mk.mr));
  j.blockTiles = T;
  const int64_t blocks = (j.tiles + T - 1) / T;
  const int tasks = convTasks(j.tiles * A * A * C * F, blocks, 4);
  j.blocksPerTask = (blocks + tasks - 1) / tasks;
  runTasks(int((blocks + j.blocksPerTask - 1) / j.blocksPerTask), task<M>, &j);
}

}  // namespace

void setWinogradMode(WinogradMode mode) { gMode = mode; }

namespace {

/** The path for g: f2 or f4, or off where Winograd cannot run it or (in auto) would not win. */
WinogradMode choose(const ConvGeom& g) {
  if (gMode == WinogradMode::off) return WinogradMode::off;
  // A 2-D 3×3 stride-1 undilated conv (a unit depth kernel over depth slices is one too).
  if (g.kernel[0] != 1 || g.kernel[1] != 3 || g.kernel[2] != 3) return WinogradMode::off;
  for (int d = 0; d < 3; ++d) {
    if (g.stride[d] != 1 || g.dilation[d] != 1) return WinogradMode::off;
  }
  if (g.pad[0] != 0 || g.out[0] != g.in[0] || g.multiplier != 1) return WinogradMode::off;
  if (g.outSize() == 0 || g.inC == 0) return WinogradMode::off;
  if (gMode != WinogradMode::autoSelect) return gMode;
  if (g.inC < kMinInC || g.outC < kMinOutC) return WinogradMode::off;
  const int64_t images = g.batch * g.in[0];
  if (images * ((g.out[1] + 3) / 4) * ((g.out[2] + 3) / 4) >= kMinTiles4) return WinogradMode::f4;
  if (images * ((g.out[1] + 1) / 2) * ((g.out[2] + 1) / 2) >= kMinTiles2) return WinogradMode::f2;
  return WinogradMode::off;
}

void runMode(WinogradMode mode, const ConvGeom& g, const float* x, const float* w, float* y, const ConvEpilogue* epilogue) {
  if (mode == WinogradMode::f4) {
    run<4>(g, x, w, y, epilogue);
  } else {
    run<2>(g, x, w, y, epilogue);
  }
}

}  // namespace

bool conv3dWinograd(const ConvGeom& g, const float* x, const float* w, float* y, const ConvEpilogue* epilogue) {
  const WinogradMode mode = choose(g);
  if (mode == WinogradMode::off) return false;
  runMode(mode, g, x, w, y, epilogue);
  return true;
}

bool conv3dBackpropInputWinograd(const ConvGeom& g, const float* dy, const float* w, float* dx) {
  // dx[i] = Σ_k dy[i + p − k] · w[k]ᵀ = Σ_k' dy[i − (2 − p) + k'] · w[2 − k']ᵀ: a 3×3 stride-1 conv of
  // dy with the flipped, transposed filter and 2 − p zeros before.
  if (g.pad[1] > 2 || g.pad[2] > 2 || g.kernel[1] != 3 || g.kernel[2] != 3) return false;
  ConvGeom t = g;
  for (int d = 0; d < 3; ++d) {
    t.in[d] = g.out[d];
    t.out[d] = g.in[d];
  }
  t.inC = g.outC;
  t.outC = g.inC;
  t.pad[1] = 2 - g.pad[1];
  t.pad[2] = 2 - g.pad[2];
  const WinogradMode mode = choose(t);
  if (mode == WinogradMode::off) return false;
  const int64_t C = g.inC, F = g.outC;
  FloatBuffer wt = allocFloats(9 * C * F);
  for (int64_t k = 0; k < 9; ++k) {
    const float* src = w + (8 - k) * C * F;
    float* dst = wt.get() + k * F * C;
    for (int64_t c = 0; c < C; ++c) {
      for (int64_t f = 0; f < F; ++f) dst[f * C + c] = src[c * F + f];
    }
  }
  runMode(mode, t, dy, wt.get(), dx, nullptr);
  return true;
}

}  // namespace strata
