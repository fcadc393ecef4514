/**
 * Benchmark harness: the workloads W1–W6 (bench/workloads/catalog.ts) on Strata native (2 threads; W1
 * also 1), Strata js, TensorFlow.js 4.22 cpu and wasm, and PyTorch at its best (bench/peers/torch.ts:
 * three thread set-ups, AVX-512 OpenBLAS, raised malloc thresholds) when /usr/bin/python3 has torch,
 * in one run, item by item, every implementation in turn, each cell the median of its rounds.
 * Also the machine's measured FMA peak (W1 as a share of it) and peak memory per step.
 * Prints tables and writes JSON to bench/results/. Run with `npm run bench` (flags: bench/args.ts,
 * bench/README.md).
 */
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { nativeAddon } from '../src/kernels/native/addon.js';
import '../src/kernels/wasm/load-node.js'; // turns relaxed SIMD on where Node 20 has it behind a flag, as in the cells
import { relaxedSimdSupported, wasmFileName } from '../src/kernels/wasm/relaxed.js';
import { parseArgs } from './args.js';
import type { CellImpl } from './cell.js';
import { FULL, QUICK } from './measure.js';
import { bestSetUp, formatMemory, formatTable, loadSummary, medianOfRounds, ratio, writeReport, type Cell, type Impl, type Row } from './report.js';
import { selectItems, type Item } from './workloads/catalog.js';
import { loadTfjs, tfjsSkipReason, type Tfjs } from './peers/tfjs.js';
import {
  GLIBC_TUNABLES, INSTALL_HINT, blasVerdict, checkTorch, probeTorch, setUpName, setUpsFor, torchCell,
  type BlasVerdict, type SetUp, type TorchProbe,
} from './peers/torch.js';
import { measureFmaPeak } from './fma-peak.js';
import { logCell, measureInto, runCell } from './run-cell.js';

const args = parseArgs(process.argv.slice(2));
const method = args.quick ? QUICK : FULL;
const items = selectItems(args.only);
const addon = nativeAddon();
const tfjs: Tfjs | null = args.tfjs ? await loadTfjs() : null;
const torch = args.torch ? checkTorch() : null;
// The FMA peak before anything else loads the machine; then what PyTorch's GEMM runs on.
const fma = measureFmaPeak(args.quick ? 0.1 : 0.3);
const probe: TorchProbe | { error: string } | null = torch?.ok ? probeTorch() : null;
const verdict: BlasVerdict | null = probe === null ? null
  : 'error' in probe ? { ok: false, reason: probe.error }
  // The 1-thread FMA peak per second the thread had its core: the floor must not sink with the load.
  : blasVerdict(probe, fma.ok ? fma.gflops[0] / Math.max(fma.busy[0], 0.05) : null);

const log = (s: string) => process.stderr.write(`${s}\n`);
log(`${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
log(`Strata native: ${addon ? `${addon.getIsa()}, 2 threads (W1 also 1)` : 'not built (run `node scripts/build-native.mjs`)'}`);
if (tfjs) log(`TensorFlow.js ${tfjs.version}: ${Object.keys(tfjs.backends).join(', ')}${Object.entries(tfjs.unavailable).map(([b, r]) => `; ${b} unavailable: ${r}`).join('')}`);
if (torch) log(torch.ok ? `PyTorch ${torch.version} (/usr/bin/python3), OPENBLAS_CORETYPE${probe && !('error' in probe) && probe.openblas_autodetected ? `=${probe.env.OPENBLAS_CORETYPE} (OpenBLAS detected this CPU as ${probe.openblas_autodetected})` : ' unset'}, OPENBLAS_L2_SIZE unset, GLIBC_TUNABLES=${GLIBC_TUNABLES}` : `PyTorch not available (${torch.reason}); ${INSTALL_HINT}`);
if (verdict) log(verdict.ok ? `PyTorch's BLAS: ${verdict.summary}` : `PyTorch refused: ${verdict.reason}`);
log(fma.ok ? `FMA peak (${fma.isa}, measured): ${fma.gflops.map((g, i) => `${g.toFixed(0)} GFLOPS on ${i + 1} thread(s) (busy ${fma.busy[i].toFixed(2)})`).join(', ')}` : `FMA peak not measured: ${fma.reason}`);
log(`method: ${method.warmup} warm-up steps, median of ${method.reps} repeats of ≥ ${method.minTime} s; median of ${args.rounds} round(s)${args.quick ? ' (--quick)' : ''}\n`);

/**
 * Times one item on one implementation in a child process (bench/cell.ts says why); a failure (a
 * missing kernel, say) becomes the cell.
 */
async function run(impl: CellImpl, item: Item, threads: number, label: string = impl): Promise<Cell> {
  if (impl === 'strata-native' && !addon) return { ok: false, reason: 'native backend not built (run `node scripts/build-native.mjs`)' };
  const cell = await runCell(impl, item, threads, args.quick);
  logCell(item, label, cell);
  return cell;
}

/** One PyTorch cell: the item in one set-up, in a fresh process (bench/peers/torch.ts). */
async function runTorchCell(item: Item, setUp: SetUp): Promise<Cell> {
  const cell = await torchCell(item, setUp, method, args.quick);
  logCell(item, setUpName(setUp), cell);
  return cell;
}

/** The rows: for each item, the 2-thread row and (matmul) a 1-thread row. */
const rows: Row[] = items.flatMap((item): Row[] => [
  { item, threads: 2, cells: {} },
  ...(item.kind.type === 'matmul' ? [{ item, threads: 1, cells: {} }] : []),
]);

/** Every round's cells of each row: per implementation, and PyTorch's per set-up. */
const rounds = new Map<Row, { impl: Map<Impl, Cell[]>; torch: Map<string, Cell[]> }>(rows.map((r) => [r, { impl: new Map(), torch: new Map() }]));

const torchReady = !!torch?.ok && !!verdict?.ok;

for (let round = 1; round <= args.rounds; round++) {
  if (args.rounds > 1) log(`round ${round} of ${args.rounds}`);
  // Item by item, every implementation in turn (Strata, then PyTorch's set-ups, then the other peers),
  // each in a fresh process that warms up right before it is timed: a change of load on the machine
  // hits them alike, and each side's steady state is measured after the other side ran.
  for (const row of rows) {
    const { item, threads } = row;
    const r = rounds.get(row)!;
    await measureInto(r.impl, 'strata-native', () => run('strata-native', item, threads, threads === 1 ? 'strata-native-1T' : 'strata-native'));
    if (torchReady) {
      for (const setUp of setUpsFor(threads)) await measureInto(r.torch, setUpName(setUp), () => runTorchCell(item, setUp));
    }
    // The wasm backend (the same C++ compiled to WebAssembly SIMD128, threaded in Node) on the row's threads.
    await measureInto(r.impl, 'strata-wasm', () => run('strata-wasm', item, threads, threads === 1 ? 'strata-wasm-1T' : 'strata-wasm'));
    // js and tfjs run on one thread: they are measured once per item, in its 2-thread row, and copied.
    if (threads === 1) continue;
    if (args.js) await measureInto(r.impl, 'strata-js', () => run('strata-js', item, 1));
    for (const b of ['cpu', 'wasm'] as const) {
      if (!tfjs?.backends[b]) continue;
      const skipped = tfjsSkipReason(b, item, args.slow);
      if (skipped) {
        r.impl.set(`tfjs-${b}`, [{ ok: false, reason: skipped }]);
        continue;
      }
      await measureInto(r.impl, `tfjs-${b}`, () => run(`tfjs-${b}`, item, 1));
    }
  }
}

// Each cell: the median of its rounds; PyTorch's: the best set-up, each set-up the median of its rounds.
const withheld = torch && !torch.ok ? null : verdict && !verdict.ok ? `PyTorch is not at its best, so no ratios are reported: ${verdict.reason}` : null;
for (const row of rows) {
  const r = rounds.get(row)!;
  for (const [impl, cells] of r.impl) {
    const c = medianOfRounds(cells, row.item.unit);
    if (c) row.cells[impl] = c;
  }
  if (torch && !torch.ok) row.cells.torch = { ok: false, reason: `torch: not available (${torch.reason}); ${INSTALL_HINT}` };
  else if (verdict && !verdict.ok) row.cells.torch = { ok: false, reason: `torch: refused (${verdict.reason})` };
  else if (r.torch.size) {
    const bySetUp = [...r.torch].map(([name, cells]) => ({ name, cell: medianOfRounds(cells, row.item.unit)! }));
    const c = bestSetUp(bySetUp, row.item.unit);
    if (c) row.cells.torch = c;
  }
}
// The 1-thread rows show the single-threaded peers' measurements of their item.
for (const row of rows) {
  if (row.threads !== 1) continue;
  const two = rows.find((r) => r.item === row.item && r.threads === 2);
  for (const k of ['strata-js', 'tfjs-cpu', 'tfjs-wasm'] as Impl[]) if (two?.cells[k]) row.cells[k] = two.cells[k];
}

/** W1 rows as a share of the FMA peak on as many threads. */
const peakShare = fma.ok
  ? rows.filter((r) => r.item.kind.type === 'matmul').map((r) => {
    const peak = fma.gflops[r.threads - 1] ?? null;
    const pct = (c: Cell | undefined) => (c?.ok && peak ? Math.round((1000 * c.m.value) / peak) / 10 : null);
    return { id: r.item.id, threads: r.threads, peakGflops: peak, strataPct: pct(r.cells['strata-native']), torchPct: pct(r.cells.torch) };
  })
  : [];

console.log(`\nStrata benchmark${args.quick ? ' (--quick: smoke test, not a measurement)' : ''}: rates higher is better, ms lower; each cell the median of ${args.rounds} round(s); ` +
  `torch: the fastest of its thread set-ups (footnote); ratio = Strata native's speed / the fastest of tfjs-cpu, tfjs-wasm, torch\n`);
console.log(formatTable(rows, withheld));
console.log(`\n${loadSummary(rows)}`);
if (fma.ok) {
  console.log(`\nFMA peak (${fma.how}): ${fma.gflops.map((g, i) => `${g.toFixed(0)} GFLOPS on ${i + 1} thread(s)`).join(', ')}` +
    (fma.busy.some((b) => b < 0.95) ? ` — understated: the machine was busy (threads had the cores ${fma.busy.map((b) => `${Math.round(b * 100)}%`).join(', ')} of the time)` : ''));
  for (const p of peakShare) console.log(`  ${p.id} ${p.threads}T: Strata ${p.strataPct ?? '—'}% of peak, PyTorch ${p.torchPct ?? '—'}%`);
} else {
  console.log(`\nFMA peak not measured: ${fma.reason}`);
}
console.log(`\n${formatMemory(rows)}`);
console.log('MB: peak RSS over 3 steady-state steps (VmHWM, reset through /proc/self/clear_refs) less the RSS of the bare runtime before the model was built; in brackets the whole process\'s peak RSS');
if (torch?.ok && verdict) console.log(verdict.ok ? `\nPyTorch ${torch.version}: ${verdict.summary}; OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset, GLIBC_TUNABLES=${GLIBC_TUNABLES}` : `\nRATIOS WITHHELD: ${withheld}`);

const report = {
  date: new Date().toISOString(),
  quick: args.quick,
  host: { cpu: cpus()[0]?.model ?? null, cores: cpus().length, node: process.version, loadavgAtEnd: loadavg() },
  method: { ...method, rounds: args.rounds, combine: 'median of the rounds; torch: the fastest set-up, each set-up the median of its rounds', memory: 'VmHWM over 3 steady-state steps after clear_refs=5, less the runtime RSS before building' },
  fmaPeak: fma,
  w1PeakShare: peakShare,
  implementations: {
    'strata-native': addon ? { isa: addon.getIsa(), threads: 'see row', mallocTuned: addon.mallocTuned() } : null,
    'strata-wasm': { isa: relaxedSimdSupported() ? 'relaxed-simd' : 'simd128', build: wasmFileName(true), threads: 'see row' },
    'strata-js': args.js ? { threads: 1 } : null,
    tfjs: tfjs ? { version: tfjs.version, backends: Object.keys(tfjs.backends), unavailable: tfjs.unavailable } : null,
    torch: torch ? (torch.ok ? {
      version: torch.version, probe, verdict,
      environment: { unset: ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'], GLIBC_TUNABLES },
      setUps: setUpsFor(2).map(setUpName), rule: 'per item the fastest set-up (each result\'s setUp; setUps lists them all); 1-thread rows: torch 1, OpenBLAS 1',
    } : { unavailable: torch.reason }) : null,
  },
  ratiosWithheld: withheld,
  rows: rows.map((r) => ({
    id: r.item.id, workload: r.item.workload, metric: r.item.metric, unit: r.item.unit, threads: r.threads,
    results: Object.fromEntries(Object.entries(r.cells).map(([k, c]) => [k, c.ok ? c.m : { error: c.reason }])),
    ratio: withheld ? null : ratio(r),
  })),
};
const written = writeReport(report, fileURLToPath(new URL('../../bench/results/', import.meta.url)), args.out);
console.log(`wrote ${written.join(', ')}`);
// A refused PyTorch fails the run, so a script or CI step cannot take its table for a comparison.
if (withheld) process.exitCode = 2;
