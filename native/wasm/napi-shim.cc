// The wasm side of the Node-API shim (node_api.h here): the transport (src/kernels/wasm/transport.ts)
// writes a call's arguments into strata_args(), calls strata_call(index, argc), and reads the result
// slot it returns (or, for 0, the message at strata_error()). Typed arrays are passed as addresses in
// this module's memory; the transport copies them in and out around the call.
#include <cstdlib>
#include <cstring>

#include "napi-util.h"

namespace {

constexpr size_t kMaxResults = 64;     // values one call may create
constexpr size_t kMaxArrayLength = 512;

strata_val gArgs[strata::kMaxArgs];
size_t gArgc = 0;
strata_val gResults[kMaxResults];
size_t gResultCount = 0;
double gArray[kMaxArrayLength];
char gError[256];
bool gFailed = false;

napi_value newResult(int32_t kind) {
  strata_val* v = &gResults[gResultCount < kMaxResults ? gResultCount++ : kMaxResults - 1];
  *v = strata_val{kind, 0, 0, 0, 0.0};
  return v;
}

}  // namespace

napi_status napi_get_cb_info(napi_env, napi_callback_info, size_t* argc, napi_value* argv, napi_value*, void**) {
  const size_t want = *argc;
  for (size_t i = 0; i < want; ++i) argv[i] = i < gArgc ? &gArgs[i] : newResult(strata_kind_undefined);
  *argc = gArgc;
  return napi_ok;
}

napi_status napi_get_value_int64(napi_env, napi_value v, int64_t* out) {
  if (v->kind != strata_kind_number) return napi_number_expected;
  const double x = v->number;
  // Node truncates towards zero and maps non-finite values to 0.
  *out = (x == x && x > -9.3e18 && x < 9.3e18) ? int64_t(x) : 0;
  return napi_ok;
}

napi_status napi_get_value_double(napi_env, napi_value v, double* out) {
  if (v->kind != strata_kind_number) return napi_number_expected;
  *out = v->number;
  return napi_ok;
}

napi_status napi_get_value_bool(napi_env, napi_value v, bool* out) {
  if (v->kind != strata_kind_boolean) return napi_boolean_expected;
  *out = v->number != 0;
  return napi_ok;
}

napi_status napi_get_value_string_utf8(napi_env, napi_value v, char* buf, size_t size, size_t* length) {
  if (v->kind != strata_kind_string) return napi_string_expected;
  const size_t n = size == 0 ? 0 : (v->length < size - 1 ? v->length : size - 1);
  if (buf && size > 0) {
    std::memcpy(buf, reinterpret_cast<const char*>(uintptr_t(v->ptr)), n);
    buf[n] = 0;
  }
  if (length) *length = buf ? n : v->length;
  return napi_ok;
}

napi_status napi_get_typedarray_info(napi_env, napi_value v, napi_typedarray_type* type, size_t* length, void** data,
                                     napi_value* arraybuffer, size_t* byteOffset) {
  if (v->kind != strata_kind_typedarray) return napi_invalid_arg;
  if (type) *type = napi_typedarray_type(v->arrayType);
  if (length) *length = v->length;
  if (data) *data = reinterpret_cast<void*>(uintptr_t(v->ptr));
  if (arraybuffer) *arraybuffer = nullptr;
  if (byteOffset) *byteOffset = 0;
  return napi_ok;
}

napi_status napi_typeof(napi_env, napi_value v, napi_valuetype* out) {
  switch (v->kind) {
    case strata_kind_undefined: *out = napi_undefined; break;
    case strata_kind_null: *out = napi_null; break;
    case strata_kind_boolean: *out = napi_boolean; break;
    case strata_kind_number: *out = napi_number; break;
    case strata_kind_string: *out = napi_string; break;
    default: *out = napi_object;
  }
  return napi_ok;
}

napi_status napi_throw_range_error(napi_env, const char*, const char* msg) {
  if (!gFailed) {
    std::strncpy(gError, msg, sizeof gError - 1);
    gError[sizeof gError - 1] = 0;
    gFailed = true;
  }
  return napi_ok;
}

napi_status napi_get_undefined(napi_env, napi_value* out) {
  *out = newResult(strata_kind_undefined);
  return napi_ok;
}

napi_status napi_get_boolean(napi_env, bool v, napi_value* out) {
  *out = newResult(strata_kind_boolean);
  (*out)->number = v ? 1 : 0;
  return napi_ok;
}

napi_status napi_create_int32(napi_env, int32_t v, napi_value* out) {
  *out = newResult(strata_kind_number);
  (*out)->number = v;
  return napi_ok;
}

napi_status napi_create_double(napi_env, double v, napi_value* out) {
  *out = newResult(strata_kind_number);
  (*out)->number = v;
  return napi_ok;
}

napi_status napi_create_string_utf8(napi_env, const char* s, size_t length, napi_value* out) {
  *out = newResult(strata_kind_string);
  (*out)->ptr = uint32_t(uintptr_t(s));
  (*out)->length = uint32_t(length == NAPI_AUTO_LENGTH ? std::strlen(s) : length);
  return napi_ok;
}

napi_status napi_create_array_with_length(napi_env, size_t length, napi_value* out) {
  if (length > kMaxArrayLength) return napi_generic_failure;
  *out = newResult(strata_kind_array);
  (*out)->ptr = uint32_t(uintptr_t(gArray));
  (*out)->length = uint32_t(length);
  for (size_t i = 0; i < length; ++i) gArray[i] = 0;
  return napi_ok;
}

napi_status napi_set_element(napi_env, napi_value array, uint32_t index, napi_value v) {
  if (array->kind != strata_kind_array || index >= array->length) return napi_invalid_arg;
  gArray[index] = v->number;
  return napi_ok;
}

napi_status napi_define_properties(napi_env, napi_value, size_t, const napi_property_descriptor*) { return napi_ok; }

extern "C" {

/** The argument area: strata::kMaxArgs slots of 24 bytes. */
__attribute__((export_name("strata_args"))) strata_val* strataArgs() { return gArgs; }

/** Functions the bindings registered (STRATA_EXPORT), in registration order. */
__attribute__((export_name("strata_export_count"))) int strataExportCount() {
  return int(strata::exportRegistry().size());
}

/** The NUL-terminated name of export i. */
__attribute__((export_name("strata_export_name"))) const char* strataExportName(int i) {
  return strata::exportRegistry()[size_t(i)].name;
}

/** Calls export i with the first argc argument slots; the result slot, or 0 when it threw (see strata_error). */
__attribute__((export_name("strata_call"))) strata_val* strataCall(int i, int argc) {
  gArgc = size_t(argc);
  gResultCount = 0;
  gFailed = false;
  napi_value r = strata::exportRegistry()[size_t(i)].fn(nullptr, nullptr);
  if (gFailed) return nullptr;
  return r ? r : newResult(strata_kind_undefined);
}

/** The message of the last call that threw. */
__attribute__((export_name("strata_error"))) const char* strataError() { return gError; }

/** 1 in the relaxed-SIMD builds (wasm/strata-relaxed*.wasm, -mrelaxed-simd), 0 in the SIMD128 ones. */
__attribute__((export_name("strata_relaxed_simd"))) int strataRelaxedSimd() {
#if defined(__wasm_relaxed_simd__)
  return 1;
#else
  return 0;
#endif
}

/** Heap blocks for the transport's copies of typed arrays (16-byte aligned). */
__attribute__((export_name("strata_alloc"))) void* strataAlloc(size_t bytes) { return std::aligned_alloc(16, (bytes + 15) / 16 * 16); }
__attribute__((export_name("strata_free"))) void strataFree(void* p) { std::free(p); }

}
