import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { DType } from '../tensor/dtype.js';
import { Layer, type LayerShape, type LayerOptions } from '../layers/layer.js';
import { SymbolicTensor, type GraphNode } from '../layers/symbolic.js';
import { registerLayer } from '../layers/serialization.js';

export interface InputOptions {
  /** Shape of one sample, without the batch dimension (null for a variable size, e.g. time); a number n is [n], as TF.js. */
  shape?: (number | null)[] | number;
  /** Full shape with the batch dimension. */
  batchShape?: LayerShape;
  batchSize?: number;
  dtype?: DType;
  name?: string;
}

/** The entry of a functional model (Keras `InputLayer`): holds the input's shape and dtype. */
export class InputLayer extends Layer {
  static override className = 'InputLayer';
  readonly inputShapeFull: LayerShape;

  constructor(opts: InputOptions & LayerOptions) {
    super({ name: opts.name, dtype: opts.dtype });
    // TF.js appends shape to the batch dimension with concat, so `shape: 256` means [256] (the translation example passes it).
    const one = typeof opts.shape === 'number' ? [opts.shape] : opts.shape;
    const shape = opts.batchShape ?? opts.batchInputShape ?? (one ? [opts.batchSize ?? null, ...one] : null);
    if (!shape || shape.some((d) => d !== null && (!Number.isInteger(d) || d < 0))) {
      throw new ConfigError(`${this.describe()}: give shape (one sample, e.g. [28, 28, 1]) or batchShape, got ${JSON.stringify(opts.shape ?? opts.batchShape)}`);
    }
    this.inputShapeFull = shape.slice();
    this.built = true;
    const node: GraphNode = { layer: this, inputs: [], outputs: [], callOptions: {} };
    node.outputs.push(new SymbolicTensor(this.inputShapeFull, this.dtype, node, 0, this.name));
    this.inboundNodes.push(node);
  }

  /** The input's symbolic tensor (what `st.input` returns). */
  override get output(): SymbolicTensor {
    return this.inboundNodes[0].outputs[0];
  }

  /** An InputLayer's input is its output, as in Keras. */
  override get input(): SymbolicTensor {
    return this.output;
  }

  computeOutputShape(): LayerShape {
    return this.inputShapeFull;
  }

  protected call(x: Tensor): Tensor {
    return x;
  }

  override getConfig(): Record<string, unknown> {
    return { batchInputShape: this.inputShapeFull, dtype: this.dtype, sparse: false, name: this.name };
  }
}
registerLayer(InputLayer);

/**
 * A symbolic input of a functional model.
 * @example const x = st.input({ shape: [28, 28, 1] }); const y = st.layers.flatten().apply(x);
 */
export function input(opts: InputOptions): SymbolicTensor {
  return new InputLayer(opts).output;
}
