// Convolution kernels (float32, channels-last) over one N-dimensional (3-D) geometry: 1-D and 2-D
// convolutions are 3-D ones with unit leading spatial dims. Mirrors ConvInfo of
// src/kernels/conv-kernels.ts: output position o reads input o·stride − padBefore + k·dilation for
// each tap k; taps outside the input read zeros.
#pragma once

#include <cstdint>

#include "elementwise.h"

namespace strata {

struct ConvGeom {
  int64_t batch;
  int64_t in[3];     // input depth, height, width
  int64_t out[3];    // output depth, height, width
  int64_t inC;       // input channels
  int64_t outC;      // output channels (depthwise: inC · multiplier)
  int64_t kernel[3];
  int64_t stride[3];
  int64_t dilation[3];
  int64_t pad[3];    // padding before; the padding after is implied by out
  int64_t multiplier;

  int64_t inSize() const { return batch * in[0] * in[1] * in[2] * inC; }
  int64_t outSize() const { return batch * out[0] * out[1] * out[2] * outC; }
  int64_t taps() const { return kernel[0] * kernel[1] * kernel[2]; }
};

/** What the forward conv applies to each output row as it finishes it: y = act(y + bias). */
struct ConvEpilogue {
  const float* bias;  // [F], or null
  FusedAct act;
  double alpha;       // elu's
};

/**
 * y [N, out, F] = conv(x [N, in, C], w [kernel, C, F]); with an epilogue, act(conv + bias), applied
 * while each block of output rows is still in cache instead of in another pass over y.
 */
void conv3d(const ConvGeom& g, const float* x, const float* w, float* y, const ConvEpilogue* epilogue = nullptr);
/** dx [N, in, C] from dy [N, out, F] and w [kernel, C, F] (the transposed convolution). */
void conv3dBackpropInput(const ConvGeom& g, const float* dy, const float* w, float* dx);
/** dw [kernel, C, F] from x [N, in, C] and dy [N, out, F]. */
void conv3dBackpropFilter(const ConvGeom& g, const float* x, const float* dy, float* dw);

/** Depthwise: y [N, out, C·M] from x [N, in, C] and w [kernel, C, M]. */
void depthwiseConv3d(const ConvGeom& g, const float* x, const float* w, float* y);
void depthwiseConv3dBackpropInput(const ConvGeom& g, const float* dy, const float* w, float* dx);
void depthwiseConv3dBackpropFilter(const ConvGeom& g, const float* x, const float* dy, float* dw);

}  // namespace strata
