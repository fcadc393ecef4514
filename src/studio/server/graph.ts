/**
 * The studio's graph (nodes = layers, edges = connections) and its translation into a Strata
 * functional model: each node is built with its st.layers factory and applied to its inputs, so a
 * node's shape, parameter count and error are the library's own.
 */
import * as st from '../../index.js';
import { layerFactories } from '../../cli/spec.js';
import { HttpError } from './security.js';

export interface GraphNode {
  /** Also the layer's name and the variable in exported programs: a letter, then letters, digits, _. */
  id: string;
  /** 'input' or an st.layers factory name. */
  type: string;
  params: Record<string, unknown>;
  x?: number;
  y?: number;
}

/** A connection; the inputs of a merge node are in the order of its edges. */
export interface GraphEdge {
  from: string;
  to: string;
}

/** Training settings kept with the graph. */
export interface TrainSettings {
  dataset?: string;
  limit?: number;
  loss?: string;
  optimizer?: string;
  learningRate?: number;
  epochs?: number;
  batchSize?: number;
  validationSplit?: number;
  labelColumn?: string;
  /** Random seed of a run's initial weights, shuffling and dropout (default 1, as the CLI). */
  seed?: number;
}

export interface StudioGraph {
  version: 1;
  nodes: GraphNode[];
  edges: GraphEdge[];
  training?: TrainSettings;
}

/** What the page shows on a node. */
export interface NodeReport {
  shape?: (number | null)[];
  params?: number;
  error?: string;
}

export interface BuiltGraph {
  nodes: Record<string, NodeReport>;
  /** Nodes in the order they were built (inputs first). */
  order: string[];
  /** Per node, its output (symbolic) — for the preview model. */
  tensors: Map<string, st.SymbolicTensor>;
  inputs: string[];
  outputs: string[];
  /** The whole model, when every node built. */
  model?: st.Functional;
  /** Why there is no model (graph-level), when no node error says it. */
  error?: string;
}

const ID = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Checks a graph sent by the page or read from a file; a 400 says what is wrong. */
export function parseGraph(json: unknown): StudioGraph {
  if (!isObj(json)) throw new HttpError(400, 'graph: expected an object { "nodes": [...], "edges": [...] }');
  const { nodes, edges, training } = json;
  if (!Array.isArray(nodes)) throw new HttpError(400, 'graph: "nodes" must be a list');
  if (!Array.isArray(edges)) throw new HttpError(400, 'graph: "edges" must be a list');
  if (nodes.length > 500) throw new HttpError(400, `graph: ${nodes.length} nodes is over the limit of 500`);
  const ids = new Set<string>();
  nodes.forEach((n, i) => {
    if (!isObj(n)) throw new HttpError(400, `graph: node ${i} must be an object { id, type, params }`);
    if (typeof n.id !== 'string' || !ID.test(n.id)) throw new HttpError(400, `graph: node ${i} id ${JSON.stringify(n.id)} must be a letter followed by letters, digits or _ (at most 64)`);
    if (ids.has(n.id)) throw new HttpError(400, `graph: two nodes have the id '${n.id}'`);
    ids.add(n.id);
    if (typeof n.type !== 'string') throw new HttpError(400, `graph: node '${n.id}' has no "type"`);
    if (n.params !== undefined && !isObj(n.params)) throw new HttpError(400, `graph: node '${n.id}' "params" must be an object`);
  });
  edges.forEach((e, i) => {
    if (!isObj(e) || typeof e.from !== 'string' || typeof e.to !== 'string') throw new HttpError(400, `graph: edge ${i} must be { "from": id, "to": id }`);
    if (!ids.has(e.from) || !ids.has(e.to)) throw new HttpError(400, `graph: edge ${i} joins unknown node '${ids.has(e.from) ? e.to : e.from}'`);
  });
  if (training !== undefined && !isObj(training)) throw new HttpError(400, 'graph: "training" must be an object');
  return {
    version: 1,
    nodes: (nodes as GraphNode[]).map((n) => ({ id: n.id, type: n.type, params: { ...(n.params ?? {}) }, ...(typeof n.x === 'number' ? { x: n.x } : {}), ...(typeof n.y === 'number' ? { y: n.y } : {}) })),
    edges: (edges as GraphEdge[]).map((e) => ({ from: e.from, to: e.to })),
    ...(training ? { training: training as TrainSettings } : {}),
  };
}

/** Node ids in an order where every node comes after its inputs; nodes on a cycle are left out. */
export function topoOrder(g: StudioGraph): { order: string[]; cyclic: string[] } {
  const indeg = new Map(g.nodes.map((n) => [n.id, 0]));
  for (const e of g.edges) indeg.set(e.to, indeg.get(e.to)! + 1);
  const ready = g.nodes.filter((n) => indeg.get(n.id) === 0).map((n) => n.id);
  const order: string[] = [];
  while (ready.length) {
    const id = ready.shift()!;
    order.push(id);
    for (const e of g.edges) if (e.from === id) {
      indeg.set(e.to, indeg.get(e.to)! - 1);
      if (indeg.get(e.to) === 0) ready.push(e.to);
    }
  }
  return { order, cyclic: g.nodes.map((n) => n.id).filter((id) => !order.includes(id)) };
}

type Factory = (opts: Record<string, unknown>) => st.layers.Layer;
let factories: Map<string, Factory> | null = null;

/** The st.layers factory of a node type (any case), or undefined. */
export function factoryOf(type: string): { name: string; make: Factory } | undefined {
  if (!factories) {
    factories = layerFactories();
    // The CLI's specs are stacks and leave merge layers out; graphs use them.
    for (const name of MERGE) factories.set(name, (st.layers as unknown as Record<string, Factory>)[name]);
  }
  const f = factories.get(type);
  if (f) return { name: type, make: f };
  for (const [name, make] of factories) if (name.toLowerCase() === type.toLowerCase()) return { name, make };
  return undefined;
}

/** Builds every node it can; per-node errors are the library's messages. */
export function buildGraph(g: StudioGraph): BuiltGraph {
  const out: BuiltGraph = { nodes: {}, order: [], tensors: new Map(), inputs: [], outputs: [] };
  const { order, cyclic } = topoOrder(g);
  for (const id of cyclic) out.nodes[id] = { error: 'this node is on a cycle; a network flows one way, from inputs to outputs' };
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  for (const id of order) {
    const node = byId.get(id)!;
    const report: NodeReport = {};
    out.nodes[id] = report;
    const from = g.edges.filter((e) => e.to === id).map((e) => e.from);
    try {
      let y: st.SymbolicTensor;
      if (node.type === 'input') {
        if (from.length) throw new Error('an input takes no connections in');
        y = st.input({ ...node.params, name: id } as st.InputOptions);
        out.inputs.push(id);
      } else {
        const f = factoryOf(node.type);
        if (!f) throw new Error(`unknown layer type '${node.type}'`);
        if (from.length === 0) throw new Error('connect an input to this layer');
        const upstream = from.map((u) => out.tensors.get(u));
        if (upstream.some((t) => !t)) throw new Error(`waiting for '${from[upstream.findIndex((t) => !t)]}', which has an error`);
        const layer = f.make({ ...node.params, name: id });
        const isMerge = MERGE.has(f.name);
        if (isMerge && from.length < 2) throw new Error(`${layer.className} joins two or more inputs; connect another`);
        if (!isMerge && from.length > 1) throw new Error(`${layer.className} takes one input, ${from.length} are connected; join them with a merge layer (add, concatenate, ...)`);
        y = layer.apply(isMerge ? upstream as st.SymbolicTensor[] : upstream[0]!) as st.SymbolicTensor;
        report.params = layer.countParams();
      }
      report.shape = [...y.shape];
      out.tensors.set(id, y);
      out.order.push(id);
    } catch (e) {
      report.error = (e as Error).message;
    }
  }
  out.outputs = out.order.filter((id) => byId.get(id)!.type !== 'input' && !g.edges.some((e) => e.from === id));
  const failed = Object.values(out.nodes).some((r) => r.error);
  if (failed) out.error = 'some nodes have errors';
  else if (!out.inputs.length) out.error = 'add an Input node';
  else if (!out.outputs.length) out.error = 'connect at least one layer after the input';
  else {
    try {
      out.model = st.model({ inputs: out.inputs.map((i) => out.tensors.get(i)!), outputs: out.outputs.map((o) => out.tensors.get(o)!), name: 'studio' });
    } catch (e) {
      out.error = (e as Error).message;
    }
  }
  return out;
}

/** The merge layers (two or more inputs). */
export const MERGE = new Set(['add', 'subtract', 'multiply', 'average', 'maximum', 'minimum', 'concatenate', 'dot']);

/** The nodes of a graph that is one chain from one input (a Sequential model), in order; null otherwise. */
export function chainOf(g: StudioGraph): GraphNode[] | null {
  const inputs = g.nodes.filter((n) => n.type === 'input');
  if (inputs.length !== 1) return null;
  const chain = [inputs[0]];
  for (;;) {
    const next = g.edges.filter((e) => e.from === chain[chain.length - 1].id);
    if (next.length === 0) break;
    if (next.length > 1) return null;
    const n = g.nodes.find((m) => m.id === next[0].to)!;
    if (g.edges.filter((e) => e.to === n.id).length !== 1 || chain.includes(n)) return null;
    chain.push(n);
  }
  return chain.length === g.nodes.length ? chain : null;
}
