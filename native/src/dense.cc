#include "dense.h"

#include <cstdint>

#include "cpu.h"
#include "gemm.h"

namespace strata {
namespace {

struct DenseEpilogue {
  const float* bias;
  int act;
  double alpha;
};

/** bias + activation (+ softmax) on a finished rectangle of the product. */
void finishRectangle(void* ctx, float* c, int64_t ldc, int64_t, int64_t rows, int64_t col0, int64_t cols) {
  const DenseEpilogue& e = *static_cast<const DenseEpilogue*>(ctx);
  const bool softmax = e.act == kDenseSoftmax;
  const FusedAct act = softmax ? FusedAct::linear : FusedAct(e.act);
  const float* bias = e.bias ? e.bias + col0 : nullptr;
  if (cols == ldc) {
    biasActivateRows(act, bias, c, rows, cols, e.alpha);
  } else {
    for (int64_t r = 0; r < rows; ++r) biasActivateRows(act, bias, c + r * ldc, 1, cols, e.alpha);
  }
  // Whole rows here (the epilogue asks for a split by rows), and ldc = n: out is [m, n].
  if (softmax) softmaxRowsF32(c, c, rows, cols, false);
}

}  // namespace

void denseF32(int64_t m, int64_t n, int64_t k, const float* x, const float* w, const float* packedW,
              const float* bias, int act, double alpha, float* out) {
  // The aligned-load micro-kernels need the packed panels on 64-byte boundaries; a copy that lost them
  // (moved by a transport) packs w again instead.
  if (packedW && gemmIsa() != Isa::simd128 && reinterpret_cast<uintptr_t>(packedW) % 64 != 0) packedW = nullptr;
  DenseEpilogue e{bias, act, alpha};
  const bool needed = bias || act != int(FusedAct::linear);
  const Epilogue epilogue{finishRectangle, &e, act == kDenseSoftmax};
  sgemmEx(m, n, k, View{x, k, 1}, View{w, n, 1}, packedW, out, n, false, needed ? &epilogue : nullptr);
}

}  // namespace strata
