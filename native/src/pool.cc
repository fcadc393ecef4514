#include "pool.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "thread-pool.h"

namespace strata {

namespace {

// Poolings that read fewer input elements than this (about 0.1 ms of work) run on the calling thread;
// above it a second thread pays: waking it costs some 10 µs. (At 2^21, W3's first pooling, 1.4 M
// elements, ran on one thread and took 0.9–1.2 ms of a 12 ms training step.)
constexpr int64_t kParallelMin = int64_t(1) << 17;

/** One output row (fixed n, od, oh): its window bounds along D and H. */
struct Row {
  int64_t n, dS, dE, hS, hE;
};

Row rowOf(const PoolGeometry& g, int64_t r) {
  const int64_t oh = r % g.outH, od = (r / g.outH) % g.outD, n = r / (g.outH * g.outD);
  const int64_t d0 = od * g.strideD - g.padFront, h0 = oh * g.strideH - g.padTop;
  return Row{n, std::max<int64_t>(0, d0), std::min(g.inD, d0 + g.filterD), std::max<int64_t>(0, h0),
             std::min(g.inH, h0 + g.filterH)};
}

/** The input columns [start, end) of output column ow's window, clipped to the input. */
std::pair<int64_t, int64_t> columnsOf(const PoolGeometry& g, int64_t ow) {
  const int64_t w0 = ow * g.strideW - g.padLeft;
  return {std::max<int64_t>(0, w0), std::min(g.inW, w0 + g.filterW)};
}

/**
 * Runs fn(begin, end) over the output rows [0, rows), split across threads when `work` is large: into
 * up to four ranges per thread, claimed as threads come free, so a thread the OS holds back (a shared
 * machine, a busy page) delays the pooling by a quarter of its share, not all of it.
 */
template <typename Fn>
void forRows(int64_t rows, int64_t work, Fn&& fn) {
  const int threads = ThreadPool::instance().threads();
  const int nt = work < kParallelMin || threads <= 1 ? 1 : int(std::min<int64_t>(int64_t(threads) * 4, rows));
  if (nt <= 1) {
    fn(int64_t(0), rows);
    return;
  }
  struct Ctx {
    Fn* fn;
    int64_t rows;
    int nt;
  } ctx{&fn, rows, nt};
  ThreadPool::instance().run(nt, [](void* p, int t) {
    const Ctx& c = *static_cast<const Ctx*>(p);
    (*c.fn)(c.rows * t / c.nt, c.rows * (t + 1) / c.nt);
  }, &ctx);
}

/**
 * Channels a max-pooling window pass keeps in local arrays (registers: 4 SIMD128 vectors, or one AVX-512
 * one) while it scans the window, so the window's elements are only loaded, never stored and reloaded
 * per element (wasm/SIMD128, one thread: the argmax pooling of W3's [64, 26, 26, 32] went from 9% of
 * a training step to 1.3%). The channel loops need `omp simd`: without it g++ left the AVX-512 build
 * scalar and W3 native inference ran at half speed (17k against 45k samples/s, 2 threads).
 */
constexpr int64_t kPoolBlock = 16;

/** One output position's window: its first input element and the D, H, W extents (clipped). */
struct Window {
  int64_t first, dN, hN, wN;
};

/**
 * out[c] = max over the window (NaN propagates), for channels [c0, c0 + B) with B = kPoolBlock when
 * `full`, else the channels [c0, C). sD, sH, sW: the input strides.
 */
template <bool kFull>
inline void maxWindow(const float* x, const Window& w, int64_t sD, int64_t sH, int64_t sW, int64_t c0, int64_t C,
                      float* __restrict out) {
  const int64_t n = kFull ? kPoolBlock : C - c0;
  float best[kPoolBlock];
  const float* start = x + w.first + c0;
#pragma omp simd
  for (int64_t c = 0; c < (kFull ? kPoolBlock : n); ++c) best[c] = start[c];
  for (int64_t d = 0; d < w.dN; ++d) {
    for (int64_t h = 0; h < w.hN; ++h) {
      for (int64_t ww = 0; ww < w.wN; ++ww) {
        const float* __restrict src = start + d * sD + h * sH + ww * sW;
#pragma omp simd
        for (int64_t c = 0; c < (kFull ? kPoolBlock : n); ++c) {
          const float v = src[c];
          best[c] = (v > best[c] || v != v) ? v : best[c];
        }
      }
    }
  }
#pragma omp simd
  for (int64_t c = 0; c < (kFull ? kPoolBlock : n); ++c) out[c] = best[c];
}

/** maxWindow, also writing at[c] = the flat index of each channel's first maximum (NaN never wins). */
template <bool kFull>
inline void maxWindowArgmax(const float* x, const Window& w, int64_t sD, int64_t sH, int64_t sW, int64_t c0,
                            int64_t C, float* __restrict out, int32_t* __restrict at) {
  const int64_t n = kFull ? kPoolBlock : C - c0;
  float best[kPoolBlock];
  int32_t idx[kPoolBlock];
  const int32_t first = int32_t(w.first + c0);
#pragma omp simd
  for (int64_t c = 0; c < (kFull ? kPoolBlock : n); ++c) {
    best[c] = x[first + c];
    idx[c] = first + int32_t(c);
  }
  for (int64_t d = 0; d < w.dN; ++d) {
    for (int64_t h = 0; h < w.hN; ++h) {
      for (int64_t ww = 0; ww < w.wN; ++ww) {
        const int32_t base = first + int32_t(d * sD + h * sH + ww * sW);
        const float* __restrict src = x + base;
        // Strictly greater: ties keep the first maximum in scan order.
#pragma omp simd
        for (int64_t c = 0; c < (kFull ? kPoolBlock : n); ++c) {
          const float v = src[c];
          const bool more = v > best[c];
          best[c] = more ? v : best[c];
          idx[c] = more ? base + int32_t(c) : idx[c];
        }
      }
    }
  }
  if (out) {
#pragma omp simd
    for (int64_t c = 0; c < (kFull ? kPoolBlock : n); ++c) out[c] = best[c];
  }
#pragma omp simd
  for (int64_t c = 0; c < (kFull ? kPoolBlock : n); ++c) at[c] = idx[c];
}

/** The window of output (row r, column ow). */
inline Window windowOf(const PoolGeometry& g, const Row& w, int64_t ow, int64_t sN, int64_t sD, int64_t sH) {
  const auto [wS, wE] = columnsOf(g, ow);
  return Window{w.n * sN + w.dS * sD + w.hS * sH + wS * g.channels, w.dE - w.dS, w.hE - w.hS, wE - wS};
}

}  // namespace

bool PoolGeometry::valid() const {
  const int64_t dims[][5] = {{inD, filterD, strideD, padFront, outD},
                             {inH, filterH, strideH, padTop, outH},
                             {inW, filterW, strideW, padLeft, outW}};
  if (batch < 0 || channels < 0) return false;
  for (const auto& d : dims) {
    const int64_t in = d[0], f = d[1], s = d[2], pad = d[3], out = d[4];
    if (in < 1 || f < 1 || s < 1 || pad < 0 || out < 0) return false;
    // The first window must end after 0 and the last start before `in`; the others lie between.
    if (out > 0 && (pad >= f || (out - 1) * s - pad >= in)) return false;
  }
  return true;
}

void maxPool3d(const float* x, const PoolGeometry& g, float* y) {
  const int64_t C = g.channels, sH = g.inW * C, sD = g.inH * sH, sN = g.inD * sD;
  forRows(g.batch * g.outD * g.outH, g.inSize(), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const Row row = rowOf(g, r);
      float* out = y + r * g.outW * C;
      for (int64_t ow = 0; ow < g.outW; ++ow, out += C) {
        const Window w = windowOf(g, row, ow, sN, sD, sH);
        int64_t c0 = 0;
        for (; c0 + kPoolBlock <= C; c0 += kPoolBlock) maxWindow<true>(x, w, sD, sH, C, c0, C, out + c0);
        if (c0 < C) maxWindow<false>(x, w, sD, sH, C, c0, C, out + c0);
      }
    }
  });
}

void maxPool3dArgmax(const float* x, const PoolGeometry& g, float* y, int32_t* argmax) {
  const int64_t C = g.channels, sH = g.inW * C, sD = g.inH * sH, sN = g.inD * sD;
  forRows(g.batch * g.outD * g.outH, g.inSize(), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const Row row = rowOf(g, r);
      for (int64_t ow = 0; ow < g.outW; ++ow) {
        const int64_t o = (r * g.outW + ow) * C;
        const Window w = windowOf(g, row, ow, sN, sD, sH);
        int64_t c0 = 0;
        for (; c0 + kPoolBlock <= C; c0 += kPoolBlock) {
          maxWindowArgmax<true>(x, w, sD, sH, C, c0, C, y ? y + o + c0 : nullptr, argmax + o + c0);
        }
        if (c0 < C) maxWindowArgmax<false>(x, w, sD, sH, C, c0, C, y ? y + o + c0 : nullptr, argmax + o + c0);
      }
    }
  });
}

void avgPool3d(const float* x, const PoolGeometry& g, float* y) {
  const int64_t C = g.channels, sH = g.inW * C, sD = g.inH * sH, sN = g.inD * sD;
  forRows(g.batch * g.outD * g.outH, g.inSize(), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const Row w = rowOf(g, r);
      float* out = y + r * g.outW * C;
      for (int64_t ow = 0; ow < g.outW; ++ow, out += C) {
        const auto [wS, wE] = columnsOf(g, ow);
        std::fill(out, out + C, 0.f);
        for (int64_t d = w.dS; d < w.dE; ++d) {
          for (int64_t h = w.hS; h < w.hE; ++h) {
            for (int64_t ww = wS; ww < wE; ++ww) {
              const float* __restrict src = x + w.n * sN + d * sD + h * sH + ww * C;
#pragma omp simd
              for (int64_t c = 0; c < C; ++c) out[c] += src[c];
            }
          }
        }
        const float count = float((w.dE - w.dS) * (w.hE - w.hS) * (wE - wS));
#pragma omp simd
        for (int64_t c = 0; c < C; ++c) out[c] /= count;
      }
    }
  });
}

void avgPool3dBackward(const float* dy, const PoolGeometry& g, float* dx) {
  const int64_t C = g.channels, sH = g.inW * C, sD = g.inH * sH, sN = g.inD * sD;
  const int64_t rowsPerSample = g.outD * g.outH;
  // Overlapping windows of one sample write the same dx elements, so threads split whole samples.
  forRows(g.batch, g.inSize(), [&](int64_t n0, int64_t n1) {
    std::vector<float> share(static_cast<size_t>(C));
    for (int64_t r = n0 * rowsPerSample; r < n1 * rowsPerSample; ++r) {
      const Row w = rowOf(g, r);
      const float* grad = dy + r * g.outW * C;
      for (int64_t ow = 0; ow < g.outW; ++ow, grad += C) {
        const auto [wS, wE] = columnsOf(g, ow);
        const float count = float((w.dE - w.dS) * (w.hE - w.hS) * (wE - wS));
        float* __restrict sh = share.data();
#pragma omp simd
        for (int64_t c = 0; c < C; ++c) sh[c] = grad[c] / count;
        for (int64_t d = w.dS; d < w.dE; ++d) {
          for (int64_t h = w.hS; h < w.hE; ++h) {
            for (int64_t ww = wS; ww < wE; ++ww) {
              float* __restrict dst = dx + w.n * sN + d * sD + h * sH + ww * C;
#pragma omp simd
              for (int64_t c = 0; c < C; ++c) dst[c] += sh[c];
            }
          }
        }
      }
    }
  });
}

void gatherFlat(const float* x, int64_t xLen, const int32_t* indices, int64_t n, float* out) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t j = indices[i];
    out[i] = j >= 0 && j < xLen ? x[j] : nan;
  }
}

void scatterAddFlat(const float* dy, const int32_t* indices, int64_t n, float* out, int64_t outLen) {
  // Threads own contiguous ranges of out: each zero-fills its range, then scans every (dy, index) pair
  // and adds the ones that land in it. No two threads write one element whatever the indices, and each
  // element sums its contributions in index order, as on one thread.
  const int64_t parts = ThreadPool::instance().threads();
  forRows(parts, outLen + n, [&](int64_t t0, int64_t t1) {
    const int64_t lo = outLen * t0 / parts, hi = outLen * t1 / parts;
    std::fill(out + lo, out + hi, 0.f);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t j = indices[i];
      if (j >= lo && j < hi) out[j] += dy[i];
    }
  });
}

}  // namespace strata
