/**
 * The training dashboard: loss and metric curves per batch and per epoch (uPlot), per-layer weight
 * and gradient statistics, the confusion matrix and sample predictions next to the truth.
 */
import uPlot from 'uplot';
import { heat, imageCanvas } from './views.js';

type Point = Record<string, number>;
const COLOURS = ['#d9480f', '#1c7ed6', '#2f9e44', '#ae3ec9', '#f59f00', '#495057'];

class Chart {
  private plot: uPlot | null = null;
  private keys: string[] = [];
  private pending = false;

  constructor(private el: HTMLElement, private title: string, private x: string) {}

  /** Redraws from all points (the keys of the first point fix the series). */
  set(points: Point[]): void {
    if (!points.length) {
      this.plot?.destroy();
      this.plot = null;
      this.el.replaceChildren();
      return;
    }
    const keys = Object.keys(points[points.length - 1]).filter((k) => k !== this.x && k !== 'batch' && k !== 'step' && k !== 'epoch');
    if (!this.plot || keys.join() !== this.keys.join()) {
      this.plot?.destroy();
      this.el.replaceChildren();
      this.keys = keys;
      this.plot = new uPlot({
        title: this.title, width: Math.max(320, this.el.clientWidth || 480), height: 220,
        scales: { x: { time: false } },
        series: [{ label: this.x }, ...keys.map((k, i) => ({ label: k, stroke: COLOURS[i % COLOURS.length], width: 1.5, points: { show: this.x === 'epoch' } }))],
        axes: [{ label: this.x }, {}],
      }, [[], ...keys.map(() => [])], this.el);
    }
    const data = [points.map((p) => p[this.x]), ...this.keys.map((k) => points.map((p) => p[k] ?? null))];
    this.plot.setData(data as uPlot.AlignedData);
  }

  /** Like set, at most once per animation frame (batches come fast). */
  later(points: () => Point[]): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.set(points());
    });
  }
}

export class Dashboard {
  private batches: Point[] = [];
  private epochs: Point[] = [];
  private batchChart: Chart;
  private epochChart: Chart;
  classNames: string[] | null = null;

  constructor(private el: HTMLElement) {
    this.batchChart = new Chart(el.querySelector('#chart-batch')!, 'per batch (training, running mean over the epoch)', 'step');
    this.epochChart = new Chart(el.querySelector('#chart-epoch')!, 'per epoch (training and validation)', 'epoch');
  }

  /** A run's state as a page opening (or a new run) sees it. */
  reset(s: { batches?: Point[]; epochs?: Point[]; latest?: any; classNames?: string[] | null }): void {
    this.batches = [...(s.batches ?? [])];
    this.epochs = [...(s.epochs ?? [])];
    this.classNames = s.classNames ?? null;
    this.batchChart.set(this.batches);
    this.epochChart.set(this.epochs);
    this.details(s.latest ?? {});
  }

  batch(p: Point): void {
    const { run: _r, ...point } = p as Point & { run?: unknown };
    this.batches.push(point);
    if (this.batches.length > 4000) this.batches = this.batches.filter((_, i, a) => i % 2 === (a.length - 1) % 2);
    this.batchChart.later(() => this.batches);
  }

  epoch(e: any): void {
    this.epochs.push(e.epoch);
    this.epochChart.set(this.epochs);
    this.details(e);
  }

  private details(e: any): void {
    this.weights(e.weights ?? []);
    this.confusion(e.confusion);
    this.samples(e.samples ?? []);
  }

  private weights(ws: any[]): void {
    const t = this.el.querySelector('#weights')!;
    if (!ws.length) { t.replaceChildren(); return; }
    const f = (v: number | undefined) => (v === undefined ? '' : Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : v.toFixed(4));
    t.innerHTML = '<table><thead><tr><th>weight</th><th>mean</th><th>std</th><th>min</th><th>max</th><th>gradient mean</th><th>gradient std</th></tr></thead><tbody></tbody></table>';
    const body = t.querySelector('tbody')!;
    for (const w of ws) {
      const tr = document.createElement('tr');
      for (const v of [w.name, f(w.mean), f(w.std), f(w.min), f(w.max), f(w.gradMean), f(w.gradStd)]) {
        const td = document.createElement('td');
        td.textContent = v;
        tr.append(td);
      }
      body.append(tr);
    }
  }

  private confusion(c: { classes: string[]; matrix: number[][]; on: string } | undefined): void {
    const box = this.el.querySelector('#confusion')!;
    if (!c) { box.replaceChildren(); return; }
    const max = Math.max(1, ...c.matrix.flat());
    const table = document.createElement('table');
    table.className = 'confusion';
    const head = table.insertRow();
    head.insertCell().textContent = 'truth \\ predicted';
    for (const k of c.classes) head.insertCell().textContent = k;
    c.matrix.forEach((row, i) => {
      const tr = table.insertRow();
      tr.insertCell().textContent = c.classes[i];
      row.forEach((n) => {
        const td = tr.insertCell();
        td.textContent = String(n);
        td.style.background = n ? heat(0.5 + 0.5 * (n / max)) : '';
      });
    });
    const cap = table.createCaption();
    cap.textContent = `confusion matrix on the ${c.on} samples`;
    box.replaceChildren(table);
  }

  private samples(ss: any[]): void {
    const box = this.el.querySelector('#samples')!;
    box.replaceChildren();
    for (const s of ss) {
      const d = document.createElement('div');
      d.className = `sample ${s.truth === s.predicted ? 'right' : 'wrong'}`;
      if (s.pixels) d.append(imageCanvas(s.pixels, s.height, s.width, s.channels, 0, 255));
      const name = (i: number) => this.classNames?.[i] ?? String(i);
      const t = document.createElement('div');
      t.textContent = `truth ${name(s.truth)} · predicted ${name(s.predicted)} (${(100 * s.probability).toFixed(0)}%)`;
      d.append(t);
      box.append(d);
    }
  }
}
