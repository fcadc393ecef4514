// Portable micro-kernel in plain C++ (the compiler vectorises it for whatever the build targets):
// the fallback for CPUs without AVX2 and for non-x86 machines.
#include "gemm.h"

namespace strata {
namespace {

constexpr int kMR = 4;
constexpr int kNR = 16;

void kernel(int64_t kc, const float* __restrict ap, const float* __restrict bp, float* c, int64_t ldc,
            bool accumulate, int mr, int nr) {
  float acc[kMR][kNR] = {};
  for (int64_t p = 0; p < kc; ++p) {
    for (int i = 0; i < kMR; ++i) {
      const float av = ap[i];
#pragma omp simd
      for (int j = 0; j < kNR; ++j) acc[i][j] += av * bp[j];
    }
    ap += kMR;
    bp += kNR;
  }
  for (int i = 0; i < mr; ++i) {
    float* row = c + i * ldc;
    if (accumulate) {
      for (int j = 0; j < nr; ++j) row[j] += acc[i][j];
    } else {
      for (int j = 0; j < nr; ++j) row[j] = acc[i][j];
    }
  }
}

}  // namespace

MicroKernel microKernelGeneric() { return MicroKernel{Isa::generic, kMR, kNR, 256, 256, 512, kernel, nullptr}; }

}  // namespace strata
