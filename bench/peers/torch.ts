/**
 * PyTorch's side: runs bench/torch/bench_torch.py (the same items, method and data shapes, float32,
 * NCHW) with Debian's system interpreter, one item and one thread set-up per process, and reads its
 * JSON lines. PyTorch gets the set-up an informed user would choose on this machine (issue 13):
 * - its environment has OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed (a shell that forces
 *   `Haswell` keeps OpenBLAS on its AVX2 kernels; unset, it picks AVX-512 — and where OpenBLAS is
 *   older than the CPU and falls back to Prescott, bench_torch.py sets `SkylakeX`) and glibc's malloc
 *   thresholds raised through GLIBC_TUNABLES, as Strata raises them in-process (fresh pages for big
 *   buffers cost a page fault per 4 KiB on these VMs) — only the PyTorch child's environment changes;
 * - each item is timed in three thread set-ups (setUpsFor) and keeps the fastest;
 * - before anything is timed, probeTorch asks which BLAS torch's GEMM runs on, and blasVerdict
 *   refuses ratios against a PyTorch on the reference BLAS or on OpenBLAS's non-AVX-512 kernels.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Item } from '../workloads/catalog.js';
import type { Measurement, Method } from '../measure.js';
import type { PeakMemory } from '../peak-memory.js';
import type { Cell } from '../report.js';

export const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../../bench/torch/bench_torch.py', import.meta.url));

export const INSTALL_HINT = 'install it with `sudo apt-get install python3-torch libopenblas0-pthread` (Debian/Ubuntu; the harness runs /usr/bin/python3)';

/** glibc's malloc thresholds as Strata sets them with mallopt (native/src/malloc-tuning.cc). */
export const GLIBC_TUNABLES = 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456';

/** The PyTorch child's environment: this one less OpenBLAS's core overrides, plus the malloc thresholds. */
export function torchEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env = { ...base };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  env.GLIBC_TUNABLES = GLIBC_TUNABLES;
  return env;
}

/** A thread set-up: torch.set_num_threads(torch) and openblas_set_num_threads(blas). */
export interface SetUp {
  torch: number;
  blas: number;
}

/** PyTorch's set-ups for a row of `threads` threads: all three on 2 cores (the fastest wins per item), one on 1. */
export function setUpsFor(threads: number): SetUp[] {
  return threads >= 2 ? [{ torch: 1, blas: 1 }, { torch: 2, blas: 1 }, { torch: 2, blas: 2 }] : [{ torch: 1, blas: 1 }];
}

export const setUpName = (s: SetUp): string => `torch ${s.torch} thread(s), OpenBLAS ${s.blas}`;

export type TorchCheck = { ok: true; version: string } | { ok: false; reason: string };

/** Whether `/usr/bin/python3 -c 'import torch'` works, and the torch version. */
export function checkTorch(): TorchCheck {
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 120_000, env: torchEnv() });
  if (r.error) return { ok: false, reason: `${PYTHON} could not run (${r.error.message})` };
  if (r.status !== 0) return { ok: false, reason: (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`).slice(0, 160) };
  return { ok: true, version: r.stdout.trim() };
}

/** What `bench_torch.py --probe` found out about the BLAS torch runs on (the fields read here). */
export interface TorchProbe {
  torch: string;
  blas_libraries: string[];
  /** The libblas.so.3 torch links, resolved (or a libopenblas linked directly). */
  gemm_library: string | null;
  openblas: boolean;
  openblas_corename: string | null;
  openblas_config: string | null;
  torch_blas_info: string | null;
  cpu_avx512f: boolean;
  /**
   * The core OpenBLAS detected where it did not know the CPU and the script set
   * OPENBLAS_CORETYPE=SkylakeX instead (bench_torch.py); null where detection was right.
   */
  openblas_autodetected?: string | null;
  /** gflops over wall time; gflops_per_cpu_second over the process's CPU time (steady on a busy machine). */
  gemm: { n: number; threads: number; gflops: number; reps: number[]; gflops_per_cpu_second?: number };
  env: Record<string, string | null>;
}

/**
 * Runs the probe in PyTorch's environment (`env`: for tests, another BLAS through LD_LIBRARY_PATH;
 * `asIs`: keep env's OpenBLAS variables, which the script otherwise drops itself).
 */
export function probeTorch(env: NodeJS.ProcessEnv = torchEnv(), asIs = false): TorchProbe | { error: string } {
  const r = spawnSync(PYTHON, [SCRIPT, '--probe', ...(asIs ? ['--as-is'] : [])], { encoding: 'utf8', timeout: 120_000, env });
  const line = r.stdout?.split('\n').find((l) => l.startsWith('{'));
  if (r.status !== 0 || !line) return { error: `bench_torch.py --probe failed: ${(r.error?.message ?? r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`).slice(0, 200)}` };
  return JSON.parse(line) as TorchProbe;
}

/** OpenBLAS's core names whose kernels use AVX-512. */
const AVX512_CORES = ['SkylakeX', 'Cooperlake', 'SapphireRapids'];

export type BlasVerdict = { ok: true; summary: string } | { ok: false; reason: string };

/**
 * Whether PyTorch's GEMM runs on OpenBLAS at its best, so that ratios against it may be reported:
 * the libblas torch links must be OpenBLAS's (OpenBLAS merely being mapped is not enough: Debian's
 * liblapack alternative maps it while libblas.so.3 is the reference BLAS), a 1-thread GEMM must run
 * at a rate only an optimised BLAS reaches (at least 10% of `corePeak`, the 1-thread FMA peak per
 * second the thread had its core, or 10 GFLOPS without one; the reference BLAS gives 2–5, OpenBLAS
 * 40–90% of the peak), counted per CPU second so that a busy shared machine does not decide it, and
 * on an AVX-512 CPU the core must be an AVX-512 one.
 */
export function blasVerdict(p: TorchProbe, corePeak: number | null): BlasVerdict {
  const lib = p.gemm_library ?? 'none found';
  if (!/openblas/i.test(lib)) {
    return { ok: false, reason: `PyTorch's GEMM does not run on OpenBLAS (torch's libblas.so.3 is ${lib}); ${INSTALL_HINT}` };
  }
  const floor = corePeak ? 0.1 * corePeak : 10;
  const rate = p.gemm.gflops_per_cpu_second ?? p.gemm.gflops;
  if (!(rate >= floor)) {
    return { ok: false, reason: `PyTorch's ${p.gemm.n}×${p.gemm.n} GEMM on 1 thread ran at ${rate.toFixed(1)} GFLOPS per CPU second, below the ${floor.toFixed(0)} an optimised BLAS reaches here (the reference BLAS?)` };
  }
  if (p.cpu_avx512f && !AVX512_CORES.includes(p.openblas_corename ?? '')) {
    return { ok: false, reason: `OpenBLAS runs its ${p.openblas_corename ?? 'unknown'} kernels on an AVX-512 CPU (OPENBLAS_CORETYPE=${p.env.OPENBLAS_CORETYPE ?? 'unset'}); PyTorch would not be at its best` };
  }
  const forced = p.openblas_autodetected ? ` (OPENBLAS_CORETYPE=${p.env.OPENBLAS_CORETYPE}: OpenBLAS detected this CPU as ${p.openblas_autodetected})` : '';
  return { ok: true, summary: `OpenBLAS core ${p.openblas_corename}${forced} (${lib}), 1-thread GEMM ${p.gemm.n}: ${p.gemm.gflops.toFixed(0)} GFLOPS` };
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
  memory?: Record<string, unknown> | null;
  [key: string]: unknown;
}

/** How a scaling point overrides an item's shapes (bench_torch.py --batch / --seq). */
export interface Shape {
  batch?: number;
  sequence?: number;
}

/**
 * Runs the script for one item in one set-up, in a process of its own (so, like Strata's cells, it
 * warms up right before it is timed, after whatever ran before); resolves to its record.
 */
export async function runTorch(item: Item, setUp: SetUp, method: Method, quick: boolean, shape: Shape = {}): Promise<TorchRecord> {
  const args = [SCRIPT, '--threads', String(setUp.torch), '--blas-threads', String(setUp.blas), '--only', item.id, '--gate', '0'];
  if (shape.batch) args.push('--batch', String(shape.batch));
  if (shape.sequence) args.push('--seq', String(shape.sequence));
  if (quick) args.push('--quick');
  else args.push('--reps', String(method.reps), '--min-time', String(method.minTime), '--warmup', String(method.warmup));
  const child = spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'], env: torchEnv() });
  let out = '', err = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`bench_torch.py exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`);
  const line = out.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`bench_torch.py printed no record for ${item.id}`);
  return JSON.parse(line) as TorchRecord;
}

/** runTorch as a cell of the table: a failure becomes the cell. */
export async function torchCell(item: Item, setUp: SetUp, method: Method, quick: boolean, shape: Shape = {}): Promise<Cell> {
  try {
    return { ok: true, m: torchMeasurement(item, await runTorch(item, setUp, method, quick, shape)) };
  } catch (e) {
    return { ok: false, reason: `torch ${item.id}: ${(e as Error).message.slice(0, 200)}` };
  }
}

/** bench_torch.py's memory_pass record in the harness's terms. */
function torchMemory(m: Record<string, unknown>): PeakMemory {
  const n = (k: string) => (typeof m[k] === 'number' ? (m[k] as number) : null);
  return {
    method: String(m.method), steps: Number(m.steps), runtimeRssMB: n('runtime_rss_mb'), rssBeforeMB: n('rss_before_mb'),
    peakRssMB: n('peak_rss_mb'), workloadPeakMB: n('workload_peak_mb'),
  };
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
    ...(rec.memory ? { memory: torchMemory(rec.memory) } : {}),
  };
}
