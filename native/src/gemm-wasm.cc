// WebAssembly SIMD128 micro-kernel: a 4 × 8 tile of C in 8 v128 accumulators (two 4-float vectors
// per row). WebAssembly has no fused multiply-add without relaxed SIMD, so each step is a multiply
// and an add. Measured in V8 (Node 20, n = 256…1024, CPU time on a loaded 2-vCPU machine): 4 × 8
// ran at 33–35 GFLOPS, 6 × 8 at 28–30, 4 × 16 and 8 × 8 at 25–30 (V8's register allocator spills
// the larger tiles' accumulators around the multiply-add pairs); unrolling the k loop did not help.
#include "gemm.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

namespace strata {
namespace {

constexpr int kMR = 4;
constexpr int kNR = 8;

void kernel(int64_t kc, const float* __restrict ap, const float* __restrict bp, float* c, int64_t ldc,
            bool accumulate, int mr, int nr) {
  v128_t acc[kMR][2];
#pragma unroll
  for (int i = 0; i < kMR; ++i) acc[i][0] = acc[i][1] = wasm_f32x4_splat(0.f);
  for (int64_t p = 0; p < kc; ++p) {
    const v128_t b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + 4);
#pragma unroll
    for (int i = 0; i < kMR; ++i) {
      const v128_t av = wasm_v128_load32_splat(ap + i);
      acc[i][0] = wasm_f32x4_add(acc[i][0], wasm_f32x4_mul(av, b0));
      acc[i][1] = wasm_f32x4_add(acc[i][1], wasm_f32x4_mul(av, b1));
    }
    ap += kMR;
    bp += kNR;
  }
  if (mr == kMR && nr == kNR) {
#pragma unroll
    for (int i = 0; i < kMR; ++i) {
      float* row = c + i * ldc;
      v128_t x0 = acc[i][0], x1 = acc[i][1];
      if (accumulate) {
        x0 = wasm_f32x4_add(x0, wasm_v128_load(row));
        x1 = wasm_f32x4_add(x1, wasm_v128_load(row + 4));
      }
      wasm_v128_store(row, x0);
      wasm_v128_store(row + 4, x1);
    }
    return;
  }
  // Edge tile: spill, then copy the valid part.
  alignas(16) float tile[kMR * kNR];
#pragma unroll
  for (int i = 0; i < kMR; ++i) {
    wasm_v128_store(tile + i * kNR, acc[i][0]);
    wasm_v128_store(tile + i * kNR + 4, acc[i][1]);
  }
  copyEdgeTile(tile, kNR, c, ldc, accumulate, mr, nr);
}

}  // namespace

MicroKernel microKernelWasm() {
  // kc 256: the 4 × 256 A panel (4 KiB) sits in L1; the 256 × 256 B block (256 KiB) in L2.
  return MicroKernel{Isa::simd128, kMR, kNR, 256, 256, 960, kernel, nullptr};
}

}  // namespace strata
#endif
