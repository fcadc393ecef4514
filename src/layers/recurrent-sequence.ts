import { ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { add, dropoutMask, matmul, mul, notEqual, reshape, stack, unstack, where } from '../ops/index.js';
import { type Activation, fusedRnnActivation } from '../activations/index.js';
import { type Cell, type StepParams } from './rnn-cells.js';
import { type RnnSequenceOptions, rnnSequence } from '../ops/rnn-sequence.js';
import { recordingDepth } from '../autograd/tape.js';

let fusedEnabled = true;
/**
 * Internal switch for benchmarks and tests: false makes every recurrent layer run the per-step path
 * (one small op graph per time step) instead of the fused sequence kernels.
 */
export function setFusedRecurrent(on: boolean): void {
  fusedEnabled = on;
}

/** What a built-in recurrent sequence needs: the cell's formulas, weights and options. */
export interface SequenceSpec {
  /** Names the layer in errors. */
  where: string;
  cell: Cell;
  units: number;
  activation: Activation;
  recurrentActivation: Activation;
  resetAfter: boolean;
  /** [features, gates·units], [units, gates·units], and [gates·units] or [2, gates·units] (GRU resetAfter). */
  kernel: Tensor;
  recurrentKernel: Tensor;
  bias: Tensor | null;
  dropout: number;
  recurrentDropout: number;
  seed?: number;
  goBackwards: boolean;
  returnSequences: boolean;
}

/** The sequence's outputs: every step's h (with returnSequences) and the final states (h first). */
export interface SequenceResult {
  sequence: Tensor | null;
  states: Tensor[];
}

/**
 * Runs a SimpleRNN/LSTM/GRU cell over x [batch, time, features] from `states`. With built-in
 * activations the whole sequence is one fused op (rnnSequence: the input projection, the time loop
 * and, backwards, BPTT each in one kernel call); otherwise (custom activations, mixed float dtypes,
 * higher-order gradients) x·W (+ b) is one matmul for all steps and the cell steps one by one. Both
 * compute the same formulas. Dropout draws one mask per sequence for the inputs and one for the
 * state (Keras 3's default implementation), only when training; a mask [batch, time] carries the
 * states over masked steps.
 */
export function runSequence(s: SequenceSpec, x: Tensor, initial: Tensor[], training: boolean, mask: Tensor | null,
  masks: DropoutMasks = drawDropoutMasks(s, x, training)): SequenceResult {
  const [batch, time, features] = x.shape;
  const u = s.units;
  const { input: inMask, recurrent: recMask } = masks;
  let inputBias: Tensor | null = null, recurrentBias: Tensor | null = null;
  if (s.bias) [inputBias, recurrentBias] = s.bias.rank === 2 ? unstack(s.bias, 0) : [s.bias, null];
  const xin = inMask ? mul(x, inMask) : x;
  if (mask) checkMask(s.where, mask, batch, time);
  const fused = fusedActivations(s, xin, initial);
  if (fused) {
    const out = rnnSequence(xin, s.kernel, s.recurrentKernel, {
      bias: inputBias, recurrentBias, initialStates: initial, mask, recurrentMask: recMask,
    }, { cell: s.cell.kind, ...fused, resetAfter: s.resetAfter, goBackwards: s.goBackwards, returnSequences: s.returnSequences });
    return s.returnSequences ? { sequence: out[0], states: out.slice(1) } : { sequence: null, states: out };
  }
  let proj = matmul(reshape(xin, [batch * time, features]), s.kernel);
  if (inputBias) proj = add(proj, inputBias);
  const steps = unstack(reshape(proj, [batch, time, s.kernel.shape[1]]), 1);
  const stepMasks = mask ? unstack(reshape(notEqual(mask, 0), [batch, time, 1]), 1) : null;
  const p: StepParams = {
    units: u, recurrentKernel: s.recurrentKernel, recurrentBias, activation: s.activation,
    recurrentActivation: s.recurrentActivation, resetAfter: s.resetAfter, kernelParts: [],
  };
  p.kernelParts = s.cell.prepare(p);
  let states = initial;
  const outputs: Tensor[] = [];
  for (let i = 0; i < time; i++) {
    const t = s.goBackwards ? time - 1 - i : i;
    const hRec = recMask ? mul(states[0], recMask) : states[0];
    let next = s.cell.step(steps[t], hRec, states, p);
    if (stepMasks) {
      const m = stepMasks[t];
      next = next.map((v, j) => where(m, v, states[j]));
    }
    states = next;
    if (s.returnSequences) outputs.push(states[0]);
  }
  return { sequence: s.returnSequences ? stack(outputs, 1) : null, states };
}

/** The dropout masks of one sequence: inputs [batch, 1, features] and state [batch, units]; null when none. */
export interface DropoutMasks {
  input: Tensor | null;
  recurrent: Tensor | null;
}

/** Draws a sequence's dropout masks when training (distinct but fixed seeds for the two when seeded). */
export function drawDropoutMasks(s: Pick<SequenceSpec, 'dropout' | 'recurrentDropout' | 'seed' | 'units'>, x: Tensor, training: boolean): DropoutMasks {
  const [batch, , features] = x.shape;
  return {
    input: training && s.dropout > 0 ? dropoutMask([batch, 1, features], s.dropout, s.seed, x.dtype) : null,
    recurrent: training && s.recurrentDropout > 0
      ? dropoutMask([batch, s.units], s.recurrentDropout, s.seed === undefined ? undefined : s.seed + 1, x.dtype) : null,
  };
}

/**
 * The fused kernels' activations when the call can run as one rnnSequence op: built-in activations
 * they apply themselves, one float dtype throughout, and at most one gradient tape (the fused op's
 * gradient is not differentiable again). Otherwise null: the per-step path runs.
 */
function fusedActivations(s: SequenceSpec, x: Tensor, states: Tensor[]): Pick<RnnSequenceOptions, 'activation' | 'recurrentActivation'> | null {
  if (!fusedEnabled || recordingDepth() > 1) return null;
  const activation = fusedRnnActivation(s.activation);
  // SimpleRNN has no gates: its recurrentActivation is never applied.
  const recurrentActivation = s.cell.kind === 'rnn' ? 'sigmoid' : fusedRnnActivation(s.recurrentActivation);
  if (!activation || !recurrentActivation) return null;
  const dtype = x.dtype;
  if (dtype === 'int32' || s.kernel.dtype !== dtype || s.recurrentKernel.dtype !== dtype || states.some((v) => v.dtype !== dtype)) return null;
  if (s.bias && s.bias.dtype !== dtype) return null;
  return { activation, recurrentActivation };
}

/** A mask must be [batch, time] (1 = real step). */
export function checkMask(where: string, mask: Tensor, batch: number, time: number): void {
  if (mask.rank !== 2 || mask.shape[0] !== batch || mask.shape[1] !== time) {
    throw new ShapeError(`${where}: mask must be [batch, time] = ${fmtShape([batch, time])} (1 = real step), got ${fmtShape(mask.shape)}`);
  }
}
