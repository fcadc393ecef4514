import type { Tensor } from '../tensor/tensor.js';
import type { DType } from '../tensor/dtype.js';
import { add, concat, matmul, mul, split, sub } from '../ops/index.js';
import { ones } from '../tensor/create.js';
import type { Activation } from '../activations/index.js';
import { Initializer } from '../initializers/index.js';

/** The recurrent cells: 'rnn' (SimpleRNN), 'lstm' and 'gru'. */
export type CellKind = 'rnn' | 'lstm' | 'gru';

/** What a step needs besides its input: recurrent weights and activations, prepared once per call. */
export interface StepParams {
  units: number;
  /** [units, gates·units], Keras layout. */
  recurrentKernel: Tensor;
  /** GRU resetAfter only: the recurrent bias (row 1 of the [2, 3u] bias), [3u]. */
  recurrentBias: Tensor | null;
  activation: Activation;
  recurrentActivation: Activation;
  resetAfter: boolean;
  /** Pieces of the recurrent kernel a cell slices once per call rather than at every step. */
  kernelParts: Tensor[];
}

/**
 * A recurrent cell: one time step as a small function, in the candle style; the layer owns the
 * single sequence loop. `xp` is the step's input projection x_t·W (+ input bias), [batch, gates·u],
 * computed for every step at once; `hRec` is h₋₁ after recurrent dropout (what the recurrent
 * matmuls see); `states` are [h₋₁] or [h₋₁, c₋₁]. Returns the new states, h first (h is the output).
 */
export interface Cell {
  readonly kind: CellKind;
  /** Number of gate blocks in the kernels: 1, 4 (i, f, c, o) or 3 (z, r, h). */
  readonly gates: number;
  /** Number of states: 1 (h) or 2 (h, c). */
  readonly stateCount: number;
  prepare(p: StepParams): Tensor[];
  step(xp: Tensor, hRec: Tensor, states: Tensor[], p: StepParams): Tensor[];
}

/** SimpleRNN: h = act(x·W + b + h₋₁·U). */
export const simpleRnnCell: Cell = {
  kind: 'rnn', gates: 1, stateCount: 1,
  prepare: () => [],
  step(xp, hRec, _states, p) {
    return [p.activation.apply(add(xp, matmul(hRec, p.recurrentKernel)))];
  },
};

/** LSTM, gates i, f, c, o: c = f⊙c₋₁ + i⊙g, h = o⊙act(c). */
export const lstmCell: Cell = {
  kind: 'lstm', gates: 4, stateCount: 2,
  prepare: () => [],
  step(xp, hRec, [, c], p) {
    const [zi, zf, zg, zo] = split(add(xp, matmul(hRec, p.recurrentKernel)), 4, 1);
    const ra = p.recurrentActivation;
    const cNew = add(mul(ra.apply(zf), c), mul(ra.apply(zi), p.activation.apply(zg)));
    return [mul(ra.apply(zo), p.activation.apply(cNew)), cNew];
  },
};

/**
 * GRU, gates z, r, h: h = z⊙h₋₁ + (1 − z)⊙ĥ, written as ĥ + z⊙(h₋₁ − ĥ).
 * resetAfter false: ĥ = act(x·W_h + b_h + (r⊙h₋₁)·U_h); true (cuDNN form):
 * ĥ = act(x·W_h + b_xh + r⊙(h₋₁·U_h + b_rh)).
 */
export const gruCell: Cell = {
  kind: 'gru', gates: 3, stateCount: 1,
  // resetAfter false multiplies r into h₋₁ before U_h, so U is used as [U_z U_r] and U_h.
  prepare: (p) => (p.resetAfter ? [] : split(p.recurrentKernel, [2 * p.units, p.units], 1)),
  step(xp, hRec, [h], p) {
    const [xz, xr, xh] = split(xp, 3, 1);
    const ra = p.recurrentActivation;
    let z: Tensor, hh: Tensor;
    if (p.resetAfter) {
      let rec = matmul(hRec, p.recurrentKernel);
      if (p.recurrentBias) rec = add(rec, p.recurrentBias);
      const [rz, rr, rh] = split(rec, 3, 1);
      z = ra.apply(add(xz, rz));
      hh = p.activation.apply(add(xh, mul(ra.apply(add(xr, rr)), rh)));
    } else {
      const [uzr, uh] = p.kernelParts;
      const [rz, rr] = split(matmul(hRec, uzr), 2, 1);
      z = ra.apply(add(xz, rz));
      hh = p.activation.apply(add(xh, matmul(mul(ra.apply(add(xr, rr)), hRec), uh)));
    }
    // The carry uses h₋₁ itself: recurrent dropout only thins what the recurrent matmuls see.
    return [add(hh, mul(z, sub(h, hh)))];
  },
};

/** The cell of each kind. */
export const CELLS: Record<CellKind, Cell> = { rnn: simpleRnnCell, lstm: lstmCell, gru: gruCell };

/**
 * LSTM bias with unitForgetBias: the user's bias initializer on the i, c, o slices and ones on the
 * forget slice, so the cell remembers by default (Jozefowicz et al., 2015). Internal: the layer's
 * config keeps the user's biasInitializer and `unitForgetBias: true`, as Keras does.
 */
export class UnitForgetBias extends Initializer {
  static override className = 'UnitForgetBias';
  constructor(private readonly base: Initializer, private readonly units: number) {
    super();
  }

  apply(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    const u = this.units;
    return concat([this.base.apply([u], dtype), ones([u], dtype), this.base.apply([shape[0] - 2 * u], dtype)], 0);
  }
}
