/**
 * The machine's float32 FMA peak, measured (not taken from theory): bench/native/fma-peak.c is
 * compiled with the system C compiler at bench time and run for 1 and 2 threads. The harness reports
 * W1 as a share of it (issue 13: W1 n = 1024 ≥ 75% of the peak measured in the same run).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export type FmaPeak =
  | {
    ok: true;
    /** 'avx512' (16 lanes) or 'avx2' (8 lanes): the widest the CPU has. */
    isa: string;
    /** GFLOPS by thread count (index 0: 1 thread), each the best of three trials. */
    gflops: number[];
    /** Thread CPU time over wall time in those trials: below ~0.95 the machine was busy and the peak is understated. */
    busy: number[];
    how: string;
  }
  | { ok: false; reason: string };

const SOURCE = fileURLToPath(new URL('../../bench/native/fma-peak.c', import.meta.url));
const BINARY = fileURLToPath(new URL('./fma-peak', import.meta.url));

/** Compiles (when the source is newer than the binary) and runs the micro-benchmark. */
export function measureFmaPeak(secondsPerTrial = 0.3, maxThreads = 2): FmaPeak {
  const cc = process.env.CC ?? 'cc';
  if (!existsSync(BINARY) || statSync(BINARY).mtimeMs < statSync(SOURCE).mtimeMs) {
    mkdirSync(dirname(BINARY), { recursive: true });
    const built = spawnSync(cc, ['-O2', '-pthread', '-o', BINARY, SOURCE], { encoding: 'utf8' });
    if (built.error || built.status !== 0) {
      return { ok: false, reason: `could not compile ${SOURCE} with ${cc} (${built.error?.message ?? built.stderr.trim().split('\n')[0]}); set CC or install a C compiler` };
    }
  }
  const run = spawnSync(BINARY, [String(secondsPerTrial), String(maxThreads)], { encoding: 'utf8', timeout: 60_000 });
  try {
    const r = JSON.parse(run.stdout.trim()) as { isa?: string; gflops?: number[]; busy?: number[]; error?: string };
    if (r.error || !r.isa || !r.gflops || !r.busy) return { ok: false, reason: r.error ?? 'fma-peak printed no figures' };
    return { ok: true, isa: r.isa, gflops: r.gflops, busy: r.busy, how: `measured: ${join('bench', 'native', 'fma-peak.c')}, 12 independent FMA chains per thread, best of 3 trials of ${secondsPerTrial} s` };
  } catch {
    return { ok: false, reason: `fma-peak failed (${run.error?.message ?? run.stderr.trim().slice(0, 120)})` };
  }
}
