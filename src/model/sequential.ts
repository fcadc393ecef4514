import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { Layer, type CallOptions, type LayerOptions, type LayerShape } from '../layers/layer.js';
import { deserialize, registerLayer } from '../layers/serialization.js';
import { type SymbolicTensor, checkInputSpec } from '../layers/symbolic.js';
import { InputLayer } from './input.js';
import { Model, type SummaryRow } from './model.js';
import { registerSafeModelClass } from './step-buffers.js';
import { BaseConv } from '../layers/conv-base.js';
import { isRecording } from '../autograd/tape.js';

export interface SequentialOptions {
  /** Layers in order; shorthands (dropout, pooling) are expanded into their standard layers. */
  layers?: Layer[];
  name?: string;
}

/**
 * A plain stack of layers, each feeding the next (Keras `Sequential`). Give the first layer an
 * `inputShape` to build it at once (so `summary()` works before training).
 * @example
 * const model = st.sequential({ layers: [
 *   st.layers.dense({ units: 32, activation: 'relu', inputShape: [784] }),
 *   st.layers.dense({ units: 10, activation: 'softmax' }),
 * ] });
 */
export class Sequential extends Model {
  static override className = 'Sequential';
  private readonly stack: Layer[] = [];
  private inputShape: LayerShape | null = null;
  private shapes: LayerShape[] = [];
  /** The stack as a symbolic graph once the input shape is known (as Keras): its input, and each layer's output. */
  private graphInput: SymbolicTensor | null = null;
  private graphOutputs: SymbolicTensor[] = [];
  /** The input shape came from a first call, not from the layers: it does not restrict later calls. */
  private inferredShape = false;

  constructor(opts: SequentialOptions = {}) {
    super({ name: opts.name } as LayerOptions);
    for (const layer of opts.layers ?? []) this.add(layer);
  }

  get layers(): Layer[] {
    return this.stack.slice();
  }

  get inputNames(): string[] {
    return [`${this.name}_input`];
  }

  get outputNames(): string[] {
    return [this.stack.length ? this.stack[this.stack.length - 1].name : this.name];
  }

  get inputShapes(): LayerShape[] | null {
    return this.inputShape ? [this.inputShape] : null;
  }

  /** The symbolic input, once the model is built (first layer with an inputShape, or after a first call). */
  get inputs(): SymbolicTensor[] {
    return [this.requireGraph('inputs').input];
  }

  /** The symbolic output of the last layer, once the model is built. */
  get outputs(): SymbolicTensor[] {
    return [this.requireGraph('outputs').outputs[this.graphOutputs.length - 1] ?? this.graphInput!];
  }

  private requireGraph(what: string): { input: SymbolicTensor; outputs: SymbolicTensor[] } {
    if (!this.graphInput) {
      throw new ConfigError(`${this.describe()}: ${what} are not known before the model is built; give the first layer ` +
        `an inputShape (e.g. inputShape: [784]) or add new st.InputLayer({ shape }) first, or call build([null, ...]) first`);
    }
    return { input: this.graphInput, outputs: this.graphOutputs };
  }

  /** Appends a layer (or the standard layers its shorthands stand for), checking shapes when known. */
  add(layer: Layer): void {
    if (!(layer instanceof Layer)) throw new ConfigError(`${this.describe()}: add expects a layer, got ${typeof layer}`);
    if (layer instanceof InputLayer) {
      if (this.stack.length) throw new ConfigError(`${this.describe()}: an InputLayer can only come first`);
      this.inputShape = layer.inputShapeFull;
      this.graphInput = layer.output;
      return;
    }
    for (const l of layer.expand()) {
      if (this.stack.some((s) => s.name === l.name && s !== l)) {
        throw new ConfigError(`${this.describe()}: two layers are named '${l.name}'; layer names in a model must be unique`);
      }
      this.stack.push(l);
      if (this.stack.length === 1 && l.batchInputShape && !this.inputShape) this.inputShape = l.batchInputShape;
    }
    if (this.inputShape) this.build(this.inputShape);
  }

  /**
   * Builds every layer in turn from the input shape by applying it to the previous layer's symbolic
   * output, so each layer gets its node (`layer.output`) and the model its `inputs`/`outputs`.
   */
  override build(inputShape: LayerShape | LayerShape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? (inputShape as LayerShape[])[0] : inputShape) as LayerShape;
    if (!this.graphInput || fmtShape(this.graphInput.shape) !== fmtShape(shape)) {
      this.graphInput = new InputLayer({ batchShape: shape, name: `${this.name}_input`, dtype: this.stack[0]?.dtype }).output;
      this.graphOutputs = [];
    }
    this.inputShape = shape;
    while (this.graphOutputs.length < this.stack.length) {
      const layer = this.stack[this.graphOutputs.length];
      const out = layer.apply(this.graphOutputs[this.graphOutputs.length - 1] ?? this.graphInput);
      if (Array.isArray(out)) {
        throw new ShapeError(`${this.describe()}: layer '${layer.name}' has several outputs; use a functional model (st.model) for it`);
      }
      this.graphOutputs.push(out);
    }
    this.shapes = this.graphOutputs.map((t) => t.shape);
    this.built = true;
  }

  computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    let shape = (Array.isArray(inputShape[0]) ? (inputShape as LayerShape[])[0] : inputShape) as LayerShape;
    // Applied to a symbolic tensor of another shape (e.g. [batch, 1, features], as Keras allows), each
    // layer's input spec decides, checked here so that a graph (or a loaded file) the layers cannot
    // take is refused when built, not when first run.
    const want = this.built ? this.inputShape : null;
    const other = want && (want.length !== shape.length || want.some((d, i) => d !== null && shape[i] !== null && d !== shape[i]));
    if (other) {
      let s = shape;
      for (const layer of this.stack) {
        if (!layer.inputSpec) {
          if (layer === this.stack[0]) throw new ShapeError(`${this.describe()}: expected input shape ${fmtShape(want)}, got ${fmtShape(shape)}`);
        } else checkInputSpec(layer.describe(), layer.inputSpec, s);
        s = layer.computeOutputShape(s) as LayerShape;
      }
    }
    for (const layer of this.stack) shape = layer.computeOutputShape(shape) as LayerShape;
    return shape;
  }

  forward(inputs: Tensor[], opts: CallOptions): Tensor[] {
    if (inputs.length !== 1) throw new ConfigError(`${this.describe()}: a Sequential model takes one input, got ${inputs.length}`);
    if (!this.stack.length) throw new ConfigError(`${this.describe()}: the model has no layers; add some first`);
    let x = inputs[0];
    if (!this.inputShape) {
      // Built by its first call (Keras' deferred build): later calls may vary the free axes.
      this.build([null, ...x.shape.slice(1)]);
      this.inferredShape = true;
    }
    const want = this.inferredShape ? null : this.inputShape;
    // Applied in a graph to another rank (e.g. [batch, 1, features]), the layers take what they can, as in Keras.
    const applied = this.inboundNodes.map((n) => n.inputs[0].shape);
    if (want && ![want, ...applied].some((s) => fits(s, x.shape))) {
      throw new ShapeError(`${this.describe()}: expected input shape ${fmtShape(want)}, got ${fmtShape(x.shape)}`);
    }
    let mask = opts.mask ?? null;
    // Inference folds a conv and the max pool after it into one op (BaseConv.applyWithMaxPool).
    const fold = !opts.training && !isRecording();
    for (let i = 0; i < this.stack.length; i++) {
      const layer = this.stack[i], next = this.stack[i + 1];
      const folded = fold && mask === null && next && layer instanceof BaseConv ? layer.applyWithMaxPool(x, next) : null;
      if (folded) {
        x = folded;
        i++;
        continue;
      }
      const y = layer.apply(x, { training: opts.training, mask }) as Tensor;
      mask = layer.computeMask(x, mask);
      x = y;
    }
    return [x];
  }

  protected summaryRows(): SummaryRow[] {
    return this.stack.map((l, i) => ({
      name: l.name, type: l.className, outputShape: this.shapes[i] ?? ['?' as never], params: l.built ? l.countParams() : 0,
    }));
  }

  override getConfig(): Record<string, unknown> {
    // Built without an input shape on its first layer, write the InputLayer first (as Keras 2), so a
    // reloaded model has its inner node again, which the node numbers of an enclosing model count.
    const first = this.stack[0];
    const input = this.graphInput?.node?.layer;
    const lead = input && first && !first.batchInputShape ? [input] : [];
    return { name: this.name, layers: [...lead, ...this.stack] };
  }

  static override fromConfig<T extends Layer>(this: new (opts: never) => T, config: Record<string, unknown>): T {
    // Keras 2 / TensorFlow.js write { name, layers }; very old files write the list alone.
    const list = (Array.isArray(config) ? config : config.layers) as Record<string, unknown>[] | undefined;
    if (!Array.isArray(list)) throw new ConfigError('Sequential: config has no layers list');
    const model = new Sequential({ name: typeof config.name === 'string' ? config.name : undefined });
    for (const entry of list) model.add(deserialize(entry as never));
    return model as unknown as T;
  }
}
registerLayer(Sequential);

/** Whether a concrete shape fits a shape with null (free) dimensions. */
function fits(want: LayerShape, shape: readonly number[]): boolean {
  return want.length === shape.length && want.every((d, i) => d === null || d === shape[i]);
}

/** Creates a Sequential model. */
export function sequential(opts: SequentialOptions = {}): Sequential {
  return new Sequential(opts);
}

registerSafeModelClass(Sequential);
