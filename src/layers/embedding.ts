import { ConfigError, DTypeError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { cast, gather, notEqual } from '../ops/index.js';
import { type Initializer, type InitializerIdentifier, RandomUniform, getInitializer } from '../initializers/index.js';
import { type Regularizer, type RegularizerIdentifier, getRegularizer } from '../regularizers/index.js';
import { type Constraint, type ConstraintIdentifier, getConstraint } from '../constraints/index.js';
import { Layer, type CallOptions, type LayerOptions, type LayerShape } from './layer.js';
import { registerLayer } from './serialization.js';

export interface EmbeddingOptions extends LayerOptions {
  /** Size of the vocabulary: indices run from 0 to inputDim − 1. */
  inputDim: number;
  /** Length of each embedding vector. */
  outputDim: number;
  /** Default 'uniform' (RandomUniform in ±0.05, Keras 3). */
  embeddingsInitializer?: InitializerIdentifier;
  embeddingsRegularizer?: RegularizerIdentifier | null;
  embeddingsConstraint?: ConstraintIdentifier | null;
  /** Index 0 is padding: `computeMask` gives ids ≠ 0, and recurrent layers skip those steps. Default false. */
  maskZero?: boolean;
  /**
   * Length of the input sequences (Keras 2 / TF.js): a number for [batch, n] ids, or a list with one
   * size per axis after the batch axis (null = any) for ids of higher rank; fixes the input shape to
   * [batch, ...inputLength] and is checked against the inputs.
   */
  inputLength?: number | (number | null)[] | null;
}

/**
 * Turns integer indices into dense vectors by looking them up in a trainable table
 * [inputDim, outputDim] (the weight 'embeddings'); ids of any rank, output shape is the input's plus
 * [outputDim] ([batch] → [batch, outputDim], [batch, a, b] → [batch, a, b, outputDim]), as in Keras.
 * The gradient scatter-adds into the looked-up rows.
 * @example st.layers.embedding({ inputDim: 10000, outputDim: 64, maskZero: true })
 */
export class Embedding extends Layer {
  static override className = 'Embedding';
  readonly inputDim: number;
  readonly outputDim: number;
  readonly embeddingsInitializer: Initializer;
  readonly embeddingsRegularizer: Regularizer | null;
  readonly embeddingsConstraint: Constraint | null;
  readonly maskZero: boolean;
  readonly inputLength: number | (number | null)[] | null;
  embeddings?: Variable;

  constructor(opts: EmbeddingOptions) {
    // inputLength stands for the input shape when none is given, as in TF.js and Keras 2.
    const inputLength = opts?.inputLength ?? null;
    const fixed = inputLength !== null && !opts.inputShape && !opts.batchInputShape
      ? { batchInputShape: [opts.batchSize ?? null, ...(Array.isArray(inputLength) ? inputLength : [inputLength])] }
      : {};
    super({ ...opts, ...fixed });
    const where = this.describe();
    for (const key of ['inputDim', 'outputDim'] as const) {
      if (!Number.isInteger(opts?.[key]) || opts[key] <= 0) {
        throw new ConfigError(`${where}: ${key} must be a positive integer, got ${JSON.stringify(opts?.[key])}`);
      }
    }
    const lengths = Array.isArray(inputLength) ? inputLength : [inputLength];
    if (inputLength !== null && lengths.some((d) => d !== null && (!Number.isInteger(d) || d <= 0))) {
      throw new ConfigError(`${where}: inputLength must be a positive integer (or a list of them), got ${JSON.stringify(inputLength)}`);
    }
    // A given input shape must agree with inputLength, or the layer would fail later at a distance.
    if (inputLength !== null && this.batchInputShape && !lengthsFit(lengths, this.batchInputShape)) {
      throw new ConfigError(`${where}: inputLength ${JSON.stringify(inputLength)} disagrees with the input shape ` +
        `${fmtShape(this.batchInputShape as number[])}; inputLength lists the sizes of the axes after the batch axis ` +
        `(${this.batchInputShape.length - 1} here) — make them match or drop one of the two`);
    }
    this.inputDim = opts.inputDim;
    this.outputDim = opts.outputDim;
    // Keras 3 spells its default 'uniform'; our registry knows it as RandomUniform.
    const init = opts.embeddingsInitializer ?? 'uniform';
    this.embeddingsInitializer = init === 'uniform' ? new RandomUniform() : getInitializer(init, `${where} embeddingsInitializer`);
    this.embeddingsRegularizer = getRegularizer(opts.embeddingsRegularizer, `${where} embeddingsRegularizer`);
    this.embeddingsConstraint = getConstraint(opts.embeddingsConstraint, `${where} embeddingsConstraint`);
    this.maskZero = opts.maskZero ?? false;
    this.inputLength = inputLength;
    this.supportsMasking = this.maskZero;
  }

  override build(_inputShape: LayerShape): void {
    this.embeddings = this.addWeight('embeddings', [this.inputDim, this.outputDim], this.embeddingsInitializer,
      { regularizer: this.embeddingsRegularizer, constraint: this.embeddingsConstraint });
    this.built = true;
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    if (this.inputLength === null) return [...inputShape, this.outputDim];
    const lengths = Array.isArray(this.inputLength) ? this.inputLength : [this.inputLength];
    if (!lengthsFit(lengths, inputShape)) {
      throw new ShapeError(`${this.describe()}: inputLength is ${JSON.stringify(this.inputLength)} but the input shape is ` +
        `${fmtShape(inputShape as number[])}; inputLength gives the ${lengths.length} axes after the batch axis — ` +
        'give inputs of that shape or drop inputLength');
    }
    return [inputShape[0], ...lengths.map((d, i) => d ?? inputShape[i + 1]), this.outputDim];
  }

  protected call(x: Tensor, _opts: CallOptions): Tensor {
    // Ids of any rank: gather puts the [outputDim] row after the ids' own shape.
    return gather(this.embeddings!, this.indices(x));
  }

  /** 1 where the id is not 0 (int32, the input's shape) when maskZero; otherwise null. */
  override computeMask(inputs: Tensor | Tensor[], _mask?: Tensor | null): Tensor | null {
    if (!this.maskZero) return null;
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return notEqual(x, 0);
  }

  /** The input as int32 ids, checked against the vocabulary so the error names this layer. */
  private indices(x: Tensor): Tensor {
    const v = x.values;
    for (let j = 0; j < v.length; j++) {
      const id = v[j];
      if (!Number.isInteger(id)) {
        throw new DTypeError(`${this.describe()}: input${position(x.shape, j)} = ${id} is not an integer index; ` +
          'embedding inputs are token ids (int32, or floats holding whole numbers)');
      }
      if (id < 0 || id >= this.inputDim) {
        throw new ShapeError(`${this.describe()}: input${position(x.shape, j)} = ${id} is out of range for inputDim ` +
          `${this.inputDim}; ids must be in [0, ${this.inputDim - 1}] — raise inputDim to the vocabulary size`);
      }
    }
    return x.dtype === 'int32' ? x : cast(x, 'int32');
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), inputDim: this.inputDim, outputDim: this.outputDim,
      embeddingsInitializer: this.embeddingsInitializer, embeddingsRegularizer: this.embeddingsRegularizer,
      embeddingsConstraint: this.embeddingsConstraint, maskZero: this.maskZero, inputLength: this.inputLength,
    };
  }
}
registerLayer(Embedding);

/** Whether inputLength (one entry per axis after the batch axis, null = any) fits `shape`. */
function lengthsFit(lengths: readonly (number | null)[], shape: LayerShape): boolean {
  return lengths.length === shape.length - 1 &&
    lengths.every((d, i) => d === null || shape[i + 1] === null || d === shape[i + 1]);
}

/** "[i, j]": where flat position `j` sits in a tensor of `shape`. */
function position(shape: readonly number[], j: number): string {
  const idx: number[] = [];
  for (let a = shape.length - 1; a >= 0; a--) {
    idx.unshift(j % shape[a]);
    j = Math.floor(j / shape[a]);
  }
  return `[${idx.join(', ')}]`;
}

/**
 * Embedding layer factory: a trainable lookup table from token ids to vectors.
 * @example st.layers.embedding({ inputDim: 1000, outputDim: 16 }).apply(st.tensor([[3, 7, 0]], undefined, 'int32'))
 */
export const embedding = (opts: EmbeddingOptions): Embedding => new Embedding(opts);
