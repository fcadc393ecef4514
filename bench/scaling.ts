/**
 * Scaling figures (issue 13, part 3): time and peak memory per training step against the batch size
 * (W2 MLP and W3 CNN: 1, 8, 32, 128, 512) and, for W5 LSTM, the sequence length (10, 100, 1000 at
 * batch 32), Strata native (2 threads) beside PyTorch at its best (the fastest of its three thread
 * set-ups, AVX-512 OpenBLAS, raised malloc thresholds: bench/peers/torch.ts). Every point is a fresh
 * process per side and set-up, timed as in bench.ts (warm-up, median of 3 repeats; median of the
 * rounds), then 3 more steps measure the peak memory (bench/peak-memory.ts). Writes scaling.json and
 * scaling.png to docs/bench/ (a --quick run to bench/results/scaling-quick/, so a smoke test never
 * replaces the published figures).
 * Run with `npm run bench:scaling` [--quick] [--rounds N] [--only W2,W3,W5] [--no-torch] [--out-dir DIR].
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chartSvg, svgToPng, type Panel } from './chart-svg.js';
import { FULL, QUICK } from './measure.js';
import { medianOfRounds, bestSetUp, type Cell } from './report.js';
import { logCell, runCell } from './run-cell.js';
import { selectItems, withShape, type Item } from './workloads/catalog.js';
import { GLIBC_TUNABLES, blasVerdict, checkTorch, probeTorch, setUpName, setUpsFor, torchCell } from './peers/torch.js';

/** The swept axes: a training item and the batch sizes or W5 sequence lengths it runs at. */
export const SWEEPS = [
  { workload: 'W2', id: 'mlp-train', title: 'W2 MLP training', axis: 'batch', values: [1, 8, 32, 128, 512] },
  { workload: 'W3', id: 'cnn-train', title: 'W3 CNN training', axis: 'batch', values: [1, 8, 32, 128, 512] },
  { workload: 'W5', id: 'lstm-train', title: 'W5 LSTM training (batch 32)', axis: 'sequence', values: [10, 100, 1000] },
] as const;

const USAGE = 'usage: node build/bench/scaling.js [--quick] [--rounds N] [--only W2,W3,W5] [--no-torch] [--out-dir DIR]';

function parse(argv: string[]) {
  const a = { quick: false, rounds: 1, torch: true, only: null as string[] | null, outDir: null as string | null };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`scaling: ${f} needs a value. ${USAGE}`);
      return v;
    };
    if (f === '--quick') a.quick = true;
    else if (f === '--no-torch') a.torch = false;
    else if (f === '--rounds') {
      a.rounds = Number(value());
      if (!Number.isInteger(a.rounds) || a.rounds < 1) throw new Error(`scaling: --rounds needs a whole number ≥ 1. ${USAGE}`);
    } else if (f === '--only') a.only = value().split(',');
    else if (f === '--out-dir') a.outDir = value();
    else throw new Error(`scaling: unknown flag ${f}. ${USAGE}`);
  }
  return a;
}

const args = parse(process.argv.slice(2));
const method = args.quick ? QUICK : FULL;
const log = (s: string) => process.stderr.write(`${s}\n`);
const root = fileURLToPath(new URL('../../', import.meta.url));
const outDir = args.outDir ?? join(root, args.quick ? 'bench/results/scaling-quick' : 'docs/bench');
const sweeps = SWEEPS.filter((s) => !args.only || args.only.includes(s.workload));

const torch = args.torch ? checkTorch() : null;
const probe = torch?.ok ? probeTorch() : null;
const verdict = probe === null ? null : 'error' in probe ? { ok: false as const, reason: probe.error } : blasVerdict(probe, null);
const torchReady = !!torch?.ok && !!verdict?.ok;
log(`${cpus()[0]?.model ?? 'CPU'}, ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
if (torch) log(!torch.ok ? `PyTorch not available: ${torch.reason}` : verdict?.ok ? `PyTorch ${torch.version}: ${verdict.summary}` : `PyTorch refused: ${verdict?.reason}`);

interface Point {
  workload: string; id: string; axis: 'batch' | 'sequence'; x: number; batch: number; sequence: number | null;
  item: Item; shape: { batch?: number; sequence?: number };
  strata: Cell | undefined; torch: Cell | undefined;
}

const points: Point[] = sweeps.flatMap((s) => s.values.map((x): Point => {
  const base = selectItems([s.id])[0];
  const shape = s.axis === 'batch' ? { batch: x } : { sequence: x };
  const item = withShape(base, shape);
  return { workload: s.workload, id: s.id, axis: s.axis, x, batch: item.work, sequence: s.axis === 'sequence' ? x : null, item, shape, strata: undefined, torch: undefined };
}));

const strataRounds = new Map<Point, Cell[]>(), torchRounds = new Map<Point, Map<string, Cell[]>>();
for (let round = 1; round <= args.rounds; round++) {
  if (args.rounds > 1) log(`round ${round} of ${args.rounds}`);
  for (const p of points) {
    const label = `${p.axis} ${p.x}`;
    const s = await runCell('strata-native', p.item, 2, args.quick, p.shape);
    logCell(p.item, `strata-native, ${label}`, s);
    strataRounds.set(p, [...(strataRounds.get(p) ?? []), s]);
    if (!torchReady) continue;
    const bySetUp = torchRounds.get(p) ?? new Map<string, Cell[]>();
    for (const setUp of setUpsFor(2)) {
      const c = await torchCell(p.item, setUp, method, args.quick, p.shape);
      logCell(p.item, `${setUpName(setUp)}, ${label}`, c);
      bySetUp.set(setUpName(setUp), [...(bySetUp.get(setUpName(setUp)) ?? []), c]);
    }
    torchRounds.set(p, bySetUp);
  }
}
for (const p of points) {
  p.strata = medianOfRounds(strataRounds.get(p) ?? [], 'samples/s');
  const t = torchRounds.get(p);
  if (t) p.torch = bestSetUp([...t].map(([name, cells]) => ({ name, cell: medianOfRounds(cells, 'samples/s')! })), 'samples/s');
}

/** ms per step and the workload's peak memory of a point's cell, or nulls. */
function figures(c: Cell | undefined, batch: number) {
  if (!c?.ok) return { msPerStep: null, samplesPerSecond: null, workloadPeakMB: null, peakRssMB: null, setUp: null, error: c && !c.ok ? c.reason : null };
  return {
    msPerStep: (1000 * batch) / c.m.value, samplesPerSecond: c.m.value,
    workloadPeakMB: c.m.memory?.workloadPeakMB ?? null, peakRssMB: c.m.memory?.peakRssMB ?? null,
    setUp: c.m.setUp ?? null, setUps: c.m.setUps, rounds: c.m.rounds, otherProcsCores: c.m.otherProcsCores,
  };
}

const results = points.map((p) => ({
  workload: p.workload, item: p.id, axis: p.axis, x: p.x, batch: p.batch, sequence: p.sequence,
  strata: figures(p.strata, p.batch), torch: torchReady ? figures(p.torch, p.batch) : null,
}));
const report = {
  date: new Date().toISOString(), quick: args.quick,
  host: { cpu: cpus()[0]?.model ?? null, cores: cpus().length, node: process.version, loadavgAtEnd: loadavg() },
  method: { ...method, rounds: args.rounds, combine: 'median of the rounds; torch: the fastest of its set-ups', memory: 'VmHWM over 3 steady-state steps after clear_refs=5, less the bare runtime RSS (workloadPeakMB); peakRssMB: the whole process' },
  strata: 'native backend, 2 threads',
  torch: torch ? (torch.ok ? { version: torch.version, verdict, probe, environment: { unset: ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'], GLIBC_TUNABLES }, setUps: setUpsFor(2).map(setUpName) } : { unavailable: torch.reason }) : null,
  points: results,
};

mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'scaling.json'), JSON.stringify(report, null, 2) + '\n');

const series = (s: (typeof SWEEPS)[number], key: 'msPerStep' | 'workloadPeakMB') => [
  { name: 'Strata native (2 threads)', color: '#1f77b4', dash: '', points: results.filter((r) => r.item === s.id).map((r): [number, number | null] => [r.x, r.strata[key]]) },
  ...(torchReady ? [{ name: 'PyTorch (best thread set-up)', color: '#ff7f0e', dash: '6,4', points: results.filter((r) => r.item === s.id).map((r): [number, number | null] => [r.x, r.torch?.[key] ?? null]) }] : []),
];
const panels: Panel[] = [
  ...sweeps.map((s) => ({ title: s.title, xLabel: s.axis === 'batch' ? 'batch size' : 'sequence length', yLabel: 'ms per step', series: series(s, 'msPerStep') })),
  ...sweeps.map((s) => ({ title: `${s.workload} peak memory`, xLabel: s.axis === 'batch' ? 'batch size' : 'sequence length', yLabel: 'MB (peak RSS − runtime)', series: series(s, 'workloadPeakMB') })),
];
const torchNote = torchReady ? `PyTorch ${torch && torch.ok ? torch.version : ''}, ${verdict && verdict.ok ? verdict.summary.split(' (')[0] : ''}` : torch && !torch.ok ? 'PyTorch not available' : verdict && !verdict.ok ? `PyTorch refused: ${verdict.reason.slice(0, 80)}` : 'PyTorch not run';
const footnote = `${report.date.slice(0, 10)}, ${cpus().length} cores${args.quick ? ', --quick (smoke test, not a measurement)' : ''}; ${torchNote}; memory: RSS high-water over 3 steps less the bare runtime`;
await svgToPng(chartSvg('Time and peak memory per training step', panels, sweeps.length, footnote), join(outDir, 'scaling.png'));

for (const r of results) {
  const t = r.torch;
  log(`${r.workload} ${r.axis} ${String(r.x).padStart(4)}: Strata ${r.strata.msPerStep?.toFixed(2) ?? 'n/a'} ms, ${r.strata.workloadPeakMB ?? '?'} MB` +
    (t ? ` | PyTorch ${t.msPerStep?.toFixed(2) ?? 'n/a'} ms, ${t.workloadPeakMB ?? '?'} MB (${t.setUp ?? '-'})` : ''));
}
console.log(`wrote ${join(outDir, 'scaling.json')} and scaling.png`);
if (torch?.ok && !torchReady) process.exitCode = 2;
