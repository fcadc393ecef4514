// Node-API bindings of gather and unsortedSegmentSum (gather.h). The caller passes the tensor as
// [outer, n, inner] sizes; every call checks them against the array lengths.
#include <node_api.h>

#include <cstdint>

#include "gather.h"
#include "napi-util.h"

namespace strata {
namespace {

// gatherRows(x, outer, n, inner, indices, out) → false (nothing written) when an index is out of range.
napi_value GatherRows(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 6)) return nullptr;
  size_t xLen = 0, iLen = 0, oLen = 0;
  const float* x = getArray<float>(a, 0, napi_float32_array, &xLen);
  const int64_t outer = getInt(a, 1), n = getInt(a, 2), inner = getInt(a, 3);
  const int32_t* idx = getInt32Array(a, 4, &iLen);
  float* out = getArray<float>(a, 5, napi_float32_array, &oLen);
  if (!a.ok) return nullptr;
  const int64_t m = int64_t(iLen);
  if (outer < 0 || n < 0 || inner < 0 || int64_t(xLen) != outer * n * inner || int64_t(oLen) != outer * m * inner) {
    return fail(a, "strata native gatherRows: sizes do not match the arrays"), nullptr;
  }
  napi_value v;
  napi_get_boolean(env, gatherRows(x, outer, n, inner, idx, m, out), &v);
  return v;
}

// segmentSumRows(x, outer, inner, ids, segments, out): out [outer, segments, inner] accumulates.
napi_value SegmentSumRows(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 6)) return nullptr;
  size_t xLen = 0, iLen = 0, oLen = 0;
  const float* x = getArray<float>(a, 0, napi_float32_array, &xLen);
  const int64_t outer = getInt(a, 1), inner = getInt(a, 2);
  const int32_t* ids = getInt32Array(a, 3, &iLen);
  const int64_t segments = getInt(a, 4);
  float* out = getArray<float>(a, 5, napi_float32_array, &oLen);
  if (!a.ok) return nullptr;
  const int64_t m = int64_t(iLen);
  if (outer < 0 || inner < 0 || segments < 0 || int64_t(xLen) != outer * m * inner ||
      int64_t(oLen) != outer * segments * inner) {
    return fail(a, "strata native segmentSumRows: sizes do not match the arrays"), nullptr;
  }
  segmentSumRows(x, outer, m, inner, ids, segments, out);
  return undefinedValue(env);
}

}  // namespace

STRATA_EXPORT("gatherRows", GatherRows);
STRATA_EXPORT("segmentSumRows", SegmentSumRows);

}  // namespace strata
