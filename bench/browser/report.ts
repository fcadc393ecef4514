/**
 * bench:browser's tables, as markdown: the Chromium section (Strata wasm 1 and 2 threads beside
 * TensorFlow.js wasm and cpu, in one page) and the Node section (Strata native, wasm, js), each cell
 * the median of its rounds, failures as footnotes (a kernel TensorFlow.js lacks is named in the cell).
 */
import { BUSY, fmt, type Cell } from '../report.js';
import type { Item } from '../workloads/catalog.js';

/** One item's cells, by column name. */
export interface TableRow {
  item: Item;
  cells: Record<string, Cell | undefined>;
}

/** How many times faster cell a is than b (rates: a / b; latencies: b / a), or null. */
export function speedRatio(a: Cell | undefined, b: Cell | undefined, unit: Item['unit']): number | null {
  if (!a?.ok || !b?.ok) return null;
  return unit === 'ms' ? b.m.value / a.m.value : a.m.value / b.m.value;
}

/** The faster of two cells (either may have failed). */
export function fasterCell(a: Cell | undefined, b: Cell | undefined, unit: Item['unit']): Cell | undefined {
  if (!a?.ok) return b?.ok ? b : a;
  if (!b?.ok) return a;
  return (speedRatio(a, b, unit) ?? 1) >= 1 ? a : b;
}

/** The kernel a TensorFlow.js backend lacks, from a cell's reason, or null. */
export function missingKernel(reason: string): string | null {
  return /missing kernel (\w+)/.exec(reason)?.[1] ?? null;
}

/** A ratio column: its heading and how it is computed from a row's cells. */
export interface RatioColumn {
  head: string;
  of(row: TableRow): number | null;
}

/**
 * A markdown table: the columns' figures (`~` one cold step only, `*` others used more than BUSY
 * cores meanwhile), `unsupported (Kernel)` for a kernel the peer lacks, other failures as footnotes.
 */
export function markdownTable(rows: TableRow[], columns: string[], ratios: RatioColumn[]): string {
  const notes: string[] = [];
  const note = (text: string): number => {
    const k = notes.indexOf(text);
    return k < 0 ? notes.push(text) : k + 1;
  };
  const show = (c: Cell | undefined): string => {
    if (!c) return '—';
    if (!c.ok) {
      const kernel = missingKernel(c.reason);
      return kernel ? `unsupported (${kernel})` : `n/a[${note(c.reason.replace(/^[\w-]+ [\w-]+: /, ''))}]`;
    }
    return (c.m.single ? '~' : '') + fmt(c.m.value) + ((c.m.otherProcsCores ?? 0) > BUSY ? '*' : '');
  };
  const head = ['', 'metric', ...columns, ...ratios.map((r) => r.head)];
  const lines = rows.map((r) => [
    r.item.workload, r.item.metric, ...columns.map((c) => show(r.cells[c])),
    ...ratios.map((q) => {
      const v = q.of(r);
      return v === null ? '—' : `${v.toFixed(2)}×`;
    }),
  ]);
  const out = [head, head.map((_, i) => (i < 2 ? '---' : '---:')), ...lines].map((l) => `| ${l.join(' | ')} |`);
  if (notes.length) out.push('', ...notes.map((n, k) => `[${k + 1}] ${n}`));
  return out.join('\n');
}

/** Mean and max of the cores other processes used while the cells were timed. */
export function loadOf(rows: TableRow[]): { mean: number; max: number; cells: number } | null {
  const loads = rows.flatMap((r) => Object.values(r.cells)).flatMap((c) => (c?.ok && c.m.otherProcsCores !== null ? [c.m.otherProcsCores] : []));
  if (!loads.length) return null;
  return { mean: loads.reduce((a, b) => a + b, 0) / loads.length, max: Math.max(...loads), cells: loads.length };
}
