import { ConfigError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { add, concat, mul, reverse } from '../ops/index.js';
import { Layer, type CallOptions, type LayerOptions, type LayerShape } from './layer.js';
import { registerLayer } from './serialization.js';
import { Wrapper, nestedLayer } from './wrappers.js';

/** How Bidirectional combines the two directions: concatenated features, sum, product, mean, or both (null). */
export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave' | null;
const MERGE_MODES: MergeMode[] = ['concat', 'sum', 'mul', 'ave', null];

/** What Bidirectional needs of the wrapped layer: a recurrent layer's direction and output flags. */
interface Recurrent extends Layer {
  goBackwards: boolean;
  returnSequences: boolean;
  returnState: boolean;
  stateful?: boolean;
  resetStates?: (states?: Tensor[]) => void;
}

export interface BidirectionalOptions extends LayerOptions {
  /** The recurrent layer (simpleRNN, lstm, gru) to run both ways, or its `{ class_name, config }`. */
  layer: Layer;
  /** Default 'concat'; null returns [forward, backward] as two outputs. */
  mergeMode?: MergeMode;
  /** The backward layer itself (its goBackwards must differ from `layer`'s); default: a copy of `layer` reversed. */
  backwardLayer?: Layer;
}

/**
 * Runs a recurrent layer over the sequence in both directions and merges the two outputs. The
 * forward layer is a copy of `layer`, the backward one a copy with goBackwards toggled (as Keras,
 * named 'forward_…' and 'backward_…'); with returnSequences the backward outputs are put back in
 * input time order before merging. With returnState the result is
 * [output(s), ...forwardStates, ...backwardStates]. Weights: the forward layer's, then the backward's.
 * `initialState` takes the forward states followed by the backward ones; a mask goes to both.
 * @example st.layers.bidirectional({ layer: st.layers.lstm({ units: 32, returnSequences: true }), mergeMode: 'concat' })
 */
export class Bidirectional extends Wrapper {
  static override className = 'Bidirectional';
  /** The layer as given (its config is what `getConfig` saves, as TF.js and Keras 2 do). */
  readonly layer: Layer;
  readonly forwardLayer: Recurrent;
  readonly backwardLayer: Recurrent;
  readonly mergeMode: MergeMode;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  private readonly givenBackward: boolean;

  constructor(opts: BidirectionalOptions) {
    // An inputShape given to the wrapped layer (TF.js examples do) serves as the wrapper's.
    const inner = opts?.layer instanceof Layer && !opts.inputShape && !opts.batchInputShape ? opts.layer.batchInputShape : null;
    super(inner ? { ...opts, batchInputShape: inner } : opts);
    const where = this.describe();
    this.layer = nestedLayer(opts?.layer, where);
    const layer = asRecurrent(this.layer, where, 'layer');
    const mode = opts.mergeMode === undefined ? 'concat' : opts.mergeMode;
    if (!MERGE_MODES.includes(mode)) {
      throw new ConfigError(`${where}: mergeMode must be 'concat', 'sum', 'mul', 'ave' or null, got ${JSON.stringify(opts.mergeMode)}`);
    }
    this.mergeMode = mode;
    const base = this.layer.name.replace(/^(forward_|backward_)/, '');
    this.forwardLayer = copy(layer, { name: `forward_${base}` });
    this.givenBackward = opts.backwardLayer !== undefined && opts.backwardLayer !== null;
    if (this.givenBackward) {
      const back = asRecurrent(nestedLayer(opts.backwardLayer, where, 'backwardLayer'), where, 'backwardLayer');
      for (const flag of ['returnSequences', 'returnState', 'stateful'] as const) {
        if (Boolean(back[flag]) !== Boolean(layer[flag])) {
          throw new ConfigError(`${where}: backwardLayer.${flag} is ${Boolean(back[flag])} but layer.${flag} is ${Boolean(layer[flag])}; they must match`);
        }
      }
      if (back.goBackwards === layer.goBackwards) {
        throw new ConfigError(`${where}: backwardLayer must run the other way: both layers have goBackwards ${layer.goBackwards}`);
      }
      this.backwardLayer = back;
    } else {
      this.backwardLayer = copy(layer, { name: `backward_${base}`, goBackwards: !layer.goBackwards });
    }
    this.returnSequences = layer.returnSequences;
    this.returnState = layer.returnState;
    this.supportsMasking = true;
  }

  protected get wrapped(): Layer[] {
    return [this.forwardLayer, this.backwardLayer];
  }

  /**
   * Rebuilds from a config whose `layer` (and optional `backwardLayer`) is a Layer or its nested
   * `{ class_name | className, config }`. A saved `merge_mode: null` means no merging.
   */
  static nullableConfigKeys = ['mergeMode'];

  static override fromConfig<T extends Layer>(this: new (opts: never) => T, config: Record<string, unknown>): T {
    const where = 'Bidirectional.fromConfig';
    if (config.numConstants !== undefined) throw new ConfigError(`${where}: numConstants (constants of the cell) is not supported`);
    return new this({
      ...config, layer: nestedLayer(config.layer, where),
      backwardLayer: config.backwardLayer ? nestedLayer(config.backwardLayer, where, 'backwardLayer') : undefined,
    } as never);
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as LayerShape;
    if (shape.length === 3 && shape[2] !== null) this.inputSpec = { ndim: 3, axes: { [2]: shape[2] }, layout: '[batch, time, features]' };
    for (const l of this.wrapped) {
      if (!l.built) {
        l.build(inputShape);
        l.built = true;
      }
    }
    this.built = true;
  }

  computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape | LayerShape[] {
    const shapes = this.forwardLayer.computeOutputShape(inputShape);
    const [out, ...states] = (this.returnState ? shapes : [shapes]) as LayerShape[];
    const outs = this.mergeMode === null ? [out, out.slice()]
      : [this.mergeMode === 'concat' ? [...out.slice(0, -1), mulDim(out[out.length - 1])] : out];
    if (this.returnState) return [...outs, ...states, ...states.map((s) => s.slice())];
    return outs.length === 1 ? outs[0] : outs;
  }

  /** `apply(x)`, or `apply([x, ...forwardStates, ...backwardStates])` as Keras. */
  protected call(inputs: Tensor | Tensor[], opts: CallOptions): Tensor | Tensor[] {
    const [x, ...given] = Array.isArray(inputs) ? inputs : [inputs];
    const initial = given.length ? given : opts.initialState;
    let forwardStates: Tensor[] | undefined, backwardStates: Tensor[] | undefined;
    if (initial && initial.length) {
      if (initial.length % 2 !== 0) {
        throw new ConfigError(`${this.describe()}: initialState must hold the forward layer's states then the backward ` +
          `layer's (an even number of tensors), got ${initial.length}`);
      }
      forwardStates = initial.slice(0, initial.length / 2);
      backwardStates = initial.slice(initial.length / 2);
    }
    const common = { training: opts.training, mask: opts.mask };
    let y = this.forwardLayer.apply(x, { ...common, initialState: forwardStates });
    let yRev = this.backwardLayer.apply(x, { ...common, initialState: backwardStates });
    let states: Tensor[] = [];
    if (this.returnState) {
      states = [...(y as Tensor[]).slice(1), ...(yRev as Tensor[]).slice(1)];
      y = (y as Tensor[])[0];
      yRev = (yRev as Tensor[])[0];
    }
    // The backward layer emits its sequence in processed (reversed) order.
    if (this.returnSequences) yRev = reverse(yRev as Tensor, 1);
    const merged = this.merge(y as Tensor, yRev as Tensor);
    if (this.returnState) return [...(Array.isArray(merged) ? merged : [merged]), ...states];
    return merged;
  }

  private merge(y: Tensor, yRev: Tensor): Tensor | Tensor[] {
    switch (this.mergeMode) {
      case 'concat': return concat([y, yRev], -1);
      case 'sum': return add(y, yRev);
      case 'mul': return mul(y, yRev);
      case 'ave': return mul(add(y, yRev), 0.5);
      default: return [y, yRev];
    }
  }

  /** The mask of the (merged) output: the input's when whole sequences are returned, as Keras. */
  override computeMask(_inputs: Tensor | Tensor[], mask: Tensor | null | undefined): Tensor | null {
    return this.returnSequences ? mask ?? null : null;
  }

  /** Stateful layers: resets both directions (`states`: forward's then backward's). */
  resetStates(states?: Tensor[]): void {
    const half = states ? states.length / 2 : 0;
    this.forwardLayer.resetStates?.(states?.slice(0, half));
    this.backwardLayer.resetStates?.(states?.slice(half));
  }

  override getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { ...super.getConfig(), layer: this.layer, mergeMode: this.mergeMode };
    if (this.givenBackward) config.backwardLayer = this.backwardLayer;
    return config;
  }
}
registerLayer(Bidirectional);

function mulDim(d: number | null): number | null {
  return d === null ? null : 2 * d;
}

function asRecurrent(layer: Layer, where: string, key: string): Recurrent {
  const r = layer as Partial<Recurrent>;
  if (typeof r.goBackwards !== 'boolean' || typeof r.returnSequences !== 'boolean' || typeof r.returnState !== 'boolean') {
    throw new ConfigError(`${where}: ${key} must be a recurrent layer (simpleRNN, lstm, gru), got ${layer.describe()}`);
  }
  return layer as Recurrent;
}

/** A fresh, unbuilt layer of the same class and config, with some options replaced. */
function copy(layer: Recurrent, overrides: Record<string, unknown>): Recurrent {
  const cls = layer.constructor as unknown as { fromConfig(config: Record<string, unknown>): Layer };
  return cls.fromConfig({ ...layer.getConfig(), ...overrides }) as Recurrent;
}

/**
 * Bidirectional factory: a recurrent layer run forwards and backwards, outputs merged.
 * @example st.layers.bidirectional({ layer: st.layers.gru({ units: 16 }), mergeMode: 'sum' })
 */
export const bidirectional = (opts: BidirectionalOptions): Bidirectional => new Bidirectional(opts);
