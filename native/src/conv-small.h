// Direct AVX-512 (conv-small.cc) and wasm SIMD128 (conv-small-wasm.cc) kernels for convolutions with a short patch (K = taps · inC ≤ 32: a first layer on
// one or three channels) and at most 64 filters, forward and filter gradient. The implicit GEMM
// (conv.cc) and the packed filter GEMM (conv-filter.cc) spend most of their time there gathering
// 9-float patches and packing dy; these read each window value straight from the input, once per
// row, and keep the filter (forward) or the whole dw (filter gradient) in registers.
#pragma once

#include <cstdint>

#include "conv-window.h"
#include "conv.h"

namespace strata {

/**
 * y = conv(src, w) (+ the epilogue) when the direct kernel takes this shape on this CPU; false (and
 * nothing written) otherwise. src is the input padded to pdims (paddedInput), seg its window.
 */
bool conv3dSmallPatch(const ConvGeom& g, const float* src, const int64_t pdims[3], const Segments& seg, const float* w,
                      float* y, const ConvEpilogue* epilogue);

/** dw = the filter gradient from the padded input and dy, or false when the direct kernel does not apply. */
bool conv3dBackpropFilterSmallPatch(const ConvGeom& g, const float* src, const int64_t pdims[3], const Segments& seg,
                                    const float* dy, float* dw);

}  // namespace strata
