// Unary and broadcast binary float32 kernels. Cheap ops run in float in vectorisable loops, and so do
// exp, sigmoid and tanh (fast-math.h, within a few ulps); the other transcendental ones evaluate in double, as the js reference does (Math.* in double, stored to float32),
// so both backends agree to the last bit almost always.
#include "elementwise.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "fast-math.h"
#include "parallel.h"

namespace strata {
namespace {

constexpr double kSeluScale = 1.0507009873554804934193349852946;
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kGeluC = 0.7978845608028654;
constexpr double kGeluK = 0.044715;
constexpr double kInvSqrt2 = 0.7071067811865476;
constexpr double kInvSqrt2Pi = 0.3989422804014327;
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

inline double sigmoidD(double x) {
  if (x >= 0) return 1 / (1 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1 + e);
}
inline double softplusD(double x) { return (x > 0 ? x : 0) + std::log1p(std::exp(x > 0 ? -x : x)); }
inline double normalCdf(double x) { return 0.5 * std::erfc(-x * kInvSqrt2); }
inline double normalPdf(double x) { return kInvSqrt2Pi * std::exp(-0.5 * x * x); }
inline double clamp01(double t) { return t < 0 ? 0 : t > 1 ? 1 : t; }

/** Cost of one element in rough nanoseconds, for the threading decision. */
double unaryCost(UnaryOp op) {
  switch (op) {
    case UnaryOp::neg: case UnaryOp::square: case UnaryOp::abs: case UnaryOp::relu: case UnaryOp::relu6:
    case UnaryOp::leakyRelu: case UnaryOp::clip: case UnaryOp::step: case UnaryOp::reluGrad:
    case UnaryOp::relu6Grad: case UnaryOp::leakyReluGrad: case UnaryOp::hardSigmoid:
    case UnaryOp::hardSigmoidKeras3: case UnaryOp::hardSigmoidGrad: case UnaryOp::hardSigmoidKeras3Grad:
    case UnaryOp::clipGrad: case UnaryOp::sign: case UnaryOp::floor: case UnaryOp::ceil: case UnaryOp::round:
      return 0.5;
    case UnaryOp::sqrt: case UnaryOp::rsqrt: case UnaryOp::reciprocal: case UnaryOp::softsign:
      return 1;
    case UnaryOp::exp: case UnaryOp::sigmoid: case UnaryOp::tanh:
      return 2;
    default:
      return 15;
  }
}

// One loop per op over [lo, hi); plain loops so the compiler vectorises the cheap ones.
#define LOOP(expr) for (int64_t i = lo; i < hi; ++i) { const float t = x[i]; (void)t; o[i] = (expr); } return
#define LOOPD(expr) for (int64_t i = lo; i < hi; ++i) { const double t = x[i]; o[i] = float(expr); } return

// alpha and beta stay double, as in js: comparisons against them and products with them round alike.
void unaryRange(UnaryOp op, const float* x, float* o, int64_t lo, int64_t hi, double ad, double bd) {
  const float af = float(ad);
  switch (op) {
    case UnaryOp::neg: LOOP(-t);
    case UnaryOp::exp: expArray(x + lo, o + lo, hi - lo); return;
    case UnaryOp::log: LOOPD(std::log(t));
    case UnaryOp::log1p: LOOPD(std::log1p(t));
    case UnaryOp::sqrt: LOOP(std::sqrt(t));
    case UnaryOp::rsqrt: LOOPD(1 / std::sqrt(t));
    case UnaryOp::square: LOOP(t * t);
    case UnaryOp::abs: LOOP(std::fabs(t));
    case UnaryOp::sign: LOOP(t > 0 ? 1.0f : t < 0 ? -1.0f : t == 0 ? 0.0f : kNaN);
    case UnaryOp::reciprocal: LOOP(1.0f / t);
    case UnaryOp::floor: LOOP(std::floor(t));
    case UnaryOp::round: LOOP(std::nearbyint(t));  // the default rounding mode: half to even
    case UnaryOp::ceil: LOOP(std::ceil(t));
    case UnaryOp::sin: LOOPD(std::sin(t));
    case UnaryOp::cos: LOOPD(std::cos(t));
    case UnaryOp::erf: LOOPD(std::erf(t));
    case UnaryOp::expm1: LOOPD(std::expm1(t));
    case UnaryOp::relu: LOOP(t > 0 ? t : t == t ? 0.0f : t);
    case UnaryOp::relu6: LOOP(t > 6 ? 6.0f : t > 0 ? t : t == t ? 0.0f : t);
    case UnaryOp::leakyRelu: LOOP(t > 0 ? t : float(ad * t));
    case UnaryOp::elu: LOOPD(t > 0 ? t : ad * std::expm1(t));
    case UnaryOp::selu: LOOPD(t > 0 ? kSeluScale * t : kSeluScale * kSeluAlpha * std::expm1(t));
    case UnaryOp::sigmoid: sigmoidArray(x + lo, o + lo, hi - lo); return;
    case UnaryOp::tanh: tanhArray(x + lo, o + lo, hi - lo); return;
    case UnaryOp::softplus: LOOPD(softplusD(t));
    case UnaryOp::softsign: LOOPD(t / (1 + std::fabs(t)));
    case UnaryOp::swish: LOOPD(t * sigmoidD(t));
    case UnaryOp::gelu: LOOPD(t * normalCdf(t));
    case UnaryOp::geluTanh: LOOPD(0.5 * t * (1 + std::tanh(kGeluC * (t + kGeluK * t * t * t))));
    case UnaryOp::mish: LOOPD(t * std::tanh(softplusD(t)));
    case UnaryOp::hardSigmoid: LOOPD(clamp01(0.2 * t + 0.5));
    case UnaryOp::hardSigmoidKeras3: LOOPD(clamp01(t / 6 + 0.5));
    case UnaryOp::clip: LOOP(t < ad ? af : t > bd ? float(bd) : t);
    case UnaryOp::step: LOOP(t > 0 ? 1.0f : t == t ? af : t);
    case UnaryOp::reluGrad: LOOP(t > 0 ? 1.0f : 0.0f);
    case UnaryOp::relu6Grad: LOOP(t > 0 && t <= 6 ? 1.0f : 0.0f);
    case UnaryOp::leakyReluGrad: LOOP(t > 0 ? 1.0f : af);
    case UnaryOp::eluGrad: LOOPD(t > 0 ? 1 : ad * std::exp(t));
    case UnaryOp::seluGrad: LOOPD(t > 0 ? kSeluScale : kSeluScale * kSeluAlpha * std::exp(t));
    case UnaryOp::swishGrad: for (int64_t i = lo; i < hi; ++i) {
        const double t = x[i], s = sigmoidD(t);
        o[i] = float(s * (1 + t * (1 - s)));
      }
      return;
    case UnaryOp::geluGrad: LOOPD(normalCdf(t) + t * normalPdf(t));
    case UnaryOp::geluTanhGrad: for (int64_t i = lo; i < hi; ++i) {
        const double t = x[i], th = std::tanh(kGeluC * (t + kGeluK * t * t * t));
        o[i] = float(0.5 * (1 + th) + 0.5 * t * (1 - th * th) * kGeluC * (1 + 3 * kGeluK * t * t));
      }
      return;
    case UnaryOp::mishGrad: for (int64_t i = lo; i < hi; ++i) {
        const double t = x[i], th = std::tanh(softplusD(t));
        o[i] = float(th + t * (1 - th * th) * sigmoidD(t));
      }
      return;
    case UnaryOp::hardSigmoidGrad: LOOP(t > -2.5f && t < 2.5f ? 0.2f : 0.0f);
    case UnaryOp::hardSigmoidKeras3Grad: LOOP(t > -3 && t < 3 ? float(1.0 / 6) : 0.0f);
    case UnaryOp::clipGrad: LOOP(t >= ad && t <= bd ? 1.0f : 0.0f);
    case UnaryOp::count: return;
  }
}
#undef LOOP
#undef LOOPD

// ---- binary ----

inline float maxNaN(float x, float y) { return x != x || y != y ? kNaN : x > y ? x : y; }
inline float minNaN(float x, float y) { return x != x || y != y ? kNaN : x < y ? x : y; }

/** Applies op to one run of `len` outputs; a and b advance by sa / sb (0 or 1). */
template <int SA, int SB>
void runF(BinaryOp op, const float* a, const float* b, float* o, int64_t len) {
#define RUN(expr) for (int64_t k = 0; k < len; ++k) { const float x = a[k * SA], y = b[k * SB]; o[k] = (expr); } return
  switch (op) {
    case BinaryOp::add: RUN(x + y);
    case BinaryOp::sub: RUN(x - y);
    case BinaryOp::mul: RUN(x * y);
    case BinaryOp::div: RUN(x / y);
    case BinaryOp::pow: RUN(float(std::pow(double(x), double(y))));
    case BinaryOp::maximum: RUN(maxNaN(x, y));
    case BinaryOp::minimum: RUN(minNaN(x, y));
    case BinaryOp::squaredDifference: RUN(float((double(x) - y) * (double(x) - y)));  // the difference exact, as js
    default: return;
  }
#undef RUN
}

template <int SA, int SB>
void runI(BinaryOp op, const float* a, const float* b, int32_t* o, int64_t len) {
#define RUN(expr) for (int64_t k = 0; k < len; ++k) { const float x = a[k * SA], y = b[k * SB]; o[k] = (expr) ? 1 : 0; } return
  switch (op) {
    case BinaryOp::equal: RUN(x == y);
    case BinaryOp::notEqual: RUN(x != y);
    case BinaryOp::greater: RUN(x > y);
    case BinaryOp::greaterEqual: RUN(x >= y);
    case BinaryOp::less: RUN(x < y);
    case BinaryOp::lessEqual: RUN(x <= y);
    default: return;
  }
#undef RUN
}

/** One run with the operands' steps chosen at run time (each 0 or 1). */
void runAny(BinaryOp op, const float* a, int64_t sa, const float* b, int64_t sb, float* oF, int32_t* oI, int64_t len) {
  const bool cmp = isComparison(op);
  if (sa && sb) cmp ? runI<1, 1>(op, a, b, oI, len) : runF<1, 1>(op, a, b, oF, len);
  else if (sa) cmp ? runI<1, 0>(op, a, b, oI, len) : runF<1, 0>(op, a, b, oF, len);
  else if (sb) cmp ? runI<0, 1>(op, a, b, oI, len) : runF<0, 1>(op, a, b, oF, len);
  else cmp ? runI<0, 0>(op, a, b, oI, len) : runF<0, 0>(op, a, b, oF, len);
}

/** The output as merged axes, innermost first: size and each operand's element stride (0 = broadcast). */
struct Plan {
  int dims = 0;
  int64_t size[kMaxRank];
  int64_t sa[kMaxRank];
  int64_t sb[kMaxRank];
};

Plan plan(const int32_t* aShape, const int32_t* bShape, const int32_t* outShape, int rank) {
  Plan p;
  int64_t ra = 1, rb = 1;
  for (int d = rank - 1; d >= 0; --d) {
    const int64_t n = outShape[d];
    if (n == 1) continue;
    const int64_t sa = aShape[d] == 1 ? 0 : ra, sb = bShape[d] == 1 ? 0 : rb;
    ra *= aShape[d];
    rb *= bShape[d];
    const int last = p.dims - 1;
    // Merge with the axis inside when each operand is contiguous across both (or broadcast on both).
    if (last >= 0 && (sa == 0) == (p.sa[last] == 0) && (sb == 0) == (p.sb[last] == 0)) {
      p.size[last] *= n;
    } else {
      p.size[p.dims] = n;
      p.sa[p.dims] = sa;
      p.sb[p.dims] = sb;
      ++p.dims;
    }
  }
  if (p.dims == 0) {
    p.dims = 1;
    p.size[0] = 1;
    p.sa[0] = p.sb[0] = 0;
  }
  return p;
}

double binaryCost(BinaryOp op) { return op == BinaryOp::pow ? 20 : 0.7; }

}  // namespace

void unaryF32(UnaryOp op, const float* x, float* out, int64_t n, double alpha, double beta) {
  parallelFor(n, unaryCost(op), 16, [&](int64_t lo, int64_t hi) { unaryRange(op, x, out, lo, hi, alpha, beta); });
}

void binaryF32(BinaryOp op, const float* a, const int32_t* aShape, const float* b, const int32_t* bShape,
               const int32_t* outShape, int rank, float* outF, int32_t* outI) {
  const Plan p = plan(aShape, bShape, outShape, rank);
  const int64_t len = p.size[0];
  int64_t rows = 1;
  for (int k = 1; k < p.dims; ++k) rows *= p.size[k];
  const double cost = binaryCost(op);
  if (rows == 1) {
    // One run (same shapes, or a scalar on one side): split it over threads when large.
    parallelFor(len, cost, 16, [&](int64_t lo, int64_t hi) {
      runAny(op, a + (p.sa[0] ? lo : 0), p.sa[0], b + (p.sb[0] ? lo : 0), p.sb[0], outF ? outF + lo : nullptr,
             outI ? outI + lo : nullptr, hi - lo);
    });
    return;
  }
  const bool cmp = isComparison(op);
  // Short rows of a contiguous operand against a repeated block ([rows, c] op [c] with small c): tile the
  // block to a long run once, so the loop runs over long contiguous stretches instead of short rows.
  if (!cmp && p.dims == 2 && len < 64 && p.sa[0] == 1 && p.sb[0] == 1 &&
      ((p.sa[1] == len && p.sb[1] == 0) || (p.sa[1] == 0 && p.sb[1] == len))) {
    const bool bSmall = p.sb[1] == 0;
    const float* small = bSmall ? b : a;
    const float* big = bSmall ? a : b;
    const int64_t reps = (256 + len - 1) / len, tl = reps * len;
    std::vector<float> tiled(static_cast<size_t>(tl));
    for (int64_t r = 0; r < reps; ++r) std::memcpy(tiled.data() + r * len, small, size_t(len) * sizeof(float));
    const int64_t total = rows * len;
    parallelFor((total + tl - 1) / tl, cost * double(tl), 1, [&](int64_t lo, int64_t hi) {
      for (int64_t blk = lo; blk < hi; ++blk) {
        const int64_t off = blk * tl, n = std::min(tl, total - off);
        if (bSmall) runF<1, 1>(op, big + off, tiled.data(), outF + off, n);
        else runF<1, 1>(op, tiled.data(), big + off, outF + off, n);
      }
    });
    return;
  }
  // General: an odometer over the outer merged axes, one run of `len` per row.
  parallelFor(rows, cost * double(len), 1, [&](int64_t lo, int64_t hi) {
    int64_t counter[kMaxRank] = {0};
    int64_t pa = 0, pb = 0;
    {
      int64_t r = lo;
      for (int k = 1; k < p.dims; ++k) {
        counter[k] = r % p.size[k];
        r /= p.size[k];
        pa += counter[k] * p.sa[k];
        pb += counter[k] * p.sb[k];
      }
    }
    for (int64_t r = lo; r < hi; ++r) {
      runAny(op, a + pa, p.sa[0], b + pb, p.sb[0], outF ? outF + r * len : nullptr, outI ? outI + r * len : nullptr,
             len);
      for (int k = 1; k < p.dims; ++k) {
        pa += p.sa[k];
        pb += p.sb[k];
        if (++counter[k] < p.size[k]) break;
        pa -= p.sa[k] * counter[k];
        pb -= p.sb[k] * counter[k];
        counter[k] = 0;
      }
    }
  });
}

}  // namespace strata
