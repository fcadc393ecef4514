// f32x4 a · b + c for the WebAssembly SIMD128 kernels (gemm-wasm.cc, conv-tile.cc). The relaxed builds
// (scripts/build-wasm.mjs: -mrelaxed-simd, wasm/strata-relaxed*.wasm) use relaxed SIMD's madd, which
// V8 lowers to one FMA instruction where the CPU has FMA (rounded once) and to a multiply and an add
// where it has not: either result is allowed, so the kernels' callers must not depend on which. The
// plain SIMD128 builds (browsers and runtimes without relaxed SIMD) multiply and add.
#pragma once

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

namespace strata {

inline v128_t madd(v128_t a, v128_t b, v128_t c) {
#if defined(__wasm_relaxed_simd__)
  return wasm_f32x4_relaxed_madd(a, b, c);
#else
  return wasm_f32x4_add(wasm_f32x4_mul(a, b), c);
#endif
}

}  // namespace strata
#endif
