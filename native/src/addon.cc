// Node-API bindings of the core of the native backend: GEMM, thread and ISA control. Arrays are read
// and written in place (zero-copy): the caller passes Float32Arrays for the inputs and for the output
// it allocated. Every call checks that the described matrices lie inside their arrays, so a wrong
// offset throws instead of corrupting memory. Other kernel areas bind themselves in bind-*.cc files
// through STRATA_EXPORT; the module initialiser here exports whatever registered.
#include <node_api.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "cpu.h"
#include "gemm.h"
#include "napi-util.h"
#include "split-balance.h"
#include "thread-pool.h"

namespace strata {
namespace {

// gemm(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, ldc, accumulate)
napi_value Gemm(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 15)) return nullptr;
  const int64_t m = getInt(a, 0), n = getInt(a, 1), k = getInt(a, 2);
  size_t aLen = 0, bLen = 0, cLen = 0;
  const float* ad = getArray<float>(a, 3, napi_float32_array, &aLen);
  const int64_t aOff = getInt(a, 4), aRs = getInt(a, 5), aCs = getInt(a, 6);
  const float* bd = getArray<float>(a, 7, napi_float32_array, &bLen);
  const int64_t bOff = getInt(a, 8), bRs = getInt(a, 9), bCs = getInt(a, 10);
  float* cd = getArray<float>(a, 11, napi_float32_array, &cLen);
  const int64_t cOff = getInt(a, 12), ldc = getInt(a, 13);
  const bool accumulate = getBool(a, 14);
  if (!a.ok) return nullptr;
  if (m < 0 || n < 0 || k < 0 || ldc < n) return fail(a, "strata native gemm: bad sizes"), nullptr;
  if (!fits(aOff, m, k, aRs, aCs, aLen) || !fits(bOff, k, n, bRs, bCs, bLen) || !fits(cOff, m, n, ldc, 1, cLen)) {
    return fail(a, "strata native gemm: a matrix lies outside its array"), nullptr;
  }
  sgemm(m, n, k, View{ad + aOff, aRs, aCs}, View{bd + bOff, bRs, bCs}, cd + cOff, ldc, accumulate);
  return undefinedValue(env);
}

// gemmBatched(batch, m, n, k, a, aOffsets (Float64Array), aRs, aCs, b, bOffsets, bRs, bCs, c, cStride, ldc, accumulate)
napi_value GemmBatched(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 16)) return nullptr;
  const int64_t batch = getInt(a, 0), m = getInt(a, 1), n = getInt(a, 2), k = getInt(a, 3);
  size_t aLen = 0, bLen = 0, cLen = 0, aoLen = 0, boLen = 0;
  const float* ad = getArray<float>(a, 4, napi_float32_array, &aLen);
  const double* aoD = getArray<double>(a, 5, napi_float64_array, &aoLen);
  const int64_t aRs = getInt(a, 6), aCs = getInt(a, 7);
  const float* bd = getArray<float>(a, 8, napi_float32_array, &bLen);
  const double* boD = getArray<double>(a, 9, napi_float64_array, &boLen);
  const int64_t bRs = getInt(a, 10), bCs = getInt(a, 11);
  float* cd = getArray<float>(a, 12, napi_float32_array, &cLen);
  const int64_t cStride = getInt(a, 13), ldc = getInt(a, 14);
  const bool accumulate = getBool(a, 15);
  if (!a.ok) return nullptr;
  if (batch < 0 || m < 0 || n < 0 || k < 0 || ldc < n || cStride < 0 || int64_t(aoLen) < batch ||
      int64_t(boLen) < batch) {
    return fail(a, "strata native gemmBatched: bad sizes"), nullptr;
  }
  if (batch == 0 || m == 0 || n == 0) return undefinedValue(env);
  std::string offsets(size_t(batch) * 2 * sizeof(int64_t), '\0');
  int64_t* ao = reinterpret_cast<int64_t*>(offsets.data());
  int64_t* bo = ao + batch;
  for (int64_t i = 0; i < batch; ++i) {
    const double x = aoD[i], y = boD[i];
    if (!(x >= 0 && y >= 0 && x == std::floor(x) && y == std::floor(y))) {
      return fail(a, "strata native gemmBatched: offsets must be non-negative integers"), nullptr;
    }
    ao[i] = int64_t(x);
    bo[i] = int64_t(y);
    if (!fits(ao[i], m, k, aRs, aCs, aLen) || !fits(bo[i], k, n, bRs, bCs, bLen)) {
      return fail(a, "strata native gemmBatched: a matrix lies outside its array"), nullptr;
    }
  }
  if (!fits((batch - 1) * cStride, m, n, ldc, 1, cLen)) {
    return fail(a, "strata native gemmBatched: the output lies outside its array"), nullptr;
  }
  sgemmBatched(batch, m, n, k, ad, ao, aRs, aCs, bd, bo, bRs, bCs, cd, cStride, ldc, accumulate);
  return undefinedValue(env);
}

napi_value Noop(napi_env env, napi_callback_info) { return undefinedValue(env); }

napi_value GetThreads(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_int32(env, ThreadPool::instance().threads(), &v);
  return v;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 1)) return nullptr;
  const int64_t n = getInt(a, 0);
  if (!a.ok) return nullptr;
  ThreadPool::instance().setThreads(n <= 0 ? ThreadPool::defaultThreads() : int(n));
  return GetThreads(env, info);
}

napi_value GetIsa(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_string_utf8(env, isaName(gemmIsa()), NAPI_AUTO_LENGTH, &v);
  return v;
}

napi_value GetBestIsa(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_string_utf8(env, isaName(detectIsa()), NAPI_AUTO_LENGTH, &v);
  return v;
}

// setIsa(name): forces a micro-kernel ("avx512", "avx2", "generic", "simd128"); false when the CPU lacks it.
napi_value SetIsa(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 1)) return nullptr;
  char name[32] = {0};
  size_t len = 0;
  if (napi_get_value_string_utf8(env, a.argv[0], name, sizeof name, &len) != napi_ok) {
    return fail(a, "strata native setIsa: expected a string"), nullptr;
  }
  bool ok = false;
  for (Isa isa : {Isa::generic, Isa::avx2, Isa::avx512, Isa::simd128}) {
    if (std::strcmp(name, isaName(isa)) == 0) ok = setGemmIsa(isa);
  }
  napi_value v;
  napi_get_boolean(env, ok, &v);
  return v;
}

// taskSpeeds(): the relative speeds learned for the tasks of a split product (0 = not learned yet).
napi_value TaskSpeeds(napi_env env, napi_callback_info) {
  napi_value arr;
  napi_create_array_with_length(env, kMaxBalancedTasks, &arr);
  for (int t = 0; t < kMaxBalancedTasks; ++t) {
    napi_value v;
    napi_create_double(env, taskSpeed(t), &v);
    napi_set_element(env, arr, uint32_t(t), v);
  }
  return arr;
}

// setTaskSpeed(t, speed): overrides a learned speed (for tests); speed ≤ 0 forgets it.
napi_value SetTaskSpeed(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 2)) return nullptr;
  const int64_t t = getInt(a, 0);
  const double speed = getDouble(a, 1);
  if (a.ok && (t < 0 || t >= kMaxBalancedTasks)) fail(a, "strata native setTaskSpeed: task index out of range");
  if (!a.ok) return nullptr;
  setTaskSpeed(int(t), float(speed));
  return undefinedValue(env);
}

}  // namespace

STRATA_EXPORT("gemm", Gemm);
STRATA_EXPORT("taskSpeeds", TaskSpeeds);
STRATA_EXPORT("setTaskSpeed", SetTaskSpeed);
STRATA_EXPORT("gemmBatched", GemmBatched);
STRATA_EXPORT("noop", Noop);
STRATA_EXPORT("getThreads", GetThreads);
STRATA_EXPORT("setThreads", SetThreads);
STRATA_EXPORT("getIsa", GetIsa);
STRATA_EXPORT("getBestIsa", GetBestIsa);
STRATA_EXPORT("setIsa", SetIsa);

namespace {

napi_value Init(napi_env env, napi_value exports) {
  std::vector<napi_property_descriptor> props;
  for (const Export& e : exportRegistry()) {
    props.push_back({e.name, nullptr, e.fn, nullptr, nullptr, nullptr, napi_enumerable, nullptr});
  }
  napi_define_properties(env, exports, props.size(), props.data());
  return exports;
}

}  // namespace
}  // namespace strata

NAPI_MODULE(NODE_GYP_MODULE_NAME, strata::Init)
