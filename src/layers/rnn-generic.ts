import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/create.js';
import { notEqual, reshape, stack, unstack, where } from '../ops/index.js';
import { Layer, type CallOptions, type LayerOptions, type LayerShape } from './layer.js';
import { deserialize, registerLayer, serialize } from './serialization.js';
import { Wrapper, nestedLayer } from './wrappers.js';
import { BuiltinCell, type RNNCellLike, asCell, stateSizes } from './rnn-cell-layers.js';
import { checkMask, runSequence } from './recurrent-sequence.js';

/** Options of StackedRNNCells. */
export interface StackedRNNCellsOptions extends LayerOptions {
  /** The cells, first to last: each takes the previous one's output. */
  cells: (RNNCellLike | Record<string, unknown>)[];
}

/**
 * Several cells as one (Keras/TF.js `StackedRNNCells`): at each step the input goes through the cells
 * in order, each with its own states. States: every cell's, in cell order; output: the last cell's.
 * Weights: the cells', in order.
 * @example st.layers.rnn({ cell: st.layers.stackedRNNCells({ cells: [st.layers.lstmCell({ units: 32 }), st.layers.lstmCell({ units: 32 })] }) })
 */
export class StackedRNNCells extends Wrapper implements RNNCellLike {
  static override className = 'StackedRNNCells';
  readonly cells: RNNCellLike[];

  constructor(opts: StackedRNNCellsOptions) {
    super(opts);
    const where = this.describe();
    if (!opts || !Array.isArray(opts.cells) || opts.cells.length === 0) {
      throw new ConfigError(`${where}: cells must be a non-empty list of cells, got ${JSON.stringify(opts?.cells)?.slice(0, 100)}`);
    }
    this.cells = opts.cells.map((c, i) => asCell(nestedLayer(c, where, `cells[${i}]`), where, `cells[${i}]`));
  }

  protected get wrapped(): Layer[] {
    return this.cells;
  }

  get stateSize(): number[] {
    return this.cells.flatMap(stateSizes);
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    let shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as LayerShape;
    for (const cell of this.cells) {
      if (!cell.built) {
        cell.build(shape);
        cell.built = true;
      }
      shape = [shape[0], stateSizes(cell)[0]];
    }
    this.built = true;
  }

  computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape[] {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as LayerShape;
    const sizes = this.stateSize;
    return [[shape[0], stateSizes(this.cells[this.cells.length - 1])[0]], ...sizes.map((d) => [shape[0], d])];
  }

  protected call(inputs: Tensor | Tensor[], opts: CallOptions): Tensor[] {
    let [x, ...states] = Array.isArray(inputs) ? inputs : [inputs];
    const next: Tensor[] = [];
    for (const cell of this.cells) {
      const n = stateSizes(cell).length;
      const [out, ...mine] = cell.apply([x, ...states.slice(0, n)], { training: opts.training }) as Tensor[];
      states = states.slice(n);
      next.push(...mine);
      x = out;
    }
    return [x, ...next];
  }

  resetDropoutMasks(): void {
    for (const c of this.cells) c.resetDropoutMasks?.();
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), cells: this.cells };
  }

  static override fromConfig<T extends Layer>(this: new (opts: never) => T, config: Record<string, unknown>): T {
    const cells = Array.isArray(config.cells) ? config.cells.map((c) => (c instanceof Layer ? fresh(c) : c)) : config.cells;
    return new this({ ...config, cells } as never);
  }
}
registerLayer(StackedRNNCells);

/** Options of RNN. */
export interface RNNOptions extends LayerOptions {
  /** The cell: built-in (lstmCell, gruCell, simpleRNNCell), stackedRNNCells, a list of cells (stacked), or a user's cell. */
  cell: RNNCellLike | RNNCellLike[] | Record<string, unknown>;
  /** Return the output of every step [batch, time, units] instead of the last; default false. */
  returnSequences?: boolean;
  /** Also return the final states: apply gives [output, ...states]; default false. */
  returnState?: boolean;
  /** Process the sequence in reverse; with returnSequences the outputs are in processed order; default false. */
  goBackwards?: boolean;
  /** Carry the final states of one call into the next; default false. */
  stateful?: boolean;
  /** Accepted for TF.js/Keras configs; the loop is never unrolled (the fused kernels make it unnecessary). */
  unroll?: boolean;
}

/**
 * A recurrent layer over any cell (Keras/TF.js `RNN`): a built-in cell runs its whole sequence as
 * one fused kernel call (as the SimpleRNN/LSTM/GRU layers); a stack of cells or a user's cell runs
 * step by step through its own `call`. Inputs [batch, time, features], initial states by
 * `apply([x, ...states])` or `{ initialState }`; a mask [batch, time] carries the states over
 * masked steps. Weights: the cell's.
 * @example st.layers.rnn({ cell: [st.layers.lstmCell({ units: 16 }), st.layers.gruCell({ units: 8 })], returnSequences: true })
 */
export class RNN extends Wrapper {
  static override className = 'RNN';
  readonly cell: RNNCellLike;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly stateful: boolean;
  private savedStates: Tensor[] | null = null;

  constructor(opts: RNNOptions) {
    super(opts);
    const where = this.describe();
    const given = opts?.cell;
    this.cell = Array.isArray(given)
      ? new StackedRNNCells({ cells: given })
      : asCell(nestedLayer(given, where, 'cell'), where, 'cell');
    this.returnSequences = opts.returnSequences ?? false;
    this.returnState = opts.returnState ?? false;
    this.goBackwards = opts.goBackwards ?? false;
    this.stateful = opts.stateful ?? false;
    this.supportsMasking = true;
  }

  protected get wrapped(): Layer[] {
    return [this.cell];
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as LayerShape;
    if (shape.length !== 3 || shape[2] === null) {
      throw new ShapeError(`${this.describe()}: expected input of rank 3 [batch, time, features] with known features, ` +
        `got ${fmtShape(shape as number[])}; did you forget an embedding or a reshape?`);
    }
    this.inputSpec = { ndim: 3, axes: { [2]: shape[2] }, layout: '[batch, time, features]', fix: 'did you forget an embedding or a reshape?' };
    if (!this.cell.built) {
      this.cell.build([shape[0], shape[2]]);
      this.cell.built = true;
    }
    this.built = true;
  }

  computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape | LayerShape[] {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as LayerShape;
    const sizes = stateSizes(this.cell);
    const outputSize = this.cell instanceof StackedRNNCells ? stateSizes(this.cell.cells[this.cell.cells.length - 1])[0] : sizes[0];
    const out: LayerShape = this.returnSequences ? [shape[0], shape[1], outputSize] : [shape[0], outputSize];
    return this.returnState ? [out, ...sizes.map((d): LayerShape => [shape[0], d])] : out;
  }

  override computeMask(_inputs: Tensor | Tensor[], mask: Tensor | null | undefined): Tensor | null {
    return this.returnSequences ? mask ?? null : null;
  }

  protected call(inputs: Tensor | Tensor[], opts: CallOptions): Tensor | Tensor[] {
    const [x, ...given] = Array.isArray(inputs) ? inputs : [inputs];
    if (x.rank !== 3 || x.shape[1] === 0) {
      throw new ShapeError(`${this.describe()}: expected input [batch, time, features] with at least one step, got ${fmtShape(x.shape)}`);
    }
    const [batch, time] = x.shape;
    const initial = this.initialStates(batch, x.dtype, opts.initialState ?? (given.length ? given : undefined));
    const training = opts.training ?? false;
    const mask = opts.mask ?? null;
    let output: Tensor, states: Tensor[];
    if (this.cell instanceof BuiltinCell) {
      const r = runSequence(this.cell.sequenceSpec(this.goBackwards, this.returnSequences), x, initial, training, mask);
      [output, states] = [r.sequence ?? r.states[0], r.states];
    } else {
      [output, states] = this.stepByStep(x, initial, training, mask);
    }
    if (this.stateful) this.savedStates = states.map((s) => new Tensor(s.values, s.shape));
    return this.returnState ? [output, ...states] : output;
  }

  /** Any cell, one `call` per step; returns the output (every step's with returnSequences) and the final states. */
  private stepByStep(x: Tensor, initial: Tensor[], training: boolean, mask: Tensor | null): [Tensor, Tensor[]] {
    const [batch, time] = x.shape;
    if (mask) checkMask(this.describe(), mask, batch, time);
    const steps = unstack(x, 1);
    const stepMasks = mask ? unstack(reshape(notEqual(mask, 0), [batch, time, 1]), 1) : null;
    const outputs: Tensor[] = [];
    let output: Tensor | null = null, states = initial;
    this.cell.resetDropoutMasks?.();
    for (let i = 0; i < time; i++) {
      const t = this.goBackwards ? time - 1 - i : i;
      let [out, ...next] = this.cell.apply([steps[t], ...states], { training }) as Tensor[];
      if (stepMasks) {
        const m = stepMasks[t], prev = states;
        next = next.map((s, j) => where(m, s, prev[j]));
        // A masked step repeats the previous output (zeros before the first), as Keras.
        out = where(m, out, output ?? zeros(out.shape, out.dtype));
      }
      states = next;
      output = out;
      if (this.returnSequences) outputs.push(out);
    }
    this.cell.resetDropoutMasks?.();
    return [this.returnSequences ? stack(outputs, 1) : output!, states];
  }

  private initialStates(batch: number, dtype: Tensor['dtype'], given: Tensor[] | undefined): Tensor[] {
    const sizes = stateSizes(this.cell);
    if (given) {
      if (given.length !== sizes.length || given.some((s, i) => !(s instanceof Tensor) || s.rank !== 2 || s.shape[0] !== batch || s.shape[1] !== sizes[i])) {
        throw new ShapeError(`${this.describe()}: initialState must be ${sizes.length} tensor(s) of shapes ` +
          `${sizes.map((d) => fmtShape([batch, d])).join(', ')} (the cell's stateSize), got ` +
          `[${given.map((s) => (s instanceof Tensor ? fmtShape(s.shape) : typeof s)).join(', ')}]`);
      }
      return given;
    }
    if (this.stateful && this.savedStates) {
      if (this.savedStates[0].shape[0] !== batch) {
        throw new ShapeError(`${this.describe()}: a stateful layer keeps states for batch size ${this.savedStates[0].shape[0]}, ` +
          `got a batch of ${batch}; use the same batch size in every call or call resetStates() first`);
      }
      return this.savedStates;
    }
    return sizes.map((d) => zeros([batch, d], dtype));
  }

  /** The states a stateful layer carries into its next call (copies), or null before the first call. */
  get states(): Tensor[] | null {
    return this.savedStates ? this.savedStates.slice() : null;
  }

  /** Stateful layers: zeroes the carried states, or sets them (one tensor per entry of the cell's stateSize). */
  resetStates(states?: Tensor[]): void {
    if (!this.stateful) throw new ConfigError(`${this.describe()}: resetStates needs a stateful layer; create it with stateful: true`);
    if (states) this.savedStates = this.initialStates(states[0]?.shape[0] ?? 0, states[0]?.dtype ?? 'float32', states).map((s) => new Tensor(s.values, s.shape));
    else if (this.savedStates) this.savedStates = this.savedStates.map((s) => zeros(s.shape, s.dtype));
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), cell: this.cell, returnSequences: this.returnSequences, returnState: this.returnState,
      goBackwards: this.goBackwards, stateful: this.stateful, unroll: false,
    };
  }

  /** A cell given as a Layer (a copy of another RNN's config, as Bidirectional makes) is rebuilt fresh. */
  static override fromConfig<T extends Layer>(this: new (opts: never) => T, config: Record<string, unknown>): T {
    const cell = config.cell;
    return new this({ ...config, cell: cell instanceof Layer ? fresh(cell) : Array.isArray(cell) ? cell.map((c) => (c instanceof Layer ? fresh(c) : c)) : cell } as never);
  }
}
registerLayer(RNN);

/** A new, unbuilt layer of the same class and config (its own weights). */
function fresh(layer: Layer): Layer {
  return deserialize(serialize(layer));
}

/** RNN layer factory (TF.js `tf.layers.rnn`). @example st.layers.rnn({ cell: st.layers.lstmCell({ units: 8 }) }) */
export const rnn = (opts: RNNOptions): RNN => new RNN(opts);
/** StackedRNNCells factory (TF.js `tf.layers.stackedRNNCells`). */
export const stackedRNNCells = (opts: StackedRNNCellsOptions): StackedRNNCells => new StackedRNNCells(opts);
