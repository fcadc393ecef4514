// Per-step gate math of the fused recurrent cells for a block of batch rows [b0, b1), with the
// step's recurrent products (see rnn.h for the layouts). Buffers named "local" below are the
// driver's own, row b at (b − b0)·u; the others are the whole batch's, row b at b·n.
#pragma once

#include <cstdint>

#include "rnn-gemm.h"
#include "rnn.h"

namespace strata {

struct CellStep {
  const RnnConfig* k;
  const RnnForwardData* d;
  int64_t s, t, b0, b1;
  const float* hp;     // h before the step, [batch, u]
  float* hn;           // h after it
  const float* cp;     // LSTM c likewise
  float* cn;
  const float* hr;     // h₋₁ as the recurrent products see it (after dropout), [batch, u]
  float* gates;        // this step's [batch, G·u]
  float* extra;        // this step's [batch, u]
  float* rec;          // local [rows, G·u] scratch: the recurrent products
  const uint8_t* live; // local: 0 = masked step, states carried over by the driver
  const PackedRhs* kernel;   // U, or U[:, 0:2u] for GRU resetAfter false
  const PackedRhs* kernelH;  // GRU resetAfter false: U[:, 2u:3u]; else null
};

struct CellGrad {
  const RnnConfig* k;
  const RnnBackwardData* d;
  int64_t s, t, b0, b1;
  const float* dh;     // local: gradient of h after the step
  const float* dc;     // local: LSTM c likewise
  float* dhPrev;       // local out: gradient of h₋₁ other than through the recurrent products
  float* dcPrev;       // local out: LSTM
  float* dhRec;        // local out: gradient of h₋₁ after dropout (through the recurrent products)
  float* tmp;          // local [rows, u] scratch
  float* scratch;      // [5·u] scratch
  float* drec;         // [time, batch, G·u]: gradient of what the recurrent products made
  const float* hr;     // this step's h₋₁ after dropout, [batch, u]
  const uint8_t* live;
  const PackedRhs* kernelT;   // Uᵀ, or U[:, 0:2u]ᵀ for GRU resetAfter false
  const PackedRhs* kernelHT;  // GRU resetAfter false: U[:, 2u:3u]ᵀ; else null
};

/** Live rows: the step's gates, extra, h (and c) after it. Masked rows are left to the driver. */
void cellForward(const CellStep& st);
/** Live rows: drec, dxp, dhPrev (and dcPrev); every row: dhRec (zero for masked rows). */
void cellBackward(const CellGrad& g);

}  // namespace strata
