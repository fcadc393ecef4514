// Depthwise convolution, float32, channels-last: input channel c meets only w[k, c, :] and feeds
// output channels c·M .. c·M + M − 1. Direct loops over a zero-padded input (no bounds checks),
// vectorised along the channels, which are contiguous in x, w and y alike.
#include <algorithm>
#include <cstring>
#include <vector>

#include "conv-util.h"
#include "conv.h"

namespace strata {
namespace {

struct DwJob {
  const ConvGeom* g;
  const float* src;  // padded x (forward, filter gradient) or padded dx accumulator (input gradient)
  int64_t pdims[3];
  const float* w;
  const float* dy;
  float* out;
  int64_t perTask;
};

/** Taps of the window as offsets (in floats) from the window's origin in the padded input. */
std::vector<int64_t> tapOffsets(const ConvGeom& g, const int64_t pdims[3]) {
  std::vector<int64_t> off;
  for (int64_t kd = 0; kd < g.kernel[0]; ++kd) {
    for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
      for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
        off.push_back(((kd * g.dilation[0] * pdims[1] + kh * g.dilation[1]) * pdims[2] + kw * g.dilation[2]) * g.inC);
      }
    }
  }
  return off;
}

/** Origin of the window of output position (n, od, oh, ow) in the padded input. */
inline int64_t origin(const ConvGeom& g, const int64_t pdims[3], int64_t n, int64_t od, int64_t oh, int64_t ow) {
  return (((n * pdims[0] + od * g.stride[0]) * pdims[1] + oh * g.stride[1]) * pdims[2] + ow * g.stride[2]) * g.inC;
}

void forwardTask(void* ctx, int t) {
  const DwJob& j = *static_cast<const DwJob*>(ctx);
  const ConvGeom& g = *j.g;
  const int64_t C = g.inC, M = g.multiplier, CM = C * M;
  const std::vector<int64_t> taps = tapOffsets(g, j.pdims);
  
  const int64_t lines = g.batch * g.out[0] * g.out[1];
  const int64_t l1 = std::min(lines, (t + 1) * j.perTask);
  for (int64_t l = t * j.perTask; l < l1; ++l) {
    const int64_t oh = l % g.out[1], od = (l / g.out[1]) % g.out[0], n = l / (g.out[1] * g.out[0]);
    for (int64_t ow = 0; ow < g.out[2]; ++ow) {
      const float* xo = j.src + origin(g, j.pdims, n, od, oh, ow);
      float* __restrict a = (((l * g.out[2]) + ow) * CM) + j.out;
      std::fill(a, a + CM, 0.f);
      for (size_t k = 0; k < taps.size(); ++k) {
        const float* __restrict xv = xo + taps[k];
        const float* __restrict wv = j.w + int64_t(k) * CM;
        if (M == 1) {
#pragma omp simd
          for (int64_t c = 0; c < C; ++c) a[c] += xv[c] * wv[c];
        } else {
          for (int64_t c = 0; c < C; ++c) {
            const float xc = xv[c];
#pragma omp simd
            for (int64_t m = 0; m < M; ++m) a[c * M + m] += xc * wv[c * M + m];
          }
        }
      }
    }
  }
}

/** Input gradient for batch items [t·perTask, …): scatter-adds into the padded accumulator. */
void inputTask(void* ctx, int t) {
  const DwJob& j = *static_cast<const DwJob*>(ctx);
  const ConvGeom& g = *j.g;
  const int64_t C = g.inC, M = g.multiplier, CM = C * M;
  const std::vector<int64_t> taps = tapOffsets(g, j.pdims);
  float* acc = const_cast<float*>(j.src);
  const int64_t n1 = std::min(g.batch, (t + 1) * j.perTask);
  for (int64_t n = t * j.perTask; n < n1; ++n) {
    for (int64_t od = 0; od < g.out[0]; ++od) {
      for (int64_t oh = 0; oh < g.out[1]; ++oh) {
        for (int64_t ow = 0; ow < g.out[2]; ++ow) {
          const float* __restrict d = j.dy + (((n * g.out[0] + od) * g.out[1] + oh) * g.out[2] + ow) * CM;
          float* xo = acc + origin(g, j.pdims, n, od, oh, ow);
          for (size_t k = 0; k < taps.size(); ++k) {
            float* __restrict xv = xo + taps[k];
            const float* __restrict wv = j.w + int64_t(k) * CM;
            if (M == 1) {
#pragma omp simd
              for (int64_t c = 0; c < C; ++c) xv[c] += d[c] * wv[c];
            } else {
              for (int64_t c = 0; c < C; ++c) {
                float s = 0.f;
                for (int64_t m = 0; m < M; ++m) s += d[c * M + m] * wv[c * M + m];
                xv[c] += s;
              }
            }
          }
        }
      }
    }
  }
}

/** Filter gradient over output lines [t·perTask, …), summed into out + t·K·CM. */
void filterTask(void* ctx, int t) {
  const DwJob& j = *static_cast<const DwJob*>(ctx);
  const ConvGeom& g = *j.g;
  const int64_t C = g.inC, M = g.multiplier, CM = C * M;
  const std::vector<int64_t> taps = tapOffsets(g, j.pdims);
  float* acc = j.out + t * int64_t(taps.size()) * CM;
  std::fill(acc, acc + int64_t(taps.size()) * CM, 0.f);
  const int64_t lines = g.batch * g.out[0] * g.out[1];
  const int64_t l1 = std::min(lines, (t + 1) * j.perTask);
  for (int64_t l = t * j.perTask; l < l1; ++l) {
    const int64_t oh = l % g.out[1], od = (l / g.out[1]) % g.out[0], n = l / (g.out[1] * g.out[0]);
    for (int64_t ow = 0; ow < g.out[2]; ++ow) {
      const float* xo = j.src + origin(g, j.pdims, n, od, oh, ow);
      const float* __restrict d = j.dy + (l * g.out[2] + ow) * CM;
      for (size_t k = 0; k < taps.size(); ++k) {
        const float* __restrict xv = xo + taps[k];
        float* __restrict a = acc + int64_t(k) * CM;
        if (M == 1) {
#pragma omp simd
          for (int64_t c = 0; c < C; ++c) a[c] += xv[c] * d[c];
        } else {
          for (int64_t c = 0; c < C; ++c) {
            const float xc = xv[c];
#pragma omp simd
            for (int64_t m = 0; m < M; ++m) a[c * M + m] += xc * d[c * M + m];
          }
        }
      }
    }
  }
}

/** Padded dims that hold every window: `pad` before, enough after. */
void paddedDims(const ConvGeom& g, int64_t pdims[3]) {
  for (int d = 0; d < 3; ++d) {
    const int64_t reach = g.out[d] > 0 ? (g.out[d] - 1) * g.stride[d] + (g.kernel[d] - 1) * g.dilation[d] + 1 : 0;
    pdims[d] = std::max(g.in[d] + g.pad[d], reach);
  }
}

}  // namespace

void depthwiseConv3d(const ConvGeom& g, const float* x, const float* w, float* y) {
  if (g.outSize() == 0) return;
  DwJob j{&g, nullptr, {}, w, nullptr, y, 0};
  paddedDims(g, j.pdims);
  FloatBuffer padded = allocFloats(g.batch * j.pdims[0] * j.pdims[1] * j.pdims[2] * g.inC);
  padCopy(x, g.batch, g.in, g.inC, g.pad, j.pdims, padded.get());
  j.src = padded.get();
  const int64_t lines = g.batch * g.out[0] * g.out[1];
  const int tasks = convTasks(g.outSize() * g.taps(), lines, 4);
  j.perTask = (lines + tasks - 1) / tasks;
  runTasks(int((lines + j.perTask - 1) / j.perTask), forwardTask, &j);
}

void depthwiseConv3dBackpropInput(const ConvGeom& g, const float* dy, const float* w, float* dx) {
  if (g.inSize() == 0) return;
  DwJob j{&g, nullptr, {}, w, dy, nullptr, 0};
  paddedDims(g, j.pdims);
  const int64_t plane = j.pdims[0] * j.pdims[1] * j.pdims[2] * g.inC;
  FloatBuffer acc = allocFloats(g.batch * plane);
  std::memset(acc.get(), 0, sizeof(float) * size_t(g.batch * plane));
  j.src = acc.get();
  // Batch items scatter into disjoint parts of the accumulator, so they can run in parallel.
  const int tasks = convTasks(g.outSize() * g.taps(), g.batch, 1);
  j.perTask = (g.batch + tasks - 1) / tasks;
  if (g.outSize() > 0) runTasks(int((g.batch + j.perTask - 1) / j.perTask), inputTask, &j);
  const int64_t rowLen = g.in[2] * g.inC;
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t d = 0; d < g.in[0]; ++d) {
      for (int64_t h = 0; h < g.in[1]; ++h) {
        const float* s =
            acc.get() + (((n * j.pdims[0] + d + g.pad[0]) * j.pdims[1] + h + g.pad[1]) * j.pdims[2] + g.pad[2]) * g.inC;
        std::memcpy(dx + ((n * g.in[0] + d) * g.in[1] + h) * rowLen, s, sizeof(float) * size_t(rowLen));
      }
    }
  }
}

void depthwiseConv3dBackpropFilter(const ConvGeom& g, const float* x, const float* dy, float* dw) {
  const int64_t size = g.taps() * g.inC * g.multiplier;
  if (size == 0) return;
  const int64_t lines = g.batch * g.out[0] * g.out[1];
  if (lines * g.out[2] == 0) {
    std::memset(dw, 0, sizeof(float) * size_t(size));
    return;
  }
  DwJob j{&g, nullptr, {}, nullptr, dy, nullptr, 0};
  paddedDims(g, j.pdims);
  FloatBuffer padded = allocFloats(g.batch * j.pdims[0] * j.pdims[1] * j.pdims[2] * g.inC);
  padCopy(x, g.batch, g.in, g.inC, g.pad, j.pdims, padded.get());
  j.src = padded.get();
  const int tasks = std::min(convTasks(g.outSize() * g.taps(), lines, 1), ThreadPool::instance().threads());
  j.perTask = (lines + tasks - 1) / tasks;
  const int used = int((lines + j.perTask - 1) / j.perTask);
  FloatBuffer partial = allocFloats(int64_t(used) * size);
  j.out = partial.get();
  runTasks(used, filterTask, &j);
  std::memcpy(dw, partial.get(), sizeof(float) * size_t(size));
  for (int t = 1; t < used; ++t) {
    const float* p = partial.get() + t * size;
    for (int64_t i = 0; i < size; ++i) dw[i] += p[i];
  }
}

}  // namespace strata
