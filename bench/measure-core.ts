/**
 * The timing method itself, with no Node import, so the Chromium page (bench/browser/page.ts) times
 * its cells exactly as bench/cell.ts does in Node: warm-up steps, then `reps` repeats that each run
 * whole steps until `minTime` seconds have passed; the value is the median repeat. Where the CPU
 * time comes from is the caller's: this process's in Node (bench/measure.ts), Chromium's processes
 * read from /proc by the bench driver in the browser bench.
 */
import type { Item } from './workloads/catalog.js';
import type { Step } from './workloads/strata-steps.js';
import type { PeakMemory } from './peak-memory.js';

export interface Method {
  /** Untimed steps first (at least this many, and at least `warmupMs` of them, for the JIT). */
  warmup: number;
  warmupMs: number;
  reps: number;
  /** Seconds each repeat lasts at least (it always runs one step or more). */
  minTime: number;
  /** A first step slower than this many seconds is the whole measurement (a rough figure, `single`). */
  maxStep: number;
}

export const FULL: Method = { warmup: 2, warmupMs: 300, reps: 3, minTime: 0.6, maxStep: 10 };
// One short repeat after a short warm-up: with a fresh process per cell, the first ~0.1 s (JIT, the
// thread pool starting, the heap growing) runs several times slower than what follows.
export const QUICK: Method = { warmup: 2, warmupMs: 200, reps: 1, minTime: 0.2, maxStep: 2 };
/** For the test suite's smoke runs: one warm-up step and one timed step (a slow first step is all). */
export const SMOKE: Method = { warmup: 1, warmupMs: 0, reps: 1, minTime: 0, maxStep: 0.5 };

export interface Measurement {
  /** Median over the repeats, in the item's unit. */
  value: number;
  /** Each repeat's value. */
  reps: number[];
  stepsPerRep: number[];
  /** The measured side's CPU time / wall time while timing (≈ threads busy; lower when others took the cores). */
  cpuPerWall: number;
  /** Cores other processes used meanwhile (0 = machine otherwise idle); null where not measurable. */
  otherProcsCores: number | null;
  /** True when one (cold) step was all there was time for: no warm-up, so the value is understated. */
  single?: boolean;
  /** How a peer was configured for this figure, where it has several set-ups (PyTorch's threads). */
  setUp?: string;
  /** The value of each round, in order, when the harness measured the cell in several (`value` is their median). */
  rounds?: number[];
  /** PyTorch: each set-up's value (median over the rounds); `setUp` names the one that won. */
  setUps?: Record<string, number>;
  /** Peak memory of a few steady-state steps after the timing (bench/peak-memory.ts). */
  memory?: PeakMemory;
}

/**
 * CPU seconds so far of the side being measured (`own`) and of the whole machine (`machine`, all
 * processes; null where unknown). Async, so a browser page can ask the driver outside it.
 */
export interface CpuProbe {
  read(): Promise<{ own: number; machine: number | null }> | { own: number; machine: number | null };
}

export function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** Times `step` for `item`, reading CPU time from `probe`; errors (a missing kernel, say) propagate from the first step. */
export async function measureWith(step: Step, item: Item, method: Method, probe: CpuProbe): Promise<Measurement> {
  const c00 = await probe.read(), w0 = performance.now();
  await step();
  const first = (performance.now() - w0) / 1000;
  if (first > method.maxStep) {
    const c = await probe.read(), own = c.own - c00.own;
    const value = item.unit === 'ms' ? first * 1000 : item.work / first;
    return {
      value, reps: [value], stepsPerRep: [1], cpuPerWall: own / first, single: true,
      otherProcsCores: c00.machine === null || c.machine === null ? null : Math.max(0, (c.machine - c00.machine - own) / first),
    };
  }
  for (let i = 1; i < method.warmup || performance.now() - w0 < method.warmupMs; i++) await step();
  const reps: number[] = [], stepsPerRep: number[] = [];
  const c0 = await probe.read(), wall0 = performance.now();
  for (let r = 0; r < method.reps; r++) {
    let k = 0, dt = 0;
    const t0 = performance.now();
    do {
      await step();
      k++;
      dt = (performance.now() - t0) / 1000;
    } while (dt < method.minTime);
    reps.push(item.unit === 'ms' ? (dt * 1000) / k : (item.work * k) / dt);
    stepsPerRep.push(k);
  }
  const wall = (performance.now() - wall0) / 1000, c1 = await probe.read(), own = c1.own - c0.own;
  return {
    value: median(reps), reps, stepsPerRep,
    cpuPerWall: own / wall,
    // /proc/stat counts in 10 ms ticks: too coarse for a shorter measurement.
    otherProcsCores: c0.machine === null || c1.machine === null || wall < 0.25 ? null : Math.max(0, (c1.machine - c0.machine - own) / wall),
  };
}
