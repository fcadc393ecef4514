// Node-API bindings of the pooling kernels (pool.h). The geometry travels as an Int32Array of the 17
// fields of Pool3dInfo in declaration order; every call checks the geometry and the array lengths,
// so a wrong argument throws instead of reading or writing outside an array.
#include <node_api.h>

#include <cstdint>

#include "bind-pool-geometry.h"
#include "napi-util.h"
#include "pool.h"

namespace strata {
namespace {

bool isNull(Args& a, size_t i) {
  napi_valuetype t;
  return napi_typeof(a.env, a.argv[i], &t) == napi_ok && (t == napi_null || t == napi_undefined);
}

// maxPool3d(x, geometry, y), avgPool3d(x, geometry, y) and avgPool3dBackward(dy, geometry, dx): one
// array in, one out, sized by the geometry (input then output; the gradient runs the other way and
// adds into dx, which must be zeros).
template <void (*Kernel)(const float*, const PoolGeometry&, float*), bool backward>
napi_value InOut(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 3)) return nullptr;
  size_t inLen = 0, outLen = 0;
  const float* in = getArray<float>(a, 0, napi_float32_array, &inLen);
  const PoolGeometry g = getPoolGeometry(a, 1);
  float* out = getArray<float>(a, 2, napi_float32_array, &outLen);
  if (!a.ok) return nullptr;
  const int64_t wantIn = backward ? g.outSize() : g.inSize(), wantOut = backward ? g.inSize() : g.outSize();
  if (int64_t(inLen) != wantIn || int64_t(outLen) != wantOut) {
    return fail(a, backward ? "strata native avgPool3dBackward: dy or dx does not match the geometry"
                            : "strata native pool: x or y does not match the geometry"), nullptr;
  }
  Kernel(in, g, out);
  return undefinedValue(env);
}

// maxPool3dArgmax(x, geometry, y | null, argmax)
napi_value MaxPoolArgmax(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 4)) return nullptr;
  size_t xLen = 0, yLen = 0, iLen = 0;
  const float* x = getArray<float>(a, 0, napi_float32_array, &xLen);
  const PoolGeometry g = getPoolGeometry(a, 1);
  float* y = isNull(a, 2) ? nullptr : getArray<float>(a, 2, napi_float32_array, &yLen);
  int32_t* argmax = getInt32Array(a, 3, &iLen);
  if (!a.ok) return nullptr;
  if (int64_t(xLen) != g.inSize() || int64_t(iLen) != g.outSize() || (y && int64_t(yLen) != g.outSize())) {
    return fail(a, "strata native maxPool3dArgmax: x, y or argmax does not match the geometry"), nullptr;
  }
  if (g.inSize() > INT32_MAX) return fail(a, "strata native maxPool3dArgmax: x is too large for int32 indices"), nullptr;
  maxPool3dArgmax(x, g, y, argmax);
  return undefinedValue(env);
}

// gatherFlat(x, indices, out): out.length == indices.length.
napi_value GatherFlat(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 3)) return nullptr;
  size_t xLen = 0, iLen = 0, oLen = 0;
  const float* x = getArray<float>(a, 0, napi_float32_array, &xLen);
  const int32_t* idx = getInt32Array(a, 1, &iLen);
  float* out = getArray<float>(a, 2, napi_float32_array, &oLen);
  if (!a.ok) return nullptr;
  if (oLen != iLen) return fail(a, "strata native gatherFlat: out and indices differ in length"), nullptr;
  gatherFlat(x, int64_t(xLen), idx, int64_t(iLen), out);
  return undefinedValue(env);
}

// scatterAddFlat(dy, indices, out): dy.length == indices.length; out = 0, then out[indices[i]] += dy[i].
napi_value ScatterAddFlat(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 3)) return nullptr;
  size_t dLen = 0, iLen = 0, oLen = 0;
  const float* dy = getArray<float>(a, 0, napi_float32_array, &dLen);
  const int32_t* idx = getInt32Array(a, 1, &iLen);
  float* out = getArray<float>(a, 2, napi_float32_array, &oLen);
  if (!a.ok) return nullptr;
  if (dLen != iLen) return fail(a, "strata native scatterAddFlat: dy and indices differ in length"), nullptr;
  scatterAddFlat(dy, idx, int64_t(iLen), out, int64_t(oLen));
  return undefinedValue(env);
}

}  // namespace

STRATA_EXPORT("maxPool3d", (InOut<maxPool3d, false>));
STRATA_EXPORT("avgPool3d", (InOut<avgPool3d, false>));
STRATA_EXPORT("maxPool3dArgmax", MaxPoolArgmax);
STRATA_EXPORT("avgPool3dBackward", (InOut<avgPool3dBackward, true>));
STRATA_EXPORT("gatherFlat", GatherFlat);
STRATA_EXPORT("scatterAddFlat", ScatterAddFlat);

}  // namespace strata
