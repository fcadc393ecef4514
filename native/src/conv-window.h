// The window of a convolution as contiguous runs over a zero-padded input, shared by the forward /
// input-gradient engine (conv.cc) and the filter gradient (conv-filter.cc).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "conv-util.h"
#include "conv.h"

namespace strata {

/** Contiguous runs of a patch: where each starts (relative to the window's origin) and its length. */
struct Segments {
  std::vector<int64_t> off;
  std::vector<int32_t> len;
  int64_t total = 0;
  void add(int64_t o, int64_t l) {
    if (!off.empty() && off.back() + len.back() == o) {
      len.back() += int32_t(l);  // continues the previous run: merge
    } else {
      off.push_back(o);
      len.push_back(int32_t(l));
    }
    total += l;
  }
};

/**
 * x padded so that every window of the conv lies inside: dims pdims, `pad` zeros before. Returns x
 * itself when no padding is needed, else fills `keep` with the copy.
 */
inline const float* paddedInput(const ConvGeom& g, const float* x, FloatBuffer& keep, int64_t pdims[3]) {
  bool same = true;
  for (int d = 0; d < 3; ++d) {
    const int64_t reach = g.out[d] > 0 ? (g.out[d] - 1) * g.stride[d] + (g.kernel[d] - 1) * g.dilation[d] + 1 : 0;
    pdims[d] = std::max(g.in[d] + g.pad[d], reach);
    same = same && g.pad[d] == 0 && pdims[d] == g.in[d];
  }
  if (same) return x;
  keep = allocFloats(g.batch * pdims[0] * pdims[1] * pdims[2] * g.inC);
  padCopy(x, g.batch, g.in, g.inC, g.pad, pdims, keep.get());
  return keep.get();
}

/** The window of a forward conv in a padded input of dims pdims: its runs of taps × channels. */
inline Segments windowSegments(const ConvGeom& g, const int64_t pdims[3]) {
  Segments seg;
  const int64_t C = g.inC;
  for (int64_t kd = 0; kd < g.kernel[0]; ++kd) {
    for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
      for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
        seg.add(((kd * g.dilation[0] * pdims[1] + kh * g.dilation[1]) * pdims[2] + kw * g.dilation[2]) * C, C);
      }
    }
  }
  return seg;
}

/** The offset of each patch element from its window's origin (the segments laid end to end). */
inline std::vector<int32_t> patchOffsets(const Segments& seg) {
  std::vector<int32_t> off;
  for (size_t s = 0; s < seg.off.size(); ++s) {
    for (int32_t p = 0; p < seg.len[s]; ++p) off.push_back(int32_t(seg.off[s] + p));
  }
  return off;
}

/** out[i] = Σ_t partial[t·n + i] over `used` tasks' partial sums, in task order (deterministic). */
inline void sumTaskPartials(const float* partial, int used, int64_t n, float* out) {
  for (int64_t i = 0; i < n; ++i) {
    float sum = 0.f;
    for (int t = 0; t < used; ++t) sum += partial[t * n + i];
    out[i] = sum;
  }
}

/**
 * Walks output positions in order from linear index p (n, od, oh, ow),
 * giving each window's origin (in the padded input of dims pdims): the filter gradient's walk over
 * positions, and the direct short-patch kernels' (conv-small.cc).
 */
struct PositionWalk {
  const ConvGeom& g;
  const int64_t* pdims;
  int64_t n, od, oh, ow;
  PositionWalk(const ConvGeom& geom, const int64_t* pd, int64_t p) : g(geom), pdims(pd) {
    ow = p % g.out[2];
    int64_t q = p / g.out[2];
    oh = q % g.out[1];
    q /= g.out[1];
    od = q % g.out[0];
    n = q / g.out[0];
  }
  int64_t origin() const {
    return (((n * pdims[0] + od * g.stride[0]) * pdims[1] + oh * g.stride[1]) * pdims[2] + ow * g.stride[2]) * g.inC;
  }
  void next() {
    if (++ow == g.out[2]) {
      ow = 0;
      if (++oh == g.out[1]) {
        oh = 0;
        if (++od == g.out[0]) {
          od = 0;
          ++n;
        }
      }
    }
  }
};

}  // namespace strata
