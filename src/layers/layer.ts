import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import type { DType } from '../tensor/dtype.js';
import { Variable } from '../autograd/variable.js';
import { type Initializer, type InitializerIdentifier, getInitializer } from '../initializers/index.js';
import { toSnakeCase } from '../utils/case.js';

/** A shape with the batch dimension (and any other unknown one) as null. */
export type LayerShape = (number | null)[];

/** Options every layer takes. */
export interface LayerOptions {
  /** Unique name; default is the snake_case class name with a counter ('dense_1'). */
  name?: string;
  /** Whether the layer's weights are trained (default true). */
  trainable?: boolean;
  /** Shape of one sample, without the batch dimension (first layer of a model). */
  inputShape?: number[];
  /** Full input shape with the batch dimension (null: any). */
  batchInputShape?: LayerShape;
  /** Fixed batch size, with `inputShape`. */
  batchSize?: number;
  dtype?: DType;
}

/** Options of `apply`/`call`: the training flag is explicit, never global. */
export interface CallOptions {
  /** Training mode: dropout drops, batch normalisation uses batch statistics. Default false. */
  training?: boolean;
}

export interface WeightOptions {
  trainable?: boolean;
  dtype?: DType;
}

const counters = new Map<string, number>();

/** The next default name for a class: 'dense', 'dense_1', 'dense_2', ... as Keras names them. */
export function uniqueName(className: string): string {
  const base = toSnakeCase(className[0].toLowerCase() + className.slice(1)).replace(/(\d)_d\b/, '$1d');
  const n = counters.get(base) ?? 0;
  counters.set(base, n + 1);
  return n === 0 ? base : `${base}_${n}`;
}

/**
 * Base of every layer: weights made in `build` from the input shape, a pure `call`, Keras-ordered
 * weights, and a config that rebuilds the layer. Subclasses set `static className` and implement
 * `build`, `call`, `computeOutputShape` and `getConfig`.
 */
export abstract class Layer {
  static className: string;
  readonly name: string;
  trainable: boolean;
  built = false;
  /** Input shape given at construction (batch dimension first, null = any). */
  readonly batchInputShape: LayerShape | null;
  readonly dtype: DType;
  private readonly ownWeights: Variable[] = [];

  constructor(opts: LayerOptions = {}) {
    this.name = opts.name ?? uniqueName(this.className);
    this.trainable = opts.trainable ?? true;
    this.dtype = opts.dtype ?? 'float32';
    if (opts.batchInputShape) this.batchInputShape = opts.batchInputShape.slice();
    else if (opts.inputShape) this.batchInputShape = [opts.batchSize ?? null, ...opts.inputShape];
    else this.batchInputShape = null;
  }

  get className(): string {
    return (this.constructor as typeof Layer).className;
  }

  /** Creates the weights for inputs of this shape (batch dimension null). */
  build(_inputShape: LayerShape | LayerShape[]): void {
    this.built = true;
  }

  /** The output shape for an input shape, without running anything. */
  abstract computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape | LayerShape[];

  /** The forward computation on concrete tensors (the layer is built). */
  protected abstract call(inputs: Tensor | Tensor[], opts: CallOptions): Tensor | Tensor[];

  /**
   * Runs the layer, building it first from the input's shape when needed.
   * @example const y = st.layers.dense({ units: 3 }).apply(x, { training: true });
   */
  apply(inputs: Tensor | Tensor[], opts: CallOptions = {}): Tensor | Tensor[] {
    const shapes = Array.isArray(inputs) ? inputs.map(batchless) : batchless(inputs);
    if (!this.built) {
      this.build(shapes);
      this.built = true;
    }
    return this.call(inputs, opts);
  }

  /** Adds a weight, initialised now, in Keras order (call from `build`). */
  protected addWeight(name: string, shape: number[], initializer: InitializerIdentifier | Initializer, opts: WeightOptions = {}): Variable {
    if (shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new ShapeError(`${this.className} '${this.name}': weight '${name}' would have shape ${fmtShape(shape)}; check the input shape and options`);
    }
    const init = getInitializer(initializer, `${this.className} '${this.name}' ${name}Initializer`);
    const v = new Variable(init.apply(shape, opts.dtype ?? this.dtype), opts.trainable ?? true, `${this.name}/${name}`);
    this.ownWeights.push(v);
    return v;
  }

  /** Every weight, in Keras order. */
  get weights(): Variable[] {
    return this.ownWeights.slice();
  }

  /** The weights that training updates (none when the layer is frozen). */
  get trainableWeights(): Variable[] {
    return this.trainable ? this.ownWeights.filter((w) => w.trainable) : [];
  }

  get nonTrainableWeights(): Variable[] {
    return this.trainable ? this.ownWeights.filter((w) => !w.trainable) : this.ownWeights.slice();
  }

  /** Copies of the weight values, in Keras order and layout. */
  getWeights(): Tensor[] {
    return this.ownWeights.map((w) => new Tensor(w.values.slice(), w.shape));
  }

  /** Sets every weight from tensors in Keras order and layout; shapes must match. */
  setWeights(weights: Tensor[]): void {
    if (weights.length !== this.ownWeights.length) {
      throw new ConfigError(`${this.className} '${this.name}': setWeights expects ${this.ownWeights.length} tensors ` +
        `(${this.ownWeights.map((w) => w.name.split('/').pop() + ' ' + fmtShape(w.shape)).join(', ')}), got ${weights.length}`);
    }
    this.ownWeights.forEach((w, i) => {
      if (fmtShape(weights[i].shape) !== fmtShape(w.shape)) {
        throw new ShapeError(`${this.className} '${this.name}': weight ${i} ('${w.name}') has shape ${fmtShape(w.shape)}, got ${fmtShape(weights[i].shape)}`);
      }
    });
    this.ownWeights.forEach((w, i) => w.assign(weights[i].dtype === w.dtype ? weights[i] : new Tensor(castTo(weights[i], w), w.shape)));
  }

  /** Number of scalars in the weights. */
  countParams(): number {
    if (!this.built) {
      throw new ConfigError(`${this.className} '${this.name}': countParams needs the layer built; call build(inputShape) or apply it first`);
    }
    return this.ownWeights.reduce((n, w) => n + w.size, 0);
  }

  /** The options that rebuild this layer (camelCase; serialisation converts to snake_case). */
  getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { name: this.name, trainable: this.trainable, dtype: this.dtype };
    if (this.batchInputShape) config.batchInputShape = this.batchInputShape;
    return config;
  }

  /** Error prefix naming this layer: `Dense 'dense_2'`. */
  protected describe(): string {
    return `${this.className} '${this.name}'`;
  }
}

function batchless(t: Tensor): LayerShape {
  return [null, ...t.shape.slice(1)];
}

function castTo(t: Tensor, like: Variable): Float32Array | Float64Array | Int32Array {
  const out = new (like.values.constructor as Float32ArrayConstructor)(t.size);
  out.set(t.values);
  return out;
}
