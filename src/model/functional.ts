import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { Layer, type CallOptions, type LayerOptions, type LayerShape } from '../layers/layer.js';
import { SymbolicTensor, type GraphNode } from '../layers/symbolic.js';
import { deserialize, registerLayer, serialize } from '../layers/serialization.js';
import { RecurrentLayer } from '../layers/recurrent.js';
import { InputLayer } from './input.js';
import { Model, type SummaryRow } from './model.js';
import { registerSafeModelClass } from './step-buffers.js';

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
  private readonly ins: SymbolicTensor[];
  private readonly outs: SymbolicTensor[];
  /** Nodes in the order they run (input nodes excluded). */
  readonly nodes: GraphNode[];
  private readonly layerList: Layer[];

  constructor(opts: FunctionalOptions) {
    super({ name: opts?.name } as LayerOptions);
    const ins = opts?.inputs, outs = opts?.outputs;
    this.ins = (Array.isArray(ins) ? ins : [ins]).filter((t) => t !== undefined);
    this.outs = (Array.isArray(outs) ? outs : [outs]).filter((t) => t !== undefined);
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

  /** The model's symbolic inputs (the st.input tensors it was made from). */
  get inputs(): SymbolicTensor[] {
    return this.ins;
  }

  /** The model's symbolic outputs. */
  get outputs(): SymbolicTensor[] {
    return this.outs;
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

  /**
   * The output shapes for inputs of these shapes: the model's own for its own input shapes; for
   * others (a nested model applied to [batch, 1, features], as Keras allows), each layer's rule in turn.
   */
  computeOutputShape(inputShape?: LayerShape | LayerShape[]): LayerShape | LayerShape[] {
    const given = inputShape === undefined ? null : (Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as LayerShape[];
    let outs: LayerShape[];
    if (!given || given.length !== this.inputs.length || given.every((g, i) => fmtShape(g) === fmtShape(this.inputs[i].shape))) {
      outs = this.outputs.map((t) => t.shape);
    } else {
      const shapes = new Map<number, LayerShape>();
      this.inputs.forEach((t, i) => shapes.set(t.id, given[i]));
      for (const node of this.nodes) {
        const ins = node.inputs.map((t) => shapes.get(t.id)!);
        const out = node.layer.computeOutputShape(ins.length === 1 ? ins[0] : ins);
        const list = (Array.isArray(out[0]) ? out : [out]) as LayerShape[];
        node.outputs.forEach((t, i) => shapes.set(t.id, list[i]));
      }
      outs = this.outputs.map((t) => shapes.get(t.id)!);
    }
    return outs.length === 1 ? outs[0] : outs;
  }

  forward(inputs: Tensor[], opts: CallOptions): Tensor[] {
    if (inputs.length !== this.inputs.length) {
      throw new ConfigError(`${this.describe()}: expected ${this.inputs.length} input tensor(s) (${this.inputNames.join(', ')}), got ${inputs.length}`);
    }
    const values = new Map<number, Tensor>();
    const masks = new Map<number, Tensor | null>();
    this.inputs.forEach((t, i) => {
      const x = inputs[i];
      // Also the shapes this model was applied to in an enclosing graph (e.g. [batch, 1, features]).
      const accepted = [t.shape, ...this.inboundNodes.map((n) => n.inputs[i]?.shape).filter((d) => d !== undefined)];
      if (!accepted.some((want) => want.length === x.rank && want.every((d, j) => d === null || d === x.shape[j]))) {
        throw new ShapeError(`${this.describe()}: input '${t.name}' expects shape ${fmtShape(t.shape)}, got ${fmtShape(x.shape)}`);
      }
      values.set(t.id, x);
    });
    for (const node of this.nodes) {
      const xs = node.inputs.map((t) => values.get(t.id)!);
      const arg = xs.length === 1 ? xs[0] : xs;
      // A recurrent layer's extra inputs are its initial states: the sequence's mask still applies.
      const masked = node.inputs.length === 1 || node.layer instanceof RecurrentLayer;
      const mask = masked ? masks.get(node.inputs[0].id) ?? null : null;
      const out = node.layer.apply(arg, { ...node.callOptions, training: node.callOptions.training ?? opts.training, mask });
      const outs = Array.isArray(out) ? out : [out];
      const outMask = masked ? node.layer.computeMask(arg, mask) : null;
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

  /** This model's nodes of `layer`, in the layer's order (a shared layer has several). */
  private nodesOf(layer: Layer): GraphNode[] {
    if (layer instanceof InputLayer) return layer.inboundNodes.slice(0, 1);
    return layer.inboundNodes.filter((n) => this.nodes.includes(n));
  }

  /**
   * The Keras functional topology: `{ name, layers: [{ name, class_name, config, inbound_nodes }],
   * input_layers, output_layers }`. A reference is `[layerName, nodeIndex, tensorIndex, kwargs]`,
   * where nodeIndex counts the layer's nodes in this model; a nested model's count starts at 1,
   * as Keras and TensorFlow.js write it (their node 0 is the nested model's own inner node).
   */
  override getConfig(): Record<string, unknown> {
    const ref = (t: SymbolicTensor): [string, number, number] => {
      const layer = t.node!.layer;
      return [layer.name, this.nodesOf(layer).indexOf(t.node!) + (layer instanceof Model ? 1 : 0), t.outputIndex];
    };
    const layers = this.layerList.map((layer) => ({
      name: layer.name,
      class_name: layer.className,
      config: serialize(layer).config,
      inbound_nodes: layer instanceof InputLayer ? [] : this.nodesOf(layer).map((n) => {
        const kwargs = n.callOptions.training === undefined ? {} : { training: n.callOptions.training };
        return n.inputs.map((t) => [...ref(t), kwargs]);
      }),
    }));
    return { name: this.name, layers, input_layers: this.inputs.map(ref), output_layers: this.outputs.map(ref) };
  }

  /**
   * Rebuilds a functional model from its Keras topology (snake_case or camelCase keys), as Keras 2,
   * Keras 3 and TensorFlow.js write it: creates every layer, then applies them node by node,
   * deferring a node until the nodes it reads from exist (a layer may be shared at several depths).
   */
  static override fromConfig<T extends Layer>(this: new (opts: never) => T, config: Record<string, unknown>): T {
    return functionalFromConfig(config) as unknown as T;
  }
}
registerLayer(Functional, 'Model');

type Ref = { layer: string; node: number; tensor: number };
type NodeSpec = { refs: Ref[]; training?: boolean };

const key = (o: Record<string, unknown>, snake: string, camel: string): unknown => (o[snake] !== undefined ? o[snake] : o[camel]);

function functionalFromConfig(config: Record<string, unknown>): Functional {
  const where = `Functional '${String(config?.name)}'`;
  const fail = (msg: string): never => {
    throw new ConfigError(`${where}: ${msg}`);
  };
  const entries = config?.layers;
  if (!Array.isArray(entries)) fail('config has no layers list');
  const layers = new Map<string, Layer>();
  const order: Layer[] = [];
  const pending = new Map<Layer, NodeSpec[]>();
  for (const entry of entries as unknown[]) {
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) fail(`a layer entry is not an object: ${brief(entry)}`);
    const e = entry as Record<string, unknown>;
    const className = key(e, 'class_name', 'className');
    const cfg = e.config;
    if (typeof className !== 'string') fail(`a layer entry has no class_name: ${brief(e)}`);
    if (!cfg || typeof cfg !== 'object' || Array.isArray(cfg)) fail(`layer entry '${String(e.name)}' has no config object`);
    const layer = deserialize({ class_name: className as string, config: cfg as Record<string, unknown> });
    const name = typeof e.name === 'string' ? e.name : layer.name;
    if (layers.has(name)) fail(`two layers are named '${name}'`);
    layers.set(name, layer);
    order.push(layer);
    const inbound = key(e, 'inbound_nodes', 'inboundNodes') ?? [];
    if (!Array.isArray(inbound)) fail(`layer '${name}': inbound_nodes must be a list, got ${brief(inbound)}`);
    pending.set(layer, (inbound as unknown[]).map((n) => parseNode(n, `layer '${name}'`, fail)));
  }
  // Keras and TensorFlow.js count a nested model's own inner node (its inputs → outputs) as its
  // node 0, so the nodes made here start at 1 for it: always for a functional model, and for a
  // Sequential that knows its input shape (Keras' _should_skip_first_node). Files that number a
  // nested model's first application 0 (written without that rule) are read as they are.
  const offset = new Map<Layer, number>();
  const refsToLayer = [...pending.values()].flat().flatMap((n) => n.refs);
  for (const k of [['input_layers', 'inputLayers'], ['output_layers', 'outputLayers']]) {
    const list = key(config, k[0], k[1]);
    const refs: unknown[] = !Array.isArray(list) ? [] : typeof list[0] === 'string' ? [list] : list;
    for (const r of refs) if (Array.isArray(r) && isIndex(r[1])) refsToLayer.push({ layer: String(r[0]), node: r[1], tensor: 0 });
  }
  for (const [name, l] of layers) {
    if (!(l instanceof Model) || (l.className === 'Sequential' && !l.inputShapes)) continue;
    offset.set(l, refsToLayer.some((r) => r.layer === name && r.node === 0) ? 0 : 1);
  }
  const applied = new Map<Layer, SymbolicTensor[][]>();
  for (const l of order) applied.set(l, l instanceof InputLayer ? [[l.output]] : []);
  const lookup = (r: Ref): SymbolicTensor | null => {
    const l = layers.get(r.layer);
    if (!l) return fail(`a node reads from layer '${r.layer}', which is not in the model`);
    const outs = applied.get(l!)![r.node - (offset.get(l!) ?? 0)];
    if (!outs) return null;
    if (!outs[r.tensor]) fail(`a node reads output ${r.tensor} of layer '${r.layer}', which has ${outs.length} output(s)`);
    return outs[r.tensor];
  };
  let progress = true;
  while (progress) {
    progress = false;
    for (const layer of order) {
      const queue = pending.get(layer)!;
      while (queue.length) {
        const xs = queue[0].refs.map(lookup);
        if (xs.some((x) => x === null)) break;
        const ins = xs as SymbolicTensor[];
        const opts = queue[0].training === undefined ? {} : { training: queue[0].training };
        const out = layer.apply(ins.length === 1 ? ins[0] : ins, opts);
        applied.get(layer)!.push(Array.isArray(out) ? out : [out]);
        queue.shift();
        progress = true;
      }
    }
  }
  for (const [layer, queue] of pending) {
    if (queue.length) fail(`layer '${layer.name}' reads from nodes that never exist (${queue[0].refs.map((r) => `${r.layer}[${r.node}][${r.tensor}]`).join(', ')}); the graph is broken or cyclic`);
  }
  const ends = (k: string, c: string): SymbolicTensor[] => {
    let list = key(config, k, c);
    if (Array.isArray(list) && typeof list[0] === 'string') list = [list];
    if (!Array.isArray(list) || list.length === 0) return fail(`${k} must be a non-empty list of [layerName, nodeIndex, tensorIndex]`);
    return (list as unknown[]).map((r) => {
      const t = lookup(parseRef(r, k, fail));
      if (!t) fail(`${k} names a node that does not exist: ${brief(r)}`);
      return t!;
    });
  };
  const inputs = ends('input_layers', 'inputLayers');
  const outputs = ends('output_layers', 'outputLayers');
  return new Functional({ inputs, outputs, name: typeof config.name === 'string' ? config.name : undefined });
}

function parseRef(r: unknown, where: string, fail: (m: string) => never): Ref {
  if (!Array.isArray(r) || r.length < 3 || typeof r[0] !== 'string' || !isIndex(r[1]) || !isIndex(r[2])) {
    return fail(`${where}: expected [layerName, nodeIndex, tensorIndex], got ${brief(r)}`);
  }
  return { layer: r[0], node: r[1], tensor: r[2] };
}

/** A node in Keras 2 / TF.js form (a list of references) or Keras 3 form ({ args, kwargs } with keras tensors). */
function parseNode(n: unknown, where: string, fail: (m: string) => never): NodeSpec {
  if (Array.isArray(n)) {
    const refs = n.map((r) => parseRef(r, where, fail));
    const kw = Array.isArray(n[0]) ? n[0][3] : undefined;
    const training = kw && typeof kw === 'object' && typeof (kw as { training?: unknown }).training === 'boolean' ? (kw as { training: boolean }).training : undefined;
    if (!refs.length) fail(`${where}: an inbound node has no inputs`);
    return { refs, training };
  }
  if (n && typeof n === 'object') {
    const o = n as Record<string, unknown>;
    const refs: Ref[] = [];
    const kw = o.kwargs as Record<string, unknown> | undefined;
    // Keras 3 passes a recurrent layer's initial states as a kwarg: they follow the input, as TF.js writes them.
    const stack: unknown[] = [kw && typeof kw === 'object' ? key(kw, 'initial_state', 'initialState') : undefined, o.args];
    while (stack.length) {
      const v = stack.pop();
      if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
      else if (v && typeof v === 'object') {
        const t = v as Record<string, unknown>;
        const c = t.config as Record<string, unknown> | undefined;
        const hist = c && typeof c === 'object' ? key(c, 'keras_history', 'kerasHistory') : undefined;
        if (hist !== undefined) refs.push(parseRef(hist, where, fail));
      }
    }
    if (!refs.length) fail(`${where}: an inbound node has no input tensors`);
    return { refs, training: kw && typeof kw.training === 'boolean' ? kw.training : undefined };
  }
  return fail(`${where}: an inbound node must be a list or { args, kwargs }, got ${brief(n)}`);
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 1e6;
}

function brief(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Creates a functional model from symbolic inputs and outputs. */
export function model(opts: FunctionalOptions): Functional {
  return new Functional(opts);
}

registerSafeModelClass(Functional);
