// The fused softmax cross-entropy (src/kernels/loss-kernels.ts): from the probabilities p of a softmax
// and the labels t, the loss −Σ t·log clip(p/Σp, ε, 1 − ε) per row, and its gradient with respect to the
// softmax's logits, each in one pass over [rows, n] instead of the seven ops (and their gradients) of
// the unfused categorical cross-entropy. Row sums and the loss in double; p/Σp rounded to float32 as the
// unfused ops store it, so the clip decisions are theirs. Same formulas as the js reference
// (src/kernels/js/loss.ts).
#include <node_api.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "napi-util.h"
#include "parallel.h"

namespace strata {
namespace {

constexpr double kEps = 1e-7;  // Keras' epsilon, src/losses/losses.ts EPSILON

float rowSum(const float* p, int64_t n) {
  double s = 0;
  for (int64_t j = 0; j < n; ++j) s += p[j];
  return float(s);
}

void lossRows(const float* t, const float* p, float* out, int64_t lo, int64_t hi, int64_t n) {
  for (int64_t r = lo; r < hi; ++r) {
    const float* pr = p + r * n;
    const float* tr = t + r * n;
    const float s = rowSum(pr, n);
    double loss = 0;
    for (int64_t j = 0; j < n; ++j) {
      const double q = std::min(std::max(double(pr[j] / s), kEps), 1 - kEps);
      loss -= double(tr[j]) * std::log(q);
    }
    out[r] = float(loss);
  }
}

void gradRows(const float* t, const float* p, const float* dl, float* dz, int64_t lo, int64_t hi, int64_t n) {
  std::vector<double> g(static_cast<size_t>(n));
  for (int64_t r = lo; r < hi; ++r) {
    const float* pr = p + r * n;
    const float* tr = t + r * n;
    float* dr = dz + r * n;
    const float s = rowSum(pr, n);
    // g = d loss / d (p/Σp), zero where the clip is active; then through p/Σp, then through softmax.
    double gp = 0;
    for (int64_t j = 0; j < n; ++j) {
      const double q = pr[j] / s;
      g[size_t(j)] = q >= kEps && q <= 1 - kEps ? -double(tr[j]) * double(dl[r]) / q : 0;
      gp += g[size_t(j)] * pr[j];
    }
    const double shift = gp / (double(s) * s);
    double dot = 0;
    for (int64_t j = 0; j < n; ++j) {
      g[size_t(j)] = g[size_t(j)] / s - shift;
      dot += g[size_t(j)] * pr[j];
    }
    for (int64_t j = 0; j < n; ++j) dr[j] = float(pr[j] * (g[size_t(j)] - dot));
  }
}

// softmaxCrossEntropy(labels, probs, out, n)
napi_value SoftmaxCrossEntropy(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 4)) return nullptr;
  size_t tl = 0, pl = 0, ol = 0;
  const float* t = getF32(a, 0, &tl);
  const float* p = getF32(a, 1, &pl);
  float* out = getF32(a, 2, &ol);
  const int64_t n = getInt(a, 3);
  if (!a.ok) return nullptr;
  if (n < 1 || tl != pl || int64_t(ol) * n != int64_t(pl)) {
    return fail(a, "strata native softmaxCrossEntropy: sizes disagree with array lengths"), nullptr;
  }
  parallelFor(int64_t(ol), 20.0 * double(n), 1, [&](int64_t lo, int64_t hi) { lossRows(t, p, out, lo, hi, n); });
  return undefinedValue(env);
}

// softmaxCrossEntropyGrad(labels, probs, dLoss, dz, n)
napi_value SoftmaxCrossEntropyGrad(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, a, 5)) return nullptr;
  size_t tl = 0, pl = 0, dll = 0, dzl = 0;
  const float* t = getF32(a, 0, &tl);
  const float* p = getF32(a, 1, &pl);
  const float* dl = getF32(a, 2, &dll);
  float* dz = getF32(a, 3, &dzl);
  const int64_t n = getInt(a, 4);
  if (!a.ok) return nullptr;
  if (n < 1 || tl != pl || dzl != pl || int64_t(dll) * n != int64_t(pl)) {
    return fail(a, "strata native softmaxCrossEntropyGrad: sizes disagree with array lengths"), nullptr;
  }
  parallelFor(int64_t(dll), 12.0 * double(n), 1, [&](int64_t lo, int64_t hi) { gradRows(t, p, dl, dz, lo, hi, n); });
  return undefinedValue(env);
}

STRATA_EXPORT("softmaxCrossEntropy", SoftmaxCrossEntropy);
STRATA_EXPORT("softmaxCrossEntropyGrad", SoftmaxCrossEntropyGrad);

}  // namespace
}  // namespace strata
