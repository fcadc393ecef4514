// Helpers for the Node-API bindings: reading arguments (numbers, booleans, typed arrays used in place),
// bounds checks that throw instead of corrupting memory, and the registry through which every
// binding file adds its functions to the addon's exports (STRATA_EXPORT), so kernel areas live in
// files of their own and the module initialiser needs no list of them.
#pragma once

#include <node_api.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace strata {

constexpr size_t kMaxArgs = 16;

struct Args {
  napi_env env;
  napi_value argv[kMaxArgs];
  size_t argc = kMaxArgs;
  bool ok = true;
};

inline bool fail(Args& a, const char* msg) {
  if (a.ok) napi_throw_range_error(a.env, nullptr, msg);
  a.ok = false;
  return false;
}

inline bool getArgs(napi_env env, napi_callback_info info, Args& a, size_t want) {
  a.env = env;
  if (napi_get_cb_info(env, info, &a.argc, a.argv, nullptr, nullptr) != napi_ok) return fail(a, "bad call");
  if (a.argc < want) return fail(a, "strata native: too few arguments");
  return true;
}

inline int64_t getInt(Args& a, size_t i) {
  int64_t v = 0;
  if (!a.ok) return 0;
  if (napi_get_value_int64(a.env, a.argv[i], &v) != napi_ok) fail(a, "strata native: expected an integer argument");
  return v;
}

inline bool getBool(Args& a, size_t i) {
  bool v = false;
  if (!a.ok) return false;
  if (napi_get_value_bool(a.env, a.argv[i], &v) != napi_ok) fail(a, "strata native: expected a boolean argument");
  return v;
}

/** The elements of a typed array of the given type, in place. */
template <typename T>
T* getArray(Args& a, size_t i, napi_typedarray_type want, size_t* length) {
  if (!a.ok) return nullptr;
  napi_typedarray_type type;
  void* data = nullptr;
  if (napi_get_typedarray_info(a.env, a.argv[i], &type, length, &data, nullptr, nullptr) != napi_ok || type != want) {
    fail(a, want == napi_float32_array ? "strata native: expected a Float32Array"
                                       : "strata native: expected a Float64Array");
    return nullptr;
  }
  return static_cast<T*>(data);
}

/** A Float32Array argument, in place. */
inline float* getF32(Args& a, size_t i, size_t* length) { return getArray<float>(a, i, napi_float32_array, length); }

/** A Float32Array argument, or null (with *present false and *length 0) when the argument is null. */
inline float* getOptionalF32(Args& a, size_t i, size_t* length, bool* present) {
  *present = false;
  *length = 0;
  if (!a.ok) return nullptr;
  napi_valuetype t;
  if (napi_typeof(a.env, a.argv[i], &t) == napi_ok && t == napi_null) return nullptr;
  *present = true;
  return getF32(a, i, length);
}

/** Whether the rows × cols strided matrix at `off` lies within [0, length). */
inline bool fits(int64_t off, int64_t rows, int64_t cols, int64_t rs, int64_t cs, size_t length) {
  if (rows <= 0 || cols <= 0) return true;
  if (off < 0 || rs < 0 || cs < 0) return false;
  const int64_t last = off + (rows - 1) * rs + (cols - 1) * cs;
  return last < int64_t(length);
}

inline napi_value undefinedValue(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

/** A double argument (a float scalar such as alpha). */
inline double getDouble(Args& a, size_t i) {
  double v = 0;
  if (!a.ok) return 0;
  if (napi_get_value_double(a.env, a.argv[i], &v) != napi_ok) fail(a, "strata native: expected a number argument");
  return v;
}

/** An Int32Array argument, in place. */
inline int32_t* getInt32Array(Args& a, size_t i, size_t* length) {
  if (!a.ok) return nullptr;
  napi_typedarray_type type;
  void* data = nullptr;
  if (napi_get_typedarray_info(a.env, a.argv[i], &type, length, &data, nullptr, nullptr) != napi_ok ||
      type != napi_int32_array) {
    fail(a, "strata native: expected an Int32Array");
    return nullptr;
  }
  return static_cast<int32_t*>(data);
}

/** A function the addon exports under `name`. */
struct Export {
  const char* name;
  napi_callback fn;
};

/** Every function registered so far (filled by static initialisers before the module loads). */
inline std::vector<Export>& exportRegistry() {
  static std::vector<Export> list;
  return list;
}

struct ExportRegistrar {
  ExportRegistrar(const char* name, napi_callback fn) { exportRegistry().push_back({name, fn}); }
};

}  // namespace strata

/** Exports `fn` (a napi_callback defined in this file) from the addon as `name`. */
#define STRATA_EXPORT_CAT2(a, b) a##b
#define STRATA_EXPORT_CAT(a, b) STRATA_EXPORT_CAT2(a, b)
#define STRATA_EXPORT(name, fn) \
  static ::strata::ExportRegistrar STRATA_EXPORT_CAT(strataExport_, __LINE__)(name, fn)
