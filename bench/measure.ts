/**
 * Timing, the same method as bench/torch/bench_torch.py: warm-up steps, then `reps` repeats that each
 * run whole steps until `minTime` seconds have passed; the value is the median repeat. Every
 * measurement also records this process's CPU time over wall time and the CPU other processes used
 * meanwhile (from /proc/stat), as a check for load from elsewhere on a shared machine.
 */
import { readFileSync } from 'node:fs';
import type { Item } from './workloads/catalog.js';
import type { Step } from './workloads/strata.js';
import { median } from './kernel-timing.js';
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

export interface Measurement {
  /** Median over the repeats, in the item's unit. */
  value: number;
  /** Each repeat's value. */
  reps: number[];
  stepsPerRep: number[];
  /** This process's CPU time / wall time while timing (≈ threads busy; lower when others took the cores). */
  cpuPerWall: number;
  /** Cores other processes used meanwhile (0 = machine otherwise idle); null off Linux. */
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

/** Busy CPU seconds of the whole machine so far (all processes), or null where /proc/stat is missing. */
export function machineBusySeconds(): number | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = f;
    return (user + nice + system + irq + softirq + steal) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

export { median } from './kernel-timing.js';

/** Times `step` for `item`; errors (a missing kernel, say) propagate from the first warm-up step. */
export async function measure(step: Step, item: Item, method: Method): Promise<Measurement> {
  const w0 = performance.now(), busy00 = machineBusySeconds(), cpu00 = cpuSeconds();
  await step();
  const first = (performance.now() - w0) / 1000;
  if (first > method.maxStep) {
    const own = cpuSeconds() - cpu00, busy = machineBusySeconds();
    const value = item.unit === 'ms' ? first * 1000 : item.work / first;
    return {
      value, reps: [value], stepsPerRep: [1], cpuPerWall: own / first, single: true,
      otherProcsCores: busy00 === null || busy === null ? null : Math.max(0, (busy - busy00 - own) / first),
    };
  }
  for (let i = 1; i < method.warmup || performance.now() - w0 < method.warmupMs; i++) await step();
  const reps: number[] = [], stepsPerRep: number[] = [];
  const busy0 = machineBusySeconds(), cpu0 = cpuSeconds(), wall0 = performance.now();
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
  const wall = (performance.now() - wall0) / 1000, own = cpuSeconds() - cpu0, busy1 = machineBusySeconds();
  return {
    value: median(reps), reps, stepsPerRep,
    cpuPerWall: own / wall,
    // /proc/stat counts in 10 ms ticks: too coarse for a shorter measurement.
    otherProcsCores: busy0 === null || busy1 === null || wall < 0.25 ? null : Math.max(0, (busy1 - busy0 - own) / wall),
  };
}
