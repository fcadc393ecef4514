// Fused optimizer updates on float32 storage: one pass reads the parameter, its gradient and its
// slots and writes the new values into output arrays, as the js rules in src/optimizers/update-rules.ts
// do. An output may be its own input (Adam's slots are updated in place): element i is read before it
// is written, and no element reads another's. Arithmetic in float32 with AVX-512 where the compiler can
// vectorise it; the js rules compute in float64, so results agree to float32 rounding.
#include <node_api.h>

#include <cmath>
#include <cstdint>

#include "napi-util.h"
#include "parallel.h"

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace strata {
namespace {

struct AdamArgs {
  const float *p, *g, *m, *v, *vHat;
  float *outP, *outM, *outV, *outVHat;
  float alpha, beta1, beta2, epsilon, decay;
};

/**
 * Subnormal floats flushed to zero (FTZ and DAZ) while it lives, on this thread: a gradient below
 * ~1e-19 squares to a subnormal, and every vector op that meets one takes a microcode assist (13× slower
 * on such arrays; Adam was 37% of W2's training step). What is lost is below 1e-38 in m and v, which
 * ε = 1e-7 in the denominator makes invisible in the parameter; TensorFlow's CPU kernels flush too.
 */
struct FlushSubnormals {
#if defined(__SSE__)
  unsigned saved = _mm_getcsr();
  FlushSubnormals() { _mm_setcsr(saved | 0x8040u); }  // FTZ (bit 15) | DAZ (bit 6)
  ~FlushSubnormals() { _mm_setcsr(saved); }
#endif
};

void adamRange(const AdamArgs& x, int64_t lo, int64_t hi) {
  const FlushSubnormals flush;
  const float c1 = 1.f - x.beta1, c2 = 1.f - x.beta2;
  if (x.vHat) {
    for (int64_t i = lo; i < hi; ++i) {
      const float p = x.p[i] - x.p[i] * x.decay, g = x.g[i];
      const float m = x.m[i] + (g - x.m[i]) * c1;
      const float v = x.v[i] + (g * g - x.v[i]) * c2;
      const float vh = std::fmax(x.vHat[i], v);
      x.outM[i] = m;
      x.outV[i] = v;
      x.outVHat[i] = vh;
      x.outP[i] = p - (m * x.alpha) / (std::sqrt(vh) + x.epsilon);
    }
    return;
  }
#pragma omp simd
  for (int64_t i = lo; i < hi; ++i) {
    const float p = x.p[i] - x.p[i] * x.decay, g = x.g[i];
    const float m = x.m[i] + (g - x.m[i]) * c1;
    const float v = x.v[i] + (g * g - x.v[i]) * c2;
    x.outM[i] = m;
    x.outV[i] = v;
    x.outP[i] = p - (m * x.alpha) / (std::sqrt(v) + x.epsilon);
  }
}

/** A Float32Array argument of `n` elements, or null when the argument is null. */
float* optionalF32(Args& a, size_t i, size_t n) {
  size_t len = 0;
  bool present = false;
  float* d = getOptionalF32(a, i, &len, &present);
  if (a.ok && present && len != n) fail(a, "strata native adamUpdate: every array must have the parameter's length");
  return d;
}

// adamUpdate(p, g, m, v, vHat | null, alpha, beta1, beta2, epsilon, decay, outP, outM, outV, outVHat | null)
napi_value AdamUpdate(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 14)) return nullptr;
  size_t n = 0;
  AdamArgs x{};
  x.p = getF32(a, 0, &n);
  x.g = optionalF32(a, 1, n);
  x.m = optionalF32(a, 2, n);
  x.v = optionalF32(a, 3, n);
  x.vHat = optionalF32(a, 4, n);
  x.alpha = float(getDouble(a, 5));
  x.beta1 = float(getDouble(a, 6));
  x.beta2 = float(getDouble(a, 7));
  x.epsilon = float(getDouble(a, 8));
  x.decay = float(getDouble(a, 9));
  x.outP = optionalF32(a, 10, n);
  x.outM = optionalF32(a, 11, n);
  x.outV = optionalF32(a, 12, n);
  x.outVHat = optionalF32(a, 13, n);
  if (!a.ok) return nullptr;
  if (!x.g || !x.m || !x.v || !x.outP || !x.outM || !x.outV || (x.vHat == nullptr) != (x.outVHat == nullptr)) {
    return fail(a, "strata native adamUpdate: missing array (vHat and outVHat go together)"), nullptr;
  }
  // About 2 ns an element: threads only for millions of parameters.
  parallelFor(int64_t(n), 2.0, 16, [&](int64_t lo, int64_t hi) { adamRange(x, lo, hi); });
  return undefinedValue(env);
}

STRATA_EXPORT("adamUpdate", AdamUpdate);

}  // namespace
}  // namespace strata
