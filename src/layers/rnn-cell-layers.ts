import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { reshape } from '../ops/index.js';
import { Layer, type CallOptions, type LayerShape } from './layer.js';
import { type Cell, gruCell as gruStep, lstmCell as lstmStep, simpleRnnCell as simpleRnnStep } from './rnn-cells.js';
import { type AnyCellOptions, type CellOptions, type CellSettings, cellConfig, cellFeatures, cellSettings, makeCellWeights } from './cell-settings.js';
import { type DropoutMasks, type SequenceSpec, drawDropoutMasks, runSequence } from './recurrent-sequence.js';
import { registerLayer } from './serialization.js';

/**
 * What `st.layers.rnn` needs of a cell, built in or written by a user (TensorFlow.js's RNNCell
 * contract): a Layer whose `call([x, ...states])` takes one step's input [batch, features] and the
 * states, and returns `[output, ...newStates]`; and `stateSize`, the size of each state (the first is
 * the output's size).
 */
export interface RNNCellLike extends Layer {
  readonly stateSize: number | number[];
  /** Forgets the dropout masks of the sequence that ended (the next sequence draws new ones). */
  resetDropoutMasks?(): void;
}

/** Whether a layer can serve as a cell: it has a stateSize. */
export function isCell(layer: unknown): layer is RNNCellLike {
  const s = (layer as { stateSize?: unknown } | null)?.stateSize;
  return layer instanceof Layer && (Number.isInteger(s) || (Array.isArray(s) && s.length > 0 && s.every(Number.isInteger)));
}

/** A cell's state sizes as a list. */
export function stateSizes(cell: RNNCellLike): number[] {
  return Array.isArray(cell.stateSize) ? cell.stateSize : [cell.stateSize];
}

/**
 * The built-in cells (SimpleRNNCell, LSTMCell, GRUCell): one time step of SimpleRNN, LSTM or GRU,
 * owning its weights (kernel [features, gates·u], recurrent_kernel, bias — Keras order and layout).
 * `apply([x, h])` (LSTM: `[x, h, c]`) returns `[h', h']` (LSTM: `[h', h', c']`). In `st.layers.rnn`
 * the whole sequence runs as one fused kernel call, as the SimpleRNN/LSTM/GRU layers do. Dropout
 * masks are drawn once per sequence and kept until `resetDropoutMasks()` (the RNN layer calls it).
 */
export interface BuiltinCell extends CellSettings {}
export abstract class BuiltinCell extends Layer implements RNNCellLike {
  kernel?: Variable;
  recurrentKernel?: Variable;
  bias?: Variable;
  private masks: DropoutMasks | null = null;

  constructor(opts: AnyCellOptions, readonly formulas: Cell) {
    super(opts);
    Object.assign(this, cellSettings(opts, this.describe()));
  }

  get stateSize(): number[] {
    return new Array<number>(this.formulas.stateCount).fill(this.units);
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as LayerShape;
    const features = cellFeatures(this.describe(), shape, 2);
    Object.assign(this, makeCellWeights(this, this.formulas, features, (n, sh, init, o) => this.addWeight(n, sh, init, o)));
    this.built = true;
  }

  computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape[] {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as LayerShape;
    return new Array<LayerShape>(this.formulas.stateCount + 1).fill(0 as never).map(() => [shape[0], this.units]);
  }

  /** One step: `[x, ...states]` → `[h, ...newStates]`. */
  protected call(inputs: Tensor | Tensor[], opts: CallOptions): Tensor[] {
    const [x, ...states] = Array.isArray(inputs) ? inputs : [inputs];
    const n = this.formulas.stateCount;
    if (x.rank !== 2 || x.shape[1] !== this.kernel!.shape[0] || states.length !== n ||
      states.some((s) => s.rank !== 2 || s.shape[0] !== x.shape[0] || s.shape[1] !== this.units)) {
      throw new ShapeError(`${this.describe()}: expected [x [batch, ${this.kernel!.shape[0]}], ${n === 2 ? 'h, c' : 'h'} [batch, ${this.units}]], ` +
        `got [${[x, ...states].map((t) => fmtShape(t.shape)).join(', ')}]`);
    }
    const seq = reshape(x, [x.shape[0], 1, x.shape[1]]);
    this.masks ??= drawDropoutMasks(this, seq, opts.training ?? false);
    const out = runSequence(this.sequenceSpec(false, false), seq, states, false, null, this.masks);
    return [out.states[0], ...out.states];
  }

  resetDropoutMasks(): void {
    this.masks = null;
  }

  /** The cell as a whole sequence for runSequence (the RNN layer's fused path). */
  sequenceSpec(goBackwards: boolean, returnSequences: boolean): SequenceSpec {
    return {
      where: this.describe(), cell: this.formulas, units: this.units, activation: this.activation, recurrentActivation: this.recurrentActivation,
      resetAfter: this.resetAfter, kernel: this.kernel!, recurrentKernel: this.recurrentKernel!, bias: this.bias ?? null,
      dropout: this.dropout, recurrentDropout: this.recurrentDropout, seed: this.seed, goBackwards, returnSequences,
    };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), ...cellConfig(this, this.formulas) };
  }
}

/** Options of LSTMCell. */
export interface LSTMCellOptions extends CellOptions {
  /** Activation of the i, f, o gates, default 'sigmoid' ('hard_sigmoid' in TF.js and Keras 2 files). */
  recurrentActivation?: AnyCellOptions['recurrentActivation'];
  /** Initialise the forget-gate slice of the bias to 1; default true. */
  unitForgetBias?: boolean;
}

/** Options of GRUCell. */
export interface GRUCellOptions extends CellOptions {
  /** Activation of the z, r gates, default 'sigmoid'. */
  recurrentActivation?: AnyCellOptions['recurrentActivation'];
  /** The cuDNN form with bias [2, 3u] (default true, Keras 3); a config without the key (TF.js, Keras 2) means false. */
  resetAfter?: boolean;
}

/** One SimpleRNN step: h = act(x·W + b + h₋₁·U). @example st.layers.rnn({ cell: st.layers.simpleRNNCell({ units: 8 }) }) */
export class SimpleRNNCell extends BuiltinCell {
  static override className = 'SimpleRNNCell';
  constructor(opts: CellOptions) {
    super(opts, simpleRnnStep);
  }
}
registerLayer(SimpleRNNCell);

/** One LSTM step (gates i, f, c, o). @example st.layers.rnn({ cell: st.layers.lstmCell({ units: 32 }) }) */
export class LSTMCell extends BuiltinCell {
  static override className = 'LSTMCell';
  constructor(opts: LSTMCellOptions) {
    super(opts, lstmStep);
  }
}
registerLayer(LSTMCell);

/** One GRU step (gates z, r, h). @example st.layers.rnn({ cell: st.layers.gruCell({ units: 16 }) }) */
export class GRUCell extends BuiltinCell {
  static override className = 'GRUCell';
  constructor(opts: GRUCellOptions) {
    super(opts, gruStep);
  }

  /** A config lacking resetAfter comes from a TF.js or Keras 2 file, where the GRU resets before the matmul. */
  static override fromConfig<T>(this: new (opts: never) => T, config: Record<string, unknown>): T {
    return new this({ ...config, resetAfter: config.resetAfter ?? false } as never);
  }
}
registerLayer(GRUCell);

/** SimpleRNN cell factory (TF.js `tf.layers.simpleRNNCell`). */
export const simpleRNNCell = (opts: CellOptions): SimpleRNNCell => new SimpleRNNCell(opts);
/** LSTM cell factory (TF.js `tf.layers.lstmCell`). */
export const lstmCell = (opts: LSTMCellOptions): LSTMCell => new LSTMCell(opts);
/** GRU cell factory (TF.js `tf.layers.gruCell`). */
export const gruCell = (opts: GRUCellOptions): GRUCell => new GRUCell(opts);

/** Checks that a value is a cell, naming `where` and `what` in the error. */
export function asCell(value: unknown, where: string, what: string): RNNCellLike {
  if (!isCell(value)) {
    throw new ConfigError(`${where}: ${what} must be a recurrent cell (st.layers.lstmCell / gruCell / simpleRNNCell, ` +
      `st.layers.stackedRNNCells, or a Layer with a stateSize whose call([x, ...states]) returns [output, ...states]), got ` +
      `${value instanceof Layer ? value.describe() + ' (no stateSize)' : JSON.stringify(value)?.slice(0, 100)}`);
  }
  return value;
}
