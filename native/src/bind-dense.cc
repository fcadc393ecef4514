// Node-API bindings of the dense layer's forward pass (dense.h) and of packing its weights once.
#include <node_api.h>

#include <cstdint>

#include "dense.h"
#include "gemm.h"
#include "napi-util.h"

namespace strata {
namespace {

// Floats are aligned to this many at the start of a packed copy, so the micro-kernels' aligned loads hold.
constexpr int64_t kPackAlign = 16;

napi_value numberValue(napi_env env, double x) {
  napi_value v;
  napi_create_double(env, x, &v);
  return v;
}

// gemmPackLayout(): the layout packed weights are valid for (changes with setIsa).
napi_value GemmPackLayout(napi_env env, napi_callback_info) { return numberValue(env, packedBLayout()); }

// gemmPackedLength(k, n): the Float32Array length gemmPackB needs for a k × n matrix.
napi_value GemmPackedLength(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 2)) return nullptr;
  const int64_t k = getInt(a, 0), n = getInt(a, 1);
  if (!a.ok) return nullptr;
  if (k < 0 || n < 0) return fail(a, "strata native gemmPackedLength: bad sizes"), nullptr;
  return numberValue(env, double(packedBFloats(k, n) + kPackAlign));
}

// gemmPackB(k, n, b, out): packs the row-major k × n matrix b into out; returns the offset (floats) where
// the packed data starts in out (the first 64-byte boundary).
napi_value GemmPackB(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 4)) return nullptr;
  const int64_t k = getInt(a, 0), n = getInt(a, 1);
  size_t bLen = 0, oLen = 0;
  const float* b = getF32(a, 2, &bLen);
  float* out = getF32(a, 3, &oLen);
  if (!a.ok) return nullptr;
  if (k < 0 || n < 0 || int64_t(bLen) < k * n || int64_t(oLen) < packedBFloats(k, n) + kPackAlign) {
    return fail(a, "strata native gemmPackB: sizes disagree with array lengths"), nullptr;
  }
  const int64_t offset = int64_t((64 - reinterpret_cast<uintptr_t>(out) % 64) % 64 / sizeof(float));
  packBWhole(k, n, View{b, n, 1}, out + offset);
  return numberValue(env, double(offset));
}

// dense(m, n, k, x, w, packed | null, packedOffset, layout, bias | null, act, alpha, out): out = act(x · w + bias);
// false (nothing written) when packed was made under another layout than the current one.
napi_value Dense(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 12)) return nullptr;
  const int64_t m = getInt(a, 0), n = getInt(a, 1), k = getInt(a, 2);
  size_t xLen = 0, wLen = 0, pLen = 0, bLen = 0, oLen = 0;
  bool hasPacked = false, hasBias = false;
  const float* x = getF32(a, 3, &xLen);
  const float* w = getF32(a, 4, &wLen);
  const float* packed = getOptionalF32(a, 5, &pLen, &hasPacked);
  const int64_t offset = getInt(a, 6), layout = getInt(a, 7);
  const float* bias = getOptionalF32(a, 8, &bLen, &hasBias);
  const int64_t act = getInt(a, 9);
  const double alpha = getDouble(a, 10);
  float* out = getF32(a, 11, &oLen);
  if (!a.ok) return nullptr;
  if (act < 0 || act >= kDenseActCount) return fail(a, "strata native dense: unknown activation"), nullptr;
  napi_value result;
  // Stale first: a copy packed for another micro-kernel may have another length.
  if (hasPacked && layout != packedBLayout()) {
    napi_get_boolean(env, false, &result);
    return result;
  }
  if (m < 0 || n < 0 || k < 0 || int64_t(xLen) < m * k || int64_t(wLen) < k * n || int64_t(oLen) < m * n ||
      (hasBias && int64_t(bLen) != n) ||
      (hasPacked && (offset < 0 || offset >= kPackAlign || int64_t(pLen) < offset + packedBFloats(k, n)))) {
    return fail(a, "strata native dense: sizes disagree with array lengths"), nullptr;
  }
  denseF32(m, n, k, x, w, hasPacked ? packed + offset : nullptr, hasBias ? bias : nullptr, int(act), alpha, out);
  napi_get_boolean(env, true, &result);
  return result;
}

}  // namespace

STRATA_EXPORT("gemmPackLayout", GemmPackLayout);
STRATA_EXPORT("gemmPackedLength", GemmPackedLength);
STRATA_EXPORT("gemmPackB", GemmPackB);
STRATA_EXPORT("dense", Dense);

}  // namespace strata
