import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Activation } from '../activations/index.js';
import { RecurrentLayer, type RecurrentOptions } from './recurrent.js';
import { lstmCell, gruCell, simpleRnnCell, type CellKind } from './rnn-cells.js';
import { registerLayer } from './serialization.js';

type ActivationId = string | Activation | ((x: Tensor) => Tensor) | null;

export type SimpleRNNOptions = RecurrentOptions;

export interface LSTMOptions extends RecurrentOptions {
  /** Activation of the i, f, o gates, default 'sigmoid' (TF.js files: 'hard_sigmoid', the Keras 2 form). */
  recurrentActivation?: ActivationId;
  /** Initialise the forget-gate slice of the bias to 1; default true. */
  unitForgetBias?: boolean;
}

export interface GRUOptions extends RecurrentOptions {
  /** Activation of the z, r gates, default 'sigmoid'. */
  recurrentActivation?: ActivationId;
  /**
   * Apply the reset gate after the recurrent matmul (the cuDNN form, bias [2, 3u]); default true as
   * Keras 3. A config without the key (a TF.js/Keras 2 file, whose GRU has only this form) means false.
   */
  resetAfter?: boolean;
}

/**
 * Fully connected recurrent layer: h = activation(x·W + h₋₁·U + b). Weights [kernel [in, u],
 * recurrentKernel [u, u], bias [u]]. Options: see RecurrentOptions (units, activation 'tanh',
 * returnSequences, returnState, goBackwards, stateful, dropout, recurrentDropout, seed, ...).
 * @example st.layers.simpleRNN({ units: 8, returnSequences: true })
 */
export class SimpleRNN extends RecurrentLayer {
  static override className = 'SimpleRNN';
  constructor(opts: SimpleRNNOptions) {
    super(opts, simpleRnnCell);
  }
}
registerLayer(SimpleRNN);

/**
 * Long short-term memory (Hochreiter 1997): gates i, f, c, o; c = f⊙c₋₁ + i⊙act(g), h = o⊙act(c).
 * Weights [kernel [in, 4u], recurrentKernel [u, 4u], bias [4u]]. With returnState, apply gives
 * [output, h, c]; initial states are [h0, c0].
 * @example st.layers.lstm({ units: 32, recurrentDropout: 0.1 })
 */
export class LSTM extends RecurrentLayer {
  static override className = 'LSTM';
  constructor(opts: LSTMOptions) {
    super(opts, lstmCell);
  }
}
registerLayer(LSTM);

/**
 * Gated recurrent unit (Cho 2014): gates z, r, h; h = z⊙h₋₁ + (1 − z)⊙ĥ. Weights [kernel [in, 3u],
 * recurrentKernel [u, 3u], bias [3u], or [2, 3u] (input row, recurrent row) with resetAfter].
 * @example st.layers.gru({ units: 16, resetAfter: false }) // the form TensorFlow.js runs
 */
export class GRU extends RecurrentLayer {
  static override className = 'GRU';
  constructor(opts: GRUOptions) {
    super(opts, gruCell);
  }

  /** A config lacking resetAfter comes from a TF.js or Keras 2 file, where the GRU resets before the matmul. */
  static override fromConfig<T>(this: new (opts: never) => T, config: Record<string, unknown>): T {
    return new this({ ...config, resetAfter: config.resetAfter ?? false } as never);
  }
}
registerLayer(GRU);

/** SimpleRNN layer factory. @example st.layers.simpleRNN({ units: 8 }) */
export const simpleRNN = (opts: SimpleRNNOptions): SimpleRNN => new SimpleRNN(opts);
/** LSTM layer factory. @example st.layers.lstm({ units: 32, returnSequences: true }) */
export const lstm = (opts: LSTMOptions): LSTM => new LSTM(opts);
/** GRU layer factory. @example st.layers.gru({ units: 32, dropout: 0.2 }) */
export const gru = (opts: GRUOptions): GRU => new GRU(opts);

export type RecurrentLayerOptions =
  | ({ cell: 'rnn' } & SimpleRNNOptions)
  | ({ cell: 'lstm' } & LSTMOptions)
  | ({ cell: 'gru' } & GRUOptions);

/**
 * A recurrent layer with the cell type as a hyperparameter: 'rnn' (SimpleRNN), 'lstm' or 'gru'.
 * @example st.layers.recurrent({ cell: 'gru', units: 32, returnSequences: true })
 */
export function recurrent(opts: RecurrentLayerOptions): SimpleRNN | LSTM | GRU {
  const { cell, ...rest } = (opts ?? {}) as RecurrentLayerOptions;
  const make: Record<CellKind, () => SimpleRNN | LSTM | GRU> = {
    rnn: () => new SimpleRNN(rest as SimpleRNNOptions),
    lstm: () => new LSTM(rest as LSTMOptions),
    gru: () => new GRU(rest as GRUOptions),
  };
  if (!Object.prototype.hasOwnProperty.call(make, cell as string)) {
    throw new ConfigError(`recurrent: cell must be 'rnn', 'lstm' or 'gru', got ${JSON.stringify(cell)}`);
  }
  return make[cell]();
}
