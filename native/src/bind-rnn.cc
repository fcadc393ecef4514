// Node-API bindings of the fused recurrent kernels (rnn.h). Every array is used in place and its
// length checked against the configuration, so a wrong argument throws instead of corrupting memory.
//   rnnForward(config, x, inputKernel, inputBias?, kernel, bias?, mask?, recMask?, h, c?, gates, extra?, hRec?, sequence?)
//   rnnBackward(config, x, inputKernel, kernel, mask?, recMask?, h, c?, gates, extra?, hRec?, dSequence?, dh, dc?, dx, dParams)
// config is an Int32Array [cell, batch, time, features, units, act, ract, resetAfter, goBackwards, save];
// "?" marks arguments that may be null. dParams receives [dInputKernel | dKernel | dInputBias | dBias].
#include <node_api.h>

#include <cstdint>

#include "napi-util.h"
#include "rnn-math.h"
#include "rnn.h"

namespace strata {
namespace {

bool isNull(Args& a, size_t i) {
  napi_valuetype type = napi_undefined;
  if (!a.ok || napi_typeof(a.env, a.argv[i], &type) != napi_ok) return true;
  return type == napi_null || type == napi_undefined;
}

/** A Float32Array of exactly `want` elements, null when absent and allowed to be. */
float* floats(Args& a, size_t i, int64_t want, bool optional, const char* what) {
  if (!a.ok) return nullptr;
  if (isNull(a, i)) {
    if (!optional) fail(a, what);
    return nullptr;
  }
  size_t len = 0;
  float* p = getArray<float>(a, i, napi_float32_array, &len);
  if (p && int64_t(len) != want) fail(a, what);
  return p;
}

/** Reads and checks the configuration; false (with a thrown error) when it is not a sound one. */
bool readConfig(Args& a, size_t i, RnnConfig* k) {
  size_t len = 0;
  const int32_t* c = getInt32Array(a, i, &len);
  if (!a.ok) return false;
  if (len != 10) return fail(a, "strata native rnn: config must hold 10 integers");
  *k = RnnConfig{c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7] != 0, c[8] != 0, c[9] != 0};
  if (k->cell < kCellSimple || k->cell > kCellGru || k->act < 0 || k->act >= kActCount || k->ract < 0 || k->ract >= kActCount) {
    return fail(a, "strata native rnn: unknown cell or activation");
  }
  if (k->batch <= 0 || k->time <= 0 || k->units <= 0 || k->features < 0) return fail(a, "strata native rnn: sizes must be positive");
  return true;
}

napi_value RnnForward(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 14)) return nullptr;
  RnnConfig k;
  if (!readConfig(a, 0, &k)) return nullptr;
  const int64_t B = k.batch, T = k.time, F = k.features, u = k.units, G = rnnGates(k.cell) * u, steps = k.save ? T : 1;
  const bool lstm = k.cell == kCellLstm;
  RnnForwardData d{};
  d.x = floats(a, 1, B * T * F, false, "strata native rnnForward: x must be [batch, time, features]");
  d.inputKernel = floats(a, 2, F * G, false, "strata native rnnForward: inputKernel must be [features, G·units]");
  d.inputBias = floats(a, 3, G, true, "strata native rnnForward: inputBias must be [G·units]");
  d.kernel = floats(a, 4, u * G, false, "strata native rnnForward: kernel must be [units, G·units]");
  d.bias = floats(a, 5, G, true, "strata native rnnForward: bias must be [G·units]");
  if (a.ok && !isNull(a, 6)) {
    size_t len = 0;
    d.mask = getInt32Array(a, 6, &len);
    if (a.ok && int64_t(len) != B * T) return fail(a, "strata native rnnForward: mask must be [batch, time]"), nullptr;
  }
  d.recMask = floats(a, 7, B * u, true, "strata native rnnForward: recMask must be [batch, units]");
  d.h = floats(a, 8, (T + 1) * B * u, false, "strata native rnnForward: h must be [time + 1, batch, units]");
  d.c = floats(a, 9, (T + 1) * B * u, !lstm, "strata native rnnForward: c must be [time + 1, batch, units] (LSTM only)");
  d.gates = floats(a, 10, steps * B * G, false, "strata native rnnForward: gates has the wrong size");
  d.extra = floats(a, 11, steps * B * u, k.cell == kCellSimple, "strata native rnnForward: extra has the wrong size");
  d.hRec = floats(a, 12, steps * B * u, d.recMask == nullptr, "strata native rnnForward: hRec has the wrong size");
  d.sequence = floats(a, 13, B * T * u, true, "strata native rnnForward: sequence must be [batch, time, units]");
  if (!a.ok) return nullptr;
  if ((d.c != nullptr) != lstm || (d.bias && !(k.cell == kCellGru && k.resetAfter))) {
    return fail(a, "strata native rnnForward: c is for LSTM only, bias for GRU resetAfter only"), nullptr;
  }
  if (!d.recMask) d.hRec = nullptr;
  if (k.cell == kCellSimple) d.extra = nullptr;
  rnnForward(k, d);
  return undefinedValue(env);
}

napi_value RnnBackward(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 16)) return nullptr;
  RnnConfig k;
  if (!readConfig(a, 0, &k)) return nullptr;
  const int64_t B = k.batch, T = k.time, F = k.features, u = k.units, G = rnnGates(k.cell) * u;
  const bool lstm = k.cell == kCellLstm;
  if (!k.save) return fail(a, "strata native rnnBackward: needs a forward pass that saved its steps"), nullptr;
  RnnBackwardData d{};
  d.x = floats(a, 1, B * T * F, false, "strata native rnnBackward: x must be [batch, time, features]");
  d.inputKernel = floats(a, 2, F * G, false, "strata native rnnBackward: inputKernel must be [features, G·units]");
  d.kernel = floats(a, 3, u * G, false, "strata native rnnBackward: kernel must be [units, G·units]");
  if (a.ok && !isNull(a, 4)) {
    size_t len = 0;
    d.mask = getInt32Array(a, 4, &len);
    if (a.ok && int64_t(len) != B * T) return fail(a, "strata native rnnBackward: mask must be [batch, time]"), nullptr;
  }
  d.recMask = floats(a, 5, B * u, true, "strata native rnnBackward: recMask must be [batch, units]");
  d.h = floats(a, 6, (T + 1) * B * u, false, "strata native rnnBackward: h must be [time + 1, batch, units]");
  d.c = floats(a, 7, (T + 1) * B * u, !lstm, "strata native rnnBackward: c must be [time + 1, batch, units] (LSTM only)");
  d.gates = floats(a, 8, T * B * G, false, "strata native rnnBackward: gates must be [time, batch, G·units]");
  d.extra = floats(a, 9, T * B * u, k.cell == kCellSimple, "strata native rnnBackward: extra must be [time, batch, units]");
  d.hRec = floats(a, 10, T * B * u, d.recMask == nullptr, "strata native rnnBackward: hRec must be [time, batch, units]");
  d.dSequence = floats(a, 11, B * T * u, true, "strata native rnnBackward: dSequence must be [batch, time, units]");
  d.dh = floats(a, 12, B * u, false, "strata native rnnBackward: dh must be [batch, units]");
  d.dc = floats(a, 13, B * u, !lstm, "strata native rnnBackward: dc must be [batch, units] (LSTM only)");
  d.dx = floats(a, 14, B * T * F, false, "strata native rnnBackward: dx must be [batch, time, features]");
  float* params = floats(a, 15, F * G + u * G + 2 * G, false,
                         "strata native rnnBackward: dParams must hold features·G·u + units·G·u + 2·G·u values");
  if (!a.ok) return nullptr;
  if ((d.c != nullptr) != lstm || (d.dc != nullptr) != lstm) {
    return fail(a, "strata native rnnBackward: c and dc are for LSTM only"), nullptr;
  }
  d.dInputKernel = params;
  d.dKernel = params + F * G;
  d.dInputBias = params + F * G + u * G;
  d.dBias = d.dInputBias + G;
  if (!d.recMask) d.hRec = nullptr;
  if (k.cell == kCellSimple) d.extra = nullptr;
  rnnBackward(k, d);
  return undefinedValue(env);
}

}  // namespace

STRATA_EXPORT("rnnForward", RnnForward);
STRATA_EXPORT("rnnBackward", RnnBackward);

}  // namespace strata
