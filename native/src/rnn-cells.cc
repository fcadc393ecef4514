// Gate math of SimpleRNN, LSTM (i, f, c, o) and GRU (z, r, h; resetAfter or not), forward and
// backward, with the recurrent products of a step as GEMMs over the block's rows. Formulas and
// saved values as src/kernels/js/rnn-*.ts.
#include "rnn-cells.h"

#include <cstring>

#include "gemm.h"
#include "rnn-math.h"

namespace strata {
namespace {

constexpr size_t kF = sizeof(float);

/** rec[:, 0:n] = bias[0:n] + h₋₁·U[:, 0:n] for the block's rows (n: the packed kernel's columns). */
void recurrentProduct(const CellStep& st) {
  const int64_t u = st.k->units, G = rnnGates(st.k->cell) * u, R = st.b1 - st.b0, cols = st.kernel->n();
  const float* bias = st.d->bias;
  if (bias) {
    for (int64_t r = 0; r < R; ++r) std::memcpy(st.rec + r * G, bias, size_t(cols) * kF);
  }
  st.kernel->multiply(R, View{st.hr + st.b0 * u, u, 1}, st.rec, G, bias != nullptr);
}

/** out (+)= drec_s[:, off:off+k] · Kᵀ for the block's rows, with K the packed transposed kernel part. */
void recurrentGradient(const CellGrad& g, const PackedRhs* kt, int64_t off, float* out, bool accumulate) {
  const int64_t B = g.k->batch, u = g.k->units, G = rnnGates(g.k->cell) * u, R = g.b1 - g.b0;
  kt->multiply(R, View{g.drec + (g.s * B + g.b0) * G + off, G, 1}, out, u, accumulate);
}

void simpleForward(const CellStep& st) {
  const RnnConfig& k = *st.k;
  const int64_t T = k.time, u = k.units;
  recurrentProduct(st);
  for (int64_t b = st.b0; b < st.b1; ++b) {
    if (!st.live[b - st.b0]) continue;
    const float* x = st.d->xp + (b * T + st.t) * u;
    const float* r = st.rec + (b - st.b0) * u;
    float* g = st.gates + b * u;
#pragma omp simd
    for (int64_t j = 0; j < u; ++j) g[j] = x[j] + r[j];
    activate(k.act, g, u);
    std::memcpy(st.hn + b * u, g, size_t(u) * kF);
  }
}

void lstmForward(const CellStep& st) {
  const RnnConfig& k = *st.k;
  const int64_t T = k.time, u = k.units, G = 4 * u;
  recurrentProduct(st);
  for (int64_t b = st.b0; b < st.b1; ++b) {
    if (!st.live[b - st.b0]) continue;
    const float* x = st.d->xp + (b * T + st.t) * G;
    const float* r = st.rec + (b - st.b0) * G;
    float* g = st.gates + b * G;
    float* e = st.extra + b * u;
    const float* cp = st.cp + b * u;
    float* cn = st.cn + b * u;
    float* hn = st.hn + b * u;
#pragma omp simd
    for (int64_t j = 0; j < G; ++j) g[j] = x[j] + r[j];
    activate(k.ract, g, 2 * u);
    activate(k.act, g + 2 * u, u);
    activate(k.ract, g + 3 * u, u);
#pragma omp simd
    for (int64_t j = 0; j < u; ++j) {
      cn[j] = g[u + j] * cp[j] + g[j] * g[2 * u + j];
      e[j] = cn[j];
    }
    activate(k.act, e, u);
#pragma omp simd
    for (int64_t j = 0; j < u; ++j) hn[j] = g[3 * u + j] * e[j];
  }
}

void gruForward(const CellStep& st) {
  const RnnConfig& k = *st.k;
  const int64_t T = k.time, u = k.units, G = 3 * u;
  recurrentProduct(st);
  for (int64_t b = st.b0; b < st.b1; ++b) {
    float* e = st.extra + b * u;
    if (!st.live[b - st.b0]) {
      // resetAfter false: this row still enters the (r⊙h₋₁)·U_h product below.
      if (!k.resetAfter) std::memset(e, 0, size_t(u) * kF);
      continue;
    }
    const float* x = st.d->xp + (b * T + st.t) * G;
    const float* r = st.rec + (b - st.b0) * G;
    float* g = st.gates + b * G;
#pragma omp simd
    for (int64_t j = 0; j < 2 * u; ++j) g[j] = x[j] + r[j];
    activate(k.ract, g, 2 * u);
    if (k.resetAfter) {
      const float* hp = st.hp + b * u;
      float* hn = st.hn + b * u;
      std::memcpy(e, r + 2 * u, size_t(u) * kF);
#pragma omp simd
      for (int64_t j = 0; j < u; ++j) g[2 * u + j] = x[2 * u + j] + g[u + j] * e[j];
      activate(k.act, g + 2 * u, u);
#pragma omp simd
      for (int64_t j = 0; j < u; ++j) hn[j] = g[2 * u + j] + g[j] * (hp[j] - g[2 * u + j]);
    } else {
      const float* hr = st.hr + b * u;
#pragma omp simd
      for (int64_t j = 0; j < u; ++j) e[j] = g[u + j] * hr[j];
    }
  }
  if (k.resetAfter) return;
  // ĥ's recurrent term needs r first: (r⊙h₋₁)·U_h into rec's h block.
  const int64_t R = st.b1 - st.b0;
  st.kernelH->multiply(R, View{st.extra + st.b0 * u, u, 1}, st.rec + 2 * u, G, false);
  for (int64_t b = st.b0; b < st.b1; ++b) {
    if (!st.live[b - st.b0]) continue;
    const float* x = st.d->xp + (b * T + st.t) * G;
    const float* r = st.rec + (b - st.b0) * G;
    float* g = st.gates + b * G;
    const float* hp = st.hp + b * u;
    float* hn = st.hn + b * u;
#pragma omp simd
    for (int64_t j = 0; j < u; ++j) g[2 * u + j] = x[2 * u + j] + r[2 * u + j];
    activate(k.act, g + 2 * u, u);
#pragma omp simd
    for (int64_t j = 0; j < u; ++j) hn[j] = g[2 * u + j] + g[j] * (hp[j] - g[2 * u + j]);
  }
}

void simpleBackward(const CellGrad& c) {
  const RnnConfig& k = *c.k;
  const int64_t B = k.batch, T = k.time, u = k.units;
  for (int64_t b = c.b0; b < c.b1; ++b) {
    if (!c.live[b - c.b0]) continue;
    const int64_t r = (b - c.b0) * u;
    const float* y = c.d->gates + (c.s * B + b) * u;
    float* dr = c.drec + (c.s * B + b) * u;
    float* ga = c.scratch;
    activationGrad(k.act, y, ga, u);
#pragma omp simd
    for (int64_t j = 0; j < u; ++j) {
      dr[j] = c.dh[r + j] * ga[j];
      c.dhPrev[r + j] = 0.f;
    }
    std::memcpy(c.d->dxp + (b * T + c.t) * u, dr, size_t(u) * kF);
  }
  recurrentGradient(c, c.kernelT, 0, c.dhRec, false);
}

void lstmBackward(const CellGrad& c) {
  const RnnConfig& k = *c.k;
  const int64_t B = k.batch, T = k.time, u = k.units, G = 4 * u;
  for (int64_t b = c.b0; b < c.b1; ++b) {
    if (!c.live[b - c.b0]) continue;
    const int64_t r = (b - c.b0) * u;
    const float* g = c.d->gates + (c.s * B + b) * G;
    const float* tc = c.d->extra + (c.s * B + b) * u;
    const float* cp = c.d->c + (c.s * B + b) * u;
    float* dr = c.drec + (c.s * B + b) * G;
    float* ga = c.scratch;        // gate derivatives, 4u
    float* ta = c.scratch + G;    // act'(c'), u
    activationGrad(k.ract, g, ga, 2 * u);
    activationGrad(k.act, g + 2 * u, ga + 2 * u, u);
    activationGrad(k.ract, g + 3 * u, ga + 3 * u, u);
    activationGrad(k.act, tc, ta, u);
    const float* dh = c.dh + r;
    const float* dc = c.dc + r;
    float* dcPrev = c.dcPrev + r;
    float* dhPrev = c.dhPrev + r;
#pragma omp simd
    for (int64_t j = 0; j < u; ++j) {
      const float i = g[j], f = g[u + j], gg = g[2 * u + j], o = g[3 * u + j];
      const float dcv = dc[j] + dh[j] * o * ta[j];
      dr[j] = dcv * gg * ga[j];
      dr[u + j] = dcv * cp[j] * ga[u + j];
      dr[2 * u + j] = dcv * i * ga[2 * u + j];
      dr[3 * u + j] = dh[j] * tc[j] * ga[3 * u + j];
      dcPrev[j] = dcv * f;
      dhPrev[j] = 0.f;
    }
    std::memcpy(c.d->dxp + (b * T + c.t) * G, dr, size_t(G) * kF);
  }
  recurrentGradient(c, c.kernelT, 0, c.dhRec, false);
}

void gruBackward(const CellGrad& c) {
  const RnnConfig& k = *c.k;
  const int64_t B = k.batch, T = k.time, u = k.units, G = 3 * u;
  const float* hAll = c.d->h;
  for (int64_t b = c.b0; b < c.b1; ++b) {
    if (!c.live[b - c.b0]) continue;
    const int64_t r = (b - c.b0) * u;
    const float* g = c.d->gates + (c.s * B + b) * G;
    const float* e = c.d->extra + (c.s * B + b) * u;
    const float* hp = hAll + (c.s * B + b) * u;
    float* dr = c.drec + (c.s * B + b) * G;
    float* dx = c.d->dxp + (b * T + c.t) * G;
    float* ga = c.scratch;  // z, r, ĥ derivatives, 3u
    activationGrad(k.ract, g, ga, 2 * u);
    activationGrad(k.act, g + 2 * u, ga + 2 * u, u);
    const float* dh = c.dh + r;
    float* dhPrev = c.dhPrev + r;
#pragma omp simd
    for (int64_t j = 0; j < u; ++j) {
      const float z = g[j], hh = g[2 * u + j];
      const float dz = dh[j] * (hp[j] - hh) * ga[j];
      const float dph = dh[j] * (1.f - z) * ga[2 * u + j];
      dhPrev[j] = dh[j] * z;
      dr[j] = dz;
      dx[j] = dz;
      dx[2 * u + j] = dph;
      if (k.resetAfter) {
        const float dpr = dph * e[j] * ga[u + j];
        dr[u + j] = dpr;
        dx[u + j] = dpr;
        dr[2 * u + j] = dph * g[u + j];
      } else {
        dr[2 * u + j] = dph;
      }
    }
  }
  if (k.resetAfter) {
    recurrentGradient(c, c.kernelT, 0, c.dhRec, false);
    return;
  }
  // d(r⊙h₋₁) = dĥ·U_hᵀ; then r's gradient, and h₋₁ gets r⊙ of it plus [dz, dr]·U_zrᵀ.
  float* drh = c.tmp;
  recurrentGradient(c, c.kernelHT, 2 * u, drh, false);
  for (int64_t b = c.b0; b < c.b1; ++b) {
    const int64_t r = (b - c.b0) * u;
    float* dhRec = c.dhRec + r;
    if (!c.live[b - c.b0]) {
      std::memset(dhRec, 0, size_t(u) * kF);
      continue;
    }
    const float* g = c.d->gates + (c.s * B + b) * G;
    const float* hr = c.hr + b * u;
    float* dr = c.drec + (c.s * B + b) * G;
    float* dx = c.d->dxp + (b * T + c.t) * G;
    float* ga = c.scratch;
    activationGrad(k.ract, g + u, ga, u);
#pragma omp simd
    for (int64_t j = 0; j < u; ++j) {
      const float dpr = drh[r + j] * hr[j] * ga[j];
      dr[u + j] = dpr;
      dx[u + j] = dpr;
      dhRec[j] = drh[r + j] * g[u + j];
    }
  }
  recurrentGradient(c, c.kernelT, 0, c.dhRec, true);
}

}  // namespace

void cellForward(const CellStep& st) {
  switch (st.k->cell) {
    case kCellLstm: lstmForward(st); break;
    case kCellGru: gruForward(st); break;
    default: simpleForward(st); break;
  }
}

void cellBackward(const CellGrad& g) {
  switch (g.k->cell) {
    case kCellLstm: lstmBackward(g); break;
    case kCellGru: gruBackward(g); break;
    default: simpleBackward(g); break;
  }
}

}  // namespace strata
