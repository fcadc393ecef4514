// Fused recurrent sequences (SimpleRNN, LSTM, GRU): the whole time loop of a layer in one call, and
// its back-propagation through time in another. The twin of src/kernels/js/rnn.ts, with the same
// formulas and the same layouts (so either backend's backward can read what the other saved):
// time-major buffers hold step s (processed order) of a [time, batch, n] buffer at s·batch·n; the
// input projection xp = x·W + b and its gradient are [batch, time, G·units] in input order, in
// scratch the calling thread keeps (large fresh allocations cost page faults at every call).
#pragma once

#include <cstdint>

namespace strata {

/** Cells, in the order the TypeScript side numbers them. */
enum RnnCellKind : int { kCellSimple = 0, kCellLstm = 1, kCellGru = 2 };

struct RnnConfig {
  int cell;
  int64_t batch, time, features, units;
  int act, ract;      // RnnAct codes (rnn-math.h)
  bool resetAfter;    // GRU
  bool goBackwards;
  bool save;          // keep gates / extra / hRec for every step (else one step's worth, reused)
};

/** Gate blocks of a cell: 1, 4 or 3. */
inline int64_t rnnGates(int cell) { return cell == kCellLstm ? 4 : (cell == kCellGru ? 3 : 1); }

struct RnnForwardData {
  const float* x;          // [batch, time, features]
  const float* inputKernel;  // [features, G·u]
  const float* inputBias;  // [G·u] or null
  const float* xp;         // set by rnnForward: x·W + b, [batch, time, G·u]
  const float* kernel;     // [u, G·u]
  const float* bias;       // recurrent bias [G·u] (GRU resetAfter) or null
  const int32_t* mask;     // [batch, time], 0 = carry the states over; or null
  const float* recMask;    // [batch, u] recurrent dropout, or null
  float* h;                // [time + 1, batch, u]; h[0] holds h0 on entry
  float* c;                // LSTM: likewise; else null
  float* gates;            // [steps, batch, G·u]
  float* extra;            // [steps, batch, u] (LSTM act(c'), GRU h₋₁·U_h + b or r⊙h₋₁); null for SimpleRNN
  float* hRec;             // [steps, batch, u] h₋₁ after dropout, when recMask; else null
  float* sequence;         // [batch, time, u] every step's h, processed order; or null
};

struct RnnBackwardData {
  const float* x;
  const float* inputKernel;
  const float* kernel;
  const int32_t* mask;
  const float* recMask;
  const float* h;
  const float* c;
  const float* gates;
  const float* extra;
  const float* hRec;
  const float* dSequence;  // [batch, time, u] or null
  float* dh;               // [batch, u]: the final h's gradient on entry, h0's on exit
  float* dc;               // LSTM: likewise; else null
  float* dx;               // [batch, time, features]
  float* dInputKernel;     // [features, G·u]
  float* dInputBias;       // [G·u]
  float* dKernel;          // [u, G·u]
  float* dBias;            // [G·u], the recurrent bias's
  float* dxp;              // set by rnnBackward: [batch, time, G·u]
};

void rnnForward(const RnnConfig& cfg, const RnnForwardData& d);
void rnnBackward(const RnnConfig& cfg, const RnnBackwardData& d);

}  // namespace strata
