import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/create.js';
import type { Variable } from '../autograd/variable.js';
import { Layer, type CallOptions, type LayerOptions, type LayerShape } from './layer.js';
import type { Cell } from './rnn-cells.js';
import { type AnyCellOptions, type CellOptions, type CellSettings, cellConfig, cellFeatures, cellSettings, makeCellWeights } from './cell-settings.js';
import { runSequence } from './recurrent-sequence.js';
import { SymbolicTensor, isSymbolic } from './symbolic.js';

/** Options shared by SimpleRNN, LSTM and GRU (TensorFlow.js names, Keras 3 defaults): the cell's and the sequence's. */
export interface RecurrentOptions extends CellOptions {
  /** Return the output of every step [batch, time, units] instead of the last [batch, units]; default false. */
  returnSequences?: boolean;
  /** Also return the final states: apply gives [output, h] or, for LSTM, [output, h, c]; default false. */
  returnState?: boolean;
  /** Process the sequence in reverse; with returnSequences the outputs are in processed order; default false. */
  goBackwards?: boolean;
  /** Carry the final states of one call into the next (batch i continues batch i); default false. */
  stateful?: boolean;
}

/** Options with the cell-specific ones, as the base class stores them. */
export interface AnyRecurrentOptions extends RecurrentOptions, AnyCellOptions {}

export { setFusedRecurrent } from './recurrent-sequence.js';

/**
 * The recurrent layer: one sequence loop over a cell's step function (SimpleRNN, LSTM and GRU
 * subclass it with their cell). Inputs are [batch, time, features]. With built-in activations the
 * whole sequence runs as one fused op (rnnSequence: the input projection, the time loop and, in the
 * backward pass, BPTT each in one kernel call); otherwise (custom activations, float dtypes that
 * differ, higher-order gradients) the input projection x·W (+ b) is one matmul for all steps and
 * the loop applies the cell step by step. Both paths compute the same formulas.
 *
 * Semantics, as Keras:
 * - dropout / recurrentDropout draw ONE mask per sequence for the inputs and one for the state,
 *   reused at every step and shared by all gates (Keras 3's default implementation; TF.js likewise),
 *   only when `training`. The GRU carry z⊙h₋₁ uses the undropped h₋₁.
 * - mask [batch, time] (1 = real step): at a masked step the states are carried over unchanged and
 *   the output repeats the previous output (= the carried h; Keras `zero_output_for_mask` false).
 *   A masked first step thus outputs the initial h, as TF.js and Keras 3's jax/torch loops do.
 * - goBackwards reverses the input (and mask); returnSequences outputs are in processed order.
 */
// The checked cell options (units, activation, initializers, dropout, ...) are fields of the layer.
export interface RecurrentLayer extends CellSettings {}
export abstract class RecurrentLayer extends Layer {
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly stateful: boolean;
  kernel?: Variable;
  recurrentKernel?: Variable;
  bias?: Variable;
  private savedStates: Tensor[] | null = null;

  constructor(opts: AnyRecurrentOptions, readonly cell: Cell) {
    // Keras default names ('lstm', 'simple_rnn'); the base would split acronyms letter by letter.
    super(opts);
    Object.assign(this, cellSettings(opts, this.describe()));
    this.returnSequences = opts.returnSequences ?? false;
    this.returnState = opts.returnState ?? false;
    this.goBackwards = opts.goBackwards ?? false;
    this.stateful = opts.stateful ?? false;
    this.supportsMasking = true;
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as LayerShape;
    const features = cellFeatures(this.describe(), shape, 3);
    this.inputSpec = { ndim: 3, axes: { [2]: features }, layout: '[batch, time, features]', fix: 'did you forget an embedding or a reshape?' };
    Object.assign(this, makeCellWeights(this, this.cell, features, (n, sh, init, o) => this.addWeight(n, sh, init, o)));
    this.built = true;
  }

  computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape | LayerShape[] {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as LayerShape;
    const out: LayerShape = this.returnSequences ? [shape[0], shape[1], this.units] : [shape[0], this.units];
    if (!this.returnState) return out;
    return [out, ...new Array<LayerShape>(this.cell.stateCount).fill([shape[0], this.units])];
  }

  override computeMask(_inputs: Tensor | Tensor[], mask: Tensor | null | undefined): Tensor | null {
    return this.returnSequences ? mask ?? null : null;
  }

  /**
   * Runs the layer (see Layer.apply). Symbolic initial states (`{ initialState: [h, c] }`, e.g. an
   * encoder's final states) become inputs of the graph node after x, as in Keras and TensorFlow.js,
   * so the model feeds them at every call and saves them as inbound tensors.
   * @example const [seq] = decoderLstm.apply(decoderInputs, { initialState: [h, c] }) as st.SymbolicTensor[];
   */
  override apply(inputs: Tensor | Tensor[], opts?: CallOptions): Tensor | Tensor[];
  override apply(inputs: SymbolicTensor | SymbolicTensor[], opts?: CallOptions): SymbolicTensor | SymbolicTensor[];
  override apply(inputs: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[], opts: CallOptions = {}): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[] {
    const init = opts.initialState as unknown;
    const states = (init instanceof SymbolicTensor ? [init] : init) as SymbolicTensor[];
    if (Array.isArray(states) && isSymbolic(states)) {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      if (list.length !== 1 || !isSymbolic(list)) {
        throw new ConfigError(`${this.describe()}: with symbolic initialState, give one symbolic input x (the states go in ` +
          `initialState, or use apply([x, ...states]) alone), got ${list.length} input(s)`);
      }
      this.checkSymbolicStates(states);
      const { initialState: _states, ...rest } = opts;
      return super.apply([list[0] as SymbolicTensor, ...states], rest);
    }
    if (isSymbolic(inputs) && Array.isArray(inputs) && inputs.length > 1) this.checkSymbolicStates(inputs.slice(1));
    return super.apply(inputs as never, opts);
  }

  /** Symbolic states must be [h] or [h, c], each [batch, units], when the graph is built. */
  private checkSymbolicStates(states: SymbolicTensor[]): void {
    const n = this.cell.stateCount;
    if (states.length !== n || states.some((s) => s.rank !== 2 || (s.shape[1] !== null && s.shape[1] !== this.units))) {
      throw new ShapeError(`${this.describe()}: initialState must be ${n} tensor${n > 1 ? 's' : ''} ${n === 2 ? '[h, c]' : '[h]'} of ` +
        `shape [batch, units] = [null, ${this.units}], got [${states.map((s) => fmtShape(s.shape)).join(', ')}] — ` +
        `pass the states of a layer with the same units (e.g. an encoder built with returnState: true)`);
    }
  }

  /** `apply(x)`, or `apply([x, h0, c0?])` with the initial states after the input, as Keras. */
  protected call(inputs: Tensor | Tensor[], opts: CallOptions): Tensor | Tensor[] {
    const [x, ...given] = Array.isArray(inputs) ? inputs : [inputs];
    const [batch] = this.checkInput(x);
    const states = this.initialStates(batch, x.dtype, opts.initialState ?? (given.length ? given : undefined));
    const out = runSequence({
      where: this.describe(), cell: this.cell, units: this.units, activation: this.activation, recurrentActivation: this.recurrentActivation,
      resetAfter: this.resetAfter, kernel: this.kernel!, recurrentKernel: this.recurrentKernel!, bias: this.bias ?? null,
      dropout: this.dropout, recurrentDropout: this.recurrentDropout, seed: this.seed, goBackwards: this.goBackwards, returnSequences: this.returnSequences,
    }, x, states, opts.training ?? false, opts.mask ?? null);
    return this.finish(out.sequence, out.states);
  }

  /** The layer's outputs from the sequence (with returnSequences) and the final states; keeps them when stateful. */
  private finish(sequence: Tensor | null, states: Tensor[]): Tensor | Tensor[] {
    if (this.stateful) this.savedStates = states.map((s) => new Tensor(s.values, s.shape));
    const output = sequence ?? states[0];
    return this.returnState ? [output, ...states] : output;
  }

  private checkInput(x: Tensor): [number, number] {
    const features = this.kernel!.shape[0];
    if (x.rank !== 3 || x.shape[2] !== features) {
      throw new ShapeError(`${this.describe()}: expected input [batch, time, features] with ${features} features, got ` +
        `${fmtShape(x.shape)}${x.rank !== 3 ? '; did you forget an embedding or a reshape?' : ''}`);
    }
    if (x.shape[1] === 0) throw new ShapeError(`${this.describe()}: the input has no time steps (shape ${fmtShape(x.shape)})`);
    return [x.shape[0], x.shape[1]];
  }

  /** Given initial states (checked), the stateful layer's saved states, or zeros. */
  private initialStates(batch: number, dtype: Tensor['dtype'], given: Tensor[] | undefined): Tensor[] {
    if (given) return this.checkStates(given, batch, 'initialState');
    if (this.stateful && this.savedStates) {
      if (this.savedStates[0].shape[0] !== batch) {
        throw new ShapeError(`${this.describe()}: a stateful layer keeps states for batch size ${this.savedStates[0].shape[0]}, ` +
          `got a batch of ${batch}; use the same batch size in every call or call resetStates() first`);
      }
      return this.savedStates;
    }
    return new Array(this.cell.stateCount).fill(0).map(() => zeros([batch, this.units], dtype));
  }

  private checkStates(states: Tensor[], batch: number | null, what: string): Tensor[] {
    const n = this.cell.stateCount;
    const names = n === 2 ? '[h, c]' : '[h]';
    const ok = Array.isArray(states) && states.length === n && states.every((s) => s instanceof Tensor &&
      s.rank === 2 && s.shape[1] === this.units && (batch === null || s.shape[0] === batch));
    if (!ok) {
      const got = Array.isArray(states) ? states.map((s) => (s instanceof Tensor ? fmtShape(s.shape) : typeof s)).join(', ') : typeof states;
      throw new ShapeError(`${this.describe()}: ${what} must be ${n} tensor${n > 1 ? 's' : ''} ${names} of shape ` +
        `[batch, units] = ${fmtShape([batch ?? 'batch', this.units] as never)}, got [${got}]`);
    }
    return states;
  }

  /** The states a stateful layer carries into its next call (copies), or null before the first call. */
  get states(): Tensor[] | null {
    return this.savedStates ? this.savedStates.slice() : null;
  }

  /**
   * Stateful layers: zeroes the carried states, or sets them to `states` ([h] or [h, c], each
   * [batch, units]).
   */
  resetStates(states?: Tensor[]): void {
    if (!this.stateful) throw new ConfigError(`${this.describe()}: resetStates needs a stateful layer; create it with stateful: true`);
    if (states) {
      this.checkStates(states, null, 'resetStates(states)');
      if (new Set(states.map((s) => s.shape[0])).size > 1) throw new ShapeError(`${this.describe()}: resetStates: the states have different batch sizes`);
      this.savedStates = states.map((s) => new Tensor(s.values, s.shape));
    } else if (this.savedStates) {
      this.savedStates = this.savedStates.map((s) => zeros(s.shape, s.dtype));
    }
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), ...cellConfig(this, this.cell),
      returnSequences: this.returnSequences, returnState: this.returnState, goBackwards: this.goBackwards, stateful: this.stateful,
    };
  }
}
