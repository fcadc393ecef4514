import { type RnnCellKernels, recurrentGradient, recurrentProduct } from './rnn-common.js';

/** SimpleRNN: h = act(x·W + b + h₋₁·U); gates holds h' itself. */
export const simpleRnnKernels: RnnCellKernels = {
  forward(ctx, s, t) {
    const { batch: B, time: T, units: u, save } = ctx.info;
    recurrentProduct(ctx, u);
    const { xp, rec, gates, h, live, act } = ctx;
    const go = save ? s * B * u : 0, hn = (s + 1) * B * u;
    for (let b = 0; b < B; b++) {
      if (!live[b]) continue;
      const xo = (b * T + t) * u, r = b * u;
      for (let j = 0; j < u; j++) {
        const y = act.f(xp[xo + j] + rec[r + j]);
        gates[go + r + j] = y;
        h[hn + r + j] = y;
      }
    }
  },

  backward(ctx, s, t) {
    const { batch: B, time: T, units: u } = ctx.info;
    const { gates, dh, dhPrev, drec, dxp, live, act } = ctx;
    const go = s * B * u;
    for (let b = 0; b < B; b++) {
      if (!live[b]) continue;
      const r = b * u, xo = (b * T + t) * u;
      for (let j = 0; j < u; j++) {
        const dz = dh[r + j] * act.grad(gates[go + r + j]);
        drec[go + r + j] = dz;
        dxp[xo + j] = dz;
        dhPrev[r + j] = 0;
      }
    }
    recurrentGradient(ctx, s, 0, u, ctx.dhRec, false);
  },
};
