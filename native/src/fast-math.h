// Branch-free float32 exp, sigmoid and tanh that the compiler vectorises (std::exp is a scalar call).
// exp: Cody–Waite range reduction to r in [−ln2/2, ln2/2] and a degree-6 polynomial (the classic
// Cephes expf coefficients), ≈1 ulp on [−87.3, 88.7]; below that it flushes to 0 (the js reference keeps
// float32 denormals there, a difference under 1.2e-38), above it gives +Infinity; NaN stays NaN.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>

namespace strata {

inline float fastExp(float x) {
  const float hi = 88.7228394f, lo = -87.3365479f;
  const float c = x > hi ? hi : x < lo ? lo : x;
  // floor through a truncating conversion (floorf itself does not vectorise without -fno-trapping-math).
  const float v = c * 1.44269504088896341f + 0.5f;
  const float tv = float(int32_t(v));
  const float n = tv > v ? tv - 1.0f : tv;
  float r = c - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  const float z = r * r;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float y = p * z + r + 1.0f;
  // 2^n through the exponent bits, in two halves so that n = −126 … 128 never leaves the normal range.
  const int32_t ni = int32_t(n), h = ni >> 1;
  const int32_t b1 = (h + 127) << 23, b2 = (ni - h + 127) << 23;
  float s1, s2;
  std::memcpy(&s1, &b1, sizeof s1);
  std::memcpy(&s2, &b2, sizeof s2);
  float out = y * s1 * s2;
  out = x > hi ? std::numeric_limits<float>::infinity() : out;
  out = x < lo ? 0.0f : out;
  return x != x ? x : out;
}

/** 1/(1 + e^(−x)), evaluated on −|x| so e^(·) never overflows. */
inline float fastSigmoid(float x) {
  const float e = fastExp(x > 0 ? -x : x);
  const float s = 1.0f / (1.0f + e);
  return x > 0 ? s : e * s;
}

/** tanh: an odd polynomial near 0 (where 1 − 2/(e^2x + 1) would cancel), that form elsewhere. */
inline float fastTanh(float x) {
  const float a = x < 0 ? -x : x;
  const float z = x * x;
  // Cephes tanhf minimax polynomial for |x| < 0.625.
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  const float small = x + x * z * p;
  const float big = 1.0f - 2.0f / (fastExp(2.0f * a) + 1.0f);
  const float r = a < 0.625f ? small : (x < 0 ? -big : big);
  return x != x ? x : r;
}

/** o[i] = exp / sigmoid / tanh of x[i] (fast-math.cc: vectorised loops); o may equal x. */
void expArray(const float* x, float* o, int64_t n);
void sigmoidArray(const float* x, float* o, int64_t n);
void tanhArray(const float* x, float* o, int64_t n);

}  // namespace strata
