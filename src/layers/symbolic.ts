import type { DType } from '../tensor/dtype.js';
import type { Layer, LayerShape, CallOptions } from './layer.js';

let nextSymbolic = 0;

/**
 * One application of a layer in a model graph: which layer, on which symbolic inputs, giving which
 * symbolic outputs (Keras' Node). A layer shared by several branches has several nodes.
 */
export interface GraphNode {
  readonly layer: Layer;
  readonly inputs: SymbolicTensor[];
  readonly outputs: SymbolicTensor[];
  /** Options fixed at graph-building time (e.g. `training: true` for a layer). */
  readonly callOptions: CallOptions;
}

/**
 * A placeholder for a tensor in a model under construction: a shape (batch dimension null), a
 * dtype, and the node that produces it. `st.input` makes the first ones; applying a layer to
 * symbolic tensors gives more, and `st.model({ inputs, outputs })` turns the graph into a model.
 */
export class SymbolicTensor {
  readonly id = nextSymbolic++;
  constructor(
    readonly shape: LayerShape,
    readonly dtype: DType,
    /** The node whose output this is (an InputLayer's node for model inputs). */
    public node: GraphNode | null,
    /** Which output of that node. */
    readonly outputIndex: number,
    readonly name: string,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  toString(): string {
    return `SymbolicTensor '${this.name}' shape [${this.shape.map((d) => d ?? 'null').join(', ')}] ${this.dtype}`;
  }
}

/** True for a symbolic tensor or a non-empty list of them. */
export function isSymbolic(x: unknown): x is SymbolicTensor | SymbolicTensor[] {
  return x instanceof SymbolicTensor || (Array.isArray(x) && x.length > 0 && x.every((t) => t instanceof SymbolicTensor));
}
