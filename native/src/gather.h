// Gather along an axis and its gradient, the scatter-add unsortedSegmentSum (the embedding lookup and
// its backward pass), on float32 tensors viewed as [outer, n, inner] with int32 indices, as the js
// twins in src/kernels/js/shape.ts.
#pragma once

#include <cstdint>

namespace strata {

/**
 * out [outer, m, inner] = rows of x [outer, n, inner] at indices[0..m). Returns false, writing
 * nothing, when an index lies outside [0, n).
 */
bool gatherRows(const float* x, int64_t outer, int64_t n, int64_t inner, const int32_t* indices, int64_t m,
                float* out);

/**
 * out [outer, segments, inner] += rows of x [outer, m, inner], row j added to row ids[j]; ids outside
 * [0, segments) are dropped.
 */
void segmentSumRows(const float* x, int64_t outer, int64_t m, int64_t inner, const int32_t* ids, int64_t segments,
                    float* out);

}  // namespace strata
