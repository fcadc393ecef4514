import { Tensor } from '../../tensor/tensor.js';
import { type TypedArray, alloc } from '../../tensor/dtype.js';
import {
  type RnnCell, type RnnForward, type RnnGradients, type RnnInfo, type RnnInputs, type RnnKernels,
  type RnnOutputGradients, type RnnSaved, RNN_GATES,
} from '../rnn-kernels.js';
import { gemm } from './gemm.js';
import { type RnnBackwardContext, type RnnCellKernels, type RnnForwardContext, SCALAR_ACTIVATIONS } from './rnn-common.js';
import { simpleRnnKernels } from './rnn-simple.js';
import { lstmKernels } from './rnn-lstm.js';
import { gruKernels } from './rnn-gru.js';

const CELLS: Record<RnnCell, RnnCellKernels> = { rnn: simpleRnnKernels, lstm: lstmKernels, gru: gruKernels };

/** Marks the rows whose step t is real (mask ≠ 0); all rows without a mask. */
function liveRows(live: Uint8Array, mask: TypedArray | null, time: number, t: number): void {
  if (!mask) return;
  for (let b = 0; b < live.length; b++) live[b] = mask[b * time + t] !== 0 ? 1 : 0;
}

/** Copies row b of step `from` to step `to` of a [steps, batch, units] buffer. */
function copyRow(x: TypedArray, batch: number, units: number, from: number, to: number, b: number): void {
  x.copyWithin((to * batch + b) * units, (from * batch + b) * units, (from * batch + b + 1) * units);
}

/**
 * The reference fused recurrent sequence: the input projection in one GEMM, then one loop over time
 * with one recurrent GEMM (two for GRU resetAfter false) per step.
 */
function rnnSequence(inputs: RnnInputs, info: RnnInfo): RnnForward {
  const { batch: B, time: T, units: u, save, goBackwards } = info;
  const G = RNN_GATES[info.cell] * u;
  const dtype = inputs.x.dtype;
  const isLstm = info.cell === 'lstm';
  const h = alloc(dtype, (T + 1) * B * u);
  h.set(inputs.h0.values);
  const c = isLstm ? alloc(dtype, (T + 1) * B * u) : null;
  if (c) c.set(inputs.c0!.values);
  // Without saving, one step's worth of gates is reused at every step.
  const steps = save ? T : 1;
  const recMask = inputs.recurrentMask?.values ?? null;
  const hRecAll = recMask ? alloc(dtype, steps * B * u) : null;
  const mask = inputs.mask?.values ?? null;
  const ctx: RnnForwardContext = {
    info, xp: inputProjection(inputs, info), kernel: inputs.recurrentKernel.values, bias: inputs.recurrentBias?.values ?? null,
    h, c, gates: alloc(dtype, steps * B * G), extra: info.cell === 'rnn' ? null : alloc(dtype, steps * B * u),
    hRec: h, hRecOff: 0, rec: alloc(dtype, B * G), tmp: alloc(dtype, B * u),
    live: new Uint8Array(B).fill(1), act: SCALAR_ACTIVATIONS[info.activation], ract: SCALAR_ACTIVATIONS[info.recurrentActivation],
  };
  const cell = CELLS[info.cell];
  for (let s = 0; s < T; s++) {
    const t = goBackwards ? T - 1 - s : s;
    liveRows(ctx.live, mask, T, t);
    const hp = s * B * u;
    if (hRecAll && recMask) {
      const o = save ? hp : 0;
      for (let i = 0; i < B * u; i++) hRecAll[o + i] = h[hp + i] * recMask[i];
      ctx.hRec = hRecAll;
      ctx.hRecOff = o;
    } else {
      ctx.hRecOff = hp;
    }
    cell.forward(ctx, s, t);
    for (let b = 0; b < B; b++) {
      if (ctx.live[b]) continue;
      copyRow(h, B, u, s, s + 1, b);
      if (c) copyRow(c, B, u, s, s + 1, b);
    }
  }
  let sequence: Tensor | null = null;
  if (info.returnSequences) {
    const seq = alloc(dtype, B * T * u);
    for (let s = 0; s < T; s++) {
      for (let b = 0; b < B; b++) seq.set(h.subarray(((s + 1) * B + b) * u, ((s + 1) * B + b + 1) * u), (b * T + s) * u);
    }
    sequence = new Tensor(seq, [B, T, u]);
  }
  const saved: RnnSaved | null = save ? {
    h: new Tensor(h, [T + 1, B, u]), c: c ? new Tensor(c, [T + 1, B, u]) : null,
    gates: new Tensor(ctx.gates, [T, B, G]), extra: ctx.extra ? new Tensor(ctx.extra, [T, B, u]) : null,
    hRec: hRecAll ? new Tensor(hRecAll, [T, B, u]) : null,
  } : null;
  return {
    sequence,
    h: new Tensor(h.slice(T * B * u), [B, u]),
    c: c ? new Tensor(c.slice(T * B * u), [B, u]) : null,
    saved,
  };
}

/**
 * The reference back-propagation through time: per step the gate gradients and dh₋₁ = drec·Uᵀ,
 * then dU and the input projection's gradients in one GEMM each.
 */
function rnnSequenceBackward(inputs: RnnInputs, saved: RnnSaved, dy: RnnOutputGradients, info: RnnInfo): RnnGradients {
  const { batch: B, time: T, units: u, goBackwards } = info;
  const G = RNN_GATES[info.cell] * u;
  const dtype = inputs.x.dtype;
  const isLstm = info.cell === 'lstm';
  const n = B * u;
  const recMask = inputs.recurrentMask?.values ?? null;
  const mask = inputs.mask?.values ?? null;
  const dSeq = dy.sequence?.values ?? null;
  let dh = alloc(dtype, n), dhPrev = alloc(dtype, n);
  if (dy.h) dh.set(dy.h.values);
  let dc = isLstm ? alloc(dtype, n) : null, dcPrev = isLstm ? alloc(dtype, n) : null;
  if (dc && dy.c) dc.set(dy.c.values);
  const hRec = saved.hRec?.values ?? saved.h.values;
  const ctx: RnnBackwardContext = {
    info, kernel: inputs.recurrentKernel.values, h: saved.h.values, c: saved.c?.values ?? null,
    gates: saved.gates.values, extra: saved.extra?.values ?? null, hRec, hRecOff: 0,
    dh, dc, dhPrev, dcPrev, dhRec: alloc(dtype, n), drec: alloc(dtype, T * B * G), dxp: alloc(dtype, B * T * G),
    tmp: alloc(dtype, n), live: new Uint8Array(B).fill(1),
    act: SCALAR_ACTIVATIONS[info.activation], ract: SCALAR_ACTIVATIONS[info.recurrentActivation],
  };
  const cell = CELLS[info.cell];
  for (let s = T - 1; s >= 0; s--) {
    const t = goBackwards ? T - 1 - s : s;
    if (dSeq) for (let b = 0; b < B; b++) for (let j = 0; j < u; j++) dh[b * u + j] += dSeq[(b * T + s) * u + j];
    liveRows(ctx.live, mask, T, t);
    ctx.hRecOff = s * n;
    cell.backward(ctx, s, t);
    const { dhRec, live } = ctx;
    for (let b = 0; b < B; b++) {
      const r = b * u;
      if (!live[b]) {
        dhPrev.set(dh.subarray(r, r + u), r);
        if (dc && dcPrev) dcPrev.set(dc.subarray(r, r + u), r);
      } else if (recMask) {
        for (let j = r; j < r + u; j++) dhPrev[j] += dhRec[j] * recMask[j];
      } else {
        for (let j = r; j < r + u; j++) dhPrev[j] += dhRec[j];
      }
    }
    [dh, dhPrev] = [dhPrev, dh];
    [dc, dcPrev] = [dcPrev, dc];
    ctx.dh = dh; ctx.dhPrev = dhPrev; ctx.dc = dc; ctx.dcPrev = dcPrev;
  }
  const dU = alloc(dtype, u * G), drec = ctx.drec;
  if (info.cell === 'gru' && !info.resetAfter) {
    gemm(u, 2 * u, T * B, hRec, 0, 1, u, drec, 0, G, 1, dU, 0, G);
    gemm(u, u, T * B, ctx.extra!, 0, 1, u, drec, 2 * u, G, 1, dU, 2 * u, G);
  } else {
    gemm(u, G, T * B, hRec, 0, 1, u, drec, 0, G, 1, dU, 0, G);
  }
  // The input projection's gradients: dx = dxp·Wᵀ, dW = xᵀ·dxp, db = Σ dxp.
  const F = info.features, dxp = ctx.dxp;
  const dx = alloc(dtype, B * T * F), dW = alloc(dtype, F * G);
  gemm(B * T, F, G, dxp, 0, G, 1, inputs.kernel.values, 0, 1, G, dx, 0, F);
  gemm(F, G, B * T, inputs.x.values, 0, 1, F, dxp, 0, G, 1, dW, 0, G);
  return {
    x: new Tensor(dx, [B, T, F]), kernel: new Tensor(dW, [F, G]), bias: inputs.bias ? columnSums(dxp, B * T, G) : null,
    recurrentKernel: new Tensor(dU, [u, G]), recurrentBias: inputs.recurrentBias ? columnSums(drec, T * B, G) : null,
    h0: new Tensor(dh, [B, u]), c0: dc ? new Tensor(dc, [B, u]) : null,
  };
}

/** x·W + b for every step at once, [batch, time, G·units]. */
function inputProjection(inputs: RnnInputs, info: RnnInfo): TypedArray {
  const { batch: B, time: T, features: F } = info;
  const G = RNN_GATES[info.cell] * info.units;
  const xp = alloc(inputs.x.dtype, B * T * G);
  const bias = inputs.bias?.values;
  if (bias) for (let p = 0; p < B * T; p++) xp.set(bias, p * G);
  gemm(B * T, G, F, inputs.x.values, 0, F, 1, inputs.kernel.values, 0, G, 1, xp, 0, G, bias !== undefined);
  return xp;
}

/** Σ over rows of a [rows, cols] buffer, as a [cols] tensor. */
function columnSums(x: TypedArray, rows: number, cols: number): Tensor {
  const out = alloc(x instanceof Float64Array ? 'float64' : 'float32', cols);
  for (let p = 0; p < rows; p++) for (let j = 0; j < cols; j++) out[j] += x[p * cols + j];
  return new Tensor(out, [cols]);
}

/** The reference kernels of the recurrent area. */
export const rnnKernels: RnnKernels = { rnnSequence, rnnSequenceBackward };
