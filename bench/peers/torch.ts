/**
 * PyTorch's side: runs bench/torch/bench_torch.py (the same items, method and data shapes, float32,
 * NCHW) with Debian's system interpreter and reads its JSON lines. Threads: torch.set_num_threads(n),
 * with OpenBLAS (which torch uses for GEMM and Linear) pinned to n threads or, with `blasThreads`, to
 * that many: on these 2-core machines torch with 2 threads and OpenBLAS pinned to 1 is often faster,
 * so the harness runs both set-ups and keeps the faster per item (see bench.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Item } from '../workloads/catalog.js';
import type { Measurement, Method } from '../measure.js';

export const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../../bench/torch/bench_torch.py', import.meta.url));

export const INSTALL_HINT = 'install it with `sudo apt-get install python3-torch libopenblas0-pthread` (Debian/Ubuntu; the harness runs /usr/bin/python3)';

/**
 * Debian's torch calls whatever libblas.so.3 the system selects: without libopenblas0 that is the
 * reference BLAS, measured here 30× slower on W1 (4 against 178 GFLOPS), which would flatter Strata.
 */
export const BLAS_WARNING = 'PyTorch is running on the reference BLAS (OpenBLAS not found), so its matmul-heavy figures are far too low; ' +
  'install it with `sudo apt-get install libopenblas0-pthread` for a fair comparison';

/** Whether bench_torch.py found OpenBLAS (it records the thread count it pinned, or null without it). */
export function usesOpenBlas(rec: TorchRecord): boolean {
  return rec.openblas_threads !== null && rec.openblas_threads !== undefined;
}

export type TorchCheck = { ok: true; version: string } | { ok: false; reason: string };

/** Whether `/usr/bin/python3 -c 'import torch'` works, and the torch version. */
export function checkTorch(): TorchCheck {
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 120_000 });
  if (r.error) return { ok: false, reason: `${PYTHON} could not run (${r.error.message})` };
  if (r.status !== 0) return { ok: false, reason: (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`).slice(0, 160) };
  return { ok: true, version: r.stdout.trim() };
}

/** One JSON line of bench_torch.py (the fields the harness reads; the rest is kept as is). */
export interface TorchRecord {
  item: string;
  threads: number;
  median: number;
  unit: string;
  reps: number[];
  steps_per_rep: number[];
  cpu_per_wall: number;
  other_procs_cores: number;
  env: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * Runs the script for these items with `threads` torch threads (and OpenBLAS pinned to `blasThreads`,
 * default `threads`); resolves to its records by item id.
 */
export async function runTorch(
  items: Item[], threads: number, method: Method, quick: boolean, blasThreads = threads,
): Promise<Map<string, TorchRecord>> {
  const args = [SCRIPT, '--threads', String(threads), '--only', items.map((i) => i.id).join(','), '--gate', '0'];
  if (blasThreads !== threads) args.push('--blas-threads', String(blasThreads));
  if (quick) args.push('--quick');
  else args.push('--reps', String(method.reps), '--min-time', String(method.minTime), '--warmup', String(method.warmup));
  const child = spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`bench_torch.py exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`);
  const records = new Map<string, TorchRecord>();
  for (const line of out.split('\n')) {
    if (!line.startsWith('{')) continue;
    const rec = JSON.parse(line) as TorchRecord;
    records.set(rec.item, rec);
  }
  return records;
}

/** The faster of two records of one item (by their median rate). */
export function fasterRecord(a: TorchRecord | undefined, b: TorchRecord | undefined): TorchRecord | undefined {
  if (!a || !b) return a ?? b;
  return b.median > a.median ? b : a;
}

/** A torch record in the harness's terms (the batch-1 item becomes a latency in ms). */
export function torchMeasurement(item: Item, rec: TorchRecord): Measurement {
  const toUnit = (rate: number) => (item.unit === 'ms' ? 1000 / rate : rate);
  return {
    value: toUnit(rec.median),
    reps: rec.reps.map(toUnit),
    stepsPerRep: rec.steps_per_rep,
    cpuPerWall: rec.cpu_per_wall,
    otherProcsCores: rec.other_procs_cores,
    setUp: `torch ${rec.threads} thread(s), OpenBLAS ${String(rec.openblas_threads ?? '?')}`,
  };
}
