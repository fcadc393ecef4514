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

/** The tensors rnnSequence reads besides the input and the two kernels. */
export interface RnnSequenceExtras {
  /** The input bias [G·units], added to x·W. */
  bias?: Tensor | null;
  /** GRU resetAfter only: the recurrent bias [G·units], added to h₋₁·U. */
  recurrentBias?: Tensor | null;
  /** [h0] or, for LSTM, [h0, c0], each [batch, units]. */
  initialStates: Tensor[];
  /** [batch, time], non-zero = real step (states carry over masked steps). Not differentiated. */
  mask?: Tensor | null;
  /** Recurrent dropout, [batch, units], multiplied into h₋₁ before the recurrent matmuls. Not differentiated. */
  recurrentMask?: Tensor | null;
}

/**
 * A whole recurrent layer's sequence in one kernel call, and its back-propagation through time in
 * another: the fused form of the layer's per-step loop. `x` is [batch, time, features], `kernel` the
 * input kernel [features, G·units] and `recurrentKernel` [units, G·units] (G = 1, 4 or 3: SimpleRNN,
 * LSTM i f c o, GRU z r h). Returns [sequence (with returnSequences, [batch, time, units] in
 * processed order), h, c (LSTM)]. Differentiable once: a gradient of its gradient is refused (the
 * layers use their per-step path then).
 */
export function rnnSequence(x: Tensor, kernel: Tensor, recurrentKernel: Tensor, extras: RnnSequenceExtras, opts: RnnSequenceOptions): Tensor[] {
  const info = checkInputs(x, kernel, recurrentKernel, extras, opts);
  const bias = extras.bias ?? null, recurrentBias = extras.recurrentBias ?? null;
  const [h0, c0 = null] = extras.initialStates;
  const inputs: RnnInputs = {
    x, kernel, bias, recurrentKernel, recurrentBias, h0, c0, mask: extras.mask ?? null, recurrentMask: extras.recurrentMask ?? null,
  };
  let saved: RnnSaved | null = null;
  const opInputs = [x, kernel, ...(bias ? [bias] : []), recurrentKernel, ...(recurrentBias ? [recurrentBias] : []), h0, ...(c0 ? [c0] : [])];
  return runOpMulti('RnnSequence', opInputs, (k) => {
    const out = k.rnnSequence(inputs, info);
    saved = out.saved;
    return [...(out.sequence ? [out.sequence] : []), out.h, ...(out.c ? [out.c] : [])];
  }, (dys) => {
    if (isRecording()) {
      throw new GradientError('rnnSequence: a gradient of its gradient is not supported; take higher-order gradients of ' +
        'recurrent layers through their per-step path (the layers choose it themselves under nested gradient tapes)');
    }
    if (!saved) throw new GradientError('rnnSequence: nothing saved for the gradient (the forward pass ran outside a gradient tape, or its gradient was already taken)');
    const [dSeq, dh, dc] = info.returnSequences ? dys : [null, ...dys];
    const g = kernels().rnnSequenceBackward(inputs, saved, { sequence: dSeq ?? null, h: dh ?? null, c: dc ?? null }, info);
    // The backend may have recycled the saved buffers.
    saved = null;
    return [g.x, g.kernel, ...(bias ? [g.bias] : []), g.recurrentKernel, ...(recurrentBias ? [g.recurrentBias] : []), g.h0, ...(c0 ? [g.c0] : [])];
  });
}

/** Checks every shape and dtype against the input and the kernels; returns the kernels' info. */
function checkInputs(x: Tensor, kernel: Tensor, recurrentKernel: Tensor, extras: RnnSequenceExtras, opts: RnnSequenceOptions): RnnInfo {
  const where = `rnnSequence (${opts.cell})`;
  const G = RNN_GATES[opts.cell];
  if (G === undefined) throw new ShapeError(`rnnSequence: cell must be 'rnn', 'lstm' or 'gru', got ${JSON.stringify(opts.cell)}`);
  if (recurrentKernel.rank !== 2 || recurrentKernel.shape[1] !== G * recurrentKernel.shape[0] || recurrentKernel.shape[0] === 0) {
    throw new ShapeError(`${where}: recurrentKernel must be [units, ${G}·units], got ${fmtShape(recurrentKernel.shape)}`);
  }
  const u = recurrentKernel.shape[0];
  if (x.rank !== 3 || x.shape[1] === 0) {
    throw new ShapeError(`${where}: the input must be [batch, time ≥ 1, features], got ${fmtShape(x.shape)}`);
  }
  const [B, T, F] = x.shape;
  if (kernel.rank !== 2 || kernel.shape[0] !== F || kernel.shape[1] !== G * u) {
    throw new ShapeError(`${where}: kernel must be [features, ${G}·units] = ${fmtShape([F, G * u])}, got ${fmtShape(kernel.shape)}`);
  }
  const inBias = extras.bias ?? null;
  if (inBias && (inBias.rank !== 1 || inBias.shape[0] !== G * u)) {
    throw new ShapeError(`${where}: bias must be [${G * u}], got ${fmtShape(inBias.shape)}`);
  }
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
  const floats = [kernel, ...(inBias ? [inBias] : []), recurrentKernel, ...(bias ? [bias] : []), ...states, ...(recMask ? [recMask] : [])];
  if (!isFloat(x.dtype) || floats.some((t) => t.dtype !== x.dtype)) {
    throw new DTypeError(`${where}: every float input must share one float dtype; got ${[x, ...floats].map((t) => t.dtype).join(', ')}`);
  }
  return {
    cell: opts.cell, batch: B, time: T, features: F, units: u, activation: opts.activation, recurrentActivation: opts.recurrentActivation,
    resetAfter, goBackwards: opts.goBackwards ?? false, returnSequences: opts.returnSequences ?? false, save: isRecording(),
  };
}
