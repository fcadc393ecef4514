/** The harness's table (stdout) and its JSON report. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Item } from './workloads/catalog.js';
import type { Measurement } from './measure.js';

export const IMPLS = ['strata-native', 'strata-wasm', 'strata-js', 'tfjs-cpu', 'tfjs-wasm', 'torch'] as const;
export type Impl = (typeof IMPLS)[number];
/** The peers Strata native is compared against in the ratio column. */
const PEERS: Impl[] = ['tfjs-cpu', 'tfjs-wasm', 'torch'];

export type Cell = { ok: true; m: Measurement } | { ok: false; reason: string };

export interface Row {
  item: Item;
  /** Threads of Strata native and torch in this row (js and tfjs always use one). */
  threads: number;
  cells: Partial<Record<Impl, Cell>>;
}

/** A cell marked with * had other processes using more than this many cores while it was timed. */
export const BUSY = 0.5;

/** Strata native's speed over the fastest peer's (> 1: Strata is faster), for rates and latencies alike. */
export function ratio(row: Row): number | null {
  const native = row.cells['strata-native'];
  const peers = PEERS.map((p) => row.cells[p]).filter((c): c is { ok: true; m: Measurement } => !!c?.ok).map((c) => c.m.value);
  if (!native?.ok || !peers.length) return null;
  return row.item.unit === 'ms' ? Math.min(...peers) / native.m.value : native.m.value / Math.max(...peers);
}

/** Whether measurement a is faster than b: a higher rate, or a lower latency. */
function faster(a: Measurement, b: Measurement, unit: Item['unit']): boolean {
  return unit === 'ms' ? a.value < b.value : a.value > b.value;
}

/**
 * One cell from its rounds: the median round of those that succeeded (with an even count, the faster
 * of the middle two), carrying every round's value in `rounds`; the first failure when none succeeded.
 * The same rule for every implementation, so neither a slow nor a fast spell of a shared machine
 * during one round decides a ratio.
 */
export function medianOfRounds(cells: Cell[], unit: Item['unit']): Cell | undefined {
  const ok = cells.filter((c): c is { ok: true; m: Measurement } => c.ok);
  if (!ok.length) return cells[0];
  const sorted = [...ok].sort((a, b) => (faster(a.m, b.m, unit) ? -1 : faster(b.m, a.m, unit) ? 1 : 0));
  const mid = sorted[Math.floor((sorted.length - 1) / 2)];
  return ok.length === 1 && cells.length === 1 ? mid : { ok: true, m: { ...mid.m, rounds: ok.map((c) => c.m.value) } };
}

/**
 * PyTorch at its best: of its set-ups' cells (each already combined over the rounds), the fastest,
 * naming the set-up that won (`setUp`) and listing every set-up's value (`setUps`).
 */
export function bestSetUp(bySetUp: Array<{ name: string; cell: Cell }>, unit: Item['unit']): Cell | undefined {
  let best: { name: string; m: Measurement } | null = null;
  const values: Record<string, number> = {};
  for (const { name, cell } of bySetUp) {
    if (!cell.ok) continue;
    values[name] = cell.m.value;
    if (!best || faster(cell.m, best.m, unit)) best = { name, m: cell.m };
  }
  if (!best) return bySetUp[0]?.cell;
  return { ok: true, m: { ...best.m, setUp: best.name, setUps: values } };
}

/** A figure with three or so significant digits. */
export function fmt(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(2);
}

/**
 * The table: one line per row, failures as footnotes. `withheld`: why no ratios may be shown (PyTorch
 * not at its best); the ratio column then says so instead.
 */
export function formatTable(rows: Row[], withheld: string | null = null): string {
  const notes: string[] = [];
  const note = (text: string): number => {
    const k = notes.indexOf(text);
    return (k < 0 ? notes.push(text) : k + 1);
  };
  const cell = (c: Cell | undefined): string => {
    if (!c) return '—';
    if (!c.ok) return `n/a[${note(c.reason)}]`;
    const setUp = c.m.setUp ? `[${note(c.m.setUp)}]` : '';
    return (c.m.single ? '~' : '') + fmt(c.m.value) + ((c.m.otherProcsCores ?? 0) > BUSY ? '*' : '') + setUp;
  };
  const lines = rows.map((r) => {
    const q = ratio(r);
    const metric = r.item.kind.type === 'matmul' ? `${r.item.metric} ${r.threads}T` : r.item.metric;
    const shown = withheld ? `withheld[${note(withheld)}]` : q === null ? '—' : `${q.toFixed(2)}×`;
    return [r.item.workload, metric, ...IMPLS.map((i) => cell(r.cells[i])), shown];
  });
  const head = ['', 'metric', ...IMPLS, 'ratio'];
  const widths = head.map((h, c) => Math.max(h.length, ...lines.map((l) => l[c].length)));
  const out = [head, ...lines].map((l) => l.map((s, c) => (c < 2 ? s.padEnd(widths[c]) : s.padStart(widths[c]))).join('  '));
  out.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  notes.forEach((n, k) => out.push(`[${k + 1}] ${n}`));
  return out.join('\n');
}

/** One line on the load other processes put on the machine while timing. */
export function loadSummary(rows: Row[]): string {
  const loads = rows.flatMap((r) => Object.values(r.cells)).flatMap((c) => (c?.ok && c.m.otherProcsCores !== null ? [c.m.otherProcsCores] : []));
  if (!loads.length) return 'load: not measured (no /proc/stat)';
  const mean = loads.reduce((a, b) => a + b, 0) / loads.length;
  return `load: other processes used ${mean.toFixed(2)} cores on average while timing (max ${Math.max(...loads).toFixed(2)}); ` +
    `* = more than ${BUSY} cores during that cell, so it is understated; ~ = one cold step only (slower than the step limit)`;
}

/** Writes the report to `out`, or to bench/results/<timestamp>.json and latest.json under `resultsDir`. */
export function writeReport(report: object, resultsDir: string, out: string | null): string[] {
  const text = JSON.stringify(report, null, 2) + '\n';
  const paths = out ? [out] : [join(resultsDir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`), join(resultsDir, 'latest.json')];
  for (const p of paths) {
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  return paths;
}

/**
 * Peak memory per step, Strata native beside PyTorch, for the rows that measured it: the workload's
 * peak (RSS high-water over the steady-state steps less the bare runtime's RSS) and, in brackets, the
 * process's whole peak RSS.
 */
export function formatMemory(rows: Row[]): string {
  const mb = (c: Cell | undefined): string => {
    const mem = c?.ok ? c.m.memory : undefined;
    return mem && mem.workloadPeakMB !== null ? `${mem.workloadPeakMB.toFixed(1)} (${mem.peakRssMB?.toFixed(0)})` : '—';
  };
  const lines = rows
    .filter((r) => r.threads >= 2 && (r.item.kind.type === 'train' || r.item.kind.type === 'infer'))
    .map((r) => {
      const s = r.cells['strata-native'], t = r.cells.torch;
      const a = s?.ok ? s.m.memory?.workloadPeakMB : null, b = t?.ok ? t.m.memory?.workloadPeakMB : null;
      return [r.item.workload, r.item.metric.replace(/ samples\/s| ms$/, ''), mb(s), mb(t), a && b ? `${(a / b).toFixed(2)}` : '—'];
    });
  const head = ['', 'peak memory per step, MB', 'strata-native', 'torch', 'strata/torch'];
  const widths = head.map((h, c) => Math.max(h.length, ...lines.map((l) => l[c].length)));
  const out = [head, ...lines].map((l) => l.map((x, c) => (c < 2 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join('  '));
  out.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return out.join('\n');
}
