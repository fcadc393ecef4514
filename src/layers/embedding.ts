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
  /** Length of the input sequences (Keras 2 / TF.js); fixes the input shape to [batch, ...inputLength]. */
  inputLength?: number | (number | null)[] | null;
}

/**
 * Turns integer indices into dense vectors by looking them up in a trainable table
 * [inputDim, outputDim] (the weight 'embeddings'); output shape is the input's plus [outputDim].
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
    if (lengths.length !== inputShape.length - 1 || lengths.some((d, i) => d !== null && inputShape[i + 1] !== null && d !== inputShape[i + 1])) {
      throw new ShapeError(`${this.describe()}: inputLength is ${JSON.stringify(this.inputLength)} but the input shape is ` +
        `${fmtShape(inputShape as number[])}; give sequences of that length or drop inputLength`);
    }
    return [inputShape[0], ...lengths.map((d, i) => d ?? inputShape[i + 1]), this.outputDim];
  }

  protected call(x: Tensor, _opts: CallOptions): Tensor {
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
