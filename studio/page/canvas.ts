/**
 * The graph editor: Drawflow draws the nodes and connections and handles dragging and connecting;
 * the studio's graph (ids, types, params, edges) is kept here beside it and is what the server sees.
 */
import Drawflow from 'drawflow';
import type { GNode, Graph, LayerInfo, NodeReport } from './api.js';
import { type NodeView, drawView } from './views.js';

const COL = 250, ROW = 330;

export type Change = 'add' | 'remove' | 'connect' | 'disconnect' | 'move' | 'param';

export class Canvas {
  readonly editor: any;
  private idOf = new Map<string, string>();
  private dfOf = new Map<string, number>();
  private muted = false;
  selected: string | null = null;

  constructor(private el: HTMLElement, public graph: Graph, private catalogue: Map<string, LayerInfo>,
    private onChange: (c: Change) => void, private onSelect: (id: string | null) => void) {
    this.editor = new (Drawflow as any)(el);
    this.editor.reroute = false;
    this.editor.start();
    const ed = this.editor;
    ed.on('connectionCreated', (c: any) => this.quiet(() => {
      const from = this.idOf.get(String(c.output_id))!, to = this.idOf.get(String(c.input_id))!;
      if (from === to || this.graph.edges.some((e) => e.from === from && e.to === to)) return;
      this.graph.edges.push({ from, to });
      this.onChange('connect');
    }));
    ed.on('connectionRemoved', (c: any) => this.quiet(() => {
      const from = this.idOf.get(String(c.output_id)), to = this.idOf.get(String(c.input_id));
      this.graph.edges = this.graph.edges.filter((e) => !(e.from === from && e.to === to));
      this.onChange('disconnect');
    }));
    ed.on('nodeRemoved', (df: any) => this.quiet(() => {
      const id = this.idOf.get(String(df));
      if (!id) return;
      this.graph.nodes = this.graph.nodes.filter((n) => n.id !== id);
      this.graph.edges = this.graph.edges.filter((e) => e.from !== id && e.to !== id);
      this.idOf.delete(String(df));
      this.dfOf.delete(id);
      if (this.selected === id) this.select(null);
      this.onChange('remove');
    }));
    ed.on('nodeMoved', (df: any) => this.quiet(() => {
      const n = this.node(this.idOf.get(String(df)));
      const d = ed.getNodeFromId(df);
      if (n && d) { n.x = Math.round(d.pos_x); n.y = Math.round(d.pos_y); this.onChange('move'); }
    }));
    ed.on('nodeSelected', (df: any) => this.select(this.idOf.get(String(df)) ?? null));
    ed.on('nodeUnselected', () => this.select(null));
    // Palette items dropped on the canvas.
    el.addEventListener('dragover', (e) => e.preventDefault());
    el.addEventListener('drop', (e) => {
      e.preventDefault();
      const type = e.dataTransfer?.getData('text/plain');
      if (!type || !this.catalogue.has(type)) return;
      const rect = ed.precanvas.getBoundingClientRect();
      this.add(type, (e.clientX - rect.x) / ed.zoom, (e.clientY - rect.y) / ed.zoom, false);
    });
  }

  private quiet(f: () => void): void {
    if (!this.muted) f();
  }

  private select(id: string | null): void {
    this.selected = id;
    this.onSelect(id);
  }

  node(id: string | undefined): GNode | undefined {
    return this.graph.nodes.find((n) => n.id === id);
  }

  private newId(type: string): string {
    let k = 1;
    while (this.graph.nodes.some((n) => n.id === `${type}_${k}`)) k++;
    return `${type}_${k}`;
  }

  /**
   * Adds a node of `type`; placed at (x, y) or below the selected node, to which it is connected
   * (`follow`), so clicking palette items builds a stack.
   */
  add(type: string, x?: number, y?: number, follow = true): string {
    const info = this.catalogue.get(type)!;
    const params: Record<string, unknown> = {};
    for (const p of info.params) if (p.default !== undefined) params[p.key] = structuredClone(p.default);
    const after = follow ? this.node(this.selected ?? undefined) : undefined;
    // Stacks run left to right in rows of four (previews make nodes tall), the next row below.
    const lowest = this.graph.nodes.reduce((m, n) => Math.max(m, (n.y ?? 0) + ROW), 30);
    let px = x ?? 40, py = y ?? lowest;
    if (after && x === undefined) {
      px = (after.x ?? 40) + COL;
      py = after.y ?? 30;
      if (px > 40 + 3 * COL) { px = 40; py += ROW; }
    }
    const node: GNode = { id: this.newId(type), type, params, x: Math.round(px), y: Math.round(py) };
    this.graph.nodes.push(node);
    if (after && info.inputs !== 'none') this.graph.edges.push({ from: after.id, to: node.id });
    this.render();
    this.editor.selectedNodeId = undefined;
    this.selectNode(node.id);
    this.onChange('add');
    return node.id;
  }

  /** Marks a node selected (as a click on it does). */
  selectNode(id: string): void {
    const df = this.dfOf.get(id);
    const el = df === undefined ? null : this.el.querySelector(`#node-${df}`);
    this.el.querySelectorAll('.drawflow-node.selected').forEach((n) => n.classList.remove('selected'));
    if (el) {
      el.classList.add('selected');
      this.editor.node_selected = el;
    }
    this.select(id);
  }

  /** Draws the whole graph anew (after undo/redo, import, or an added node). */
  render(): void {
    this.muted = true;
    try {
      this.editor.clear();
      this.idOf.clear();
      this.dfOf.clear();
      for (const n of this.graph.nodes) {
        const info = this.catalogue.get(n.type);
        const df = this.editor.addNode(n.type, info?.inputs === 'none' ? 0 : 1, 1, n.x ?? 60, n.y ?? 40, `layer family-${(info?.family ?? 'other').replace(/ /g, '-')}`, { id: n.id }, nodeHtml(n, info));
        this.idOf.set(String(df), n.id);
        this.dfOf.set(n.id, df);
      }
      for (const e of this.graph.edges) {
        const a = this.dfOf.get(e.from), b = this.dfOf.get(e.to);
        if (a !== undefined && b !== undefined && this.catalogue.get(this.node(e.to)!.type)?.inputs !== 'none') this.editor.addConnection(a, b, 'output_1', 'input_1');
      }
    } finally {
      this.muted = false;
    }
    if (this.selected && this.dfOf.has(this.selected)) this.selectNode(this.selected);
    else if (this.selected) this.select(null);
  }

  /** Zooms and pans so every node is in view. */
  fit(): void {
    const ed = this.editor;
    const boxes = [...this.el.querySelectorAll<HTMLElement>('.drawflow-node')].map((n) => [n.offsetLeft, n.offsetTop, n.offsetLeft + n.offsetWidth, n.offsetTop + n.offsetHeight]);
    if (!boxes.length) return;
    const x0 = Math.min(...boxes.map((b) => b[0])), y0 = Math.min(...boxes.map((b) => b[1]));
    const x1 = Math.max(...boxes.map((b) => b[2])), y1 = Math.max(...boxes.map((b) => b[3]));
    const W = this.el.clientWidth, H = this.el.clientHeight;
    const z = Math.max(0.2, Math.min(1, (W - 40) / (x1 - x0 + 40), (H - 40) / (y1 - y0 + 40)));
    ed.zoom_min = 0.2;
    // The canvas scales about its centre.
    const pw = ed.precanvas.clientWidth / 2, ph = ed.precanvas.clientHeight / 2;
    ed.zoom = z;
    ed.zoom_last_value = z;
    ed.canvas_x = 20 - pw - z * (x0 - pw);
    ed.canvas_y = 20 - ph - z * (y0 - ph);
    ed.precanvas.style.transform = `translate(${ed.canvas_x}px, ${ed.canvas_y}px) scale(${z})`;
  }

  /** The element of a node's part (title, shape, params, error, preview). */
  part(id: string, name: string): HTMLElement | null {
    const df = this.dfOf.get(id);
    return df === undefined ? null : this.el.querySelector(`#node-${df} .${name}`);
  }

  /** Shows a node's shape, parameter count and error. */
  report(id: string, r: NodeReport | undefined): void {
    const shape = this.part(id, 'shape'), params = this.part(id, 'params'), error = this.part(id, 'error');
    if (!shape || !params || !error) return;
    shape.textContent = r?.shape ? `→ [${r.shape.map((d) => d ?? 'batch').join(', ')}]` : '';
    params.textContent = r?.params !== undefined ? `${r.params.toLocaleString('en-US')} params` : '';
    error.textContent = r?.error ?? '';
    this.part(id, 'node-box')?.classList.toggle('has-error', !!r?.error);
  }

  /** Shows a node's preview picture (or clears it). */
  preview(id: string, v: NodeView | undefined): void {
    const box = this.part(id, 'preview');
    if (!box) return;
    box.replaceChildren(...(v ? [drawView(v)] : []));
  }

  /** Refreshes a node's title line after a setting changed. */
  retitle(n: GNode): void {
    const t = this.part(n.id, 'subtitle');
    if (t) t.textContent = summaryOf(n, this.catalogue.get(n.type));
  }
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** One line of the node's main settings ("32 feature maps, 3×3, relu"). */
function summaryOf(n: GNode, info: LayerInfo | undefined): string {
  const p = n.params;
  const bits: string[] = [];
  for (const k of ['units', 'filters', 'kernelSize', 'poolSize', 'rate', 'shape', 'targetShape', 'outputDim', 'activation']) {
    if (p[k] === undefined) continue;
    const label = info?.params.find((q) => q.key === k)?.label ?? k;
    bits.push(k === 'activation' ? String(p[k]) : `${label} ${Array.isArray(p[k]) ? (p[k] as unknown[]).join('×') : p[k]}`);
  }
  return bits.join(', ');
}

function nodeHtml(n: GNode, info: LayerInfo | undefined): string {
  return `<div class="node-box" data-node="${esc(n.id)}"><div class="title"><b>${esc(info?.label ?? n.type)}</b> <span class="nid">${esc(n.id)}</span></div>` +
    `<div class="subtitle">${esc(summaryOf(n, info))}</div><div class="shape"></div><div class="params"></div><div class="error"></div><div class="preview"></div></div>`;
}
