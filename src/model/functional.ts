import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { Layer, type CallOptions, type LayerOptions, type LayerShape } from '../layers/layer.js';
import { SymbolicTensor, type GraphNode } from '../layers/symbolic.js';
import { registerLayer } from '../layers/serialization.js';
import { InputLayer } from './input.js';
import { Model, type SummaryRow } from './model.js';

export interface FunctionalOptions {
  inputs: SymbolicTensor | SymbolicTensor[];
  outputs: SymbolicTensor | SymbolicTensor[];
  name?: string;
}

/**
 * A model defined by a graph of layers from `st.input`s to outputs (Keras' functional API): several
 * inputs and outputs, shared layers, and nested models.
 * @example
 * const a = st.input({ shape: [8] }), b = st.input({ shape: [4] });
 * const h = st.layers.concatenate().apply([a, b]);
 * const model = st.model({ inputs: [a, b], outputs: st.layers.dense({ units: 1 }).apply(h) });
 */
export class Functional extends Model {
  static override className = 'Functional';
  readonly inputs: SymbolicTensor[];
  readonly outputs: SymbolicTensor[];
  /** Nodes in the order they run (input nodes excluded). */
  readonly nodes: GraphNode[];
  private readonly layerList: Layer[];

  constructor(opts: FunctionalOptions) {
    super({ name: opts?.name } as LayerOptions);
    const ins = opts?.inputs, outs = opts?.outputs;
    this.inputs = (Array.isArray(ins) ? ins : [ins]).filter((t) => t !== undefined);
    this.outputs = (Array.isArray(outs) ? outs : [outs]).filter((t) => t !== undefined);
    for (const [what, list] of [['inputs', this.inputs], ['outputs', this.outputs]] as const) {
      if (!list.length || list.some((t) => !(t instanceof SymbolicTensor))) {
        throw new ConfigError(`${this.describe()}: ${what} must be symbolic tensors (from st.input and layer.apply on them)`);
      }
    }
    for (const t of this.inputs) {
      if (!(t.node?.layer instanceof InputLayer)) {
        throw new ConfigError(`${this.describe()}: input '${t.name}' does not come from st.input; model inputs must be st.input(...) tensors`);
      }
    }
    this.nodes = this.orderNodes();
    const layers: Layer[] = this.inputs.map((t) => t.node!.layer);
    for (const n of this.nodes) if (!layers.includes(n.layer)) layers.push(n.layer);
    const names = new Set<string>();
    for (const l of layers) {
      if (names.has(l.name)) throw new ConfigError(`${this.describe()}: two layers are named '${l.name}'; layer names in a model must be unique`);
      names.add(l.name);
    }
    this.layerList = layers;
    this.built = true;
  }

  /** Depth-first from the outputs, so each node comes after the nodes that feed it. */
  private orderNodes(): GraphNode[] {
    const order: GraphNode[] = [];
    const done = new Set<GraphNode>();
    const active = new Set<GraphNode>();
    const inputIds = new Set(this.inputs.map((t) => t.id));
    const visit = (t: SymbolicTensor): void => {
      if (inputIds.has(t.id)) return;
      const node = t.node;
      if (!node || node.layer instanceof InputLayer) {
        throw new ConfigError(`${this.describe()}: output depends on '${t.name}', which is not among the model inputs ` +
          `(${this.inputs.map((i) => i.name).join(', ')}); add it to inputs`);
      }
      if (done.has(node)) return;
      if (active.has(node)) throw new ConfigError(`${this.describe()}: the layer graph has a cycle through '${node.layer.name}'`);
      active.add(node);
      node.inputs.forEach(visit);
      active.delete(node);
      done.add(node);
      order.push(node);
    };
    this.outputs.forEach(visit);
    return order;
  }

  get layers(): Layer[] {
    return this.layerList.slice();
  }

  get inputNames(): string[] {
    return this.inputs.map((t) => t.node!.layer.name);
  }

  get outputNames(): string[] {
    return this.outputs.map((t) => t.node!.layer.name);
  }

  get inputShapes(): LayerShape[] {
    return this.inputs.map((t) => t.shape);
  }

  computeOutputShape(): LayerShape | LayerShape[] {
    return this.outputs.length === 1 ? this.outputs[0].shape : this.outputs.map((t) => t.shape);
  }

  forward(inputs: Tensor[], opts: CallOptions): Tensor[] {
    if (inputs.length !== this.inputs.length) {
      throw new ConfigError(`${this.describe()}: expected ${this.inputs.length} input tensor(s) (${this.inputNames.join(', ')}), got ${inputs.length}`);
    }
    const values = new Map<number, Tensor>();
    const masks = new Map<number, Tensor | null>();
    this.inputs.forEach((t, i) => {
      const x = inputs[i];
      if (t.shape.length !== x.rank || t.shape.some((d, j) => d !== null && d !== x.shape[j])) {
        throw new ShapeError(`${this.describe()}: input '${t.name}' expects shape ${fmtShape(t.shape)}, got ${fmtShape(x.shape)}`);
      }
      values.set(t.id, x);
    });
    for (const node of this.nodes) {
      const xs = node.inputs.map((t) => values.get(t.id)!);
      const arg = xs.length === 1 ? xs[0] : xs;
      const mask = node.inputs.length === 1 ? masks.get(node.inputs[0].id) ?? null : null;
      const out = node.layer.apply(arg, { ...node.callOptions, training: node.callOptions.training ?? opts.training, mask });
      const outs = Array.isArray(out) ? out : [out];
      const outMask = node.inputs.length === 1 ? node.layer.computeMask(arg, mask) : null;
      node.outputs.forEach((t, i) => {
        values.set(t.id, outs[i]);
        masks.set(t.id, outMask);
      });
    }
    return this.outputs.map((t) => values.get(t.id)!);
  }

  protected summaryRows(): SummaryRow[] {
    const rows: SummaryRow[] = [];
    for (const layer of this.layerList) {
      const nodes = layer.inboundNodes.filter((n) => n.layer instanceof InputLayer || this.nodes.includes(n));
      const shapes = nodes.flatMap((n) => n.outputs.map((o) => o.shape));
      rows.push({
        name: layer.name, type: layer.className, outputShape: shapes.length === 1 ? shapes[0] : shapes,
        params: layer instanceof InputLayer ? 0 : layer.countParams(),
        connectedTo: nodes.flatMap((n) => n.inputs.map((t) => `${t.node!.layer.name}[${t.node!.layer.inboundNodes.indexOf(t.node!)}][${t.outputIndex}]`)),
      });
    }
    return rows;
  }
}
registerLayer(Functional, 'Model');

/** Creates a functional model from symbolic inputs and outputs. */
export function model(opts: FunctionalOptions): Functional {
  return new Functional(opts);
}
