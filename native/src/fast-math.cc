// Array loops over the branch-free exp / sigmoid / tanh of fast-math.h, compiled so that they vectorise:
// without trapping math (FP exception flags are never read here, and results do not change) and without
// jump threading (which would turn the selects back into branches).
#pragma GCC optimize("no-trapping-math", "no-thread-jumps")

#include "fast-math.h"

namespace strata {

void expArray(const float* x, float* o, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] = fastExp(x[i]);
}

void sigmoidArray(const float* x, float* o, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] = fastSigmoid(x[i]);
}

void tanhArray(const float* x, float* o, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] = fastTanh(x[i]);
}

}  // namespace strata
