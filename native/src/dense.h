// A dense layer's forward pass in one call: act(x · W + b), the GEMM with the bias and activation as
// its epilogue (each thread finishes the rows it computed while they are in its cache), and W read
// from a copy packed once (gemm.h packBWhole) while the weights stay the same.
#pragma once

#include <cstdint>

#include "elementwise.h"

namespace strata {

/** The activations of denseF32: the fused ones (FusedAct codes), then softmax along the units. */
constexpr int kDenseSoftmax = int(FusedAct::count);
constexpr int kDenseActCount = kDenseSoftmax + 1;

/**
 * out [m, n] = act(x [m, k] · w [k, n] + bias [n]) (bias may be null), all row-major. `packedW` (or
 * null) is w packed by packBWhole under the current layout and 64-byte aligned (or any alignment on
 * simd128); null, or a misaligned copy, packs w inside the product as sgemm does. The numbers equal
 * sgemm, then biasActivationF32 (then softmaxF32) on the product.
 */
void denseF32(int64_t m, int64_t n, int64_t k, const float* x, const float* w, const float* packedW,
              const float* bias, int act, double alpha, float* out);

}  // namespace strata
