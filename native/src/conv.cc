// Convolution as an implicit GEMM (forward and input gradient) and as a blocked patch GEMM (filter
// gradient), float32, channels-last.
//
// Forward: y[P, F] = patches(x)[P, K] · w[K, F], but the patch matrix is never built: each row of the
// register tile (conv-tile.h) reads its window straight from a zero-padded copy of x, as a few
// contiguous segments (one per kd, kh when the width dilation is 1: KW·C floats). The filter is
// packed once into column panels, so the only copies are the padding and that packing.
//
// Input gradient (the transposed convolution): dx[i] = Σ dy[o] · w[k]ᵀ over o·s − p + k·d = i. For
// stride s the positions i split into s³ phase classes; inside a class the contributing taps are a
// fixed subset and o moves one step per s steps of i, so each class is a stride-1 implicit GEMM over
// a zero-padded dy with a packed slice of wᵀ — no zero-stuffing, no col2im scatter.
//
// Filter gradient: dw[K, F] = Σ_p patches[p, K]ᵀ · dy[p, F]: blocks of patch rows are copied into
// packed panels and fed to the GEMM micro-kernel (gemm.h), each task summing its share of positions
// into its own dw, the partial sums added at the end.
#include "conv.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "conv-tile.h"
#include "conv-util.h"
#include "gemm.h"
#include "thread-pool.h"

namespace strata {
namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

/** Contiguous runs of a patch: where each starts (relative to the window's origin) and its length. */
struct Segments {
  std::vector<int64_t> off;
  std::vector<int32_t> len;
  int64_t total = 0;
  void add(int64_t o, int64_t l) {
    if (!off.empty() && off.back() + len.back() == o) {
      len.back() += int32_t(l);  // continues the previous run: merge
    } else {
      off.push_back(o);
      len.push_back(int32_t(l));
    }
    total += l;
  }
};

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
};

/** Tiles run against one B panel before moving to the next: the panel stays in L2 meanwhile. */
constexpr int kBlockTiles = 8;

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
      r += mr;
    }
    for (int64_t j0 = 0, p = 0; j0 < j.N; j0 += NR, ++p) {
      const float* panel = j.packed + p * K * NR;
      const int nr = int(std::min<int64_t>(NR, j.N - j0));
      for (int b = 0; b < tiles; ++b) {
        for (int i = 0; i < MR; ++i) cj[i] = c[b][i] + j0;
        j.tile.run(a[b], j.seg->off.data(), j.seg->len.data(), segs, panel, cj, mrs[b], nr);
      }
    }
  }
}

/** Runs the implicit GEMM over every row of `map`, split across the pool when large. */
void runEngine(const RowMap& map, const Segments& seg, const float* packed, int64_t N, ConvTile tile) {
  const int64_t rows = map.rows();
  if (rows <= 0 || N <= 0) return;
  const int64_t tiles = (rows + tile.mr - 1) / tile.mr;
  const int tasks = convTasks(rows * seg.total * N, tiles, 4);
  EngineJob job{map, &seg, packed, N, tile, (tiles + tasks - 1) / tasks * tile.mr};
  runTasks(int((rows + job.rowsPerTask - 1) / job.rowsPerTask), engineTask, &job);
}

/**
 * x padded so that every window of the conv lies inside: dims pdims, `pad` zeros before. Returns x
 * itself when no padding is needed, else fills `keep` with the copy.
 */
const float* paddedInput(const ConvGeom& g, const float* x, FloatBuffer& keep, int64_t pdims[3]) {
  bool same = true;
  for (int d = 0; d < 3; ++d) {
    const int64_t reach = g.out[d] > 0 ? (g.out[d] - 1) * g.stride[d] + (g.kernel[d] - 1) * g.dilation[d] + 1 : 0;
    pdims[d] = std::max(g.in[d] + g.pad[d], reach);
    same = same && g.pad[d] == 0 && pdims[d] == g.in[d];
  }
  if (same) return x;
  keep = allocFloats(g.batch * pdims[0] * pdims[1] * pdims[2] * g.inC);
  padCopy(x, g.batch, g.in, g.inC, g.pad, pdims, keep.get());
  return keep.get();
}

/** The window of a forward conv in a padded input of dims pdims: its runs of taps × channels. */
Segments windowSegments(const ConvGeom& g, const int64_t pdims[3]) {
  Segments seg;
  const int64_t C = g.inC;
  for (int64_t kd = 0; kd < g.kernel[0]; ++kd) {
    for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
      for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
        seg.add(((kd * g.dilation[0] * pdims[1] + kh * g.dilation[1]) * pdims[2] + kw * g.dilation[2]) * C, C);
      }
    }
  }
  return seg;
}

}  // namespace

void conv3d(const ConvGeom& g, const float* x, const float* w, float* y) {
  const int64_t F = g.outC, K = g.taps() * g.inC;
  if (g.outSize() == 0) return;
  int64_t pdims[3];
  FloatBuffer padded;
  const float* src = paddedInput(g, x, padded, pdims);
  const Segments seg = windowSegments(g, pdims);
  const ConvTile tile = convTile(F);
  FloatBuffer packed = packPanels(K, F, tile, [&](int64_t k, int64_t f) { return w[k * F + f]; });
  RowMap map{g.batch, {g.out[0], g.out[1], g.out[2]}, src, {pdims[0], pdims[1], pdims[2]}, g.inC, {0, 0, 0},
             {g.stride[0], g.stride[1], g.stride[2]}, y, {g.out[0], g.out[1], g.out[2]}, F, {0, 0, 0}, {1, 1, 1}};
  runEngine(map, seg, packed.get(), F, tile);
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

}  // namespace

void conv3dBackpropInput(const ConvGeom& g, const float* dy, const float* w, float* dx) {
  const int64_t F = g.outC, C = g.inC;
  if (g.inSize() == 0) return;
  std::vector<Phase> ph[3];
  int64_t front[3], pdims[3];
  bool emptyClass = false;
  for (int d = 0; d < 3; ++d) {
    ph[d] = phases(g.kernel[d], g.stride[d], g.dilation[d], g.pad[d], g.in[d]);
    // Front padding so that the furthest-back read (j0 − max e) lands inside; back padding for the
    // furthest-forward one (j0 + count − 1).
    front[d] = 0;
    int64_t end = g.out[d];
    for (const Phase& p : ph[d]) {
      if (p.count == 0) continue;
      if (p.taps.empty()) {
        emptyClass = true;
        continue;
      }
      front[d] = std::max(front[d], p.shift.back() - p.j0);
      end = std::max(end, p.j0 + p.count);
    }
    pdims[d] = front[d] + end;
  }
  if (emptyClass || g.outSize() == 0) std::memset(dx, 0, sizeof(float) * size_t(g.inSize()));
  if (g.outSize() == 0) return;
  FloatBuffer padded = allocFloats(g.batch * pdims[0] * pdims[1] * pdims[2] * F);
  padCopy(dy, g.batch, g.out, F, front, pdims, padded.get());
  const ConvTile tile = convTile(C);
  const int64_t KH = g.kernel[1], KW = g.kernel[2];
  for (const Phase& p0 : ph[0]) {
    for (const Phase& p1 : ph[1]) {
      for (const Phase& p2 : ph[2]) {
        if (p0.count == 0 || p1.count == 0 || p2.count == 0) continue;
        if (p0.taps.empty() || p1.taps.empty() || p2.taps.empty()) continue;
        // Taps with the width tap descending, so consecutive shifts walk dy forward and merge into runs.
        Segments seg;
        std::vector<int64_t> tapOrder;
        for (size_t t0 = 0; t0 < p0.taps.size(); ++t0) {
          for (size_t t1 = 0; t1 < p1.taps.size(); ++t1) {
            for (size_t t2 = p2.taps.size(); t2-- > 0;) {
              seg.add(((-p0.shift[t0] * pdims[1] - p1.shift[t1]) * pdims[2] - p2.shift[t2]) * F, F);
              tapOrder.push_back((p0.taps[t0] * KH + p1.taps[t1]) * KW + p2.taps[t2]);
            }
          }
        }
        FloatBuffer packed = packPanels(seg.total, C, tile, [&](int64_t k, int64_t c) {
          return w[(tapOrder[size_t(k / F)] * C + c) * F + k % F];
        });
        const Phase* pp[3] = {&p0, &p1, &p2};
        RowMap map{};
        map.batch = g.batch;
        map.src = padded.get();
        map.srcC = F;
        map.dst = dx;
        map.dstC = C;
        for (int d = 0; d < 3; ++d) {
          const int64_t q = int64_t(pp[d] - ph[d].data());
          map.count[d] = pp[d]->count;
          map.srcDims[d] = pdims[d];
          map.srcBase[d] = pp[d]->j0 + front[d];
          map.srcStep[d] = 1;
          map.dstDims[d] = g.in[d];
          map.dstBase[d] = q - g.pad[d] + g.stride[d] * pp[d]->j0;
          map.dstStep[d] = g.stride[d];
        }
        runEngine(map, seg, packed.get(), C, tile);
      }
    }
  }
}

namespace {

/** The GEMM micro-kernel for a product with `columns` columns (16 or fewer: the 16-wide AVX2 one). */
MicroKernel gemmKernelFor(int64_t columns) {
#if defined(__x86_64__) || defined(__i386__)
  if (gemmIsa() == Isa::avx512) return columns <= 16 ? microKernelAvx2() : microKernelAvx512();
  if (gemmIsa() == Isa::avx2) return microKernelAvx2();
#endif
  (void)columns;
  return microKernelGeneric();
}

struct FilterJob {
  const ConvGeom* g;
  const float* src;  // padded x
  int64_t pdims[3];
  const Segments* seg;
  const float* dy;
  MicroKernel mk;
  int64_t positions, perTask;
  float* partial;    // tasks × K × F sums: [K][F] for the GEMM, [F][K] for the few-filter path
};

/** Walks output positions in order from linear index p (n, od, oh, ow), giving each window's origin. */
struct PositionWalk {
  const ConvGeom& g;
  const int64_t* pdims;
  int64_t n, od, oh, ow;
  PositionWalk(const ConvGeom& geom, const int64_t* pd, int64_t p) : g(geom), pdims(pd) {
    ow = p % g.out[2];
    int64_t q = p / g.out[2];
    oh = q % g.out[1];
    q /= g.out[1];
    od = q % g.out[0];
    n = q / g.out[0];
  }
  int64_t origin() const {
    return (((n * pdims[0] + od * g.stride[0]) * pdims[1] + oh * g.stride[1]) * pdims[2] + ow * g.stride[2]) * g.inC;
  }
  void next() {
    if (++ow == g.out[2]) {
      ow = 0;
      if (++oh == g.out[1]) {
        oh = 0;
        if (++od == g.out[0]) {
          od = 0;
          ++n;
        }
      }
    }
  }
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
 * Packs positions [b0, b0 + rows) for the micro-kernel: A panels (MR taps of one position side by
 * side, k-major over positions) from the patch rows, B panels (NR filters) from dy's rows.
 */
template <int MR, int NR>
void packFilterBlock(const FilterJob& j, int64_t b0, int64_t rows, float* row, float* ap, float* bp) {
  const ConvGeom& g = *j.g;
  const int64_t K = j.seg->total, F = g.outC;
  const int64_t aPanels = (K + MR - 1) / MR, bPanels = (F + NR - 1) / NR;
  const int segs = int(j.seg->off.size());
  const int64_t* off = j.seg->off.data();
  const int32_t* len = j.seg->len.data();
  PositionWalk pos(g, j.pdims, b0);
  for (int64_t r = 0; r < rows; ++r, pos.next()) {
    const float* base = j.src + pos.origin();
    // A patch that fits one panel goes there directly; a longer one is gathered, then sliced.
    float* o = aPanels == 1 ? ap + r * MR : row;
    for (int s = 0; s < segs; ++s) {
      copyFloats(o, base + off[s], len[s]);
      o += len[s];
    }
    if (aPanels == 1) {
      for (int64_t k = K; k < MR; ++k) ap[r * MR + k] = 0.f;
    } else {
      for (int64_t i = 0; i < aPanels; ++i) std::memcpy(ap + (i * rows + r) * MR, row + i * MR, sizeof(float) * MR);
    }
    const float* d = j.dy + (b0 + r) * F;
    for (int64_t i = 0; i < bPanels; ++i) {
      float* out = bp + (i * rows + r) * NR;
      const int64_t cols = std::min<int64_t>(NR, F - i * NR);
      if (cols == NR) {
        std::memcpy(out, d + i * NR, sizeof(float) * NR);
      } else {
        for (int64_t c = 0; c < NR; ++c) out[c] = c < cols ? d[i * NR + c] : 0.f;
      }
    }
  }
}

void filterTask(void* ctx, int t) {
  const FilterJob& j = *static_cast<const FilterJob*>(ctx);
  const ConvGeom& g = *j.g;
  const int64_t K = j.seg->total, F = g.outC;
  const int MR = j.mk.mr, NR = j.mk.nr;
  const int64_t aPanels = (K + MR - 1) / MR, bPanels = (F + NR - 1) / NR;
  float* acc = j.partial + t * K * F;
  std::memset(acc, 0, sizeof(float) * size_t(K * F));
  const int64_t p0 = t * j.perTask, p1 = std::min(j.positions, p0 + j.perTask);
  const int64_t block = j.mk.kc;
  FloatBuffer row = allocFloats(aPanels * MR);
  FloatBuffer ap = allocFloats(aPanels * MR * block);
  FloatBuffer bp = allocFloats(bPanels * NR * block);
  std::fill(row.get(), row.get() + aPanels * MR, 0.f);
  for (int64_t b0 = p0; b0 < p1; b0 += block) {
    const int64_t rows = std::min(block, p1 - b0);
    if (MR == 12 && NR == 32) {
      packFilterBlock<12, 32>(j, b0, rows, row.get(), ap.get(), bp.get());
    } else if (MR == 6 && NR == 16) {
      packFilterBlock<6, 16>(j, b0, rows, row.get(), ap.get(), bp.get());
    } else {
      packFilterBlock<4, 16>(j, b0, rows, row.get(), ap.get(), bp.get());
    }
    for (int64_t i = 0; i < aPanels; ++i) {
      const int mr = int(std::min<int64_t>(MR, K - i * MR));
      for (int64_t jb = 0; jb < bPanels; ++jb) {
        const int nr = int(std::min<int64_t>(NR, F - jb * NR));
        j.mk.run(rows, ap.get() + i * rows * MR, bp.get() + jb * rows * NR, acc + i * MR * F + jb * NR, F, true, mr,
                 nr);
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
  job.seg = &seg;
  job.dy = dy;
  job.mk = gemmKernelFor(F);
  job.positions = positions;
  const bool few = F <= 4;
  // One share of positions per thread (each summed into its own dw), only when the work pays for it.
  const int tasks = std::min(convTasks(positions * K * F, positions / 64, 1), ThreadPool::instance().threads());
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
