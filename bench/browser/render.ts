/**
 * bench:browser's markdown (docs/bench/browser.md) from its JSON report, so a report can be drawn
 * again (`node build/bench/browser-bench.js --render FILE.json`) without measuring again. Two views
 * of each section: the rates as measured (wall clock), and the work per CPU-second of the measured
 * side (Chromium's processes in the page, the cell's process in Node): on a shared machine the
 * first says what the page got, the second what the code does with the CPU it had.
 */
import type { Cell } from '../report.js';
import type { Measurement, Method } from '../measure-core.js';
import { ITEMS } from '../workloads/catalog.js';
import type { PageInfo } from './page.js';
import { fasterCell, loadOf, markdownTable, speedRatio, type RatioColumn, type TableRow } from './report.js';

type JsonCell = Measurement | { error: string } | null;

export interface BrowserReport {
  date: string;
  commit: string;
  quick: boolean;
  host: { cpu: string | null; cores: number; node: string; nice: number; loadavgAtStart: number[]; loadavgAtEnd: number[] };
  method: Method & { rounds: number; combine?: string };
  browser: PageInfo & { chromium: string; tfjsWasmFile: string | null; wasmFilesFetched: string[] };
  node: { version: string; native: string | null; wasmThreads: number | null; threadsNote: string | null } | null;
  rows: Array<{ id: string; browser: Record<string, JsonCell>; node: Record<string, JsonCell> | null }>;
}

function toCell(j: JsonCell): Cell | undefined {
  if (j === null) return undefined;
  return 'error' in j ? { ok: false, reason: j.error } : { ok: true, m: j };
}

/** The cell as work per CPU-second of the measured side (rates), or CPU ms per step (latencies). */
function perCpu(c: Cell | undefined, unit: string): Cell | undefined {
  if (!c?.ok || !(c.m.cpuPerWall > 0)) return c;
  const value = unit === 'ms' ? c.m.value * c.m.cpuPerWall : c.m.value / c.m.cpuPerWall;
  return { ok: true, m: { ...c.m, value, otherProcsCores: null } };
}

function rowsOf(report: BrowserReport, side: 'browser' | 'node', cpu: boolean): TableRow[] {
  return report.rows.map((r) => {
    const item = ITEMS.find((i) => i.id === r.id)!;
    const cells = Object.fromEntries(Object.entries(r[side] ?? {}).map(([k, j]) => {
      const c = toCell(j);
      return [k, cpu ? perCpu(c, item.unit) : c];
    }));
    return { item, cells };
  });
}

const best = (r: TableRow) => fasterCell(r.cells['strata-wasm-1T'], r.cells['strata-wasm-2T'], r.item.unit);
const BROWSER_RATIOS: RatioColumn[] = [
  { head: '1T ÷ tfjs-wasm', of: (r) => speedRatio(r.cells['strata-wasm-1T'], r.cells['tfjs-wasm'], r.item.unit) },
  { head: 'best ÷ tfjs-wasm', of: (r) => speedRatio(best(r), r.cells['tfjs-wasm'], r.item.unit) },
  { head: 'best ÷ tfjs-cpu', of: (r) => speedRatio(best(r), r.cells['tfjs-cpu'], r.item.unit) },
];
const NODE_RATIOS: RatioColumn[] = [
  { head: 'wasm 1T ÷ js', of: (r) => speedRatio(r.cells['strata-wasm-1T'], r.cells['strata-js'], r.item.unit) },
  { head: 'native ÷ wasm best', of: (r) => speedRatio(r.cells['strata-native'], best(r), r.item.unit) },
];

function loadLine(rows: TableRow[]): string {
  const l = loadOf(rows);
  return l ? `Other processes used ${l.mean.toFixed(2)} cores on average while the cells were timed (max ${l.max.toFixed(2)})` : 'Load not measured';
}

export function renderMarkdown(report: BrowserReport): string {
  const { host, method, browser: b, node } = report;
  const avg = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const columns = (side: 'browser' | 'node') => Object.keys(report.rows[0]?.[side] ?? {});
  const cpuNote = (who: string) => `The same cells as work per CPU-second of ${who} (rate ÷ CPU time over wall time; ms: CPU ms ` +
    'per step): what the code did with the CPU it was given. A 1-thread column\'s wall-clock rate on an idle machine would come ' +
    'near it (less what sharing caches with the other processes costs here); a 2-thread column\'s figure is per core, not the 2-core rate.';
  const browserRows = rowsOf(report, 'browser', false);
  // The wall-clock table, then the same cells per CPU-second.
  const tables = (side: 'browser' | 'node', who: string, ratios: RatioColumn[]) => [
    markdownTable(rowsOf(report, side, false), columns(side), ratios), '', cpuNote(who), '', markdownTable(rowsOf(report, side, true), columns(side), ratios),
  ];
  const out = [
    '# bench:browser',
    '',
    `Measured ${report.date.slice(0, 16).replace('T', ' ')} UTC at commit ${report.commit}, ${report.quick ? '**--quick (a smoke test, not a measurement)**, ' : ''}` +
      `on a **shared** ${host.cores}-core machine (${host.cpu ?? 'unknown CPU'}; load average ${avg(host.loadavgAtStart)} at the start, ` +
      `${avg(host.loadavgAtEnd)} at the end, from the other sessions on the machine; the bench ran at nice ${host.nice}).`,
    `Method: per cell ${method.warmup} warm-up steps (≥ ${method.warmupMs} ms), then the median of ${method.reps} repeats of ≥ ${method.minTime} s; ` +
      `${method.rounds} round(s), items in turn and every implementation per item in turn, each cell the median of its rounds. ` +
      'Rates: higher is better; ms: lower is better. `~`: the first step took over ' + `${method.maxStep} s, so the value is that one cold step; ` +
      '`*`: other processes used more than half a core meanwhile (understated). Ratios: how many times faster the first is.',
    '',
    `## Chromium ${b.chromium} (headless, playwright-core), one page, cross-origin isolated: ${b.crossOriginIsolated ? 'yes' : 'no'}`,
    '',
    `Strata ${b.strata.backend} (dist/strata.browser.js + wasm/${b.wasmFilesFetched?.find((f) => f.startsWith('strata')) ?? 'strata.wasm'}, the build the page fetched): 1 thread, and 2 threads — ${b.strata.threadsNote ?? `${b.strata.threads} available`}. ` +
      `TensorFlow.js ${b.tfjs.version}: wasm backend ${b.tfjs.wasmError ? `did not load (${b.tfjs.wasmError})` : `with **${b.tfjsWasmFile ?? '?'}** (the binary the page fetched), ${b.tfjs.wasmThreads} thread(s) (tf.wasm.getThreadsCount()), SIMD ${b.tfjs.simd}, threads supported ${b.tfjs.multithread}`}; ` +
      `cpu backend (one thread). "best": Strata's faster of 1 and 2 threads. CPU time: Chromium's processes, read from /proc. ${loadLine(browserRows)}.`,
    '',
    ...tables('browser', "Chromium's processes", BROWSER_RATIOS),
  ];
  if (node) {
    out.push(
      '',
      `## Node ${node.version ?? host.node}`,
      '',
      `Each cell in a fresh process (bench/cell.ts, as \`npm run bench\`): Strata native (${node.native ?? 'not built'}, 2 threads), ` +
        `wasm (1 thread; 2 threads — ${node.threadsNote ?? `${node.wasmThreads} available`}), js. ${loadLine(rowsOf(report, 'node', false))}.`,
      '',
      ...tables('node', "the cell's process", NODE_RATIOS),
    );
  }
  out.push('');
  return out.join('\n');
}
