// The few Node-API declarations native/src/bind-*.cc use, implemented over a flat argument area in
// WebAssembly memory (napi-shim.cc), so the same binding code — argument checks, bounds checks,
// error messages — serves the Node addon and the wasm module. Only the wasm build puts this folder
// on the include path; the Node build includes Node's real node_api.h.
#pragma once

#include <cstddef>
#include <cstdint>

/**
 * One argument or result, as src/kernels/wasm/transport.ts writes and reads it: a kind, a number, and
 * for arrays and strings a byte address in wasm memory and an element count. 24 bytes, no padding.
 */
struct strata_val {
  int32_t kind;      // strata_kind
  int32_t arrayType; // napi_typedarray_type, for typed arrays
  uint32_t ptr;      // address of the elements (typed array, string, result array of doubles)
  uint32_t length;   // elements (bytes for strings)
  double number;     // numbers and booleans (0 / 1)
};

enum strata_kind : int32_t {
  strata_kind_undefined = 0,
  strata_kind_null = 1,
  strata_kind_boolean = 2,
  strata_kind_number = 3,
  strata_kind_string = 4,
  strata_kind_typedarray = 5,
  strata_kind_array = 6,  // a result: `length` doubles at `ptr`
};

struct strata_env_s;
typedef strata_env_s* napi_env;
typedef strata_val* napi_value;
struct strata_cbinfo_s;
typedef strata_cbinfo_s* napi_callback_info;
typedef napi_value (*napi_callback)(napi_env env, napi_callback_info info);

typedef enum { napi_ok = 0, napi_invalid_arg, napi_object_expected, napi_string_expected, napi_number_expected,
               napi_boolean_expected, napi_array_expected, napi_generic_failure } napi_status;

typedef enum { napi_undefined, napi_null, napi_boolean, napi_number, napi_string, napi_symbol, napi_object,
               napi_function, napi_external, napi_bigint } napi_valuetype;

// Same numbering as Node's, so the transport can use one table for both.
typedef enum { napi_int8_array, napi_uint8_array, napi_uint8_clamped_array, napi_int16_array, napi_uint16_array,
               napi_int32_array, napi_uint32_array, napi_float32_array, napi_float64_array } napi_typedarray_type;

typedef enum { napi_default = 0, napi_writable = 1, napi_enumerable = 2, napi_configurable = 4 } napi_property_attributes;

typedef struct {
  const char* utf8name;
  napi_value name;
  napi_callback method;
  napi_callback getter;
  napi_callback setter;
  napi_value value;
  napi_property_attributes attributes;
  void* data;
} napi_property_descriptor;

#define NAPI_AUTO_LENGTH SIZE_MAX

napi_status napi_get_cb_info(napi_env env, napi_callback_info info, size_t* argc, napi_value* argv, napi_value* thisArg,
                             void** data);
napi_status napi_get_value_int64(napi_env env, napi_value v, int64_t* out);
napi_status napi_get_value_double(napi_env env, napi_value v, double* out);
napi_status napi_get_value_bool(napi_env env, napi_value v, bool* out);
napi_status napi_get_value_string_utf8(napi_env env, napi_value v, char* buf, size_t size, size_t* length);
napi_status napi_get_typedarray_info(napi_env env, napi_value v, napi_typedarray_type* type, size_t* length,
                                     void** data, napi_value* arraybuffer, size_t* byteOffset);
napi_status napi_typeof(napi_env env, napi_value v, napi_valuetype* out);
napi_status napi_throw_range_error(napi_env env, const char* code, const char* msg);
napi_status napi_get_undefined(napi_env env, napi_value* out);
napi_status napi_get_boolean(napi_env env, bool v, napi_value* out);
napi_status napi_create_int32(napi_env env, int32_t v, napi_value* out);
napi_status napi_create_double(napi_env env, double v, napi_value* out);
napi_status napi_create_string_utf8(napi_env env, const char* s, size_t length, napi_value* out);
napi_status napi_create_array_with_length(napi_env env, size_t length, napi_value* out);
napi_status napi_set_element(napi_env env, napi_value array, uint32_t index, napi_value v);
napi_status napi_define_properties(napi_env env, napi_value object, size_t count,
                                   const napi_property_descriptor* props);

// The module initialiser (addon.cc) is not used in wasm: the shim exports the registry itself.
#define NAPI_MODULE(name, init)
