import { ConfigError, ShapeError, fmtShape } from '../errors.js';
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

/**
 * What a layer needs of its (first) input, checked each time it is applied to symbolic tensors
 * (Keras' InputSpec): a rank, a rank range, and sizes of particular axes (negative axes count from
 * the end). Other axes are free: a Dense layer takes any leading axes.
 */
export interface InputSpec {
  ndim?: number;
  minNdim?: number;
  maxNdim?: number;
  /** Required sizes by axis, e.g. { [-1]: 128 } for a Dense layer built on 128 features. */
  axes?: Record<number, number>;
  /** The layout in words for errors, e.g. '[batch, height, width, channels]'. */
  layout?: string;
  /** How to fix a wrong rank, for errors, e.g. 'add a reshape or a flatten'. */
  fix?: string;
}

/** Throws a ShapeError naming the layer, the expected and the given shape when `shape` breaks `spec`. */
export function checkInputSpec(where: string, spec: InputSpec, shape: LayerShape): void {
  const rank = shape.length;
  const layout = spec.layout ? ` ${spec.layout}` : '';
  const fix = spec.fix ? ` — ${spec.fix}` : '';
  if (spec.ndim !== undefined && rank !== spec.ndim) {
    throw new ShapeError(`${where}: expected input of rank ${spec.ndim}${layout}, got shape ${fmtShape(shape)} (rank ${rank})${fix}`);
  }
  if (spec.minNdim !== undefined && rank < spec.minNdim) {
    throw new ShapeError(`${where}: expected input of rank ≥ ${spec.minNdim}${layout}, got shape ${fmtShape(shape)} (rank ${rank})${fix}`);
  }
  if (spec.maxNdim !== undefined && rank > spec.maxNdim) {
    throw new ShapeError(`${where}: expected input of rank ≤ ${spec.maxNdim}${layout}, got shape ${fmtShape(shape)} (rank ${rank})${fix}`);
  }
  for (const [k, want] of Object.entries(spec.axes ?? {})) {
    const axis = Number(k) < 0 ? rank + Number(k) : Number(k);
    const got = shape[axis];
    if (got !== null && got !== undefined && got !== want) {
      throw new ShapeError(`${where}: expected axis ${k} of the input to be ${want} (the size the layer was built for), ` +
        `got shape ${fmtShape(shape)} — ${spec.fix ?? 'give it inputs like the first ones, or use a new layer'}`);
    }
  }
}

/** Whether `shape` meets `spec` (checkInputSpec would not throw). */
export function fitsInputSpec(spec: InputSpec, shape: readonly (number | null)[]): boolean {
  try {
    checkInputSpec('', spec, shape as LayerShape);
    return true;
  } catch {
    return false;
  }
}

/** The tensors of a layer's only node: its inputs or its outputs (Keras' `layer.input` / `layer.output`). */
export function onlyNodeTensors(layer: Layer, which: 'input' | 'output'): SymbolicTensor | SymbolicTensor[] {
  const nodes = layer.inboundNodes;
  if (nodes.length === 0) {
    throw new ConfigError(`${layer.describe()} is not connected: it has no ${which} yet; apply it to a symbolic tensor ` +
      `(st.input) first, or build the model that holds it with an inputShape`);
  }
  if (nodes.length > 1) {
    throw new ConfigError(`${layer.describe()} has ${nodes.length} inbound nodes (it was applied ${nodes.length} times), so its ` +
      `${which} is ambiguous; use ${which === 'input' ? 'getInputAt' : 'getOutputAt'}(nodeIndex) instead`);
  }
  const list = which === 'input' ? nodes[0].inputs : nodes[0].outputs;
  return list.length === 1 ? list[0] : list.slice();
}

/** The tensors of one of a layer's nodes (Keras' `getInputAt` / `getOutputAt`). */
export function nodeTensorsAt(layer: Layer, which: 'input' | 'output', nodeIndex: number): SymbolicTensor | SymbolicTensor[] {
  const node = layer.inboundNodes[nodeIndex];
  if (!node) {
    throw new ConfigError(`${layer.describe()}: no inbound node ${nodeIndex}; it has ${layer.inboundNodes.length} ` +
      `(indices 0 to ${layer.inboundNodes.length - 1})`);
  }
  const list = which === 'input' ? node.inputs : node.outputs;
  return list.length === 1 ? list[0] : list.slice();
}

/** The output shape shared by all of a layer's nodes (one shape, or a list for several outputs). */
export function commonOutputShape(layer: Layer): LayerShape | LayerShape[] {
  const nodes = layer.inboundNodes;
  if (nodes.length === 0) {
    throw new ConfigError(`${layer.describe()} has never been applied, so it has no output shape yet; apply it to a ` +
      `symbolic tensor (st.input) or build the model that holds it with an inputShape`);
  }
  const shapes = nodes.map((n) => n.outputs.map((t) => t.shape));
  const key = (s: LayerShape[]): string => s.map((x) => fmtShape(x)).join(' ');
  if (shapes.some((s) => key(s) !== key(shapes[0]))) {
    throw new ConfigError(`${layer.describe()} has ${nodes.length} inbound nodes with different output shapes ` +
      `(${shapes.map(key).join('; ')}), so its output shape is ambiguous; use getOutputAt(nodeIndex).shape`);
  }
  return shapes[0].length === 1 ? shapes[0][0] : shapes[0];
}
