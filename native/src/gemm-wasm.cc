// WebAssembly SIMD128 micro-kernel: a 5 × 8 tile of C in 10 v128 accumulators (two 4-float vectors
// per row), 6 × 8 in the relaxed-SIMD builds. WebAssembly has no fused multiply-add without relaxed
// SIMD, so each step of the plain build is a multiply and an add (madd, simd128-madd.h). V8 on x64
// gives wasm code 15 xmm registers (xmm15 is its scratch): 10 accumulators, the two B vectors, the
// broadcast A value and one product fit; 6 × 8 (16) spills. Measured in Node 20
// on Zen 5 (CPU time on a loaded 2-vCPU machine, builds interleaved call by call with
// `node build/bench/gemm-native.js --wasm old.wasm,new.wasm`): the kernel alone runs as fast as a
// register-only multiply-add loop, and GEMM n = 1024 runs 1.2–1.3× the former 4 × 8 tile; 3 × 12 and
// 2 × 16 (14 registers too) ran 5–10 % behind. Unrolling the k loop makes V8 hoist both steps' loads
// and spill, so the loop stays rolled. The build passes -mllvm -disable-lsr (scripts/build-wasm.mjs):
// with loop strength reduction clang addresses each load with an i32.add instead of the load's offset
// immediate, and the extra adds and registers made V8 spill this tile.
// Relaxed SIMD (wasm/strata-relaxed*.wasm): madd is one FMA, so no product register is needed and
// 6 × 8 (12 accumulators, two B vectors, the broadcast) fits the 15 registers. Node 20 with
// --experimental-wasm-relaxed-simd, CPU time, builds interleaved, GEMM n = 1024 on one thread: 41.9
// GFLOPS plain 5 × 8, 52.5 relaxed 5 × 8, 56.4 relaxed 6 × 8 (Xeon, Sapphire Rapids class).
// Chromium 150's V8 adds each load32_splat's offset to the memory base with an lea inside the loop
// (Node 20's hoists them: 33 instructions a step against 28), but a test kernel with all six splats
// at offset 0 ran no faster there: the step is bound by its 12 FMAs, not by issue.
#include "gemm.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include "simd128-madd.h"

namespace strata {
namespace {

#if defined(__wasm_relaxed_simd__)
constexpr int kMR = 6;
#else
constexpr int kMR = 5;
#endif
constexpr int kNR = 8;

void kernel(int64_t kc, const float* __restrict ap, const float* __restrict bp, float* c, int64_t ldc,
            bool accumulate, int mr, int nr) {
  v128_t acc[kMR][2];
#pragma unroll
  for (int i = 0; i < kMR; ++i) acc[i][0] = acc[i][1] = wasm_f32x4_splat(0.f);
  // Touch the rows of C that the tile adds to now, so that their cache misses (rows ldc apart, in L3
  // at n = 1024) overlap the k loop instead of stalling the stores at its end. WebAssembly has no
  // prefetch; a volatile load of one float per row is one.
  if (accumulate) {
#pragma unroll
    for (int i = 0; i < kMR; ++i) {
      if (i < mr) (void)*reinterpret_cast<volatile const float*>(c + i * ldc);
    }
  }
  // A 32-bit counter: the i64 one of the signature costs V8 a 64-bit compare per step.
  for (int p = int(kc); p > 0; --p) {
    const v128_t b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + 4);
#pragma unroll
    for (int i = 0; i < kMR; ++i) {
      const v128_t av = wasm_v128_load32_splat(ap + i);
      acc[i][0] = madd(av, b0, acc[i][0]);
      acc[i][1] = madd(av, b1, acc[i][1]);
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

/**
 * packRows (gemm.h) for the 5-row tile: the k steps of five rows of A read side by side as five
 * streams, each k step's five values stored together; 32-bit indices (the generic packer's 64-bit
 * index arithmetic and run-time panel height cost more in wasm).
 */
void packRows(int mr, int64_t mc, int64_t kc, const float* a, int64_t rs, float* out) {
  (void)mr;  // always kMR: gemm.cc passes the kernel's own tile height
  const int k = int(kc), rows = int(mc), stride = int(rs);
  for (int i0 = 0; i0 < rows; i0 += kMR) {
    const float* src = a + i0 * stride;
    if (rows - i0 >= kMR) {
      const float* r[kMR];
#pragma unroll
      for (int i = 0; i < kMR; ++i) r[i] = src + i * stride;
      for (int p = 0; p < k; ++p) {
#pragma unroll
        for (int i = 0; i < kMR; ++i) out[i] = r[i][p];
        out += kMR;
      }
    } else {
      const int left = rows - i0;
      for (int p = 0; p < k; ++p) {
        for (int i = 0; i < kMR; ++i) out[i] = i < left ? src[i * stride + p] : 0.f;
        out += kMR;
      }
    }
  }
}

}  // namespace

MicroKernel microKernelWasm() {
  // kc 256: the 5 × 256 A panel (5 KiB) sits in L1; the 256 × 512 B block (512 KiB) in L2. mc 1280 (a
  // multiple of the 5-row tile; the A block, 1.25 MiB, in L3) packs each B block once up to m = 1280:
  // with 960, n = 1024 packed B twice. mc 1280 and packRows together: GEMM n = 1024 +4–7 % (CPU time,
  // interleaved builds). The 6-row tile takes mc 1536; kc 192 and 384 ran as fast as 256 there.
  // kc 512 (C loaded and stored half as often) looked 1–2 % faster in Chromium 150 on one thread, but
  // with it the browser test's W3 training on the threaded build drifted from the single-threaded
  // build's (predictions 1e-2 apart instead of 1.5e-7; in Node the two agree either way): kept at 256.
  return MicroKernel{Isa::simd128, kMR, kNR, 256, 512, kMR * 256, kernel, packRows};
}

}  // namespace strata
#endif
