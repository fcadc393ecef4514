// A convolution (with its bias + activation epilogue) followed by a max pool, for inference: the conv's
// output never exists in full, only a few images of it at a time in a per-thread scratch that stays in
// cache while the pool reads it.
#pragma once

#include "conv.h"
#include "pool.h"

namespace strata {

/**
 * y = maxPool3d(act(conv(x, w) + bias), pool): the numbers of conv3d then maxPool3d on the same
 * chunk of images (the conv kernels compute each output element from its window alone, so chunking
 * the batch does not change them). Requires pool's input to be the conv's output: pool.batch ==
 * g.batch, (inD, inH, inW) == g.out, channels == g.outC, and pool.valid().
 */
void conv3dMaxPool(const ConvGeom& g, const float* x, const float* w, const ConvEpilogue* epilogue,
                   const PoolGeometry& pool, float* y);

}  // namespace strata
