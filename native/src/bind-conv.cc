// Node-API bindings of the convolution kernels (conv.h). Every kernel is called as
// name(geom, a, b, out): geom an Int32Array [batch, inD, inH, inW, outD, outH, outW, inC, outC,
// kD, kH, kW, sD, sH, sW, dD, dH, dW, pD, pH, pW, multiplier] (ConvInfo's fields), a and b the two
// inputs and out the output, all Float32Arrays used in place. The geometry and every array length
// are checked first, so a wrong call throws instead of reading or writing outside an array.
#include <node_api.h>

#include <cstdint>
#include <cstring>

#include "bind-pool-geometry.h"
#include "conv-pool.h"
#include "conv-winograd.h"
#include "conv.h"
#include "napi-util.h"

namespace strata {
namespace {

enum class Kind { forward, input, filter };

/** Reads and checks the geometry; false (with a thrown error) when it is invalid. */
bool readGeom(Args& a, ConvGeom& g, bool depthwise) {
  size_t len = 0;
  const int32_t* v = getInt32Array(a, 0, &len);
  if (!a.ok) return false;
  if (len != 22) return fail(a, "strata native conv: geometry must hold 22 integers");
  g.batch = v[0];
  for (int d = 0; d < 3; ++d) {
    g.in[d] = v[1 + d];
    g.out[d] = v[4 + d];
    g.kernel[d] = v[9 + d];
    g.stride[d] = v[12 + d];
    g.dilation[d] = v[15 + d];
    g.pad[d] = v[18 + d];
  }
  g.inC = v[7];
  g.outC = v[8];
  g.multiplier = v[21];
  bool ok = g.batch >= 0 && g.inC >= 0 && g.outC >= 0 && g.multiplier >= 1;
  for (int d = 0; d < 3; ++d) {
    ok = ok && g.in[d] >= 0 && g.out[d] >= 0 && g.kernel[d] >= 1 && g.stride[d] >= 1 && g.dilation[d] >= 1 &&
         g.pad[d] >= 0;
  }
  if (ok && depthwise) ok = g.outC == g.inC * g.multiplier;
  // Sizes stay well inside int64 and the padded copies inside memory: every dim below 2^24.
  for (int d = 0; d < 3 && ok; ++d) ok = (g.in[d] + g.pad[d]) < (1 << 24) && g.out[d] * g.stride[d] < (1 << 24) &&
                                        g.kernel[d] * g.dilation[d] < (1 << 24);
  // Element counts (in double, so they cannot wrap) must stay far below int64's range.
  if (ok) {
    double in = double(g.batch) * double(g.inC), out = double(g.batch) * double(g.outC), w = double(g.inC) * double(g.outC);
    for (int d = 0; d < 3; ++d) {
      in *= double(g.in[d] + g.pad[d] + g.kernel[d] * g.dilation[d]);
      out *= double(g.out[d]);
      w *= double(g.kernel[d]);
    }
    ok = in < 0x1p46 && out < 0x1p46 && w < 0x1p46;
  }
  if (!ok) return fail(a, "strata native conv: invalid geometry");
  return true;
}

template <Kind kind, bool depthwise>
napi_value Conv(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 4)) return nullptr;
  ConvGeom g{};
  if (!readGeom(a, g, depthwise)) return nullptr;
  size_t aLen = 0, bLen = 0, outLen = 0;
  const float* ad = getArray<float>(a, 1, napi_float32_array, &aLen);
  const float* bd = getArray<float>(a, 2, napi_float32_array, &bLen);
  float* od = getArray<float>(a, 3, napi_float32_array, &outLen);
  if (!a.ok) return nullptr;
  const int64_t xSize = g.inSize(), ySize = g.outSize();
  const int64_t wSize = g.taps() * g.inC * (depthwise ? g.multiplier : g.outC);
  // forward: (x, w) → y; input: (dy, w) → dx; filter: (x, dy) → w.
  const int64_t want[3] = {kind == Kind::input ? ySize : xSize, kind == Kind::filter ? ySize : wSize,
                           kind == Kind::forward ? ySize : kind == Kind::input ? xSize : wSize};
  if (int64_t(aLen) != want[0] || int64_t(bLen) != want[1] || int64_t(outLen) != want[2]) {
    return fail(a, "strata native conv: an array's length does not match the geometry"), nullptr;
  }
  if (kind == Kind::forward) {
    if (depthwise) depthwiseConv3d(g, ad, bd, od);
    else conv3d(g, ad, bd, od);
  }
  if (kind == Kind::input) (depthwise ? depthwiseConv3dBackpropInput : conv3dBackpropInput)(g, ad, bd, od);
  if (kind == Kind::filter) (depthwise ? depthwiseConv3dBackpropFilter : conv3dBackpropFilter)(g, ad, bd, od);
  return undefinedValue(env);
}

// conv3dBiasActivation(geom, x, w, bias | null, act, alpha, y): y = act(conv(x, w) + bias), the
// activation code as in biasActivation.
napi_value ConvBiasActivation(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 7)) return nullptr;
  ConvGeom g{};
  if (!readGeom(a, g, false)) return nullptr;
  size_t xLen = 0, wLen = 0, bLen = 0, yLen = 0;
  const float* x = getArray<float>(a, 1, napi_float32_array, &xLen);
  const float* w = getArray<float>(a, 2, napi_float32_array, &wLen);
  bool withBias = false;
  const float* bias = getOptionalF32(a, 3, &bLen, &withBias);
  const int64_t act = getInt(a, 4);
  const double alpha = getDouble(a, 5);
  float* y = getArray<float>(a, 6, napi_float32_array, &yLen);
  if (!a.ok) return nullptr;
  if (act < 0 || act >= int64_t(FusedAct::count)) return fail(a, "strata native conv3dBiasActivation: unknown activation"), nullptr;
  if (int64_t(xLen) != g.inSize() || int64_t(wLen) != g.taps() * g.inC * g.outC || int64_t(yLen) != g.outSize() ||
      (bias && int64_t(bLen) != g.outC)) {
    return fail(a, "strata native conv3dBiasActivation: an array's length does not match the geometry"), nullptr;
  }
  const ConvEpilogue epilogue{bias, FusedAct(act), alpha};
  conv3d(g, x, w, y, &epilogue);
  return undefinedValue(env);
}

// conv3dBiasActivationMaxPool(geom, x, w, bias | null, act, alpha, poolGeom, y): y = maxPool(act(conv(x, w)
// + bias)), poolGeom the 17 fields of Pool3dInfo (bind-pool.cc), its input the conv's output.
napi_value ConvBiasActivationMaxPool(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 8)) return nullptr;
  ConvGeom g{};
  if (!readGeom(a, g, false)) return nullptr;
  size_t xLen = 0, wLen = 0, bLen = 0, yLen = 0;
  const float* x = getArray<float>(a, 1, napi_float32_array, &xLen);
  const float* w = getArray<float>(a, 2, napi_float32_array, &wLen);
  bool withBias = false;
  const float* bias = getOptionalF32(a, 3, &bLen, &withBias);
  const int64_t act = getInt(a, 4);
  const double alpha = getDouble(a, 5);
  const PoolGeometry p = getPoolGeometry(a, 6);
  float* y = getArray<float>(a, 7, napi_float32_array, &yLen);
  if (!a.ok) return nullptr;
  if (act < 0 || act >= int64_t(FusedAct::count)) return fail(a, "strata native conv3dBiasActivationMaxPool: unknown activation"), nullptr;
  if (p.batch != g.batch || p.inD != g.out[0] || p.inH != g.out[1] || p.inW != g.out[2] || p.channels != g.outC) {
    return fail(a, "strata native conv3dBiasActivationMaxPool: the pool geometry does not take the conv's output"), nullptr;
  }
  if (int64_t(xLen) != g.inSize() || int64_t(wLen) != g.taps() * g.inC * g.outC || int64_t(yLen) != p.outSize() ||
      (bias && int64_t(bLen) != g.outC)) {
    return fail(a, "strata native conv3dBiasActivationMaxPool: an array's length does not match the geometry"), nullptr;
  }
  const ConvEpilogue epilogue{bias, FusedAct(act), alpha};
  conv3dMaxPool(g, x, w, &epilogue, p, y);
  return undefinedValue(env);
}

// setConvWinograd(mode): 'off', 'auto', 'f2' or 'f4' for the forward 3×3 stride-1 convs Winograd
// can run (tests compare the paths); false for an unknown mode.
napi_value SetConvWinograd(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 1)) return nullptr;
  char name[16] = {0};
  size_t len = 0;
  if (napi_get_value_string_utf8(env, a.argv[0], name, sizeof name, &len) != napi_ok) {
    return fail(a, "strata native setConvWinograd: expected a string"), nullptr;
  }
  const char* names[] = {"off", "auto", "f2", "f4"};
  bool ok = false;
  for (int i = 0; i < 4; ++i) {
    if (std::strcmp(name, names[i]) == 0) {
      setWinogradMode(WinogradMode(i));
      ok = true;
    }
  }
  napi_value v;
  napi_get_boolean(env, ok, &v);
  return v;
}

}  // namespace

STRATA_EXPORT("conv3dBiasActivationMaxPool", ConvBiasActivationMaxPool);
STRATA_EXPORT("setConvWinograd", SetConvWinograd);
STRATA_EXPORT("conv3dBiasActivation", ConvBiasActivation);
STRATA_EXPORT("conv3d", (Conv<Kind::forward, false>));
STRATA_EXPORT("conv3dBackpropInput", (Conv<Kind::input, false>));
STRATA_EXPORT("conv3dBackpropFilter", (Conv<Kind::filter, false>));
STRATA_EXPORT("depthwiseConv3d", (Conv<Kind::forward, true>));
STRATA_EXPORT("depthwiseConv3dBackpropInput", (Conv<Kind::input, true>));
STRATA_EXPORT("depthwiseConv3dBackpropFilter", (Conv<Kind::filter, true>));

}  // namespace strata
