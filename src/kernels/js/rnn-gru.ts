import { gemm } from './gemm.js';
import { type RnnCellKernels, recurrentGradient, recurrentProduct } from './rnn-common.js';

/**
 * GRU, gates z, r, h: h' = ĥ + z⊙(h₋₁ − ĥ). resetAfter: ĥ = act(x_h + r⊙(h₋₁·U_h + b_rh)), extra
 * holds h₋₁·U_h + b_rh; resetAfter false: ĥ = act(x_h + (r⊙h₋₁)·U_h), extra holds r⊙h₋₁ (h₋₁ as the
 * recurrent matmul sees it, after dropout). gates holds z, r, ĥ. The carry uses the undropped h₋₁.
 */
export const gruKernels: RnnCellKernels = {
  forward(ctx, s, t) {
    const { batch: B, time: T, units: u, save, resetAfter } = ctx.info;
    const G = 3 * u;
    const { xp, rec, gates, h, hRec, live, act, ract } = ctx;
    const e = save ? ctx.extra! : ctx.tmp;
    const go = save ? s * B * G : 0, eo = save ? s * B * u : 0;
    const hp = s * B * u, hn = hp + B * u, hr = ctx.hRecOff;
    recurrentProduct(ctx, resetAfter ? G : 2 * u);
    for (let b = 0; b < B; b++) {
      const xo = (b * T + t) * G, ro = b * G, r = b * u, g0 = go + ro;
      if (!live[b]) {
        if (!resetAfter) e.fill(0, eo + r, eo + r + u);
        continue;
      }
      for (let j = 0; j < u; j++) {
        const z = ract.f(xp[xo + j] + rec[ro + j]);
        const rg = ract.f(xp[xo + u + j] + rec[ro + u + j]);
        gates[g0 + j] = z;
        gates[g0 + u + j] = rg;
        if (resetAfter) {
          const rh = rec[ro + 2 * u + j];
          e[eo + r + j] = rh;
          const hh = act.f(xp[xo + 2 * u + j] + gates[g0 + u + j] * rh);
          gates[g0 + 2 * u + j] = hh;
          h[hn + r + j] = hh + z * (h[hp + r + j] - hh);
        } else {
          e[eo + r + j] = gates[g0 + u + j] * hRec[hr + r + j];
        }
      }
    }
    if (resetAfter) return;
    // ĥ's recurrent term needs r first: (r⊙h₋₁)·U_h, written into rec's h block.
    gemm(B, u, u, e, eo, u, 1, ctx.kernel, 2 * u, G, 1, rec, 2 * u, G, false);
    for (let b = 0; b < B; b++) {
      if (!live[b]) continue;
      const xo = (b * T + t) * G, ro = b * G, r = b * u, g0 = go + ro;
      for (let j = 0; j < u; j++) {
        const hh = act.f(xp[xo + 2 * u + j] + rec[ro + 2 * u + j]);
        gates[g0 + 2 * u + j] = hh;
        h[hn + r + j] = hh + gates[g0 + j] * (h[hp + r + j] - hh);
      }
    }
  },

  backward(ctx, s, t) {
    const { batch: B, time: T, units: u, resetAfter } = ctx.info;
    const G = 3 * u;
    const { gates, h, dh, dhPrev, drec, dxp, live, act, ract } = ctx;
    const e = ctx.extra!;
    const go = s * B * G, eo = s * B * u, hp = s * B * u;
    for (let b = 0; b < B; b++) {
      if (!live[b]) continue;
      const r = b * u, g0 = go + b * G, xo = (b * T + t) * G;
      for (let j = 0; j < u; j++) {
        const z = gates[g0 + j], hh = gates[g0 + 2 * u + j], dhv = dh[r + j];
        const dz = dhv * (h[hp + r + j] - hh) * ract.grad(z);
        const dph = dhv * (1 - z) * act.grad(hh);
        dhPrev[r + j] = dhv * z;
        drec[g0 + j] = dz;
        dxp[xo + j] = dz;
        dxp[xo + 2 * u + j] = dph;
        if (resetAfter) {
          const rg = gates[g0 + u + j];
          const dpr = dph * e[eo + r + j] * ract.grad(rg);
          drec[g0 + u + j] = dpr;
          dxp[xo + u + j] = dpr;
          drec[g0 + 2 * u + j] = dph * rg;
        } else {
          drec[g0 + 2 * u + j] = dph;
        }
      }
    }
    if (resetAfter) {
      recurrentGradient(ctx, s, 0, G, ctx.dhRec, false);
      return;
    }
    // d(r⊙h₋₁) = dĥ·U_hᵀ, then r's gradient needs it; h₋₁ (after dropout) gets r⊙ of it plus [dz, dr]·U_zrᵀ.
    const drh = ctx.tmp, hRec = ctx.hRec, hr = ctx.hRecOff, dhRec = ctx.dhRec;
    recurrentGradient(ctx, s, 2 * u, u, drh, false);
    for (let b = 0; b < B; b++) {
      const r = b * u;
      if (!live[b]) {
        dhRec.fill(0, r, r + u);
        continue;
      }
      const g0 = go + b * G, xo = (b * T + t) * G;
      for (let j = 0; j < u; j++) {
        const rg = gates[g0 + u + j];
        const dpr = drh[r + j] * hRec[hr + r + j] * ract.grad(rg);
        drec[g0 + u + j] = dpr;
        dxp[xo + u + j] = dpr;
        dhRec[r + j] = drh[r + j] * rg;
      }
    }
    recurrentGradient(ctx, s, 0, 2 * u, dhRec, true);
  },
};
