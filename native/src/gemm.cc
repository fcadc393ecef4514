#include "gemm.h"

#include <algorithm>
#include <cstdlib>

#include "split-balance.h"
#include "thread-pool.h"

namespace strata {

namespace {

// Products below this many multiply-adds run on the calling thread: about 20 µs of work, where
// waking a sleeping worker would cost as much as it saves.
constexpr int64_t kParallelMin = int64_t(1) << 21;

MicroKernel kernelFor(Isa isa) {
#if defined(__x86_64__) || defined(__i386__)
  if (isa == Isa::avx512) return microKernelAvx512();
  if (isa == Isa::avx2) return microKernelAvx2();
#endif
#if defined(__wasm_simd128__)
  if (isa == Isa::simd128) return microKernelWasm();
#endif
  (void)isa;
  return microKernelGeneric();
}

MicroKernel& current() {
  static MicroKernel k = kernelFor(detectIsa());
  return k;
}

int64_t roundUp(int64_t x, int64_t to) { return (x + to - 1) / to * to; }

/** Per-thread packing buffers, 64-byte aligned, grown on demand and kept for the thread's life. */
struct Scratch {
  float* a = nullptr;
  float* b = nullptr;
  size_t aCap = 0, bCap = 0;
  ~Scratch() {
    std::free(a);
    std::free(b);
  }
  static float* grow(float*& p, size_t& cap, size_t n) {
    if (cap < n) {
      std::free(p);
      size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
      p = static_cast<float*>(std::aligned_alloc(64, bytes));
      cap = p ? n : 0;
    }
    return p;
  }
};
thread_local Scratch tScratch;

/** Packs an mc × kc block of op(A) into MR-row panels (k-major inside a panel), zero-padding the last. */
void packA(int mr, int64_t mc, int64_t kc, const float* a, int64_t rs, int64_t cs, float* out) {
  for (int64_t i0 = 0; i0 < mc; i0 += mr) {
    const int64_t rows = std::min<int64_t>(mr, mc - i0);
    const float* src = a + i0 * rs;
    if (rs == 1) {
      // op(A) is a transposed row-major matrix: the MR values of a k step are contiguous.
      for (int64_t p = 0; p < kc; ++p) {
        const float* s = src + p * cs;
        int64_t i = 0;
        for (; i < rows; ++i) out[i] = s[i];
        for (; i < mr; ++i) out[i] = 0.f;
        out += mr;
      }
    } else {
      for (int64_t i = 0; i < rows; ++i) {
        const float* s = src + i * rs;
        for (int64_t p = 0; p < kc; ++p) out[p * mr + i] = s[p * cs];
      }
      for (int64_t i = rows; i < mr; ++i) {
        for (int64_t p = 0; p < kc; ++p) out[p * mr + i] = 0.f;
      }
      out += kc * mr;
    }
  }
}

/**
 * packB for a row-major op(B) and whole panels: the source rows are read front to back, a few at a
 * time, so that each 64-byte line of a panel is written whole. One row of an 8-wide panel fills half a
 * line, and at n = 1024 the panels of one row are kc · 32 bytes apart, all in one L1 set: written row
 * by row, each line left L1 between its two halves.
 */
template <int NR>
void packRowMajorB(int64_t kc, int64_t panels, const float* b, int64_t rs, float* out) {
  constexpr int kRows = NR >= 16 ? 1 : 16 / NR;
  int64_t p = 0;
  for (; p + kRows <= kc; p += kRows) {
    const float* __restrict s = b + p * rs;
    float* __restrict o = out + p * NR;
    for (int64_t jp = 0; jp < panels; ++jp) {
#pragma unroll
      for (int r = 0; r < kRows; ++r) {
#pragma omp simd
        for (int j = 0; j < NR; ++j) o[jp * kc * NR + r * NR + j] = s[r * rs + jp * NR + j];
      }
    }
  }
  for (; p < kc; ++p) {
    const float* __restrict s = b + p * rs;
    float* __restrict o = out + p * NR;
    for (int64_t jp = 0; jp < panels; ++jp) {
#pragma omp simd
      for (int j = 0; j < NR; ++j) o[jp * kc * NR + j] = s[jp * NR + j];
    }
  }
}

/** Packs a kc × nc block of op(B) into NR-column panels (k-major inside a panel), zero-padding the last. */
void packB(int nr, int64_t kc, int64_t nc, const float* b, int64_t rs, int64_t cs, float* out) {
  if (cs == 1 && (nr == 32 || nr == 16 || nr == 8)) {
    // Walking panel by panel would read 32 floats from each of kc rows far apart (a page apart at
    // n = 1024); row by row streams the source instead.
    const int64_t panels = nc / nr;
    if (nr == 32) {
      packRowMajorB<32>(kc, panels, b, rs, out);
    } else if (nr == 8) {
      packRowMajorB<8>(kc, panels, b, rs, out);
    } else {
      packRowMajorB<16>(kc, panels, b, rs, out);
    }
    b += panels * nr;
    out += panels * nr * kc;
    nc -= panels * nr;
  }
  for (int64_t j0 = 0; j0 < nc; j0 += nr) {
    const int64_t cols = std::min<int64_t>(nr, nc - j0);
    const float* src = b + j0 * cs;
    if (cs == 1) {
      for (int64_t p = 0; p < kc; ++p) {
        const float* s = src + p * rs;
        int64_t j = 0;
        for (; j < cols; ++j) out[j] = s[j];
        for (; j < nr; ++j) out[j] = 0.f;
        out += nr;
      }
    } else {
      // op(B) is a transposed row-major matrix: walk each column contiguously.
      for (int64_t j = 0; j < cols; ++j) {
        const float* s = src + j * cs;
        for (int64_t p = 0; p < kc; ++p) out[p * nr + j] = s[p * rs];
      }
      for (int64_t j = cols; j < nr; ++j) {
        for (int64_t p = 0; p < kc; ++p) out[p * nr + j] = 0.f;
      }
      out += kc * nr;
    }
  }
}

/**
 * The depth of the k blocks of a product k deep: equal blocks (a multiple of 8 deep), so a product just
 * past K.kc does not end in a thin block that loads and stores C for a few steps of work.
 */
int64_t kBlockDepth(const MicroKernel& K, int64_t k) {
  const int64_t kBlocks = (k + K.kc - 1) / K.kc;
  return std::min<int64_t>(K.kc, (k / kBlocks + 8) / 8 * 8);
}

/**
 * Where a prepacked op(B) (packBWhole) is read: k block pc starts at data + pc · nPad, and inside it
 * the panel of column j at j · kc; col0 is the first column of this (part of the) product.
 */
struct PackedView {
  const float* data;
  int64_t nPad;
  int64_t col0;
};

/** The blocked, packed product on one thread; B read from `pb` when it is prepacked (not null). */
void gemmPacked(const MicroKernel& K, int64_t m, int64_t n, int64_t k, View a, View b, const PackedView* pb,
                float* c, int64_t ldc, bool accumulate) {
  const int64_t kcMax = kBlockDepth(K, k);
  const int64_t mcMax = (std::min<int64_t>(K.mc, m) + K.mr - 1) / K.mr * K.mr;
  const int64_t ncMax = (std::min<int64_t>(K.nc, n) + K.nr - 1) / K.nr * K.nr;
  float* ap = Scratch::grow(tScratch.a, tScratch.aCap, size_t(mcMax * kcMax));
  float* bScratch = pb ? nullptr : Scratch::grow(tScratch.b, tScratch.bCap, size_t(ncMax * kcMax));
  if (!ap || (!pb && !bScratch)) std::abort();
  for (int64_t pc = 0; pc < k; pc += kcMax) {
    const int64_t kc = std::min<int64_t>(kcMax, k - pc);
    const bool acc = accumulate || pc > 0;
    for (int64_t ic = 0; ic < m; ic += K.mc) {
      const int64_t mc = std::min<int64_t>(K.mc, m - ic);
      const float* ablock = a.data + ic * a.rs + pc * a.cs;
      if (K.packRows && a.cs == 1) {
        K.packRows(K.mr, mc, kc, ablock, a.rs, ap);
      } else {
        packA(K.mr, mc, kc, ablock, a.rs, a.cs, ap);
      }
      for (int64_t jc = 0; jc < n; jc += K.nc) {
        const int64_t nc = std::min<int64_t>(K.nc, n - jc);
        const float* bp = bScratch;
        if (pb) {
          bp = pb->data + pc * pb->nPad + (pb->col0 + jc) * kc;
        } else {
          packB(K.nr, kc, nc, b.data + pc * b.rs + jc * b.cs, b.rs, b.cs, bScratch);
        }
        // The MR × kc panel of A stays in L1 while the kc × NR panels of B stream from L2.
        for (int64_t ir = 0; ir < mc; ir += K.mr) {
          const int mr = int(std::min<int64_t>(K.mr, mc - ir));
          float* crow = c + (ic + ir) * ldc + jc;
          const float* apanel = ap + ir * kc;
          for (int64_t jr = 0; jr < nc; jr += K.nr) {
            const int nr = int(std::min<int64_t>(K.nr, nc - jr));
            K.run(kc, apanel, bp + jr * kc, crow + jr, ldc, acc, mr, nr);
          }
        }
      }
    }
  }
}

/** Direct loops for thin products (matrix-vector products, a batch of one). */
void gemmSmall(int64_t m, int64_t n, int64_t k, View a, View b, float* c, int64_t ldc, bool accumulate) {
  for (int64_t i = 0; i < m; ++i) {
    float* __restrict cr = c + i * ldc;
    const float* ar = a.data + i * a.rs;
    if (!accumulate) std::fill(cr, cr + n, 0.f);
    if (b.cs == 1 && n >= 4) {
      // Row i of C as a sum of rows of B: contiguous, vectorised along j.
      for (int64_t p = 0; p < k; ++p) {
        const float av = ar[p * a.cs];
        const float* __restrict br = b.data + p * b.rs;
#pragma omp simd
        for (int64_t j = 0; j < n; ++j) cr[j] += av * br[j];
      }
    } else {
      for (int64_t j = 0; j < n; ++j) {
        const float* bc = b.data + j * b.cs;
        float s = 0.f;
        if (a.cs == 1 && b.rs == 1) {
#pragma omp simd reduction(+ : s)
          for (int64_t p = 0; p < k; ++p) s += ar[p] * bc[p];
        } else {
          for (int64_t p = 0; p < k; ++p) s += ar[p * a.cs] * bc[p * b.rs];
        }
        cr[j] += s;
      }
    }
  }
}

/** The product on one thread: B read from `pb` when prepacked (then m ≥ 4 and n ≥ 4, see sgemmEx). */
void gemmSerial(const MicroKernel& K, int64_t m, int64_t n, int64_t k, View a, View b, const PackedView* pb,
                float* c, int64_t ldc, bool accumulate) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate) {
      for (int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, 0.f);
    }
    return;
  }
  // Packing pays off even for 8 × 8 products; only matrix-vector-like ones (fewer than 4 rows or
  // columns) run direct loops, where packing would copy as much as the arithmetic reads.
  if (!pb && (m < 4 || n < 4)) {
    gemmSmall(m, n, k, a, b, c, ldc, accumulate);
  } else {
    gemmPacked(K, m, n, k, a, b, pb, c, ldc, accumulate);
  }
}

/** One product split into rectangles of C, along n (in whole NR panels) or along m (in MR panels). */
struct SplitJob {
  const MicroKernel* K;
  int64_t m, n, k;
  View a, b;
  const float* packed;  // op(B) prepacked (packBWhole), or null
  int64_t nPad;
  float* c;
  int64_t ldc;
  bool accumulate;
  const Epilogue* epilogue;
  bool byColumns;
  // Task t computes [bounds[t], bounds[t + 1]) of the split side and finished at end[t]
  // (monotonicSeconds). Fixed arrays: a product must not allocate to be split.
  int64_t bounds[ThreadPool::kMaxThreads + 1];
  double end[ThreadPool::kMaxThreads];
};

/** Rows [r0, r0 + rows) × columns [c0, c0 + cols) of the job's C: the product, then the epilogue. */
void runRectangle(const SplitJob& j, int64_t r0, int64_t rows, int64_t c0, int64_t cols) {
  const View a{j.a.data + r0 * j.a.rs, j.a.rs, j.a.cs};
  const View b{j.b.data + c0 * j.b.cs, j.b.rs, j.b.cs};
  const PackedView pv{j.packed, j.nPad, c0};
  float* c = j.c + r0 * j.ldc + c0;
  gemmSerial(*j.K, rows, cols, j.k, a, b, j.packed ? &pv : nullptr, c, j.ldc, j.accumulate);
  if (j.epilogue) j.epilogue->fn(j.epilogue->ctx, c, j.ldc, r0, rows, c0, cols);
}

void runSplit(void* ctx, int t) {
  SplitJob& j = *static_cast<SplitJob*>(ctx);
  const int64_t lo = j.bounds[t], len = j.bounds[t + 1] - lo;
  if (j.byColumns) {
    runRectangle(j, 0, j.m, lo, len);
  } else {
    runRectangle(j, lo, len, 0, j.n);
  }
  j.end[t] = monotonicSeconds();
}

// Multiply-adds a part of a split product must have for its cut to follow the learned speeds: ~100 µs
// on one AVX-512 core, the shortest part learnTaskSpeeds learns from.
constexpr int64_t kBalancedMinWork = int64_t(10) << 20;

// A product with an epilogue (a dense layer's) splits from this many multiply-adds (~1.5 µs of work,
// plus its epilogue's) when the workers are awake: the next layer of a forward pass after one that
// used them. W2's 128 × 10 × 128 second layer with its softmax: 6.6 µs serial.
constexpr int64_t kParallelMinAwake = int64_t(1) << 16;

/** Threads worth using for `work` multiply-adds (`epilogue`: the product has one). */
int threadsFor(int64_t work, bool epilogue = false) {
  ThreadPool& pool = ThreadPool::instance();
  if (epilogue && work >= kParallelMinAwake && work < kParallelMin && pool.workersAwake()) {
    return int(std::min<int64_t>(pool.threads(), work / kParallelMinAwake));
  }
  if (work < kParallelMin) return 1;
  const int64_t useful = work / kParallelMin;
  return int(std::min<int64_t>(pool.threads(), useful));
}

}  // namespace

bool setGemmIsa(Isa isa) {
  if (static_cast<int>(isa) > static_cast<int>(detectIsa())) return false;
  // x86 kernels in the wasm build, or the wasm one in an x86 build: not compiled in.
  if (kernelFor(isa).isa != isa) return false;
  current() = kernelFor(isa);
  return true;
}

Isa gemmIsa() { return current().isa; }

MicroKernel gemmMicroKernel() { return current(); }

int packedBLayout() { return int(current().isa) + 1; }

int64_t packedBFloats(int64_t k, int64_t n) { return std::max<int64_t>(k, 0) * roundUp(std::max<int64_t>(n, 0), current().nr); }

void packBWhole(int64_t k, int64_t n, View b, float* out) {
  const MicroKernel& K = current();
  const int64_t kcMax = k > 0 ? kBlockDepth(K, k) : 1;
  const int64_t nPad = roundUp(n, K.nr);
  for (int64_t pc = 0; pc < k; pc += kcMax) {
    const int64_t kc = std::min<int64_t>(kcMax, k - pc);
    packB(K.nr, kc, n, b.data + pc * b.rs, b.rs, b.cs, out + pc * nPad);
  }
}

void sgemm(int64_t m, int64_t n, int64_t k, View a, View b, float* c, int64_t ldc, bool accumulate) {
  sgemmEx(m, n, k, a, b, nullptr, c, ldc, accumulate, nullptr);
}

void sgemmEx(int64_t m, int64_t n, int64_t k, View a, View b, const float* packedB, float* c, int64_t ldc,
             bool accumulate, const Epilogue* epilogue) {
  const MicroKernel& K = current();
  // A prepacked B is read only by the packed kernels: thin products take the direct loops on b.
  if (m < 4 || n < 4 || k <= 0) packedB = nullptr;
  const int nt = (m <= 0 || n <= 0) ? 1 : threadsFor(m * n * k, epilogue != nullptr);
  SplitJob job;
  job.K = &K;
  job.m = m, job.n = n, job.k = k;
  job.a = a, job.b = b, job.c = c, job.ldc = ldc;
  job.packed = packedB;
  job.nPad = roundUp(n, K.nr);
  job.accumulate = accumulate;
  job.epilogue = epilogue;
  if (nt <= 1) {
    if (m > 0 && n > 0) runRectangle(job, 0, m, 0, n);
    return;
  }
  // One rectangle per thread, each packing its own operands: measured on Zen 5 at n = 1024, this beats
  // sharing one packed A across the threads (373 against 333 GFLOPS on two cores), as reading panels
  // another core packed costs more than packing them twice. Split the longer side, rows on a tie (each
  // thread then transposes only its half of A and writes one contiguous half of C: 338 against 323
  // GFLOPS at n = 1024 into fresh memory); columns in whole NR panels, rows in whole MR panels. An
  // epilogue that needs whole rows (softmax) takes rows.
  const bool rowsOnly = epilogue && epilogue->wholeRows;
  job.byColumns = !rowsOnly && n > m && n >= int64_t(nt) * K.nr;
  if (!rowsOnly && !job.byColumns && m < int64_t(nt) * K.mr) job.byColumns = n >= int64_t(nt) * 4;
  const int64_t total = job.byColumns ? n : m;
  // Rows in whole MR panels, or at the kernel's edge-tile steps: 128 rows on two threads as 64 + 64
  // (five tiles and a 4-row edge each) rather than 60 + 68 (the second waits for an 8-row edge tile).
  const int64_t unit = job.byColumns ? K.nr : (K.edgeRows > 0 ? K.edgeRows : K.mr);
  // Parts sized by learned speeds only where the product's own parts are long enough to correct them
  // (learnTaskSpeeds ignores parts under 100 µs): a short product (W2's 128 × 128 × 784, ~60 µs a part)
  // kept a skew learned from a slow first call or a preempted part for the whole process (speeds 1.6 /
  // 0.5: 123 against 92 µs a step, run to run), so it is cut evenly.
  const bool balanced = nt <= kMaxBalancedTasks && total >= int64_t(2 * nt) * unit && m * n * k / nt >= kBalancedMinWork;
  int tasks = nt;
  if (balanced) {
    // Parts sized by how fast each task ran in earlier products (n = 1024 on two vCPUs of unequal
    // speed: 358 → 370 GFLOPS, medians of alternating runs). Parts are whole panels, at least one
    // each, so every element of C is computed the same way wherever the cuts fall.
    balancedBounds(nt, total, unit, job.bounds);
  } else {
    int64_t chunk = std::max<int64_t>(roundUp((total + nt - 1) / nt, unit), 1);
    if (chunk >= total) chunk = (total + nt - 1) / nt;
    tasks = int((total + chunk - 1) / chunk);
    for (int t = 0; t <= tasks; ++t) job.bounds[t] = std::min(total, t * chunk);
  }
  // A prepacked B is read from panel boundaries only: columns cut inside a panel pack b instead.
  for (int t = 1; t < tasks && job.byColumns && job.packed; ++t) {
    if (job.bounds[t] % K.nr != 0) job.packed = nullptr;
  }
  const double start = monotonicSeconds();
  const bool parallel = ThreadPool::instance().run(tasks, runSplit, &job);
  // Tasks the caller ran one after another (the pool was busy with another JS thread's job) say
  // nothing about the threads' speeds.
  if (balanced && parallel) learnTaskSpeeds(tasks, job.bounds, start, job.end);
}

namespace {

struct BatchJob {
  const MicroKernel* K;
  int64_t batch, m, n, k;
  const float* a;
  const int64_t* aOffsets;
  int64_t aRs, aCs;
  const float* b;
  const int64_t* bOffsets;
  int64_t bRs, bCs;
  float* c;
  int64_t cStride, ldc;
  bool accumulate;
  int64_t chunk;
};

void runBatch(void* ctx, int t) {
  const BatchJob& j = *static_cast<const BatchJob*>(ctx);
  const int64_t end = std::min(j.batch, (t + 1) * j.chunk);
  for (int64_t i = t * j.chunk; i < end; ++i) {
    gemmSerial(*j.K, j.m, j.n, j.k, View{j.a + j.aOffsets[i], j.aRs, j.aCs},
               View{j.b + j.bOffsets[i], j.bRs, j.bCs}, nullptr, j.c + i * j.cStride, j.ldc, j.accumulate);
  }
}

}  // namespace

void sgemmBatched(int64_t batch, int64_t m, int64_t n, int64_t k, const float* a, const int64_t* aOffsets,
                  int64_t aRs, int64_t aCs, const float* b, const int64_t* bOffsets, int64_t bRs, int64_t bCs,
                  float* c, int64_t cStride, int64_t ldc, bool accumulate) {
  if (batch <= 0 || m <= 0 || n <= 0) return;
  const int64_t each = m * n * k;
  if (each >= kParallelMin || batch == 1) {
    // Large products: thread inside each one.
    for (int64_t i = 0; i < batch; ++i) {
      sgemm(m, n, k, View{a + aOffsets[i], aRs, aCs}, View{b + bOffsets[i], bRs, bCs}, c + i * cStride, ldc,
            accumulate);
    }
    return;
  }
  const MicroKernel& K = current();
  const int nt = int(std::min<int64_t>(threadsFor(each * batch), batch));
  BatchJob job{&K, batch, m, n, k, a, aOffsets, aRs, aCs, b, bOffsets, bRs, bCs, c, cStride, ldc, accumulate,
               (batch + nt - 1) / nt};
  if (nt <= 1) {
    runBatch(&job, 0);
    return;
  }
  ThreadPool::instance().run(int((batch + job.chunk - 1) / job.chunk), runBatch, &job);
}

}  // namespace strata
