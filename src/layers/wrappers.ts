import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { reshape } from '../ops/index.js';
import { Layer, type CallOptions, type LayerOptions, type LayerShape } from './layer.js';
import { deserialize, registerLayer } from './serialization.js';

/**
 * Base of layers that wrap others (TimeDistributed, Bidirectional): the weights, penalties and
 * constraints are the wrapped layers', in their order, so getWeights/setWeights stay Keras-ordered.
 */
export abstract class Wrapper extends Layer {
  /** The wrapped layers whose weights this layer owns, in Keras weight order. */
  protected abstract get wrapped(): Layer[];

  override get weights(): Variable[] {
    return this.wrapped.flatMap((l) => l.weights);
  }

  override get trainableWeights(): Variable[] {
    return this.trainable ? this.wrapped.flatMap((l) => l.trainableWeights) : [];
  }

  override get nonTrainableWeights(): Variable[] {
    return this.trainable ? this.wrapped.flatMap((l) => l.nonTrainableWeights) : this.weights;
  }

  override getWeights(): Tensor[] {
    return this.wrapped.flatMap((l) => l.getWeights());
  }

  override setWeights(weights: Tensor[]): void {
    const counts = this.wrapped.map((l) => l.weights.length);
    const total = counts.reduce((a, b) => a + b, 0);
    if (!Array.isArray(weights) || weights.length !== total) {
      throw new ConfigError(`${this.describe()}: setWeights expects ${total} tensors ` +
        `(${this.weights.map((w) => `${w.name} ${fmtShape(w.shape)}`).join(', ')}), got ${weights?.length}` +
        (this.built ? '' : ' — build or apply the layer first'));
    }
    let at = 0;
    this.wrapped.forEach((l, i) => {
      l.setWeights(weights.slice(at, at + counts[i]));
      at += counts[i];
    });
  }

  override countParams(): number {
    if (!this.built) {
      throw new ConfigError(`${this.describe()}: countParams needs the layer built; call build(inputShape) or apply it first`);
    }
    return this.weights.reduce((n, w) => n + w.size, 0);
  }

  override regularizationLosses(): Tensor[] {
    return [...this.wrapped.flatMap((l) => l.regularizationLosses()), ...super.regularizationLosses()];
  }

  override applyConstraints(): void {
    for (const l of this.wrapped) l.applyConstraints();
  }
}

/**
 * A nested layer from a config: a Layer, or its Keras JSON `{ class_name | className, config }`
 * (snake_case or camelCase keys), as TF.js and Keras files write wrapped layers.
 */
export function nestedLayer(value: unknown, where: string, key = 'layer'): Layer {
  if (value instanceof Layer) return value;
  if (value && typeof value === 'object' && ('class_name' in value || 'className' in value)) {
    return deserialize(value as { class_name?: string; className?: string; config?: Record<string, unknown> });
  }
  throw new ConfigError(`${where}: ${key} must be a layer (e.g. st.layers.dense({ units: 8 })) or its ` +
    `{ class_name, config }, got ${JSON.stringify(value)?.slice(0, 120)}`);
}

export interface TimeDistributedOptions extends LayerOptions {
  /** The layer applied to every timestep (a Layer, or its `{ class_name, config }`). */
  layer: Layer;
}

/**
 * Applies one layer to every timestep of [batch, time, ...] input, with the same weights: the input
 * is reshaped to [batch·time, ...], run through the layer, and reshaped back. Its weights are the
 * wrapped layer's; an input mask passes through.
 * @example st.layers.timeDistributed({ layer: st.layers.dense({ units: 8 }) }) // [b, t, f] → [b, t, 8]
 */
export class TimeDistributed extends Wrapper {
  static override className = 'TimeDistributed';
  readonly layer: Layer;

  constructor(opts: TimeDistributedOptions) {
    super(opts);
    this.layer = nestedLayer(opts?.layer, this.describe());
    this.supportsMasking = true;
  }

  protected get wrapped(): Layer[] {
    return [this.layer];
  }

  /** Rebuilds the wrapped layer from its nested `{ class_name, config }` (any key spelling). */
  static override fromConfig<T extends Layer>(this: new (opts: never) => T, config: Record<string, unknown>): T {
    return new this({ ...config, layer: nestedLayer(config.layer, 'TimeDistributed.fromConfig') } as never);
  }

  override build(inputShape: LayerShape): void {
    this.checkRank(inputShape);
    if (!this.layer.built) {
      this.layer.build([null, ...inputShape.slice(2)]);
      this.layer.built = true;
    }
    this.built = true;
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    this.checkRank(inputShape);
    const inner = this.layer.computeOutputShape([inputShape[0], ...inputShape.slice(2)]);
    if (Array.isArray(inner[0])) {
      throw new ConfigError(`${this.describe()}: the wrapped ${this.layer.describe()} has several outputs; TimeDistributed needs one`);
    }
    return [inner[0] as number | null, inputShape[1], ...(inner as LayerShape).slice(1)];
  }

  protected call(x: Tensor, opts: CallOptions): Tensor {
    this.checkRank(x.shape);
    const [batch, time, ...rest] = x.shape;
    // A mask with per-step structure below time ([b, t, ...]) follows the steps into the inner layer.
    const mask = opts.mask && opts.mask.rank > 2 ? reshape(opts.mask, [batch * time, ...opts.mask.shape.slice(2)]) : null;
    const y = this.layer.apply(reshape(x, [batch * time, ...rest]), { training: opts.training, mask });
    if (!(y instanceof Tensor)) {
      throw new ConfigError(`${this.describe()}: the wrapped ${this.layer.describe()} returned ${y.length} tensors; ` +
        'TimeDistributed needs a layer with one output (turn off returnState)');
    }
    return reshape(y, [batch, time, ...y.shape.slice(1)]);
  }

  private checkRank(shape: readonly (number | null)[]): void {
    if (shape.length < 3) {
      throw new ShapeError(`${this.describe()}: expected input of rank ≥ 3 [batch, time, ...], got ` +
        `${fmtShape(shape as number[])} — the second axis is the one the layer is applied along`);
    }
  }

  /** A wrapped layer with shorthands (dense dropout) becomes one TimeDistributed per standard layer. */
  override expand(): Layer[] {
    const parts = this.layer.expand();
    if (parts.length === 1) return [this];
    return parts.map((layer, i) => new TimeDistributed({
      ...(i === 0 ? this.getConfig() : { name: `${this.name}_${layer.name}`, trainable: this.trainable }), layer,
    } as TimeDistributedOptions));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), layer: this.layer };
  }
}
registerLayer(TimeDistributed);

/**
 * TimeDistributed factory: the same layer on every timestep.
 * @example st.layers.timeDistributed({ layer: st.layers.dense({ units: 4 }), inputShape: [10, 16] })
 */
export const timeDistributed = (opts: TimeDistributedOptions): TimeDistributed => new TimeDistributed(opts);
