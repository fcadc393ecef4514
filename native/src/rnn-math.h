// Activations of the fused recurrent kernels over short float arrays, written so the loops vectorise
// (no libm calls inside them): exp by range reduction and a polynomial, tanh and sigmoid from it.
// Accuracy is a few float32 ulps, well inside what float32 storage already rounds away.
#pragma once

#include <cstdint>
#include <cstring>

namespace strata {

/** The fused activations, in the order the TypeScript side numbers them. */
enum RnnAct : int { kActLinear = 0, kActTanh, kActSigmoid, kActHardSigmoid, kActHardSigmoidKeras3, kActRelu, kActCount };

/** e^x for x in [-87.3, 88.7] (clamped outside): 2^n · p(r), r = x − n·ln 2 in [−ln2/2, ln2/2]. */
inline float expApprox(float x) {
  x = x < -87.3f ? -87.3f : (x > 88.7f ? 88.7f : x);
  // Round to nearest by the 1.5·2²³ trick (|x·log2 e| < 2²²): floorf does not vectorise under strict FP.
  const float n = (x * 1.44269504f + 12582912.f) - 12582912.f;
  // Cody–Waite: ln 2 in two parts, so r keeps its low bits.
  float r = x - n * 0.693359375f;
  r = r + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.f;
  const int32_t bits = (int32_t(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

inline float sigmoidApprox(float x) { return 1.f / (1.f + expApprox(-x)); }

/** tanh: an odd polynomial near 0 (where 1 − e^(−2|x|) would cancel), else (1 − e)/(1 + e) with e = e^(−2|x|). */
inline float tanhApprox(float x) {
  const float a = x < 0 ? -x : x;
  const float e = expApprox(-2.f * a);
  const float big = (1.f - e) / (1.f + e);
  const float x2 = a * a;
  const float small = a * (1.f + x2 * (-0.333333333f + x2 * (0.133333333f + x2 * (-0.053968254f + x2 * 0.021869488f))));
  const float t = a < 0.0625f ? small : big;
  return x < 0 ? -t : t;
}

inline float clamp01(float t) { return t < 0.f ? 0.f : (t > 1.f ? 1.f : t); }

/** x[0:n] = act(x[0:n]) in place. */
inline void activate(int act, float* __restrict x, int64_t n) {
  switch (act) {
    case kActTanh:
#pragma omp simd
      for (int64_t j = 0; j < n; ++j) x[j] = tanhApprox(x[j]);
      break;
    case kActSigmoid:
#pragma omp simd
      for (int64_t j = 0; j < n; ++j) x[j] = sigmoidApprox(x[j]);
      break;
    case kActHardSigmoid:
#pragma omp simd
      for (int64_t j = 0; j < n; ++j) x[j] = clamp01(0.2f * x[j] + 0.5f);
      break;
    case kActHardSigmoidKeras3:
#pragma omp simd
      for (int64_t j = 0; j < n; ++j) x[j] = clamp01(x[j] / 6.f + 0.5f);
      break;
    case kActRelu:
      // NaN stays NaN, as the unary relu kernel.
      for (int64_t j = 0; j < n; ++j) x[j] = x[j] > 0.f ? x[j] : (x[j] == x[j] ? 0.f : x[j]);
      break;
    default:
      break;
  }
}

/** out[0:n] = act'(x) written from y = act(x), the convention of the kernels' derivatives. */
inline void activationGrad(int act, const float* __restrict y, float* __restrict out, int64_t n) {
  switch (act) {
    case kActTanh:
#pragma omp simd
      for (int64_t j = 0; j < n; ++j) out[j] = 1.f - y[j] * y[j];
      break;
    case kActSigmoid:
#pragma omp simd
      for (int64_t j = 0; j < n; ++j) out[j] = y[j] * (1.f - y[j]);
      break;
    case kActHardSigmoid:
#pragma omp simd
      for (int64_t j = 0; j < n; ++j) out[j] = (y[j] > 0.f && y[j] < 1.f) ? 0.2f : 0.f;
      break;
    case kActHardSigmoidKeras3:
#pragma omp simd
      for (int64_t j = 0; j < n; ++j) out[j] = (y[j] > 0.f && y[j] < 1.f) ? 1.f / 6.f : 0.f;
      break;
    case kActRelu:
#pragma omp simd
      for (int64_t j = 0; j < n; ++j) out[j] = y[j] > 0.f ? 1.f : 0.f;
      break;
    default:
      for (int64_t j = 0; j < n; ++j) out[j] = 1.f;
      break;
  }
}

}  // namespace strata
