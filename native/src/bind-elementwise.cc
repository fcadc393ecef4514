// Node-API bindings of the elementwise, reduction, softmax and fused bias + activation kernels.
// Arrays are used in place; every call checks that the shapes it is given agree with the arrays'
// lengths (and with each other), so a wrong argument throws instead of touching memory it should not.
#include <node_api.h>

#include <cstdint>

#include "elementwise.h"
#include "napi-util.h"

namespace strata {
namespace {

/** Product of n dims; -1 when one is negative. */
int64_t product(const int32_t* d, int n) {
  int64_t p = 1;
  for (int i = 0; i < n; ++i) {
    if (d[i] < 0) return -1;
    p *= d[i];
  }
  return p;
}

// unary(op, x, out, alpha, beta)
napi_value Unary(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 5)) return nullptr;
  const int64_t op = getInt(a, 0);
  size_t xl = 0, ol = 0;
  const float* x = getF32(a, 1, &xl);
  float* o = getF32(a, 2, &ol);
  const double alpha = getDouble(a, 3), beta = getDouble(a, 4);
  if (!a.ok) return nullptr;
  if (op < 0 || op >= int64_t(UnaryOp::count)) return fail(a, "strata native unary: unknown op"), nullptr;
  if (xl != ol) return fail(a, "strata native unary: input and output lengths differ"), nullptr;
  unaryF32(UnaryOp(op), x, o, int64_t(xl), alpha, beta);
  return undefinedValue(env);
}

// binary(op, a, b, out (Float32Array, or Int32Array for comparisons), shapes = [rank, out…, a…, b…])
napi_value Binary(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 5)) return nullptr;
  const int64_t op = getInt(a, 0);
  size_t al = 0, bl = 0, ol = 0, sl = 0;
  const float* x = getF32(a, 1, &al);
  const float* y = getF32(a, 2, &bl);
  if (!a.ok) return nullptr;
  if (op < 0 || op >= int64_t(BinaryOp::count)) return fail(a, "strata native binary: unknown op"), nullptr;
  const bool cmp = isComparison(BinaryOp(op));
  float* oF = nullptr;
  int32_t* oI = nullptr;
  if (cmp) oI = getInt32Array(a, 3, &ol);
  else oF = getF32(a, 3, &ol);
  const int32_t* s = getInt32Array(a, 4, &sl);
  if (!a.ok) return nullptr;
  const int rank = sl > 0 ? s[0] : -1;
  if (rank < 0 || rank > kMaxRank || sl < size_t(1 + 3 * rank)) return fail(a, "strata native binary: bad shapes"), nullptr;
  const int32_t *os = s + 1, *as = os + rank, *bs = as + rank;
  for (int d = 0; d < rank; ++d) {
    if ((as[d] != os[d] && as[d] != 1) || (bs[d] != os[d] && bs[d] != 1)) {
      return fail(a, "strata native binary: shapes do not broadcast"), nullptr;
    }
  }
  if (product(os, rank) != int64_t(ol) || product(as, rank) != int64_t(al) || product(bs, rank) != int64_t(bl)) {
    return fail(a, "strata native binary: shapes disagree with array lengths"), nullptr;
  }
  if (ol == 0) return undefinedValue(env);
  binaryF32(BinaryOp(op), x, as, y, bs, os, rank, oF, oI);
  return undefinedValue(env);
}

// reduce(op, x, out, shapes = [rank, shape…, reducedFlags…])
napi_value Reduce(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 4)) return nullptr;
  const int64_t op = getInt(a, 0);
  size_t xl = 0, ol = 0, sl = 0;
  const float* x = getF32(a, 1, &xl);
  float* o = getF32(a, 2, &ol);
  const int32_t* s = getInt32Array(a, 3, &sl);
  if (!a.ok) return nullptr;
  if (op < 0 || op >= int64_t(ReduceOp::count)) return fail(a, "strata native reduce: unknown op"), nullptr;
  const int rank = sl > 0 ? s[0] : -1;
  if (rank < 0 || rank > kMaxRank || sl < size_t(1 + 2 * rank)) return fail(a, "strata native reduce: bad shapes"), nullptr;
  const int32_t* shape = s + 1;
  uint8_t flags[kMaxRank];
  int64_t kept = 1;
  for (int d = 0; d < rank; ++d) {
    flags[d] = s[1 + rank + d] != 0;
    if (!flags[d]) kept *= shape[d];
  }
  if (product(shape, rank) != int64_t(xl) || kept != int64_t(ol)) {
    return fail(a, "strata native reduce: shapes disagree with array lengths"), nullptr;
  }
  if (xl == 0) return fail(a, "strata native reduce: empty input"), nullptr;
  reduceF32(ReduceOp(op), x, shape, flags, rank, o, int64_t(ol));
  return undefinedValue(env);
}

// argReduce(sign, x, out (Int32Array), outer, n, inner)
napi_value ArgReduce(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 6)) return nullptr;
  const int64_t sign = getInt(a, 0);
  size_t xl = 0, ol = 0;
  const float* x = getF32(a, 1, &xl);
  int32_t* o = getInt32Array(a, 2, &ol);
  const int64_t outer = getInt(a, 3), n = getInt(a, 4), inner = getInt(a, 5);
  if (!a.ok) return nullptr;
  if (outer < 0 || n < 1 || inner < 0 || outer * n * inner != int64_t(xl) || outer * inner != int64_t(ol)) {
    return fail(a, "strata native argReduce: sizes disagree with array lengths"), nullptr;
  }
  argReduceF32(sign >= 0 ? 1 : -1, x, outer, n, inner, o);
  return undefinedValue(env);
}

// softmax(x, out, outer, n, inner, log)
napi_value Softmax(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 6)) return nullptr;
  size_t xl = 0, ol = 0;
  const float* x = getF32(a, 0, &xl);
  float* o = getF32(a, 1, &ol);
  const int64_t outer = getInt(a, 2), n = getInt(a, 3), inner = getInt(a, 4);
  const bool log = getBool(a, 5);
  if (!a.ok) return nullptr;
  if (outer < 0 || n < 0 || inner < 0 || outer * n * inner != int64_t(xl) || xl != ol) {
    return fail(a, "strata native softmax: sizes disagree with array lengths"), nullptr;
  }
  softmaxF32(x, o, outer, n, inner, log);
  return undefinedValue(env);
}

// biasActivation(act, x, bias | null, y, channels, alpha)
napi_value BiasActivation(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 6)) return nullptr;
  const int64_t act = getInt(a, 0);
  size_t xl = 0, bl = 0, yl = 0;
  bool hasBias = false;
  const float* x = getF32(a, 1, &xl);
  const float* b = getOptionalF32(a, 2, &bl, &hasBias);
  float* y = getF32(a, 3, &yl);
  const int64_t channels = getInt(a, 4);
  const double alpha = getDouble(a, 5);
  if (!a.ok) return nullptr;
  if (act < 0 || act >= int64_t(FusedAct::count)) return fail(a, "strata native biasActivation: unknown activation"), nullptr;
  if (channels < 1 || xl != yl || int64_t(xl) % channels != 0 || (hasBias && int64_t(bl) != channels)) {
    return fail(a, "strata native biasActivation: sizes disagree with array lengths"), nullptr;
  }
  biasActivationF32(FusedAct(act), x, hasBias ? b : nullptr, y, int64_t(xl) / channels, channels, alpha);
  return undefinedValue(env);
}

// biasActivationGrad(act, dy, y, dx, db | null, channels, alpha)
napi_value BiasActivationGrad(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 7)) return nullptr;
  const int64_t act = getInt(a, 0);
  size_t dyl = 0, yl = 0, dxl = 0, dbl = 0;
  bool hasDb = false;
  const float* dy = getF32(a, 1, &dyl);
  const float* y = getF32(a, 2, &yl);
  float* dx = getF32(a, 3, &dxl);
  float* db = getOptionalF32(a, 4, &dbl, &hasDb);
  const int64_t channels = getInt(a, 5);
  const double alpha = getDouble(a, 6);
  if (!a.ok) return nullptr;
  if (act < 0 || act >= int64_t(FusedAct::count)) {
    return fail(a, "strata native biasActivationGrad: unknown activation"), nullptr;
  }
  if (channels < 1 || dyl != yl || dyl != dxl || int64_t(dyl) % channels != 0 || (hasDb && int64_t(dbl) != channels)) {
    return fail(a, "strata native biasActivationGrad: sizes disagree with array lengths"), nullptr;
  }
  biasActivationGradF32(FusedAct(act), dy, y, dx, hasDb ? db : nullptr, int64_t(dyl) / channels, channels, alpha);
  return undefinedValue(env);
}

}  // namespace

STRATA_EXPORT("unary", Unary);
STRATA_EXPORT("binary", Binary);
STRATA_EXPORT("reduce", Reduce);
STRATA_EXPORT("argReduce", ArgReduce);
STRATA_EXPORT("softmax", Softmax);
STRATA_EXPORT("biasActivation", BiasActivation);
STRATA_EXPORT("biasActivationGrad", BiasActivationGrad);

}  // namespace strata
