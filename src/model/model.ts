import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { Layer, type CallOptions, type LayerShape } from '../layers/layer.js';
import { scalar } from '../tensor/create.js';
import type { Optimizer } from '../optimizers/index.js';
import type { History } from '../callbacks/callback.js';
import { type CompileArgs, type Compiled, resolveCompile, logKeys, checkTrainableConsistency } from './compile.js';
import { type FitOptions, fitLoop, evaluateLoop, evaluateTensors } from './fit.js';
import { type BatchSource, type TensorOrList, asList, isBatchSource } from './data.js';
import { trainStep } from './train-step.js';
import { predictLoop } from './predict.js';
import { type DatasetLike, type EvaluateDatasetOptions, type FitDatasetOptions, type IteratorLike, fitDataset, evaluateDataset } from './fit-dataset.js';
import { type SaveOptions, saveWithHook } from './save-hook.js';
import { modelToTopology } from './topology.js';
import type { SymbolicTensor } from '../layers/symbolic.js';

/** Options of `model.evaluate`. */
export interface EvaluateOptions {
  /** Samples per batch (default 32). */
  batchSize?: number;
  /** Weight of each sample in the loss and metrics, shape [samples]. */
  sampleWeight?: Tensor;
  /** Accepted for TF.js programs; evaluate prints nothing (as TF.js). */
  verbose?: number;
}

/** One row of `model.summary()`. */
export interface SummaryRow {
  name: string;
  type: string;
  outputShape: LayerShape | LayerShape[];
  params: number;
  connectedTo?: string[];
}

/**
 * Base of Sequential and functional models: a layer made of layers. Weights are the layers'
 * weights in layer order (a layer shared by several branches counts once).
 */
export abstract class Model extends Layer {
  /** The layers, in the order they run. */
  abstract get layers(): Layer[];

  /** Runs the model on concrete inputs (one tensor per model input), giving one tensor per output. */
  abstract forward(inputs: Tensor[], opts: CallOptions): Tensor[];

  /** Names of the inputs and outputs (for error messages, logs and several-output losses). */
  abstract get inputNames(): string[];
  abstract get outputNames(): string[];

  /** Shapes of the model's inputs with a null batch dimension (null while unknown). */
  abstract get inputShapes(): LayerShape[] | null;

  /** Table rows for `summary()`. */
  protected abstract summaryRows(): SummaryRow[];

  /** The model's symbolic inputs (a Sequential's once its input shape is known). */
  abstract get inputs(): SymbolicTensor[];
  /** The model's symbolic outputs, e.g. to build a feature extractor: st.model({ inputs: m.inputs, outputs: ... }). */
  abstract get outputs(): SymbolicTensor[];

  /** The model's input: one symbolic tensor, or a list for several inputs (Keras `model.input`). */
  override get input(): SymbolicTensor | SymbolicTensor[] {
    const l = this.inputs;
    return l.length === 1 ? l[0] : l.slice();
  }

  /** The model's output: one symbolic tensor, or a list for several outputs (Keras `model.output`). */
  override get output(): SymbolicTensor | SymbolicTensor[] {
    const l = this.outputs;
    return l.length === 1 ? l[0] : l.slice();
  }

  /**
   * The Keras topology `{ class_name, config, keras_version, backend }` (no weights), as a JSON string
   * or, with returnString false, an object (TensorFlow.js' `toJSON`).
   * @example const topology = JSON.parse(model.toJSON() as string);
   */
  toJSON(_unused?: unknown, returnString = true): string | Record<string, unknown> {
    const topology = modelToTopology(this) as unknown as Record<string, unknown>;
    return returnString ? JSON.stringify(topology) : topology;
  }

  /** Set by a callback to end training after the current batch. */
  stopTraining = false;
  private compiled: Compiled | null = null;

  /** The optimizer given to `compile` (null before). */
  get optimizer(): Optimizer | null {
    return this.compiled?.optimizer ?? null;
  }

  /**
   * Configures training: optimizer, loss (one, per output, or by output name), metrics, lossWeights.
   * @example model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] })
   */
  compile(args: CompileArgs): void {
    this.compiled = resolveCompile(this, args);
  }

  private requireCompiled(what: string): Compiled {
    if (!this.compiled) throw new ConfigError(`${this.describe()}: call compile({ optimizer, loss }) before ${what}`);
    return this.compiled;
  }

  /**
   * Trains for a number of epochs on tensors (x, y) or on an (async) iterable of batches, and
   * resolves to the History of losses and metrics per epoch.
   * @example const h = await model.fit(x, y, { epochs: 5, batchSize: 64, validationSplit: 0.1 });
   */
  async fit(x: TensorOrList | BatchSource, y?: TensorOrList | FitOptions, opts: FitOptions = {}): Promise<History> {
    const c = this.requireCompiled('fit');
    checkTrainableConsistency(this, c);
    if (isBatchSource(x)) return fitLoop(this, c, x, undefined, (y as FitOptions | undefined) ?? opts);
    return fitLoop(this, c, x, y as TensorOrList, opts);
  }

  /**
   * Loss and metrics on (x, y) in inference mode, in batches (default 32), synchronously as
   * TensorFlow.js: a scalar, or [loss, ...per-output losses, ...metrics] (order of `metricsNames`).
   * Given a batch source (an iterable of { xs, ys } batches) instead, it returns a Promise of the same.
   * @example const [loss, acc] = model.evaluate(x, y, { batchSize: 64 }) as st.Tensor[];
   */
  evaluate(x: TensorOrList, y: TensorOrList, opts?: EvaluateOptions): Tensor | Tensor[];
  evaluate(x: BatchSource, opts?: EvaluateOptions): Promise<Tensor | Tensor[]>;
  evaluate(x: TensorOrList | BatchSource, y?: TensorOrList | EvaluateOptions, opts: EvaluateOptions = {}): Tensor | Tensor[] | Promise<Tensor | Tensor[]> {
    const c = this.requireCompiled('evaluate');
    const where = `${this.describe()}.evaluate`;
    const toScalars = (logs: Record<string, number>): Tensor | Tensor[] => {
      const values = logKeys(this, c).map((k) => scalar(logs[k]));
      return values.length === 1 ? values[0] : values;
    };
    if (isBatchSource(x)) {
      const o = (y as EvaluateOptions | undefined) ?? opts;
      return evaluateLoop(this, c, x, o.batchSize ?? 32).then(toScalars);
    }
    const batchSize = opts.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new ConfigError(`${where}: batchSize must be a positive integer, got ${opts.batchSize}`);
    const data = { xs: asList(x, this.inputNames, 'x', where), ys: asList(y as TensorOrList, this.outputNames, 'y', where), sw: opts.sampleWeight ?? null };
    return toScalars(evaluateTensors(this, c, data, batchSize));
  }

  /** Names of the values evaluate and trainOnBatch return, in order ('loss', then e.g. 'acc'), as TensorFlow.js. */
  get metricsNames(): string[] {
    return this.compiled ? logKeys(this, this.compiled) : [];
  }

  /**
   * Trains on a dataset whose elements are batches { xs, ys } (or [xs, ys]), as TensorFlow.js's
   * fitDataset; resolves to the History. See FitDatasetOptions.
   * @example await model.fitDataset(st.data.zip({ xs, ys }).shuffle(100, 1).batch(32), { epochs: 5, validationData: valDs })
   */
  async fitDataset(dataset: DatasetLike, opts: FitDatasetOptions): Promise<History> {
    return fitDataset(this, dataset, opts);
  }

  /**
   * Loss and metrics over a dataset of { xs, ys } batches (up to `batches` of them): a scalar, or
   * [loss, ...metrics] when metrics were compiled.
   * @example const [loss, acc] = await model.evaluateDataset(testDs, { batches: 10 }) as st.Tensor[];
   */
  async evaluateDataset(dataset: DatasetLike | IteratorLike, opts: EvaluateDatasetOptions = {}): Promise<Tensor | Tensor[]> {
    return evaluateDataset(this, dataset, opts);
  }

  /** Outputs for x in inference mode, computed in batches (default 32). */
  predict(x: TensorOrList, opts: { batchSize?: number } = {}): Tensor | Tensor[] {
    const outs = predictLoop(this, x, opts.batchSize ?? 32);
    return outs.length === 1 ? outs[0] : outs;
  }

  /** Outputs for one batch in inference mode. */
  predictOnBatch(x: TensorOrList): Tensor | Tensor[] {
    const n = asList(x, this.inputNames, 'x', `${this.describe()}.predictOnBatch`)[0].shape[0];
    return this.predict(x, { batchSize: Math.max(1, n) });
  }

  /**
   * Saves the model in the TensorFlow.js layers format: model.json (topology + weights manifest)
   * and binary weight shards. Node: a folder path or file:// URL; or an IO handler (st.io.withSaveHandler).
   * @example await model.save('./my-model')
   */
  async save(target: unknown, opts: SaveOptions = {}): Promise<unknown> {
    return saveWithHook(this, target, opts);
  }

  /** The compiled configuration (null before compile); used when saving the training config. */
  get compileConfig(): Compiled | null {
    return this.compiled;
  }

  /** One optimizer step on one batch; returns the loss, or [loss, ...metrics]. */
  trainOnBatch(x: TensorOrList, y: TensorOrList, sampleWeight?: Tensor): number | number[] {
    const c = this.requireCompiled('trainOnBatch');
    checkTrainableConsistency(this, c);
    const where = `${this.describe()}.trainOnBatch`;
    for (const ms of c.metrics) for (const m of ms) m.resetState();
    const logs = trainStep(this, c, asList(x, this.inputNames, 'x', where), asList(y, this.outputNames, 'y', where), sampleWeight ?? null);
    const values = Object.values(logs);
    return values.length === 1 ? values[0] : values;
  }

  protected call(inputs: Tensor | Tensor[], opts: CallOptions): Tensor | Tensor[] {
    const outs = this.forward(Array.isArray(inputs) ? inputs : [inputs], opts);
    return outs.length === 1 ? outs[0] : outs;
  }

  /** The layer with this name (or at this index). */
  getLayer(nameOrIndex: string | number): Layer {
    const layers = this.layers;
    const found = typeof nameOrIndex === 'number' ? layers[nameOrIndex] : layers.find((l) => l.name === nameOrIndex);
    if (!found) {
      throw new ConfigError(`${this.describe()}: no layer ${typeof nameOrIndex === 'number' ? `at index ${nameOrIndex}` : `named '${nameOrIndex}'`}; ` +
        `layers: ${layers.map((l) => l.name).join(', ')}`);
    }
    return found;
  }

  override get weights(): Variable[] {
    const seen = new Set<Variable>();
    const out: Variable[] = [];
    for (const layer of this.layers) {
      for (const w of layer.weights) {
        if (!seen.has(w)) {
          seen.add(w);
          out.push(w);
        }
      }
    }
    return out;
  }

  override get trainable(): boolean {
    return super.trainable;
  }

  /** Sets the flag on the model and on every layer in it, as Keras and TF.js do. */
  override set trainable(value: boolean) {
    super.trainable = value;
    for (const l of this.layers) l.trainable = value;
  }

  override get trainableWeights(): Variable[] {
    if (!this.trainable) return [];
    const all = new Set(this.layers.flatMap((l) => l.trainableWeights));
    return this.weights.filter((w) => all.has(w));
  }

  override get nonTrainableWeights(): Variable[] {
    const trainable = new Set(this.trainableWeights);
    return this.weights.filter((w) => !trainable.has(w));
  }

  override getWeights(): Tensor[] {
    return this.weights.map((w) => new Tensor(w.values.slice(), w.shape));
  }

  override setWeights(weights: Tensor[]): void {
    const vars = this.weights;
    if (weights.length !== vars.length) {
      throw new ConfigError(`${this.describe()}: setWeights expects ${vars.length} tensors in layer order, got ${weights.length}`);
    }
    vars.forEach((v, i) => {
      if (fmtShape(weights[i].shape) !== fmtShape(v.shape)) {
        throw new ShapeError(`${this.describe()}: weight ${i} ('${v.name}') has shape ${fmtShape(v.shape)}, got ${fmtShape(weights[i].shape)}`);
      }
    });
    vars.forEach((v, i) => {
      const w = weights[i];
      if (w.dtype === v.dtype) v.assign(w);
      else {
        const out = new (v.values.constructor as Float32ArrayConstructor)(w.size);
        out.set(w.values);
        v.assign(new Tensor(out, v.shape));
      }
    });
  }

  override countParams(): number {
    return this.weights.reduce((n, w) => n + w.size, 0);
  }

  override regularizationLosses(): Tensor[] {
    return this.layers.flatMap((l) => l.regularizationLosses());
  }

  override applyConstraints(): void {
    for (const l of this.layers) l.applyConstraints();
  }

  /**
   * Prints a Keras-style table: each layer with its type, output shape, parameter count (and, for
   * functional models, what it is connected to), then the totals.
   * @param print where lines go (default console.log)
   */
  summary(lineLength = 98, print: (line: string) => void = console.log): void {
    const rows = this.summaryRows();
    const withLinks = rows.some((r) => r.connectedTo !== undefined);
    const cols = withLinks ? [0.33, 0.55, 0.67, 1] : [0.45, 0.85, 1];
    const stops = cols.map((c) => Math.round(c * lineLength));
    const line = (cells: string[]): string => {
      let s = '';
      cells.forEach((cell, i) => {
        s += cell;
        s = s.padEnd(stops[i] - 1).slice(0, stops[i] - 1) + ' ';
      });
      return s.trimEnd();
    };
    const shape = (s: LayerShape | LayerShape[]): string =>
      Array.isArray(s[0]) ? (s as LayerShape[]).map((x) => fmtShape(x)).join(', ') : fmtShape(s as LayerShape);
    print(`Model: "${this.name}"`);
    print('_'.repeat(lineLength));
    print(line(withLinks ? ['Layer (type)', 'Output Shape', 'Param #', 'Connected to'] : ['Layer (type)', 'Output Shape', 'Param #']));
    print('='.repeat(lineLength));
    rows.forEach((r, i) => {
      const links = r.connectedTo ?? [];
      print(line([`${r.name} (${r.type})`, shape(r.outputShape), String(r.params), ...(withLinks ? [links[0] ?? ''] : [])]));
      for (const extra of links.slice(1)) print(line(['', '', '', extra]));
      print(i === rows.length - 1 ? '='.repeat(lineLength) : '_'.repeat(lineLength));
    });
    const total = this.countParams();
    const trainable = this.trainableWeights.reduce((n, w) => n + w.size, 0);
    print(`Total params: ${total.toLocaleString('en-US')}`);
    print(`Trainable params: ${trainable.toLocaleString('en-US')}`);
    print(`Non-trainable params: ${(total - trainable).toLocaleString('en-US')}`);
    print('_'.repeat(lineLength));
  }
}
