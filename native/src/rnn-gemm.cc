#include "rnn-gemm.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "thread-scratch.h"

namespace strata {
namespace {

// The calling thread's buffer for packed left-hand sides.
thread_local ThreadScratch tLhs;

}  // namespace

PackedRhs::PackedRhs(View b, int64_t k, int64_t n) : K_(gemmMicroKernel()), k_(k), n_(n) {
  const int nr = K_.nr;
  panels_ = (n + nr - 1) / nr;
  const size_t total = size_t(std::max<int64_t>(k, 1) * panels_ * nr);
  data_ = static_cast<float*>(std::aligned_alloc(64, (total * sizeof(float) + 63) / 64 * 64));
  if (!data_) std::abort();
  // Block pc (kc rows) starts at pc · panels · NR; inside it panel jp holds kc rows of NR values.
  for (int64_t pc = 0; pc < k; pc += K_.kc) {
    const int64_t kc = std::min<int64_t>(K_.kc, k - pc);
    float* block = data_ + pc * panels_ * nr;
    for (int64_t jp = 0; jp < panels_; ++jp) {
      float* out = block + jp * kc * nr;
      const int64_t j0 = jp * nr, cols = std::min<int64_t>(nr, n - j0);
      for (int64_t p = 0; p < kc; ++p) {
        const float* s = b.data + (pc + p) * b.rs + j0 * b.cs;
        int64_t j = 0;
        for (; j < cols; ++j) out[p * nr + j] = s[j * b.cs];
        for (; j < nr; ++j) out[p * nr + j] = 0.f;
      }
    }
  }
}

PackedRhs::~PackedRhs() { std::free(data_); }

void PackedRhs::multiply(int64_t m, View a, float* c, int64_t ldc, bool accumulate) const {
  if (m <= 0 || n_ <= 0) return;
  const int mr = K_.mr, nr = K_.nr;
  if (k_ <= 0) {
    if (!accumulate) for (int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n_, 0.f);
    return;
  }
  const int64_t mPad = (m + mr - 1) / mr * mr;
  float* ap = tLhs.get(size_t(mPad * std::min<int64_t>(K_.kc, k_)));
  for (int64_t pc = 0; pc < k_; pc += K_.kc) {
    const int64_t kc = std::min<int64_t>(K_.kc, k_ - pc);
    // Pack every row of op(A) for this block: MR-row panels, k-major, zero-padded.
    for (int64_t i0 = 0; i0 < m; i0 += mr) {
      float* out = ap + i0 * kc;
      const int64_t rows = std::min<int64_t>(mr, m - i0);
      for (int64_t i = 0; i < rows; ++i) {
        const float* s = a.data + (i0 + i) * a.rs + pc * a.cs;
        for (int64_t p = 0; p < kc; ++p) out[p * mr + i] = s[p * a.cs];
      }
      for (int64_t i = rows; i < mr; ++i) {
        for (int64_t p = 0; p < kc; ++p) out[p * mr + i] = 0.f;
      }
    }
    const float* block = data_ + pc * panels_ * nr;
    const bool acc = accumulate || pc > 0;
    for (int64_t i0 = 0; i0 < m; i0 += mr) {
      const int rows = int(std::min<int64_t>(mr, m - i0));
      for (int64_t jp = 0; jp < panels_; ++jp) {
        const int cols = int(std::min<int64_t>(nr, n_ - jp * nr));
        K_.run(kc, ap + i0 * kc, block + jp * kc * nr, c + i0 * ldc + jp * nr, ldc, acc, rows, cols);
      }
    }
  }
}

}  // namespace strata
