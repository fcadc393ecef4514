import type { Tensor } from '../tensor/tensor.js';

/** The recurrent cells the fused kernels run: SimpleRNN, LSTM (gates i, f, c, o) and GRU (gates z, r, h). */
export type RnnCell = 'rnn' | 'lstm' | 'gru';

/** Activations the fused kernels apply themselves (others run the layer's per-step path). */
export type RnnActivation = 'linear' | 'tanh' | 'sigmoid' | 'hardSigmoid' | 'hardSigmoidKeras3' | 'relu';

/** Number of gate blocks of each cell in the kernels' columns: 1, 4 (i, f, c, o) or 3 (z, r, h). */
export const RNN_GATES: Record<RnnCell, number> = { rnn: 1, lstm: 4, gru: 3 };

/** Geometry and formulas of one fused recurrent sequence (see RnnKernels). */
export interface RnnInfo {
  cell: RnnCell;
  batch: number;
  time: number;
  /** Input features (rows of the input kernel). */
  features: number;
  units: number;
  /** Candidate / output activation (SimpleRNN's only one). */
  activation: RnnActivation;
  /** Gate activation (LSTM i, f, o; GRU z, r). */
  recurrentActivation: RnnActivation;
  /** GRU only: reset after the recurrent matmul (cuDNN form) or before it. */
  resetAfter: boolean;
  /** Process the steps from the last to the first. */
  goBackwards: boolean;
  /** Also return every step's h, [batch, time, units] in processed order. */
  returnSequences: boolean;
  /** Keep what the backward pass needs (false for inference). */
  save: boolean;
}

/** The inputs of a fused recurrent sequence; all floats share one dtype. */
export interface RnnInputs {
  /** The layer's input (after input dropout), [batch, time, features]. */
  x: Tensor;
  /** The input kernel W [features, G·units]: the kernels project every step at once, x·W + bias. */
  kernel: Tensor;
  /** The input bias [G·units], or null. */
  bias: Tensor | null;
  /** The recurrent kernel U [units, G·units], Keras layout. */
  recurrentKernel: Tensor;
  /** GRU resetAfter only: the recurrent bias [G·units] added to h₋₁·U; otherwise null. */
  recurrentBias: Tensor | null;
  /** Initial h [batch, units]. */
  h0: Tensor;
  /** LSTM: initial c [batch, units]; otherwise null. */
  c0: Tensor | null;
  /** [batch, time] in input order, non-zero = real step; at a masked step the states carry over. */
  mask: Tensor | null;
  /** Recurrent dropout [batch, units] (0 or 1/(1 − rate)) applied to h₋₁ before the recurrent matmuls. */
  recurrentMask: Tensor | null;
}

/**
 * What the forward pass keeps for the backward pass, time-major: step s of the processed order
 * occupies rows [s·batch, (s + 1)·batch). Opaque to callers: the kernel that made it reads it.
 */
export interface RnnSaved {
  /** h before step s at s, the final h at `time`: [time + 1, batch, units]. */
  h: Tensor;
  /** LSTM: c likewise, [time + 1, batch, units]; otherwise null. */
  c: Tensor | null;
  /**
   * [time, batch, G·units] activated gates: SimpleRNN h'; LSTM i, f, g, o; GRU z, r, ĥ.
   */
  gates: Tensor;
  /**
   * [time, batch, units] per cell: LSTM act(c'); GRU resetAfter h₋₁·U_h + b_rh; GRU resetAfter
   * false r⊙h₋₁ (after recurrent dropout); null for SimpleRNN.
   */
  extra: Tensor | null;
  /** With a recurrent mask, h₋₁ after dropout, [time, batch, units]; null without. */
  hRec: Tensor | null;
}

/** The outputs of a fused recurrent sequence. */
export interface RnnForward {
  /** returnSequences: [batch, time, units], step s's h at [:, s] (processed order); else null. */
  sequence: Tensor | null;
  /** The final h [batch, units]. */
  h: Tensor;
  /** LSTM: the final c; otherwise null. */
  c: Tensor | null;
  /** Null unless info.save. */
  saved: RnnSaved | null;
}

/** Gradients of a fused recurrent sequence with respect to its differentiable inputs. */
export interface RnnGradients {
  x: Tensor;
  kernel: Tensor;
  /** Only when the inputs had an input bias. */
  bias: Tensor | null;
  recurrentKernel: Tensor;
  /** Only when the inputs had a recurrent bias. */
  recurrentBias: Tensor | null;
  h0: Tensor;
  c0: Tensor | null;
}

/** Gradients flowing into the outputs of rnnSequence (null = zero). */
export interface RnnOutputGradients {
  sequence: Tensor | null;
  h: Tensor | null;
  c: Tensor | null;
}

/** Kernel signatures of the recurrent area (see backend.ts). */
export interface RnnKernels {
  /**
   * Runs a whole recurrent sequence: the input projection x·W + b of every step at once, then for
   * each step the recurrent matmul h₋₁·U and the cell's gate math (formulas of
   * src/layers/rnn-cells.ts, Keras's).
   */
  rnnSequence(inputs: RnnInputs, info: RnnInfo): RnnForward;
  /**
   * Back-propagation through time of rnnSequence, from what its forward pass saved. A backend may
   * recycle the saved buffers afterwards: call it at most once per forward pass.
   */
  rnnSequenceBackward(inputs: RnnInputs, saved: RnnSaved, dy: RnnOutputGradients, info: RnnInfo): RnnGradients;
}
