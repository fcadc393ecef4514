// The fused bias + activation of dense and convolution layers: y = act(x + b) in one pass, and its
// gradient dx = dy · act′, db = Σ_rows dx in one pass, with act′ written in terms of the output y
// (which is why only these activations are fused). x + b is rounded to float32 before the activation,
// exactly as the unfused add-then-activate does.
#include <algorithm>
#include <cmath>
#include <vector>

#include "elementwise.h"
#include "fast-math.h"
#include "parallel.h"

namespace strata {
namespace {

constexpr double kSeluScale = 1.0507009873554804934193349852946;
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;

/** act over a run of pre-activations z (already x + b, rounded), in place. */
void activateRun(FusedAct act, float* z, int64_t n, double alpha) {
  const double a = alpha;
  switch (act) {
    case FusedAct::linear: return;
    case FusedAct::relu: for (int64_t i = 0; i < n; ++i) { const float t = z[i]; z[i] = t > 0 ? t : t == t ? 0.0f : t; } return;
    case FusedAct::sigmoid: sigmoidArray(z, z, n); return;
    case FusedAct::tanh: tanhArray(z, z, n); return;
    case FusedAct::elu: for (int64_t i = 0; i < n; ++i) { const double t = z[i]; z[i] = float(t > 0 ? t : a * std::expm1(t)); } return;
    case FusedAct::selu: for (int64_t i = 0; i < n; ++i) {
        const double t = z[i];
        z[i] = float(t > 0 ? kSeluScale * t : kSeluScale * kSeluAlpha * std::expm1(t));
      }
      return;
    default: return;
  }
}

/** dx = dy · act′(y) over a run. */
void gradRun(FusedAct act, const float* dy, const float* y, float* dx, int64_t n, double alpha) {
  switch (act) {
    case FusedAct::linear: for (int64_t i = 0; i < n; ++i) dx[i] = dy[i]; return;
    case FusedAct::relu: for (int64_t i = 0; i < n; ++i) dx[i] = y[i] > 0 ? dy[i] : 0.0f * dy[i]; return;
    case FusedAct::sigmoid: for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * (y[i] * (1 - y[i])); return;
    case FusedAct::tanh: for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * (1 - y[i] * y[i]); return;
    // y + alpha in double, as the js twin: near saturation (y ≈ −alpha) a float sum would round to 0.
    case FusedAct::elu: {
      const double a = alpha;
      for (int64_t i = 0; i < n; ++i) dx[i] = y[i] > 0 ? dy[i] : float(dy[i] * (double(y[i]) + a));
      return;
    }
    case FusedAct::selu: {
      const double s = kSeluScale, sa = kSeluScale * kSeluAlpha;
      for (int64_t i = 0; i < n; ++i) dx[i] = float(dy[i] * (y[i] > 0 ? s : double(y[i]) + sa));
      return;
    }
    default: return;
  }
}

double actCost(FusedAct act) { return act == FusedAct::elu || act == FusedAct::selu ? 15 : 2; }

}  // namespace

void biasActivationF32(FusedAct act, const float* x, const float* bias, float* y, int64_t rows, int64_t channels,
                       double alpha) {
  parallelFor(rows, actCost(act) * double(channels), 1, [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      const float* xr = x + r * channels;
      float* yr = y + r * channels;
      if (bias) for (int64_t c = 0; c < channels; ++c) yr[c] = xr[c] + bias[c];
      else for (int64_t c = 0; c < channels; ++c) yr[c] = xr[c];
      activateRun(act, yr, channels, alpha);
    }
  });
}

void biasActivateRows(FusedAct act, const float* bias, float* rows, int64_t count, int64_t channels, double alpha) {
  if (bias && act == FusedAct::relu) {
    // One pass instead of add, then activate (a conv's epilogue: ~4% of W3 inference on wasm in two).
    for (int64_t r = 0; r < count; ++r) {
      float* __restrict row = rows + r * channels;
#pragma omp simd
      for (int64_t c = 0; c < channels; ++c) {
        const float t = row[c] + bias[c];
        row[c] = t > 0 ? t : t == t ? 0.0f : t;
      }
    }
    return;
  }
  if (bias) {
    for (int64_t r = 0; r < count; ++r) {
      float* __restrict row = rows + r * channels;
#pragma omp simd
      for (int64_t c = 0; c < channels; ++c) row[c] += bias[c];
    }
  }
  activateRun(act, rows, count * channels, alpha);
}

void biasActivationGradF32(FusedAct act, const float* dy, const float* y, float* dx, float* db, int64_t rows,
                           int64_t channels, double alpha) {
  if (!db) {
    parallelFor(rows, double(channels), 1, [&](int64_t lo, int64_t hi) {
      gradRun(act, dy + lo * channels, y + lo * channels, dx + lo * channels, (hi - lo) * channels, alpha);
    });
    return;
  }
  // db sums blocks of kBlockRows rows in float (vectorised, while the block is in L1), then adds the
  // block sums in double, one partial row per thread chunk: summing each element in double made the
  // kernel 2.5× slower.
  constexpr int64_t kBlockRows = 32;
  const int threads = ThreadPool::instance().threads();
  const int64_t parts = double(rows * channels) < double(kParallelWork) ? 1 : std::min<int64_t>(threads, rows);
  std::vector<double> partial(size_t(parts * channels), 0.0);
  const int64_t chunk = (rows + parts - 1) / parts;
  auto body = [&](int64_t lo, int64_t hi) {
    for (int64_t p = lo; p < hi; ++p) {
      double* acc = partial.data() + p * channels;
      const int64_t r0 = p * chunk, r1 = std::min(rows, r0 + chunk);
      for (int64_t b0 = r0; b0 < r1; b0 += kBlockRows) {
        const int64_t b1 = std::min(r1, b0 + kBlockRows);
        gradRun(act, dy + b0 * channels, y + b0 * channels, dx + b0 * channels, (b1 - b0) * channels, alpha);
        // Column sums 16 channels at a time in a local array the compiler keeps in a register.
        int64_t c0 = 0;
        for (; c0 + 16 <= channels; c0 += 16) {
          float s[16] = {};
          for (int64_t r = b0; r < b1; ++r) {
            const float* __restrict d = dx + r * channels + c0;
#pragma omp simd
            for (int k = 0; k < 16; ++k) s[k] += d[k];
          }
          for (int k = 0; k < 16; ++k) acc[c0 + k] += double(s[k]);
        }
        for (int64_t c = c0; c < channels; ++c) {
          float s = 0.f;
          for (int64_t r = b0; r < b1; ++r) s += dx[r * channels + c];
          acc[c] += double(s);
        }
      }
    }
  };
  if (parts == 1) body(0, 1);
  else parallelFor(parts, double(kParallelWork), 1, body);
  for (int64_t c = 0; c < channels; ++c) {
    double s = 0;
    for (int64_t p = 0; p < parts; ++p) s += partial[size_t(p * channels + c)];
    db[c] = float(s);
  }
}

}  // namespace strata
