// CPU feature detection and the GEMM micro-kernel table.
#pragma once

namespace strata {

/**
 * Instruction sets a micro-kernel can be compiled for, best last: x86 builds have generic to avx512,
 * the wasm build (scripts/build-wasm.mjs) generic and simd128.
 */
enum class Isa { generic = 0, avx2 = 1, avx512 = 2, simd128 = 3 };

/** The best instruction set this CPU (and this build) supports. */
Isa detectIsa();

/** Name as shown to users: "generic", "avx2", "avx512", "simd128" (WebAssembly). */
const char* isaName(Isa isa);

}  // namespace strata
