// Winograd convolution for 3×3, stride-1, undilated 2-D filters (conv-winograd.cc), forward and input
// gradient: fewer multiplies than the implicit GEMM (conv.cc), which it replaces where it measured faster.
#pragma once

#include "conv.h"

namespace strata {

/** Which path conv3d takes for the shapes Winograd can run (tests force one to compare them). */
enum class WinogradMode : int { off, autoSelect, f2, f4 };

void setWinogradMode(WinogradMode mode);

/**
 * y = conv(x, w) (+ the epilogue) by Winograd when the shape allows it and the mode (by default: the
 * measured thresholds) picks it; false (and nothing written) otherwise.
 */
bool conv3dWinograd(const ConvGeom& g, const float* x, const float* w, float* y, const ConvEpilogue* epilogue);

/**
 * dx = the input gradient of the conv g (3×3, stride 1, padding ≤ 2) from dy and w, as the Winograd
 * forward conv of dy with the flipped, transposed filter when that conv passes conv3dWinograd's tests;
 * false (and nothing written) otherwise.
 */
bool conv3dBackpropInputWinograd(const ConvGeom& g, const float* dy, const float* w, float* dx);

}  // namespace strata
