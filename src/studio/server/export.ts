/**
 * A studio graph as the CLI's spec JSON and as a TypeScript program using Strata's API, and both of
 * those (and a saved model.json) back into a graph. model.json itself is written by model.save.
 */
import * as st from '../../index.js';
import type { LayerSpec, ModelSpec } from '../../cli/spec.js';
import { type GraphNode, type StudioGraph, type TrainSettings, chainOf, factoryOf } from './graph.js';
import { HttpError } from './security.js';

/** The loss, optimizer and metrics of a graph's training settings (the CLI's defaults for classes). */
export function compileSettings(t: TrainSettings | undefined): { loss: string; optimizer: string; learningRate: number; metrics: string[] } {
  const loss = t?.loss ?? 'sparseCategoricalCrossentropy';
  const regression = /squared|absolute|huber|logcosh/i.test(loss);
  return { loss, optimizer: t?.optimizer ?? 'adam', learningRate: t?.learningRate ?? 0.001, metrics: regression ? ['mae'] : ['accuracy'] };
}

/** The CLI spec (`strata train spec.json`) of a graph that is one chain; a 400 for branching graphs. */
export function graphToSpec(g: StudioGraph): ModelSpec {
  const chain = chainOf(g);
  if (!chain) {
    throw new HttpError(400, 'the CLI spec describes a stack of layers (one input, no branches or merges); export this graph as model.json or as a TypeScript program instead');
  }
  const c = compileSettings(g.training);
  return {
    inputShape: chain[0].params.shape as number[],
    layers: chain.slice(1).map((n) => ({ type: n.type, name: n.id, ...n.params })),
    loss: c.loss,
    optimizer: { type: c.optimizer, learningRate: c.learningRate },
    metrics: c.metrics,
  };
}

/** A stack of nodes laid out top to bottom, joined in order. */
function chainGraph(nodes: GraphNode[], training?: TrainSettings): StudioGraph {
  nodes.forEach((n, i) => { n.x ??= 80; n.y ??= 40 + 110 * i; });
  return { version: 1, nodes, edges: nodes.slice(1).map((n, i) => ({ from: nodes[i].id, to: n.id })), ...(training ? { training } : {}) };
}

/** A CLI spec back into a graph (placeholders "classes"/"vocabulary" are kept as given). */
export function specToGraph(json: unknown): StudioGraph {
  if (!json || typeof json !== 'object' || !Array.isArray((json as ModelSpec).layers)) throw new HttpError(400, 'spec: expected { "inputShape", "layers": [...] }');
  const spec = json as ModelSpec;
  if (!Array.isArray(spec.inputShape)) throw new HttpError(400, 'spec: the studio needs "inputShape" (the shape of one sample) to draw the input');
  const used = new Set<string>();
  const nodes: GraphNode[] = [{ id: uniqueId('input', used), type: 'input', params: { shape: spec.inputShape } }];
  spec.layers.forEach((l: LayerSpec, i) => {
    if (!l || typeof l.type !== 'string') throw new HttpError(400, `spec: layer ${i} has no "type"`);
    const { type, name, ...params } = l;
    const f = factoryOf(type) ?? factoryOf(type.replace(/D$/, 'd'));
    const id = uniqueId(typeof name === 'string' ? name : f?.name ?? 'layer', used);
    nodes.push({ id, type: f?.name ?? type, params });
  });
  const opt = spec.optimizer;
  const training: TrainSettings = {
    ...(spec.loss ? { loss: spec.loss } : {}),
    ...(opt ? { optimizer: typeof opt === 'string' ? opt : opt.type } : {}),
    ...(opt && typeof opt === 'object' && typeof opt.learningRate === 'number' ? { learningRate: opt.learningRate } : {}),
  };
  return chainGraph(nodes, training);
}

function uniqueId(base: string, used: Set<string>): string {
  let id = base.replace(/[^A-Za-z0-9_]/g, '_').replace(/^[^A-Za-z]/, 'n');
  if (used.has(id)) {
    let k = 1;
    while (used.has(`${id}_${k}`)) k++;
    id = `${id}_${k}`;
  }
  used.add(id);
  return id;
}

const json = (v: unknown) => JSON.stringify(v);

/**
 * A TypeScript program that builds the graph's model with Strata's API, compiles it and prints its
 * summary and parameter count. The lines have one fixed form, which `programToGraph` reads back.
 */
export function graphToProgram(g: StudioGraph, order: string[], inputs: string[], outputs: string[]): string {
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const c = compileSettings(g.training);
  const lines = [
    '// Written by Strata Studio: builds the model drawn on the canvas with Strata\'s API.',
    '// Run it as is (node, after tsc or with a TypeScript runner); it prints the model\'s summary.',
    'import * as st from \'strata\';',
    '',
    '/** The model of the canvas, with fresh weights. */',
    'export function buildModel(): st.Functional {',
  ];
  for (const id of order) {
    const n = byId.get(id)!;
    if (n.type === 'input') {
      lines.push(`  const ${id} = st.input(${json({ ...n.params, name: id })});`);
      continue;
    }
    const from = g.edges.filter((e) => e.to === id).map((e) => e.from);
    const arg = from.length === 1 ? from[0] : `[${from.join(', ')}]`;
    lines.push(`  const ${id} = st.layers.${n.type}(${json({ ...n.params, name: id })}).apply(${arg}) as st.SymbolicTensor;`);
  }
  lines.push(`  return st.model({ inputs: [${inputs.join(', ')}], outputs: [${outputs.join(', ')}], name: 'studio' });`, '}', '');
  lines.push(
    'const model = buildModel();',
    `model.compile({ optimizer: st.optimizers.${c.optimizer}(${c.learningRate}), loss: ${json(c.loss)}, metrics: ${json(c.metrics)} });`,
    'model.summary();',
    'console.log(`parameters: ${model.countParams()}`);',
    '',
  );
  return lines.join('\n');
}

const INPUT_LINE = /^\s*const ([A-Za-z]\w*) = st\.input\((\{.*\})\);\s*$/;
const LAYER_LINE = /^\s*const ([A-Za-z]\w*) = st\.layers\.([A-Za-z]\w*)\((\{.*\})?\)\.apply\((\[[^\]]*\]|[A-Za-z]\w*)\)(?: as st\.SymbolicTensor)?;\s*$/;
const COMPILE_LINE = /st\.optimizers\.([A-Za-z]+)\(([\d.eE+-]+)\), loss: ("[^"]+")/;

/** A program written by `graphToProgram` (or edited in the same form) back into a graph. */
export function programToGraph(text: string): StudioGraph {
  const nodes: GraphNode[] = [];
  const edges: StudioGraph['edges'] = [];
  const parse = (s: string, line: number): Record<string, unknown> => {
    try {
      return JSON.parse(s) as Record<string, unknown>;
    } catch {
      throw new HttpError(400, `program line ${line}: the options must be a JSON object as the studio writes them`);
    }
  };
  text.split('\n').forEach((line, i) => {
    let m = INPUT_LINE.exec(line);
    if (m) {
      const { name: _n, ...params } = parse(m[2], i + 1);
      nodes.push({ id: m[1], type: 'input', params });
      return;
    }
    m = LAYER_LINE.exec(line);
    if (m) {
      const { name: _n, ...params } = m[3] ? parse(m[3], i + 1) : {};
      nodes.push({ id: m[1], type: m[2], params });
      for (const from of m[4].replace(/[[\]\s]/g, '').split(',')) {
        if (!nodes.some((n) => n.id === from)) throw new HttpError(400, `program line ${i + 1}: '${from}' is used before it is defined`);
        edges.push({ from, to: m[1] });
      }
    }
  });
  if (!nodes.length) throw new HttpError(400, 'program: no `const x = st.input(...)` / `st.layers.NAME({...}).apply(...)` lines; the studio reads back programs it wrote');
  const compile = COMPILE_LINE.exec(text);
  const training: TrainSettings | undefined = compile ? { optimizer: compile[1], learningRate: Number(compile[2]), loss: JSON.parse(compile[3]) as string } : undefined;
  layout(nodes, edges);
  return { version: 1, nodes, edges, ...(training ? { training } : {}) };
}

/** Places nodes in rows by depth (for graphs read from files that carry no positions). */
function layout(nodes: GraphNode[], edges: StudioGraph['edges']): void {
  const depth = new Map<string, number>();
  for (const n of nodes) depth.set(n.id, Math.max(0, ...edges.filter((e) => e.to === n.id).map((e) => (depth.get(e.from) ?? 0) + 1)));
  const perRow = new Map<number, number>();
  for (const n of nodes) {
    const d = depth.get(n.id)!, k = perRow.get(d) ?? 0;
    perRow.set(d, k + 1);
    n.x = 80 + 260 * k;
    n.y = 40 + 110 * d;
  }
}

/** Options of a saved layer that differ from the factory's defaults (so imports stay readable). */
function essentialOptions(make: (o: Record<string, unknown>) => st.layers.Layer, config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const k of ['name', 'trainable', 'dtype', 'batchInputShape', 'batchSize', 'inputShape']) delete out[k];
  for (const k of Object.keys(out)) {
    const { [k]: v, ...rest } = out;
    try {
      if (json(make(rest).getConfig()[k]) === json(v)) delete out[k];
    } catch {
      // required option: keep it
    }
  }
  return out;
}

/**
 * A loaded model (from model.json) as a graph: layers by their factories with their non-default
 * options, connections from the saved topology.
 */
export function modelToGraph(model: st.Model, topology: unknown): StudioGraph {
  const nodes: GraphNode[] = [];
  const edges: StudioGraph['edges'] = [];
  const layers = (model as unknown as { layers: st.layers.Layer[] }).layers;
  const inbound = inboundOf(topology);
  let previous: string | undefined;
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const layer of layers) {
    const className = layer.className;
    const config = layer.getConfig() as Record<string, unknown>;
    const id = uniqueId(layer.name, used);
    ids.set(layer.name, id);
    if (className === 'InputLayer') {
      const shape = (config.batchInputShape ?? config.batchShape) as number[];
      nodes.push({ id, type: 'input', params: { shape: shape.slice(1) } });
    } else {
      const f = factoryOf(className);
      if (!f) throw new HttpError(400, `model.json: the studio has no node for ${className} layers`);
      if (!previous && config.batchInputShape) {
        const inId = uniqueId('input', used);
        nodes.push({ id: inId, type: 'input', params: { shape: (config.batchInputShape as number[]).slice(1) } });
        previous = inId;
      }
      nodes.push({ id, type: f.name, params: essentialOptions(f.make, config) });
    }
    const from = inbound?.get(layer.name);
    if (from) for (const u of from) edges.push({ from: ids.get(u) ?? u, to: id });
    else if (!inbound && previous && className !== 'InputLayer') edges.push({ from: previous, to: id });
    previous = id;
  }
  layout(nodes, edges);
  return { version: 1, nodes, edges };
}

/** Functional topology: layer name → names of the layers feeding it (first call only); null for Sequential. */
function inboundOf(topology: unknown): Map<string, string[]> | null {
  const t = topology as { model_config?: unknown; class_name?: string; config?: { layers?: unknown[] } };
  const mc = (t?.model_config ?? t) as { class_name?: string; config?: { layers?: { name?: string; config?: { name?: string }; inbound_nodes?: unknown[] }[] } };
  if (!mc || mc.class_name === 'Sequential' || !Array.isArray(mc.config?.layers)) return null;
  const out = new Map<string, string[]>();
  for (const l of mc.config!.layers!) {
    const name = l.name ?? l.config?.name;
    const first = (l.inbound_nodes ?? [])[0];
    if (!name || !Array.isArray(first)) continue;
    // Keras 2 form: [[name, nodeIndex, tensorIndex, kwargs], ...]
    out.set(name, first.map((x) => (Array.isArray(x) ? String(x[0]) : String((x as { args?: unknown }).args ?? ''))));
  }
  return out;
}
