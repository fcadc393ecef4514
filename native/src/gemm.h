// Single-precision GEMM: C (+)= op(A) · op(B) on strided row/column views, packed and register-tiled,
// with the micro-kernel chosen at run time (AVX-512, AVX2 or portable C++) and the work split across
// the thread pool when a product is large enough to pay for waking it.
#pragma once

#include <cstdint>

#include "cpu.h"

namespace strata {

/**
 * The register tile: C[0:mr, 0:nr] (+)= Ap · Bp, where Ap is an MR × kc panel packed k-major (MR values
 * per k step) and Bp a kc × NR panel packed k-major (NR values per k step), both zero-padded to full
 * tiles. `accumulate` false overwrites C; mr ≤ MR and nr ≤ NR select the valid part of the tile.
 */
using MicroKernelFn = void (*)(int64_t kc, const float* ap, const float* bp, float* c, int64_t ldc,
                               bool accumulate, int mr, int nr);

/**
 * Packs an mc × kc block of a row-major op(A) (unit column stride, row stride `rs`) into MR-row panels,
 * k-major inside a panel, zero-padding the last panel: the transposing copy the generic packer does
 * one float at a time. Optional: null means the generic packer.
 */
using PackRowsFn = void (*)(int mr, int64_t mc, int64_t kc, const float* a, int64_t rs, float* out);

/** The mask of the first `left` of 16 vector lanes: all for 16 or more, none for 0 or fewer. */
inline uint16_t laneMask(int left) {
  return left >= 16 ? uint16_t(0xFFFF) : left <= 0 ? uint16_t(0) : uint16_t((1u << left) - 1);
}

/**
 * The valid mr × nr part of a spilled register tile (row stride `tileCols`) into C, added or stored:
 * the edge path every micro-kernel shares.
 */
inline void copyEdgeTile(const float* tile, int tileCols, float* c, int64_t ldc, bool accumulate, int mr, int nr) {
  for (int i = 0; i < mr; ++i) {
    float* row = c + i * ldc;
    const float* t = tile + i * tileCols;
    if (accumulate) {
      for (int j = 0; j < nr; ++j) row[j] += t[j];
    } else {
      for (int j = 0; j < nr; ++j) row[j] = t[j];
    }
  }
}

/** A micro-kernel and the cache blocking that suits it. */
struct MicroKernel {
  Isa isa;
  int mr;       // rows of the tile (broadcast side, A)
  int nr;       // columns of the tile (vector side, B)
  int kc;       // depth of a packed block: the MR × kc panel of A stays in L1
  int nc;       // columns of B packed at once: the kc × nc block stays in L2
  int mc;       // rows of A packed at once: the mc × kc block stays in L3
  MicroKernelFn run;
  PackRowsFn packRows;  // vectorised packer for row-major A, or null
  // Rows of an edge tile the kernel runs at full speed per row (0: only whole mr-row tiles), so a
  // product split by rows may cut at steps of this many rows.
  int edgeRows = 0;
};

MicroKernel microKernelAvx512();
MicroKernel microKernelAvx2();
MicroKernel microKernelGeneric();
MicroKernel microKernelWasm();  // gemm-wasm.cc, only in the wasm build

/** Selects the micro-kernel (the best the CPU supports unless forced); false if `isa` is unsupported. */
bool setGemmIsa(Isa isa);
Isa gemmIsa();
/** The micro-kernel in use (for kernels that drive it themselves, such as the Winograd conv). */
MicroKernel gemmMicroKernel();

/** One strided operand: element (i, j) of op(X) is x[i * rs + j * cs]. */
struct View {
  const float* data;
  int64_t rs;
  int64_t cs;
};

/**
 * C (+)= op(A) · op(B) with op(A) m × k and op(B) k × n; C[i, j] = c[i * ldc + j]. C must not overlap A
 * or B. Uses the thread pool when the product is large.
 */
void sgemm(int64_t m, int64_t n, int64_t k, View a, View b, float* c, int64_t ldc, bool accumulate);

/**
 * What a product does to each rectangle of C once it is complete, on the thread that computed it
 * (while the rectangle is in that core's cache): rows [row0, row0 + rows) × columns [col0, col0 + cols)
 * of C, whose element (row0, col0) is at c. `wholeRows`: only split the product by rows (every
 * rectangle then spans all columns: a softmax along them).
 */
struct Epilogue {
  void (*fn)(void* ctx, float* c, int64_t ldc, int64_t row0, int64_t rows, int64_t col0, int64_t cols);
  void* ctx;
  bool wholeRows;
};

/**
 * The layout packBWhole writes for the micro-kernel in use (> 0): a packed B is only valid while
 * packedBLayout() returns what it returned when B was packed (setGemmIsa changes it).
 */
int packedBLayout();

/** Floats packBWhole writes for a k × n op(B). */
int64_t packedBFloats(int64_t k, int64_t n);

/**
 * Packs all of a k × n op(B) the way the blocked product reads it (its k blocks one after another,
 * each as NR-column panels), so a B used by many products (a layer's weights) is packed once.
 */
void packBWhole(int64_t k, int64_t n, View b, float* out);

/**
 * sgemm with options: `packedB` (or null) is op(B) already packed by packBWhole under the current
 * layout — the same numbers as packing b here; thin products (m or n below 4) read b instead. The
 * epilogue (or null) runs on each finished rectangle of C.
 */
void sgemmEx(int64_t m, int64_t n, int64_t k, View a, View b, const float* packedB, float* c, int64_t ldc,
             bool accumulate, const Epilogue* epilogue);

/**
 * `batch` products of the same shape: product t reads A at a + aOffsets[t], B at b + bOffsets[t] and
 * writes C at c + t * cStride. Small products are spread across threads whole.
 */
void sgemmBatched(int64_t batch, int64_t m, int64_t n, int64_t k, const float* a, const int64_t* aOffsets,
                  int64_t aRs, int64_t aCs, const float* b, const int64_t* bOffsets, int64_t bRs, int64_t bCs,
                  float* c, int64_t cStride, int64_t ldc, bool accumulate);

}  // namespace strata
