// Products with one right-hand side reused many times (a recurrent kernel at every time step):
// op(B) is packed into the GEMM micro-kernel's panels once, and each product packs only its small
// left-hand side. The product runs on the calling thread (the recurrent loops thread over rows).
#pragma once

#include <cstdint>

#include "gemm.h"

namespace strata {

class PackedRhs {
 public:
  /** Packs op(B), k × n (element (p, j) at b.data[p·rs + j·cs]). */
  PackedRhs(View b, int64_t k, int64_t n);
  ~PackedRhs();
  PackedRhs(const PackedRhs&) = delete;
  PackedRhs& operator=(const PackedRhs&) = delete;

  /** C (+)= op(A) · op(B) for op(A) m × k; C[i, j] at c[i·ldc + j]. */
  void multiply(int64_t m, View a, float* c, int64_t ldc, bool accumulate) const;

  int64_t k() const { return k_; }
  int64_t n() const { return n_; }

 private:
  MicroKernel K_;
  int64_t k_, n_, panels_;
  float* data_ = nullptr;  // per kc block: panels_ panels of kc × NR, zero-padded; 64-byte aligned
};

}  // namespace strata
