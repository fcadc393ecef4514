// Native float32 elementwise kernels: unary ops, broadcast binary ops, softmax, reductions and the
// fused bias + activation. The op codes mirror the TypeScript lists in src/kernels/native/elementwise.ts
// (same order); the formulas mirror the js reference kernels (src/kernels/js), which are the truth.
#pragma once

#include <cstdint>

namespace strata {

enum class UnaryOp : int {
  neg, exp, log, log1p, sqrt, rsqrt, square, abs, sign, reciprocal, floor, round, ceil, sin, cos, erf, expm1,
  relu, relu6, leakyRelu, elu, selu, sigmoid, tanh, softplus, softsign, swish, gelu, geluTanh, mish,
  hardSigmoid, hardSigmoidKeras3, clip, step, reluGrad, relu6Grad, leakyReluGrad, eluGrad, seluGrad, swishGrad,
  geluGrad, geluTanhGrad, mishGrad, hardSigmoidGrad, hardSigmoidKeras3Grad, clipGrad,
  count
};

enum class BinaryOp : int {
  add, sub, mul, div, pow, maximum, minimum, squaredDifference,
  equal, notEqual, greater, greaterEqual, less, lessEqual,
  count
};

inline bool isComparison(BinaryOp op) { return int(op) >= int(BinaryOp::equal); }

enum class ReduceOp : int { sum, max, min, prod, count };

/** Activations the fused bias + activation handles: each derivative is a function of the output. */
enum class FusedAct : int { linear, relu, sigmoid, tanh, elu, selu, count };

constexpr int kMaxRank = 8;

/** out[i] = op(x[i]) for i < n. */
void unaryF32(UnaryOp op, const float* x, float* out, int64_t n, double alpha, double beta);

/**
 * out = a op b, broadcast. `rank` output axes; aShape/bShape are aligned to the output rank
 * (missing leading axes given as 1). Comparisons write 0/1 to the int32 output `outI`, the rest to `outF`.
 */
void binaryF32(BinaryOp op, const float* a, const int32_t* aShape, const float* b, const int32_t* bShape,
               const int32_t* outShape, int rank, float* outF, int32_t* outI);

/** Reduces x (shape, rank) over the axes flagged in `reduced`; out is the kept axes in order. */
void reduceF32(ReduceOp op, const float* x, const int32_t* shape, const uint8_t* reduced, int rank, float* out,
               int64_t outSize);

/** argMax (sign 1) / argMin (sign -1) of x viewed as [outer, n, inner] along n. */
void argReduceF32(int sign, const float* x, int64_t outer, int64_t n, int64_t inner, int32_t* out);

/** Softmax or log-softmax of x viewed as [outer, n, inner] along n. */
void softmaxF32(const float* x, float* out, int64_t outer, int64_t n, int64_t inner, bool log);

/**
 * softmaxF32 along the last axis of `rows` contiguous rows of n, on the calling thread: the epilogue of
 * a kernel that has just written those rows. Softmax (log false) may run in place (out = x).
 */
void softmaxRowsF32(const float* x, float* out, int64_t rows, int64_t n, bool log);

/** y = act(x + bias) for x viewed as [rows, channels]; bias may be null. */
void biasActivationF32(FusedAct act, const float* x, const float* bias, float* y, int64_t rows, int64_t channels,
                       double alpha);

/**
 * rows = act(rows + bias) in place over `count` contiguous rows of `channels` values (bias may be
 * null): the epilogue a kernel applies to rows it has just written, while they are still in cache.
 * Same numbers as biasActivationF32.
 */
void biasActivateRows(FusedAct act, const float* bias, float* rows, int64_t count, int64_t channels, double alpha);

/** dx = dy · act′ (from y); db[c] = Σ_rows dx (when db is not null). */
void biasActivationGradF32(FusedAct act, const float* dy, const float* y, float* dx, float* db, int64_t rows,
                           int64_t channels, double alpha);

}  // namespace strata
