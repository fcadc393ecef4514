import { type RnnCellKernels, recurrentGradient, recurrentProduct } from './rnn-common.js';

/**
 * LSTM, gates i, f, c (g), o: c' = f⊙c₋₁ + i⊙act(g), h' = o⊙act(c'). gates holds the activated
 * i, f, g, o; extra holds act(c').
 */
export const lstmKernels: RnnCellKernels = {
  forward(ctx, s, t) {
    const { batch: B, time: T, units: u, save } = ctx.info;
    const G = 4 * u;
    recurrentProduct(ctx, G);
    const { xp, rec, gates, extra, h, live, act, ract } = ctx;
    const c = ctx.c!, e = extra!;
    const go = save ? s * B * G : 0, eo = save ? s * B * u : 0;
    const hp = s * B * u, hn = hp + B * u;
    for (let b = 0; b < B; b++) {
      if (!live[b]) continue;
      const xo = (b * T + t) * G, ro = b * G, r = b * u, g0 = go + ro;
      for (let j = 0; j < u; j++) {
        const i = ract.f(xp[xo + j] + rec[ro + j]);
        const f = ract.f(xp[xo + u + j] + rec[ro + u + j]);
        const g = act.f(xp[xo + 2 * u + j] + rec[ro + 2 * u + j]);
        const o = ract.f(xp[xo + 3 * u + j] + rec[ro + 3 * u + j]);
        const cn = f * c[hp + r + j] + i * g;
        c[hn + r + j] = cn;
        // Stored first, so the output reads act(c') as rounded in the storage dtype (as the per-step path does).
        e[eo + r + j] = act.f(c[hn + r + j]);
        h[hn + r + j] = o * e[eo + r + j];
        gates[g0 + j] = i;
        gates[g0 + u + j] = f;
        gates[g0 + 2 * u + j] = g;
        gates[g0 + 3 * u + j] = o;
      }
    }
  },

  backward(ctx, s, t) {
    const { batch: B, time: T, units: u } = ctx.info;
    const G = 4 * u;
    const { gates, dh, dhPrev, drec, dxp, live, act, ract } = ctx;
    const c = ctx.c!, e = ctx.extra!, dc = ctx.dc!, dcPrev = ctx.dcPrev!;
    const go = s * B * G, eo = s * B * u, hp = s * B * u;
    for (let b = 0; b < B; b++) {
      if (!live[b]) continue;
      const r = b * u, g0 = go + b * G, xo = (b * T + t) * G;
      for (let j = 0; j < u; j++) {
        const i = gates[g0 + j], f = gates[g0 + u + j], g = gates[g0 + 2 * u + j], o = gates[g0 + 3 * u + j];
        const tc = e[eo + r + j], dhv = dh[r + j];
        const dcv = dc[r + j] + dhv * o * act.grad(tc);
        const zi = dcv * g * ract.grad(i);
        const zf = dcv * c[hp + r + j] * ract.grad(f);
        const zg = dcv * i * act.grad(g);
        const zo = dhv * tc * ract.grad(o);
        dcPrev[r + j] = dcv * f;
        dhPrev[r + j] = 0;
        drec[g0 + j] = zi; drec[g0 + u + j] = zf; drec[g0 + 2 * u + j] = zg; drec[g0 + 3 * u + j] = zo;
        dxp[xo + j] = zi; dxp[xo + u + j] = zf; dxp[xo + 2 * u + j] = zg; dxp[xo + 3 * u + j] = zo;
      }
    }
    recurrentGradient(ctx, s, 0, G, ctx.dhRec, false);
  },
};
