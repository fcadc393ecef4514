// Pooling kernels over NDHWC float32 tensors (1-D and 2-D pooling use unit leading spatial dims): max,
// max with its argmax, average and average's gradient, plus the flat gather and scatter-add that max
// pooling's gradient runs through. Windows are clipped to the input, so padding is never read: max
// ignores it and average divides by the count of valid elements (Keras 'same'), as the js twin
// src/kernels/js/pool.ts, which is the reference.
#pragma once

#include <cstdint>

namespace strata {

/** The geometry of a pooling (see Pool3dInfo in src/kernels/pool-kernels.ts). */
struct PoolGeometry {
  int64_t batch, inD, inH, inW, channels;
  int64_t filterD, filterH, filterW;
  int64_t strideD, strideH, strideW;
  int64_t padFront, padTop, padLeft;
  int64_t outD, outH, outW;

  int64_t inSize() const { return batch * inD * inH * inW * channels; }
  int64_t outSize() const { return batch * outD * outH * outW * channels; }
  /** Positive sizes, and every window overlaps the input (so a window's first element exists). */
  bool valid() const;
};

/** y [batch, outD, outH, outW, C] = max over each window; NaN propagates. */
void maxPool3d(const float* x, const PoolGeometry& g, float* y);

/**
 * argmax = flat index into x of each window's first maximum (NaN never replaces a value); y, when not
 * null, receives the maxima themselves (x at argmax) in the same pass.
 */
void maxPool3dArgmax(const float* x, const PoolGeometry& g, float* y, int32_t* argmax);

/** y = mean over the valid elements of each window. */
void avgPool3d(const float* x, const PoolGeometry& g, float* y);

/** dx (x-shaped, zeroed by the caller) += each dy shared equally among its window's valid elements. */
void avgPool3dBackward(const float* dy, const PoolGeometry& g, float* dx);

/** out[i] = x[indices[i]]; an index outside [0, xLen) gives NaN (the js twin reads undefined). */
void gatherFlat(const float* x, int64_t xLen, const int32_t* indices, int64_t n, float* out);

/** out = 0, then out[indices[i]] += dy[i]; indices outside [0, outLen) are skipped (as typed-array writes in js). */
void scatterAddFlat(const float* dy, const int32_t* indices, int64_t n, float* out, int64_t outLen);

}  // namespace strata
