// The pooling geometry as the bindings receive it (bind-pool.cc, and the fused conv + pool of
// bind-conv.cc): an Int32Array of the 17 fields of Pool3dInfo in declaration order.
#pragma once

#include <cstdint>

#include "napi-util.h"
#include "pool.h"

namespace strata {

constexpr size_t kPoolGeometryFields = 17;

/** Reads the geometry at argument i; fails unless it is valid. */
inline PoolGeometry getPoolGeometry(Args& a, size_t i) {
  PoolGeometry g{};
  size_t len = 0;
  const int32_t* v = getInt32Array(a, i, &len);
  if (!a.ok) return g;
  if (len != kPoolGeometryFields) return fail(a, "strata native pool: the geometry needs 17 fields"), g;
  int64_t* f[kPoolGeometryFields] = {&g.batch,   &g.inD,     &g.inH,      &g.inW,      &g.channels, &g.filterD,
                                     &g.filterH, &g.filterW, &g.strideD,  &g.strideH,  &g.strideW,  &g.padFront,
                                     &g.padTop,  &g.padLeft, &g.outD,     &g.outH,     &g.outW};
  for (size_t k = 0; k < kPoolGeometryFields; ++k) *f[k] = v[k];
  if (!g.valid()) fail(a, "strata native pool: invalid geometry (a size below 1, or a window outside the input)");
  return g;
}

}  // namespace strata
