import { DTypeError, GradientError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { isRecording } from '../autograd/tape.js';
import { isFloat } from '../tensor/dtype.js';
import { runOpMulti } from './engine.js';
import { kernels } from '../kernels/registry.js';
import {
  type RnnActivation, type RnnCell, type RnnInfo, type RnnInputs, type RnnSaved, RNN_GATES,
} from '../kernels/rnn-kernels.js';

/** Options of rnnSequence: the cell and its formulas (see src/layers/rnn-cells.ts). */
export interface RnnSequenceOptions {
  cell: RnnCell;
  activation: RnnActivation;
  recurrentActivation: RnnActivation;
  /** GRU only; default true. */
  resetAfter?: boolean;
  /** Default false. */
  goBackwards?: boolean;
  /** Default false. */
  returnSequences?: boolean;
}

/** The tensors rnnSequence reads besides the input projection and the recurrent kernel. */
export interface RnnSequenceExtras {
  /** GRU resetAfter only: the recurrent bias [G·units]. */
  recurrentBias?: Tensor | null;
  /** [h0] or, for LSTM, [h0, c0], each [batch, units]. */
  initialStates: Tensor[];
  /** [batch, time], non-zero = real step (states carry over masked steps). Not differentiated. */
  mask?: Tensor | null;
  /** Recurrent dropout, [batch, units], multiplied into h₋₁ before the recurrent matmuls. Not differentiated. */
  recurrentMask?: Tensor | null;
}

/**
 * A whole recurrent sequence in one kernel call, and its back-propagation through time in another:
 * the fused form of the layer's per-step loop. `xp` is the input projection x·W (+ input bias) of
 * every step, [batch, time, G·units] (G = 1, 4 or 3), `recurrentKernel` is [units, G·units]. Returns
 * [sequence (with returnSequences, [batch, time, units] in processed order), h, c (LSTM)].
 * Differentiable once: a gradient of its gradient is refused (the layers use their per-step path then).
 */
export function rnnSequence(xp: Tensor, recurrentKernel: Tensor, extras: RnnSequenceExtras, opts: RnnSequenceOptions): Tensor[] {
  const info = checkInputs(xp, recurrentKernel, extras, opts);
  const bias = extras.recurrentBias ?? null;
  const [h0, c0 = null] = extras.initialStates;
  const inputs: RnnInputs = {
    xp, recurrentKernel, recurrentBias: bias, h0, c0, mask: extras.mask ?? null, recurrentMask: extras.recurrentMask ?? null,
  };
  let saved: RnnSaved | null = null;
  const opInputs = [xp, recurrentKernel, ...(bias ? [bias] : []), h0, ...(c0 ? [c0] : [])];
  return runOpMulti('RnnSequence', opInputs, (k) => {
    const out = k.rnnSequence(inputs, info);
    saved = out.saved;
    return [...(out.sequence ? [out.sequence] : []), out.h, ...(out.c ? [out.c] : [])];
  }, (dys) => {
    if (isRecording()) {
      throw new GradientError('rnnSequence: a gradient of its gradient is not supported; take higher-order gradients of ' +
        'recurrent layers through their per-step path (the layers choose it themselves under nested gradient tapes)');
    }
    if (!saved) throw new GradientError('rnnSequence: the forward pass kept nothing for the gradient (it ran outside a gradient tape)');
    const [dSeq, dh, dc] = info.returnSequences ? dys : [null, ...dys];
    const g = kernels().rnnSequenceBackward(inputs, saved, { sequence: dSeq ?? null, h: dh ?? null, c: dc ?? null }, info);
    return [g.xp, g.recurrentKernel, ...(bias ? [g.recurrentBias] : []), g.h0, ...(c0 ? [g.c0] : [])];
  });
}

/** Checks every shape and dtype against the projection and the kernel; returns the kernels' info. */
function checkInputs(xp: Tensor, kernel: Tensor, extras: RnnSequenceExtras, opts: RnnSequenceOptions): RnnInfo {
  const where = `rnnSequence (${opts.cell})`;
  const G = RNN_GATES[opts.cell];
  if (G === undefined) throw new ShapeError(`rnnSequence: cell must be 'rnn', 'lstm' or 'gru', got ${JSON.stringify(opts.cell)}`);
  if (kernel.rank !== 2 || kernel.shape[1] !== G * kernel.shape[0] || kernel.shape[0] === 0) {
    throw new ShapeError(`${where}: recurrentKernel must be [units, ${G}·units], got ${fmtShape(kernel.shape)}`);
  }
  const u = kernel.shape[0];
  if (xp.rank !== 3 || xp.shape[2] !== G * u || xp.shape[1] === 0) {
    throw new ShapeError(`${where}: the input projection must be [batch, time ≥ 1, ${G * u}] for ${u} units, got ${fmtShape(xp.shape)}`);
  }
  const [B, T] = xp.shape;
  const resetAfter = opts.resetAfter ?? true;
  const bias = extras.recurrentBias ?? null;
  if (bias && !(opts.cell === 'gru' && resetAfter)) {
    throw new ShapeError(`${where}: only a GRU with resetAfter has a recurrent bias; fold other biases into the input projection`);
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== G * u)) {
    throw new ShapeError(`${where}: recurrentBias must be [${G * u}], got ${fmtShape(bias.shape)}`);
  }
  const n = opts.cell === 'lstm' ? 2 : 1;
  const states = extras.initialStates;
  if (!Array.isArray(states) || states.length !== n || states.some((s) => s.rank !== 2 || s.shape[0] !== B || s.shape[1] !== u)) {
    const got = Array.isArray(states) ? states.map((s) => fmtShape(s.shape)).join(', ') : typeof states;
    throw new ShapeError(`${where}: initialStates must be ${n} tensor(s) of shape ${fmtShape([B, u])}, got [${got}]`);
  }
  const mask = extras.mask ?? null, recMask = extras.recurrentMask ?? null;
  if (mask && (mask.rank !== 2 || mask.shape[0] !== B || mask.shape[1] !== T)) {
    throw new ShapeError(`${where}: mask must be [batch, time] = ${fmtShape([B, T])}, got ${fmtShape(mask.shape)}`);
  }
  if (recMask && (recMask.rank !== 2 || recMask.shape[0] !== B || recMask.shape[1] !== u)) {
    throw new ShapeError(`${where}: recurrentMask must be [batch, units] = ${fmtShape([B, u])}, got ${fmtShape(recMask.shape)}`);
  }
  const floats = [kernel, ...(bias ? [bias] : []), ...states, ...(recMask ? [recMask] : [])];
  if (!isFloat(xp.dtype) || floats.some((t) => t.dtype !== xp.dtype)) {
    throw new DTypeError(`${where}: every float input must share one float dtype; got ${[xp, ...floats].map((t) => t.dtype).join(', ')}`);
  }
  return {
    cell: opts.cell, batch: B, time: T, units: u, activation: opts.activation, recurrentActivation: opts.recurrentActivation,
    resetAfter, goBackwards: opts.goBackwards ?? false, returnSequences: opts.returnSequences ?? false, save: isRecording(),
  };
}
