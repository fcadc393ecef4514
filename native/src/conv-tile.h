// The register tile of the convolution engine (conv.cc): an implicit GEMM whose A rows are read in
// place from the (padded) input instead of a patch matrix. Row i of the tile is output row c[i];
// its patch is the concatenation of `segs` contiguous segments a[i] + segOff[s] of segLen[s] floats
// (a run of taps and channels), so no im2col copy is made. B is the filter packed k-major in panels
// of NR columns (zero-padded), one panel per call.
#pragma once

#include <cstdint>

namespace strata {

constexpr int kConvMaxMR = 12;

/**
 * c[i][0:nr] = Σ_s Σ_p a[i][segOff[s] + p] · bp[(k(s) + p) · NR + 0:nr] for i < mr. The a and c arrays
 * hold MR pointers; entries past mr must still point at readable rows (the caller repeats row 0).
 */
using ConvTileFn = void (*)(const float* const* a, const int64_t* segOff, const int32_t* segLen, int segs,
                            const float* bp, float* const* c, int mr, int nr);

struct ConvTile {
  int mr;
  int nr;
  ConvTileFn run;
  /** B is packed column by column (K contiguous per column, nr = all columns) instead of in panels. */
  bool columnMajor = false;
};

/**
 * The tile for a product with `columns` output columns on the current GEMM ISA (see gemm.h). Four
 * columns or fewer (a one-filter conv) get dot products along K instead of wasting most of each
 * vector of a 16-wide tile.
 */
ConvTile convTile(int64_t columns);

}  // namespace strata
