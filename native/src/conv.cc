// Convolution as an implicit GEMM, forward and input gradient, float32, channels-last (the filter
// gradient is in conv-filter.cc).
//
// Forward: y[P, F] = patches(x)[P, K] · w[K, F], but the patch matrix is never built: each row of the
// register tile (conv-tile.h) reads its window straight from a zero-padded copy of x, as a few
// contiguous segments (one per kd, kh when the width dilation is 1: KW·C floats). The filter is
// packed once into column panels, so the only copies are the padding and that packing.
//
// Input gradient (the transposed convolution): dx[i] = Σ dy[o] · w[k]ᵀ over o·s − p + k·d = i. For
// stride s the positions i split into s³ phase classes; inside a class the contributing taps are a
// fixed subset and o moves one step per s steps of i, so each class is a stride-1 implicit GEMM over
// dy with a packed slice of wᵀ — no zero-stuffing, no col2im scatter. A class's rows are cut further
// into boxes whose taps that land inside dy are the same, and each box runs only those: no padded
// copy of dy, and no multiply-adds with its zero border (W3's conv2: 28% of them).
#include "conv.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "conv-small.h"
#include "conv-tile.h"
#include "conv-util.h"
#include "conv-winograd.h"
#include "conv-window.h"
#include "thread-pool.h"

namespace strata {
namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }


/**
 * B[k, n] (k < K, n < N) packed for `tile`: ⌈N/NR⌉ panels of K × NR, zero-padded, or column by column
 * for a column-major tile; get(k, n) reads B.
 */
template <typename Get>
FloatBuffer packPanels(int64_t K, int64_t N, const ConvTile& tile, Get get) {
  if (tile.columnMajor) {
    FloatBuffer buf = allocFloats(K * N);
    for (int64_t n = 0; n < N; ++n) {
      for (int64_t k = 0; k < K; ++k) buf[n * K + k] = get(k, n);
    }
    return buf;
  }
  const int nr = tile.nr;
  const int64_t panels = (N + nr - 1) / nr;
  FloatBuffer buf = allocFloats(panels * K * nr);
  float* out = buf.get();
  for (int64_t j0 = 0; j0 < N; j0 += nr) {
    const int64_t cols = std::min<int64_t>(nr, N - j0);
    for (int64_t k = 0; k < K; ++k, out += nr) {
      int64_t j = 0;
      for (; j < cols; ++j) out[j] = get(k, j0 + j);
      for (; j < nr; ++j) out[j] = 0.f;
    }
  }
  return buf;
}

/**
 * Rows of an implicit GEMM: row (n, a0, a1, a2), a_d < count[d], reads its window at src position
 * srcBase + a·srcStep (per dim, in a [batch, srcDims, srcC] array) and writes its N outputs at dst
 * position dstBase + a·dstStep (in a [batch, dstDims, dstC] array).
 */
struct RowMap {
  int64_t batch, count[3];
  const float* src;
  int64_t srcDims[3], srcC, srcBase[3], srcStep[3];
  float* dst;
  int64_t dstDims[3], dstC, dstBase[3], dstStep[3];
  int64_t rows() const { return batch * count[0] * count[1] * count[2]; }
};

struct EngineJob {
  RowMap map;
  const Segments* seg;
  const float* packed;  // ⌈N/NR⌉ panels of seg->total × NR
  int64_t N;
  ConvTile tile;
  int64_t rowsPerTask;
  const ConvEpilogue* epilogue;  // applied to each block of finished rows, or null
};

/** Tiles run against one B panel before moving to the next: the panel stays in L2 meanwhile. */
constexpr int kBlockTiles = 8;

/**
 * Patches of at most this many floats split into several short segments (a conv with one or two input
 * channels: KW·C floats per segment) are copied into one contiguous row per output first, so the tile
 * runs one long segment instead of many short ones.
 */
constexpr int64_t kGatherMaxK = 64;

void engineTask(void* ctx, int t) {
  const EngineJob& j = *static_cast<const EngineJob*>(ctx);
  const RowMap& m = j.map;
  const int64_t total = m.rows();
  const int64_t r0 = t * j.rowsPerTask, r1 = std::min(total, r0 + j.rowsPerTask);
  if (r0 >= r1) return;
  int64_t a2 = r0 % m.count[2], q = r0 / m.count[2];
  int64_t a1 = q % m.count[1];
  q /= m.count[1];
  int64_t a0 = q % m.count[0], n = q / m.count[0];
  const float* a[kBlockTiles][kConvMaxMR];
  float* c[kBlockTiles][kConvMaxMR];
  int mrs[kBlockTiles];
  float* cj[kConvMaxMR];
  const int MR = j.tile.mr, NR = j.tile.nr;
  const int segs = int(j.seg->off.size());
  const int64_t K = j.seg->total;
  const int64_t* segOff = j.seg->off.data();
  const int32_t* segLen = j.seg->len.data();
  const bool gather = segs > 1 && K <= kGatherMaxK;
  alignas(64) float gathered[kBlockTiles * kConvMaxMR * kGatherMaxK];  // 24 KiB
  const int64_t oneOff = 0;
  const int32_t oneLen = int32_t(K);
  for (int64_t r = r0; r < r1;) {
    // The row pointers of a block of tiles.
    int tiles = 0;
    for (; tiles < kBlockTiles && r < r1; ++tiles) {
      const int mr = int(std::min<int64_t>(MR, r1 - r));
      mrs[tiles] = mr;
      for (int i = 0; i < mr; ++i) {
        const int64_t s0 = m.srcBase[0] + a0 * m.srcStep[0], s1 = m.srcBase[1] + a1 * m.srcStep[1],
                      s2 = m.srcBase[2] + a2 * m.srcStep[2];
        const int64_t d0 = m.dstBase[0] + a0 * m.dstStep[0], d1 = m.dstBase[1] + a1 * m.dstStep[1],
                      d2 = m.dstBase[2] + a2 * m.dstStep[2];
        a[tiles][i] = m.src + (((n * m.srcDims[0] + s0) * m.srcDims[1] + s1) * m.srcDims[2] + s2) * m.srcC;
        c[tiles][i] = m.dst + (((n * m.dstDims[0] + d0) * m.dstDims[1] + d1) * m.dstDims[2] + d2) * m.dstC;
        if (++a2 == m.count[2]) {
          a2 = 0;
          if (++a1 == m.count[1]) {
            a1 = 0;
            if (++a0 == m.count[0]) {
              a0 = 0;
              ++n;
            }
          }
        }
      }
      for (int i = mr; i < MR; ++i) {
        a[tiles][i] = a[tiles][0];
        c[tiles][i] = c[tiles][0];
      }
      if (gather) {
        for (int i = 0; i < MR; ++i) {
          float* row = gathered + (tiles * kConvMaxMR + i) * kGatherMaxK;
          for (int s = 0, at = 0; s < segs; at += segLen[s], ++s) {
            for (int32_t p = 0; p < segLen[s]; ++p) row[at + p] = a[tiles][i][segOff[s] + p];
          }
          a[tiles][i] = row;
        }
      }
      r += mr;
    }
    for (int64_t j0 = 0, p = 0; j0 < j.N; j0 += NR, ++p) {
      const float* panel = j.packed + p * K * NR;
      const int nr = int(std::min<int64_t>(NR, j.N - j0));
      for (int b = 0; b < tiles; ++b) {
        for (int i = 0; i < MR; ++i) cj[i] = c[b][i] + j0;
        if (gather) j.tile.run(a[b], &oneOff, &oneLen, 1, panel, cj, mrs[b], nr);
        else j.tile.run(a[b], segOff, segLen, segs, panel, cj, mrs[b], nr);
      }
    }
    if (const ConvEpilogue* e = j.epilogue) {
      // The forward conv's rows are consecutive output positions: one contiguous run per block.
      int64_t count = 0;
      for (int b = 0; b < tiles; ++b) count += mrs[b];
      if (c[tiles - 1][mrs[tiles - 1] - 1] == c[0][0] + (count - 1) * j.N) {
        biasActivateRows(e->act, e->bias, c[0][0], count, j.N, e->alpha);
      } else {
        for (int b = 0; b < tiles; ++b) {
          for (int i = 0; i < mrs[b]; ++i) biasActivateRows(e->act, e->bias, c[b][i], 1, j.N, e->alpha);
        }
      }
    }
  }
}

/** Runs the implicit GEMM over every row of `map`, split across the pool when large. */
void runEngine(const RowMap& map, const Segments& seg, const float* packed, int64_t N, ConvTile tile,
               const ConvEpilogue* epilogue = nullptr) {
  const int64_t rows = map.rows();
  if (rows <= 0 || N <= 0) return;
  const int64_t tiles = (rows + tile.mr - 1) / tile.mr;
  const int tasks = convTasks(rows * seg.total * N, tiles, 4);
  EngineJob job{map, &seg, packed, N, tile, (tiles + tasks - 1) / tasks * tile.mr, epilogue};
  runTasks(int((rows + job.rowsPerTask - 1) / job.rowsPerTask), engineTask, &job);
}

/** A box of rows of the input gradient with its own taps: the engine job and what it points at. */
struct Box {
  RowMap map;
  Segments seg;
  FloatBuffer packed;
};

struct BoxesJob {
  std::vector<EngineJob> jobs;
  std::vector<int> first;  // jobs[i] runs tasks [first[i], first[i + 1])
};

void boxTask(void* ctx, int t) {
  const BoxesJob& b = *static_cast<const BoxesJob*>(ctx);
  const size_t i = size_t(std::upper_bound(b.first.begin(), b.first.end(), t) - b.first.begin()) - 1;
  engineTask(const_cast<EngineJob*>(&b.jobs[i]), t - b.first[i]);
}

/**
 * Runs the engine over every box as one pool job (a pool hand-off per box would cost more than the
 * small boxes' work): each box gets tasks in proportion to its multiply-adds.
 */
void runBoxes(const std::vector<Box>& boxes, int64_t N, ConvTile tile) {
  int64_t work = 0;
  for (const Box& b : boxes) work += b.map.rows() * b.seg.total * N;
  const int64_t tasksAll = convTasks(work, work, 4);
  BoxesJob job;
  int count = 0;
  for (const Box& b : boxes) {
    const int64_t rows = b.map.rows();
    if (rows <= 0) continue;
    const int64_t tiles = (rows + tile.mr - 1) / tile.mr;
    const int64_t share =
        std::max<int64_t>(1, std::min<int64_t>(tiles, tasksAll * rows * b.seg.total * N / std::max<int64_t>(work, 1)));
    const int64_t rowsPerTask = (tiles + share - 1) / share * tile.mr;
    job.jobs.push_back(EngineJob{b.map, &b.seg, b.packed.get(), N, tile, rowsPerTask, nullptr});
    job.first.push_back(count);
    count += int((rows + rowsPerTask - 1) / rowsPerTask);
  }
  if (count == 0) return;
  job.first.push_back(count);
  if (tasksAll <= 1) {
    for (int t = 0; t < count; ++t) boxTask(&job, t);
  } else {
    runTasks(count, boxTask, &job);
  }
}

}  // namespace

void conv3d(const ConvGeom& g, const float* x, const float* w, float* y, const ConvEpilogue* epilogue) {
  const int64_t F = g.outC, K = g.taps() * g.inC;
  if (g.outSize() == 0) return;
  if (conv3dWinograd(g, x, w, y, epilogue)) return;
  int64_t pdims[3];
  FloatBuffer padded;
  const float* src = paddedInput(g, x, padded, pdims);
  const Segments seg = windowSegments(g, pdims);
  if (conv3dSmallPatch(g, src, pdims, seg, w, y, epilogue)) return;
  const ConvTile tile = convTile(F);
  FloatBuffer packed = packPanels(K, F, tile, [&](int64_t k, int64_t f) { return w[k * F + f]; });
  RowMap map{g.batch, {g.out[0], g.out[1], g.out[2]}, src, {pdims[0], pdims[1], pdims[2]}, g.inC, {0, 0, 0},
             {g.stride[0], g.stride[1], g.stride[2]}, y, {g.out[0], g.out[1], g.out[2]}, F, {0, 0, 0}, {1, 1, 1}};
  runEngine(map, seg, packed.get(), F, tile, epilogue);
}

namespace {

/** One dimension of the input gradient's phase classes: for residue q, the taps and the rows. */
struct Phase {
  std::vector<int64_t> taps;  // k with (k·d) mod s = q, in increasing order
  std::vector<int64_t> shift; // e_k = (k·d − q) / s: row j' reads dy at j' − e_k
  int64_t j0 = 0, count = 0;  // rows j' in [j0, j0 + count): input positions q − p + s·j'
};

std::vector<Phase> phases(int64_t K, int64_t s, int64_t dil, int64_t p, int64_t in) {
  std::vector<Phase> out(static_cast<size_t>(s));
  for (int64_t q = 0; q < s; ++q) {
    Phase& ph = out[size_t(q)];
    for (int64_t k = 0; k < K; ++k) {
      if ((k * dil) % s == q) {
        ph.taps.push_back(k);
        ph.shift.push_back((k * dil - q) / s);
      }
    }
    ph.j0 = ceilDiv(p - q, s);
    ph.count = std::max<int64_t>(0, ceilDiv(in + p - q, s) - ph.j0);
  }
  return out;
}

/**
 * A run of a phase's rows over which the same taps read inside dy (tap t reads dy at j' − e_t, inside
 * when 0 ≤ j' − e_t < out): rows [j0, j0 + count) and those taps, as indices into the phase's (a
 * contiguous range, the shifts increasing with the index).
 */
struct Span {
  int64_t j0, count;
  std::vector<size_t> taps;
};

std::vector<Span> spans(const Phase& p, int64_t out) {
  std::vector<int64_t> cut{p.j0, p.j0 + p.count};
  for (int64_t e : p.shift) {
    for (int64_t c : {e, e + out}) {
      if (c > p.j0 && c < p.j0 + p.count) cut.push_back(c);
    }
  }
  std::sort(cut.begin(), cut.end());
  cut.erase(std::unique(cut.begin(), cut.end()), cut.end());
  std::vector<Span> result;
  for (size_t i = 0; i + 1 < cut.size(); ++i) {
    Span s{cut[i], cut[i + 1] - cut[i], {}};
    for (size_t t = 0; t < p.shift.size(); ++t) {
      if (s.j0 - p.shift[t] >= 0 && s.j0 - p.shift[t] < out) s.taps.push_back(t);
    }
    result.push_back(std::move(s));
  }
  return result;
}

/** Zeros the destination rows of `m` (rows no tap of which reads inside dy). */
void zeroRows(const RowMap& m) {
  for (int64_t n = 0; n < m.batch; ++n) {
    for (int64_t a0 = 0; a0 < m.count[0]; ++a0) {
      for (int64_t a1 = 0; a1 < m.count[1]; ++a1) {
        for (int64_t a2 = 0; a2 < m.count[2]; ++a2) {
          const int64_t d0 = m.dstBase[0] + a0 * m.dstStep[0], d1 = m.dstBase[1] + a1 * m.dstStep[1],
                        d2 = m.dstBase[2] + a2 * m.dstStep[2];
          std::memset(m.dst + (((n * m.dstDims[0] + d0) * m.dstDims[1] + d1) * m.dstDims[2] + d2) * m.dstC, 0,
                      sizeof(float) * size_t(m.dstC));
        }
      }
    }
  }
}

}  // namespace

void conv3dBackpropInput(const ConvGeom& g, const float* dy, const float* w, float* dx) {
  const int64_t F = g.outC, C = g.inC;
  if (g.inSize() == 0) return;
  if (g.outSize() > 0 && conv3dBackpropInputWinograd(g, dy, w, dx)) return;
  std::vector<Phase> ph[3];
  bool emptyClass = false;
  for (int d = 0; d < 3; ++d) {
    ph[d] = phases(g.kernel[d], g.stride[d], g.dilation[d], g.pad[d], g.in[d]);
    for (const Phase& p : ph[d]) emptyClass = emptyClass || (p.count > 0 && p.taps.empty());
  }
  if (emptyClass || g.outSize() == 0) std::memset(dx, 0, sizeof(float) * size_t(g.inSize()));
  if (g.outSize() == 0) return;
  const ConvTile tile = convTile(C);
  const int64_t KH = g.kernel[1], KW = g.kernel[2], D1 = g.out[1], D2 = g.out[2];
  std::vector<Box> boxes;
  for (const Phase& p0 : ph[0]) {
    for (const Phase& p1 : ph[1]) {
      for (const Phase& p2 : ph[2]) {
        if (p0.count == 0 || p1.count == 0 || p2.count == 0) continue;
        if (p0.taps.empty() || p1.taps.empty() || p2.taps.empty()) continue;
        const Phase* pp[3] = {&p0, &p1, &p2};
        // Boxes of rows with the same taps inside dy: each runs only those taps, straight from dy (no
        // padded copy, no multiply-adds with zeros along the borders).
        const std::vector<Span> sp[3] = {spans(p0, g.out[0]), spans(p1, g.out[1]), spans(p2, g.out[2])};
        for (const Span& s0 : sp[0]) {
          for (const Span& s1 : sp[1]) {
            for (const Span& s2 : sp[2]) {
              const Span* ss[3] = {&s0, &s1, &s2};
              RowMap map{};
              map.batch = g.batch;
              map.src = dy;
              map.srcC = F;
              map.dst = dx;
              map.dstC = C;
              int64_t e0[3];  // the least shift of the box's taps: the row's origin in dy reads it
              bool none = false;
              for (int d = 0; d < 3; ++d) {
                const int64_t q = int64_t(pp[d] - ph[d].data());
                none = none || ss[d]->taps.empty();
                e0[d] = ss[d]->taps.empty() ? 0 : pp[d]->shift[ss[d]->taps.front()];
                map.count[d] = ss[d]->count;
                map.srcDims[d] = g.out[d];
                map.srcBase[d] = ss[d]->j0 - e0[d];
                map.srcStep[d] = 1;
                map.dstDims[d] = g.in[d];
                map.dstBase[d] = q - g.pad[d] + g.stride[d] * ss[d]->j0;
                map.dstStep[d] = g.stride[d];
              }
              if (none) {
                zeroRows(map);
                continue;
              }
              // Taps with the width tap descending, so consecutive shifts walk dy forward and merge into runs.
              boxes.push_back(Box{map, Segments{}, nullptr});
              Segments& seg = boxes.back().seg;
              std::vector<int64_t> tapOrder;
              for (size_t t0 : s0.taps) {
                for (size_t t1 : s1.taps) {
                  for (size_t i2 = s2.taps.size(); i2-- > 0;) {
                    const size_t t2 = s2.taps[i2];
                    const int64_t b0 = p0.shift[t0] - e0[0], b1 = p1.shift[t1] - e0[1], b2 = p2.shift[t2] - e0[2];
                    seg.add(((-b0 * D1 - b1) * D2 - b2) * F, F);
                    tapOrder.push_back((p0.taps[t0] * KH + p1.taps[t1]) * KW + p2.taps[t2]);
                  }
                }
              }
              boxes.back().packed = packPanels(seg.total, C, tile, [&](int64_t k, int64_t c) {
                return w[(tapOrder[size_t(k / F)] * C + c) * F + k % F];
              });
            }
          }
        }
      }
    }
  }
  runBoxes(boxes, C, tile);
}

}  // namespace strata
