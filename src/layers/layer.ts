import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import type { DType } from '../tensor/dtype.js';
import { Variable } from '../autograd/variable.js';
import { type Initializer, type InitializerIdentifier, getInitializer } from '../initializers/index.js';
import { type Regularizer, type RegularizerIdentifier, getRegularizer } from '../regularizers/index.js';
import { type Constraint, type ConstraintIdentifier, getConstraint } from '../constraints/index.js';
import { noGrad } from '../autograd/tape.js';
import { type GraphNode, type InputSpec, SymbolicTensor, checkInputSpec, commonOutputShape, fitsInputSpec, isSymbolic, nodeTensorsAt, onlyNodeTensors } from './symbolic.js';

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
  /** Penalty on the layer's output, added to the training loss. */
  activityRegularizer?: RegularizerIdentifier | null;
}

/** Options of `apply`/`call`: the training flag is explicit, never global. */
export interface CallOptions {
  /** Training mode: dropout drops, batch normalisation uses batch statistics. Default false. */
  training?: boolean;
  /** Mask of the input (1 = real step, 0 = padding), [batch, time]; recurrent layers skip masked steps. */
  mask?: Tensor | null;
  /** Initial states of a recurrent layer. */
  initialState?: Tensor[];
}

export interface WeightOptions {
  trainable?: boolean;
  dtype?: DType;
  regularizer?: Regularizer | null;
  constraint?: Constraint | null;
}

const counters = new Map<string, number>();

/** The next default name for a class: 'dense', 'dense_1', 'dense_2', ... as Keras names them. */
export function uniqueName(className: string): string {
  // Keras' rule: 'SimpleRNN' → 'simple_rnn', 'Conv2DTranspose' → 'conv2d_transpose', 'LSTM' → 'lstm'.
  const base = className.replace(/(.)([A-Z][a-z0-9]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
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
  private trainableFlag: boolean;
  built = false;
  /** Input shape given at construction (batch dimension first, null = any). */
  readonly batchInputShape: LayerShape | null;
  readonly dtype: DType;
  /** Whether the layer passes an input mask through unchanged (Keras `supports_masking`). */
  supportsMasking = false;
  readonly activityRegularizer: Regularizer | null;
  private readonly ownWeights: Variable[] = [];
  private readonly regularized: [Variable, Regularizer][] = [];
  private readonly constrained: [Variable, Constraint][] = [];
  private activityLosses: Tensor[] = [];

  constructor(opts: LayerOptions = {}) {
    this.name = opts.name ?? uniqueName(this.className);
    this.trainableFlag = opts.trainable ?? true;
    this.dtype = opts.dtype ?? 'float32';
    if (opts.batchInputShape) this.batchInputShape = opts.batchInputShape.slice();
    else if (opts.inputShape) this.batchInputShape = [opts.batchSize ?? null, ...opts.inputShape];
    else this.batchInputShape = null;
    this.activityRegularizer = getRegularizer(opts.activityRegularizer, `${this.describe()} activityRegularizer`);
  }

  get className(): string {
    return (this.constructor as typeof Layer).className;
  }

  /** Whether training it runs regularizers or constraints (code that may be the user's; see model/step-buffers.ts). */
  get hasPenaltiesOrConstraints(): boolean {
    return this.activityRegularizer !== null || this.regularized.length > 0 || this.constrained.length > 0;
  }

  /** Rebuilds a layer from `getConfig()` output (camelCase keys); subclasses with nested layers override. */
  static fromConfig<T extends Layer>(this: new (opts: never) => T, config: Record<string, unknown>): T {
    return new this(config as never);
  }

  /**
   * The standard layers this layer stands for in a model: itself, followed by the layers its
   * shorthands mean (`dropout` → Dropout, `pooling` → MaxPooling/AveragePooling), so saved
   * topologies stay plain Keras.
   */
  expand(): Layer[] {
    const after = this.shorthandLayers();
    if (after.length === 0) return [this];
    // The plain twin: the same config with every shorthand off, built alike, holding copies of the weights.
    const cls = this.constructor as unknown as { fromConfig(c: Record<string, unknown>): Layer };
    const plain = cls.fromConfig({ ...this.getConfig(), dropout: null, dropoutSeed: null, pooling: null });
    const shape = this.shapeBuiltFor();
    if (this.built && shape) {
      plain.build(shape);
      plain.built = true;
      plain.setWeights(this.getWeights());
    }
    return [plain, ...after];
  }

  /** The standard layers this layer's shorthand options stand for, in order after it (none by default). */
  protected shorthandLayers(): Layer[] {
    return [];
  }

  /** An input shape to build the plain twin that `expand()` makes (null: unknown). */
  protected shapeBuiltFor(): LayerShape | null {
    return null;
  }

  /** Creates the weights for inputs of this shape (batch dimension null). */
  build(_inputShape: LayerShape | LayerShape[]): void {
    this.built = true;
  }

  /** The output shape for an input shape, without running anything. */
  abstract computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape | LayerShape[];

  /** TF.js hook that custom layers call at the top of `call(inputs, kwargs)`; nothing to do here. */
  invokeCallHook(_inputs: Tensor | Tensor[], _kwargs?: CallOptions): void {}

  /** The forward computation on concrete tensors (the layer is built). */
  protected abstract call(inputs: Tensor | Tensor[], opts: CallOptions): Tensor | Tensor[];

  /**
   * Runs the layer, building it first from the input's shape when needed. Given symbolic tensors
   * (from `st.input`), it adds itself to the model graph instead and returns symbolic outputs.
   * @example const y = st.layers.dense({ units: 3 }).apply(x, { training: true });
   */
  apply(inputs: Tensor | Tensor[], opts?: CallOptions): Tensor | Tensor[];
  apply(inputs: SymbolicTensor | SymbolicTensor[], opts?: CallOptions): SymbolicTensor | SymbolicTensor[];
  apply(inputs: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[], opts: CallOptions = {}): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[] {
    if (isSymbolic(inputs)) return this.applySymbolic(inputs, opts);
    return this.applyConcrete(inputs as Tensor | Tensor[], opts);
  }

  /** The graph nodes where this layer was applied to symbolic tensors, in order. */
  readonly inboundNodes: GraphNode[] = [];

  /** What the first input must look like, checked at each symbolic apply (set in `build`, as Keras). */
  inputSpec: InputSpec | null = null;

  /**
   * The symbolic input of the layer's only node (a list when it took several); throws when the layer
   * was applied several times (then use getInputAt) or never.
   * @example const x = model.getLayer('conv_2').input;
   */
  get input(): SymbolicTensor | SymbolicTensor[] {
    return onlyNodeTensors(this, 'input');
  }

  /**
   * The symbolic output of the layer's only node, to build a new model from a trained one's layers.
   * @example const features = st.model({ inputs: base.inputs, outputs: base.getLayer('conv_2').output });
   */
  get output(): SymbolicTensor | SymbolicTensor[] {
    return onlyNodeTensors(this, 'output');
  }

  /**
   * The output shape of the layer's nodes (a list for several outputs), batch dimension null; throws
   * when the layer was never applied or its nodes give different shapes (TensorFlow.js `outputShape`).
   */
  get outputShape(): LayerShape | LayerShape[] {
    return commonOutputShape(this);
  }

  /** The symbolic input(s) of the layer's node `nodeIndex` (a shared layer has several nodes). */
  getInputAt(nodeIndex: number): SymbolicTensor | SymbolicTensor[] {
    return nodeTensorsAt(this, 'input', nodeIndex);
  }

  /** The symbolic output(s) of the layer's node `nodeIndex`. */
  getOutputAt(nodeIndex: number): SymbolicTensor | SymbolicTensor[] {
    return nodeTensorsAt(this, 'output', nodeIndex);
  }

  private applySymbolic(inputs: SymbolicTensor | SymbolicTensor[], opts: CallOptions): SymbolicTensor | SymbolicTensor[] {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const shapes = list.map((t) => t.shape);
    if (!Array.isArray(inputs)) this.checkDeclaredShape(inputs.shape);
    if (this.inputSpec) checkInputSpec(this.describe(), this.inputSpec, shapes[0]);
    if (!this.built) {
      this.build(Array.isArray(inputs) ? shapes : shapes[0]);
      this.built = true;
    }
    const outShape = this.computeOutputShape(Array.isArray(inputs) ? shapes : shapes[0]);
    const multi = Array.isArray(outShape[0]);
    const outShapes = (multi ? outShape : [outShape]) as LayerShape[];
    // A layer given inputs it does not take (a list to a one-input layer, say) computes nonsense
    // shapes; refuse here, when the graph is built, rather than fail with a TypeError when run.
    if (!outShapes.every((s) => Array.isArray(s) && s.every((d) => d === null || (Number.isInteger(d) && d >= 0)))) {
      throw new ShapeError(`${this.describe()}: cannot be applied to ${list.length === 1 ? 'an input' : `${list.length} inputs`} of shape ` +
        `${list.map((t) => fmtShape(t.shape)).join(', ')} (it would output ${JSON.stringify(outShape)}); check the inputs this layer is given`);
    }
    const node: GraphNode = { layer: this, inputs: list, outputs: [], callOptions: { ...opts } };
    outShapes.forEach((shape, i) => {
      const name = `${this.name}/out${outShapes.length > 1 ? `_${i}` : ''}`;
      node.outputs.push(new SymbolicTensor(shape, this.outputDType(list[0].dtype), node, i, name));
    });
    this.inboundNodes.push(node);
    return multi ? node.outputs : node.outputs[0];
  }

  /** Dtype of the outputs for inputs of `inputDType` (float unless a layer says otherwise). */
  protected outputDType(inputDType: DType): DType {
    return inputDType === 'int32' ? this.dtype : inputDType;
  }

  private applyConcrete(inputs: Tensor | Tensor[], opts: CallOptions): Tensor | Tensor[] {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    for (const x of list) {
      if (!(x instanceof Tensor)) throw new ConfigError(`${this.describe()}: apply expects tensors, got ${typeof x}`);
    }
    if (!Array.isArray(inputs)) this.checkDeclaredShape(inputs.shape);
    if (!this.built) {
      this.build(Array.isArray(inputs) ? inputs.map(batchless) : batchless(inputs));
      this.built = true;
    }
    const out = this.call(inputs, opts);
    if (this.activityRegularizer) {
      const outs = Array.isArray(out) ? out : [out];
      this.activityLosses = outs.map((o) => this.activityRegularizer!.apply(o));
    }
    return out;
  }

  /** The mask of the output given the input's mask: passed through when the layer supports masking. */
  computeMask(_inputs: Tensor | Tensor[], mask: Tensor | null | undefined): Tensor | null {
    return this.supportsMasking ? mask ?? null : null;
  }

  /** Penalties of the weight regularizers (from the current weights) and of the last call's output. */
  regularizationLosses(): Tensor[] {
    return [...this.regularized.map(([w, r]) => r.apply(w)), ...this.activityLosses];
  }

  /** Projects the constrained weights back into their constraint (an optimizer calls it after each update). */
  applyConstraints(): void {
    noGrad(() => {
      for (const [w, c] of this.constrained) w.assign(c.apply(w));
    });
  }

  /**
   * Fails early when a layer declared for one input shape is given another. Once built, the layer's
   * inputSpec (the axes it really needs, as Keras) decides: a Dense declared on [784] also takes
   * [batch, 1, 784].
   */
  private checkDeclaredShape(shape: readonly (number | null)[]): void {
    const want = this.batchInputShape;
    if (!want || (this.inputSpec && fitsInputSpec(this.inputSpec, shape))) return;
    if (want.length !== shape.length || want.some((d, i) => d !== null && shape[i] !== null && d !== shape[i])) {
      throw new ShapeError(`${this.describe()}: expected input shape ${fmtShape(want)}, ` +
        `got ${fmtShape(shape)}${shape.length > want.length ? ' — did you forget a flatten?' : ''}`);
    }
  }

  /**
   * Adds a weight, initialised now, in Keras order (call from `build`). TF.js's positional form
   * `addWeight(name, shape, dtype?, initializer?, regularizer?, trainable?, constraint?)` works too
   * (recognised by a dtype or null third argument), so TF.js-style custom layers run unchanged.
   */
  protected addWeight(name: string, shape: number[], initializer: InitializerIdentifier | Initializer, opts?: WeightOptions): Variable;
  protected addWeight(name: string, shape: number[], dtype?: DType | null, initializer?: InitializerIdentifier | Initializer,
    regularizer?: Regularizer | null, trainable?: boolean, constraint?: Constraint | null): Variable;
  protected addWeight(name: string, shape: number[], third?: InitializerIdentifier | Initializer | DType | null, ...rest: unknown[]): Variable {
    if (third === null || third === undefined || third === 'float32' || third === 'int32' || third === 'float64') {
      const [initializer, regularizer, trainable, constraint] = rest as [Initializer | undefined, Regularizer | null, boolean | undefined, Constraint | null];
      if (initializer === undefined || initializer === null) {
        throw new ConfigError(`${this.describe()}: addWeight('${name}', shape, dtype, initializer, ...) needs an initializer, ` +
          `e.g. st.initializers.glorotUniform() or 'zeros'`);
      }
      return this.addWeightWith(name, shape, initializer, { dtype: third ?? undefined, regularizer: regularizer ?? null,
        trainable: trainable ?? true, constraint: constraint ?? null });
    }
    return this.addWeightWith(name, shape, third, (rest[0] as WeightOptions | undefined) ?? {});
  }

  private addWeightWith(name: string, shape: number[], initializer: InitializerIdentifier | Initializer, opts: WeightOptions): Variable {
    if (shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new ShapeError(`${this.className} '${this.name}': weight '${name}' would have shape ${fmtShape(shape)}; check the input shape and options`);
    }
    const init = getInitializer(initializer, `${this.className} '${this.name}' ${name}Initializer`);
    const v = new Variable(init.apply(shape, opts.dtype ?? this.dtype), opts.trainable ?? true, `${this.name}/${name}`);
    v.frozen = !this.trainableFlag;
    this.ownWeights.push(v);
    if (opts.regularizer) this.regularized.push([v, opts.regularizer]);
    if (opts.constraint) this.constrained.push([v, opts.constraint]);
    return v;
  }

  /**
   * Whether training updates this layer's weights. Set to false, its weights also drop out of
   * `optimizer.minimize(f)` without a variable list (as TF.js); a compiled model reads it at compile.
   */
  get trainable(): boolean {
    return this.trainableFlag;
  }

  set trainable(value: boolean) {
    this.trainableFlag = value;
    for (const w of this.ownWeights) w.frozen = !value;
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
    if (this.activityRegularizer) config.activityRegularizer = this.activityRegularizer;
    return config;
  }

  /** Error prefix naming this layer: `Dense 'dense_2'`. */
  describe(): string {
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

// TF.js's Layer returns the input shape when a subclass defines no computeOutputShape, and TF.js-style
// custom layers written in JavaScript rely on it; TypeScript subclasses still must implement it.
(Layer.prototype as unknown as { computeOutputShape: (s: unknown) => unknown }).computeOutputShape = function (s: unknown): unknown {
  return s;
};
