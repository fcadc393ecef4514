// The fused recurrent drivers: the time loop (forward) and back-propagation through time (backward),
// the batch split across the thread pool (rows are independent until the recurrent kernel's gradient,
// which is one GEMM over every step at the end). The per-row gate math is in rnn-cells.cc.
#include "rnn.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "gemm.h"
#include "rnn-cells.h"
#include "rnn-gemm.h"
#include "thread-pool.h"

namespace strata {
namespace {

// Multiply-adds of a whole sequence's recurrent products below which one thread runs it: waking the
// pool costs tens of microseconds, and each thread should get at least a few hundred of them.
constexpr int64_t kParallelWork = int64_t(1) << 22;
// Rows a thread gets at least: fewer make the per-step products too thin to run well.
constexpr int64_t kMinRows = 4;

/** Scratch the calling thread keeps between calls, grown on demand (contents not preserved). */
float* scratch(std::vector<float>& v, int64_t n) {
  if (int64_t(v.size()) < n) v.resize(size_t(n));
  return v.data();
}

thread_local std::vector<float> tInputProjection, tInputGradient, tRecurrentGradient;

/** Σ over rows of a [rows, cols] buffer. */
void columnSums(const float* x, int64_t rows, int64_t cols, float* out) {
  std::fill(out, out + cols, 0.f);
  for (int64_t p = 0; p < rows; ++p) {
    const float* row = x + p * cols;
#pragma omp simd
    for (int64_t j = 0; j < cols; ++j) out[j] += row[j];
  }
}

int tasksFor(const RnnConfig& k) {
  const int64_t work = k.time * k.batch * rnnGates(k.cell) * k.units * k.units;
  if (work < kParallelWork) return 1;
  const int64_t byRows = k.batch / kMinRows;
  return int(std::max<int64_t>(1, std::min<int64_t>({int64_t(ThreadPool::instance().threads()), byRows, work / kParallelWork})));
}

struct Job {
  const RnnConfig* k;
  const void* d;
  float* drec;  // backward only
  int tasks;
  const PackedRhs* kernel;   // the recurrent kernel (part) packed once: U (forward) or Uᵀ (backward)
  const PackedRhs* kernelH;  // GRU resetAfter false: the U_h part, else null
};

void rowsOf(const Job& j, int task, int64_t* b0, int64_t* b1) {
  const int64_t B = j.k->batch, per = (B + j.tasks - 1) / j.tasks;
  *b0 = std::min<int64_t>(B, task * per);
  *b1 = std::min<int64_t>(B, *b0 + per);
}

bool live(const RnnConfig& k, const int32_t* mask, int64_t b, int64_t t) { return !mask || mask[b * k.time + t] != 0; }

void forwardRows(const Job& job, const RnnForwardData& d, int64_t b0, int64_t b1) {
  const RnnConfig& k = *job.k;
  const int64_t B = k.batch, T = k.time, u = k.units, G = rnnGates(k.cell) * u, R = b1 - b0;
  if (R <= 0) return;
  std::vector<float> rec(size_t(R * G));
  std::vector<uint8_t> alive(static_cast<size_t>(R));
  CellStep st{};
  st.k = &k;
  st.d = &d;
  st.b0 = b0;
  st.b1 = b1;
  st.rec = rec.data();
  st.live = alive.data();
  st.kernel = job.kernel;
  st.kernelH = job.kernelH;
  for (int64_t s = 0; s < T; ++s) {
    const int64_t t = k.goBackwards ? T - 1 - s : s;
    const int64_t so = k.save ? s : 0;
    st.s = s;
    st.t = t;
    st.hp = d.h + s * B * u;
    st.hn = d.h + (s + 1) * B * u;
    st.cp = d.c ? d.c + s * B * u : nullptr;
    st.cn = d.c ? d.c + (s + 1) * B * u : nullptr;
    st.gates = d.gates + so * B * G;
    st.extra = d.extra ? d.extra + so * B * u : nullptr;
    for (int64_t b = b0; b < b1; ++b) alive[size_t(b - b0)] = live(k, d.mask, b, t) ? 1 : 0;
    if (d.recMask) {
      float* hr = d.hRec + so * B * u;
      for (int64_t i = b0 * u; i < b1 * u; ++i) hr[i] = st.hp[i] * d.recMask[i];
      st.hr = hr;
    } else {
      st.hr = st.hp;
    }
    cellForward(st);
    for (int64_t b = b0; b < b1; ++b) {
      if (alive[size_t(b - b0)]) continue;
      std::memcpy(st.hn + b * u, st.hp + b * u, size_t(u) * sizeof(float));
      if (d.c) std::memcpy(st.cn + b * u, st.cp + b * u, size_t(u) * sizeof(float));
    }
  }
  if (d.sequence) {
    for (int64_t b = b0; b < b1; ++b) {
      for (int64_t s = 0; s < T; ++s) {
        std::memcpy(d.sequence + (b * T + s) * u, d.h + ((s + 1) * B + b) * u, size_t(u) * sizeof(float));
      }
    }
  }
}

void backwardRows(const Job& job, const RnnBackwardData& d, float* drec, int64_t b0, int64_t b1) {
  const RnnConfig& k = *job.k;
  const int64_t B = k.batch, T = k.time, u = k.units, R = b1 - b0;
  if (R <= 0) return;
  const bool lstm = k.cell == kCellLstm;
  std::vector<float> buf(size_t(R * u) * (lstm ? 6 : 4) + size_t(5 * u));
  std::vector<uint8_t> alive(static_cast<size_t>(R));
  float* dh = buf.data();
  float* dhPrev = dh + R * u;
  float* dhRec = dhPrev + R * u;
  float* tmp = dhRec + R * u;
  float* dc = lstm ? tmp + R * u : nullptr;
  float* dcPrev = lstm ? dc + R * u : nullptr;
  std::memcpy(dh, d.dh + b0 * u, size_t(R * u) * sizeof(float));
  if (lstm) std::memcpy(dc, d.dc + b0 * u, size_t(R * u) * sizeof(float));
  CellGrad g{};
  g.k = &k;
  g.d = &d;
  g.b0 = b0;
  g.b1 = b1;
  g.dhRec = dhRec;
  g.tmp = tmp;
  g.kernelT = job.kernel;
  g.kernelHT = job.kernelH;
  g.scratch = buf.data() + R * u * (lstm ? 6 : 4);
  g.live = alive.data();
  for (int64_t s = T - 1; s >= 0; --s) {
    const int64_t t = k.goBackwards ? T - 1 - s : s;
    if (d.dSequence) {
      for (int64_t b = b0; b < b1; ++b) {
        const float* ds = d.dSequence + (b * T + s) * u;
        float* row = dh + (b - b0) * u;
#pragma omp simd
        for (int64_t j = 0; j < u; ++j) row[j] += ds[j];
      }
    }
    const int64_t G = rnnGates(k.cell) * u;
    for (int64_t b = b0; b < b1; ++b) {
      alive[size_t(b - b0)] = live(k, d.mask, b, t) ? 1 : 0;
      // A masked step's gradients are zero (the scratch holds the previous call's values).
      if (!alive[size_t(b - b0)]) {
        std::memset(drec + (s * B + b) * G, 0, size_t(G) * sizeof(float));
        std::memset(d.dxp + (b * T + t) * G, 0, size_t(G) * sizeof(float));
      }
    }
    g.s = s;
    g.t = t;
    g.dh = dh;
    g.dc = dc;
    g.dhPrev = dhPrev;
    g.dcPrev = dcPrev;
    g.drec = drec;
    g.hr = (d.hRec ? d.hRec : d.h) + s * B * u;
    cellBackward(g);
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t r = (b - b0) * u;
      if (!alive[size_t(b - b0)]) {
        std::memcpy(dhPrev + r, dh + r, size_t(u) * sizeof(float));
        if (lstm) std::memcpy(dcPrev + r, dc + r, size_t(u) * sizeof(float));
      } else if (d.recMask) {
        const float* m = d.recMask + b * u;
#pragma omp simd
        for (int64_t j = 0; j < u; ++j) dhPrev[r + j] += dhRec[r + j] * m[j];
      } else {
#pragma omp simd
        for (int64_t j = 0; j < u; ++j) dhPrev[r + j] += dhRec[r + j];
      }
    }
    std::swap(dh, dhPrev);
    std::swap(dc, dcPrev);
  }
  std::memcpy(d.dh + b0 * u, dh, size_t(R * u) * sizeof(float));
  if (lstm) std::memcpy(d.dc + b0 * u, dc, size_t(R * u) * sizeof(float));
}

void runForward(void* ctx, int task) {
  const Job& j = *static_cast<const Job*>(ctx);
  int64_t b0, b1;
  rowsOf(j, task, &b0, &b1);
  forwardRows(j, *static_cast<const RnnForwardData*>(j.d), b0, b1);
}

void runBackward(void* ctx, int task) {
  const Job& j = *static_cast<const Job*>(ctx);
  int64_t b0, b1;
  rowsOf(j, task, &b0, &b1);
  backwardRows(j, *static_cast<const RnnBackwardData*>(j.d), j.drec, b0, b1);
}

}  // namespace

void rnnForward(const RnnConfig& k, const RnnForwardData& in) {
  const int64_t BT = k.batch * k.time, G = rnnGates(k.cell) * k.units, F = k.features;
  RnnForwardData d = in;
  // The input projection of every step in one (threaded) product: x·W + b.
  float* xp = scratch(tInputProjection, BT * G);
  if (d.inputBias) {
    for (int64_t p = 0; p < BT; ++p) std::memcpy(xp + p * G, d.inputBias, size_t(G) * sizeof(float));
  }
  sgemm(BT, G, F, View{d.x, F, 1}, View{d.inputKernel, G, 1}, xp, G, d.inputBias != nullptr);
  d.xp = xp;
  // U packed once for every step's product (GRU resetAfter false: its z, r part and its h part).
  const int64_t u = k.units;
  const bool split = k.cell == kCellGru && !k.resetAfter;
  PackedRhs kernel(View{d.kernel, G, 1}, u, split ? 2 * u : G);
  std::unique_ptr<PackedRhs> kernelH;
  if (split) kernelH = std::make_unique<PackedRhs>(View{d.kernel + 2 * u, G, 1}, u, u);
  Job job{&k, &d, nullptr, tasksFor(k), &kernel, kernelH.get()};
  if (job.tasks <= 1) {
    forwardRows(job, d, 0, k.batch);
  } else {
    ThreadPool::instance().run(job.tasks, runForward, &job);
  }
}

void rnnBackward(const RnnConfig& k, const RnnBackwardData& in) {
  const int64_t B = k.batch, T = k.time, u = k.units, G = rnnGates(k.cell) * u, F = k.features;
  RnnBackwardData d = in;
  d.dxp = scratch(tInputGradient, B * T * G);
  // Gradient of what the recurrent products made, every step (masked rows zeroed as they pass).
  float* drec = scratch(tRecurrentGradient, T * B * G);
  // Uᵀ packed once for every step's dh₋₁ = drec·Uᵀ (GRU resetAfter false: its z, r part and its h part).
  const bool split = k.cell == kCellGru && !k.resetAfter;
  PackedRhs kernelT(View{d.kernel, 1, G}, split ? 2 * u : G, u);
  std::unique_ptr<PackedRhs> kernelHT;
  if (split) kernelHT = std::make_unique<PackedRhs>(View{d.kernel + 2 * u, 1, G}, u, u);
  Job job{&k, &d, drec, tasksFor(k), &kernelT, kernelHT.get()};
  if (job.tasks <= 1) {
    backwardRows(job, d, drec, 0, B);
  } else {
    ThreadPool::instance().run(job.tasks, runBackward, &job);
  }
  // dU = Σ_steps h₋₁ᵀ · drec: one product over every (step, row), threaded inside sgemm.
  const float* hRec = d.hRec ? d.hRec : d.h;
  const int64_t P = T * B;
  if (k.cell == kCellGru && !k.resetAfter) {
    sgemm(u, 2 * u, P, View{hRec, 1, u}, View{drec, G, 1}, d.dKernel, G, false);
    sgemm(u, u, P, View{d.extra, 1, u}, View{drec + 2 * u, G, 1}, d.dKernel + 2 * u, G, false);
  } else {
    sgemm(u, G, P, View{hRec, 1, u}, View{drec, G, 1}, d.dKernel, G, false);
  }
  columnSums(drec, P, G, d.dBias);
  // The input projection's gradients: dW = xᵀ·dxp, dx = dxp·Wᵀ, db = Σ dxp.
  sgemm(F, G, P, View{d.x, 1, F}, View{d.dxp, G, 1}, d.dInputKernel, G, false);
  sgemm(P, F, G, View{d.dxp, G, 1}, View{d.inputKernel, 1, G}, d.dx, F, false);
  columnSums(d.dxp, P, G, d.dInputBias);
}

}  // namespace strata
