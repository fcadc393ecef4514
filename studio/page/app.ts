/** Strata Studio's page: the canvas, the side panel, previews, training dashboard, export and import. */
import 'drawflow/dist/drawflow.min.css';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { type Check, type Graph, type LayerInfo, api, events } from './api.js';
import { Canvas, type Change } from './canvas.js';
import { Dashboard } from './dashboard.js';
import { UndoStack } from './history.js';
import { renderPanel } from './panel.js';

const $ = <T extends HTMLElement = HTMLElement>(sel: string) => document.querySelector(sel) as T;
const DEFAULT_TRAINING = { dataset: 'mnist', limit: 2000, loss: 'sparseCategoricalCrossentropy', optimizer: 'adam', learningRate: 0.001, epochs: 1, batchSize: 32, validationSplit: 0.1, seed: 1 };
const TRAIN_FIELDS: [string, 'text' | 'number'][] = [['dataset', 'text'], ['limit', 'number'], ['loss', 'text'], ['optimizer', 'text'], ['learningRate', 'number'], ['epochs', 'number'], ['batchSize', 'number'], ['validationSplit', 'number'], ['seed', 'number']];

let catalogue = new Map<string, LayerInfo>();
let graph: Graph;
let check: Check | null = null;
let canvas: Canvas;
let undo: UndoStack;
let dashboard: Dashboard;
let previewOn = false;
let timer: ReturnType<typeof setTimeout> | undefined;
let checking: Promise<void> = Promise.resolve();

function status(text: string, kind: 'info' | 'error' = 'info'): void {
  const el = $('#status');
  el.textContent = text;
  el.className = kind;
}

async function main(): Promise<void> {
  const cat = await api<{ layers: LayerInfo[]; datasets: string[]; losses: string[]; optimizers: string[] }>('GET', 'catalogue');
  catalogue = new Map(cat.layers.map((l) => [l.type, l]));
  const project = await api('GET', 'project');
  graph = project.graph ?? { version: 1, nodes: [], edges: [] };
  graph.training = { ...DEFAULT_TRAINING, ...(graph.training ?? {}) };
  $('#folder').textContent = project.folder;
  palette(cat.layers);
  options('#datasets', cat.datasets);
  options('#losses', cat.losses);
  options('#optimizers', cat.optimizers);
  canvas = new Canvas($('#drawflow'), graph, catalogue, (c) => changed(c), () => panel());
  canvas.render();
  undo = new UndoStack(JSON.stringify(graph));
  trainingForm();
  dashboard = new Dashboard($('#dashboard'));
  if (project.run) dashboard.reset(project.run);
  events({
    snapshot: (s) => { dashboard.reset(s); runStatus(s.status, s.error); },
    status: (s) => { runStatus(s.status, s.error); if (s.status === 'done' || s.status === 'stopped') refreshPreview(); },
    batch: (b) => dashboard.batch(b),
    epoch: (e) => { dashboard.epoch(e); refreshPreview(); },
    checkpoint: (c) => status(`checkpoint saved: ${c.path}`),
  });
  wire();
  await save(false);
  panel();
  document.body.dataset.ready = '1';
}

function options(id: string, values: string[]): void {
  $(id).replaceChildren(...values.map((v) => new Option(v, v)));
}

function palette(layers: LayerInfo[]): void {
  const el = $('#palette');
  const families = [...new Set(layers.map((l) => l.family))];
  for (const f of families) {
    const h = document.createElement('h4');
    h.textContent = f;
    el.append(h);
    for (const l of layers.filter((x) => x.family === f)) {
      const b = document.createElement('button');
      b.className = 'pal';
      b.textContent = l.label;
      b.dataset.type = l.type;
      b.draggable = true;
      b.addEventListener('dragstart', (e) => e.dataTransfer?.setData('text/plain', l.type));
      b.addEventListener('click', () => canvas.add(l.type));
      el.append(b);
    }
  }
}

function panel(): void {
  const node = canvas.node(canvas.selected ?? undefined);
  renderPanel($('#panel-node'), node, node ? catalogue.get(node.type) : undefined, node ? check?.nodes[node.id] : undefined,
    () => { if (node) canvas.retitle(node); changed('param'); },
    (type) => { if (node) { node.type = type; canvas.render(); changed('param'); panel(); } });
}

/** Any edit: save and check shortly after (typing does not send every key), then refresh previews. */
function changed(_c: Change | 'load'): void {
  clearTimeout(timer);
  timer = setTimeout(() => void save(true), 150);
}

async function save(record: boolean): Promise<void> {
  const run = async () => {
    const text = JSON.stringify(graph);
    if (record) undo.push(text);
    try {
      check = await api<Check>('PUT', 'graph', graph);
    } catch (e) {
      status((e as Error).message, 'error');
      return;
    }
    for (const n of graph.nodes) canvas.report(n.id, check.nodes[n.id]);
    $('#summary').textContent = check.totalParams !== null ? `${check.totalParams.toLocaleString('en-US')} parameters${check.sequential ? ' · a stack (exports as a CLI spec too)' : ' · a graph'}` : check.error ?? '';
    $('#summary').className = check.error ? 'error' : '';
    $('#model-summary').textContent = check.summary.join('\n');
    const node = canvas.selected ? check.nodes[canvas.selected] : undefined;
    const st = document.querySelector('.node-status');
    if (st) st.textContent = node?.error ? `error: ${node.error}` : node?.shape ? `output [${node.shape.map((d) => d ?? 'batch').join(', ')}], ${node.params ?? 0} params` : '';
    ($('#undo') as HTMLButtonElement).disabled = !undo.canUndo;
    ($('#redo') as HTMLButtonElement).disabled = !undo.canRedo;
    document.body.dataset.checked = String(Number(document.body.dataset.checked ?? 0) + 1);
    if (previewOn && !check.error) await preview();
  };
  checking = checking.then(run, run);
  await checking;
}

function restore(text: string | null): void {
  if (text === null) return;
  const g = JSON.parse(text) as Graph;
  graph.nodes = g.nodes;
  graph.edges = g.edges;
  canvas.render();
  panel();
  void save(false);
}

function replaceGraph(g: Graph): void {
  graph.nodes = g.nodes;
  graph.edges = g.edges;
  if (g.training) graph.training = { ...graph.training, ...g.training };
  trainingForm();
  canvas.selected = null;
  canvas.render();
  panel();
  void save(true);
}

function trainingForm(): void {
  for (const [k] of TRAIN_FIELDS) ($(`#t-${k}`) as HTMLInputElement).value = String(graph.training?.[k] ?? '');
}

function readTraining(): void {
  const t: Record<string, unknown> = { ...graph.training };
  for (const [k, kind] of TRAIN_FIELDS) {
    const v = ($(`#t-${k}`) as HTMLInputElement).value.trim();
    // An emptied field falls back to the server's default.
    if (v === '') delete t[k];
    else t[k] = kind === 'number' ? Number(v) : v;
  }
  graph.training = t;
}

/**
 * Shows what the chosen dataset holds; when `adopt`, a single input node takes its sample shape (and
 * an embedding fed by it the vocabulary size), as a newcomer expects when picking data.
 */
async function describeData(adopt: boolean): Promise<void> {
  readTraining();
  const t = graph.training!;
  try {
    const d = await api('POST', 'dataset', { dataset: t.dataset, limit: t.limit });
    $('#sample-info').textContent = `${d.samples} samples of shape [${d.sampleShape.join(', ')}]` +
      (d.classNames ? `, ${d.classNames.length} classes` : ', a number to predict') + (d.vocabulary ? `, ${d.vocabulary} words` : '');
    const inputs = graph.nodes.filter((n) => n.type === 'input');
    if (adopt && inputs.length === 1) {
      inputs[0].params.shape = d.sampleShape;
      if (d.vocabulary) for (const e of graph.edges) if (e.from === inputs[0].id) {
        const n = canvas.node(e.to);
        if (n?.type === 'embedding') n.params.inputDim = d.vocabulary;
      }
      for (const n of graph.nodes) canvas.retitle(n);
      panel();
      changed('param');
    }
  } catch (e) {
    status(`data: ${(e as Error).message}`, 'error');
  }
}

async function preview(): Promise<void> {
  readTraining();
  const t = graph.training!;
  try {
    const r = await api('POST', 'preview', { graph, dataset: t.dataset, limit: t.limit, sample: Number(($('#sample') as HTMLInputElement).value || 0) });
    previewOn = true;
    for (const n of graph.nodes) canvas.preview(n.id, r.views[n.id]);
    $('#sample-info').textContent = `sample ${r.sample} of ${r.samples}, label ${r.label}`;
    document.body.dataset.previewed = String(Number(document.body.dataset.previewed ?? 0) + 1);
  } catch (e) {
    status(`preview: ${(e as Error).message}`, 'error');
  }
}

function refreshPreview(): void {
  if (previewOn) void preview();
}

function runStatus(s: string, error?: string | null): void {
  $('#run-status').textContent = `training: ${s}${error ? ` — ${error}` : ''}`;
  document.body.dataset.run = s;
}

async function action(f: () => Promise<unknown>): Promise<void> {
  try {
    await f();
  } catch (e) {
    status((e as Error).message, 'error');
  }
}

function wire(): void {
  $('#undo').addEventListener('click', () => restore(undo.undo()));
  $('#redo').addEventListener('click', () => restore(undo.redo()));
  $('#fit').addEventListener('click', () => canvas.fit());
  document.addEventListener('keydown', (e) => {
    if (!(e.ctrlKey || e.metaKey) || (e.target as HTMLElement).closest('input, textarea, select')) return;
    if (e.key === 'z' && !e.shiftKey) { e.preventDefault(); restore(undo.undo()); }
    if (e.key === 'y' || (e.key === 'z' && e.shiftKey)) { e.preventDefault(); restore(undo.redo()); }
  });
  for (const [k] of TRAIN_FIELDS) $(`#t-${k}`).addEventListener('change', () => { readTraining(); changed('param'); });
  for (const k of ['dataset', 'limit']) $(`#t-${k}`).addEventListener('change', () => void describeData(true));
  $('#preview').addEventListener('click', () => void preview());
  $('#sample').addEventListener('change', () => void preview());
  $('#train').addEventListener('click', () => action(async () => {
    readTraining();
    dashboard.reset({});
    const r = await api('POST', 'train', { graph });
    status(`run ${r.run} started`);
    show('dashboard');
  }));
  for (const a of ['pause', 'resume', 'stop', 'checkpoint']) {
    $(`#${a}`).addEventListener('click', () => action(async () => {
      const r = await api('POST', `train/${a}`, {});
      if (a === 'checkpoint' && r.path) status(`checkpoint saved: ${r.path}`);
    }));
  }
  for (const f of ['model', 'spec', 'program']) {
    $(`#export-${f}`).addEventListener('click', () => action(async () => {
      readTraining();
      const r = await api('POST', 'export', { graph, format: f, path: ($(`#path-${f}`) as HTMLInputElement).value });
      $('#export-out').textContent = `${f} → ${r.path}${r.files ? ` (${r.files.join(', ')})` : ''}\n\n${r.text ?? ''}`;
      status(`exported ${f} to ${r.path}`);
      document.body.dataset.exported = `${document.body.dataset.exported ?? ''} ${f}`;
    }));
    $(`#import-${f}`).addEventListener('click', () => action(async () => {
      const r = await api('POST', 'import', { format: f, path: ($(`#path-${f}`) as HTMLInputElement).value });
      replaceGraph(r.graph);
      status(`imported ${f} from ${($(`#path-${f}`) as HTMLInputElement).value}: ${r.check.totalParams ?? '?'} parameters`);
    }));
  }
  for (const v of ['canvas', 'dashboard']) $(`#tab-${v}`).addEventListener('click', () => show(v));
}

function show(view: string): void {
  for (const v of ['canvas', 'dashboard']) {
    $(`#view-${v}`).hidden = v !== view;
    $(`#tab-${v}`).classList.toggle('on', v === view);
  }
}

main().catch((e) => status(`the studio could not start: ${(e as Error).message}`, 'error'));
