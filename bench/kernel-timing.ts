/**
 * Timing helpers for the kernel benchmarks: medians of wall-clock and CPU time per call, and the CPU
 * share (CPU time over wall time), which tells how much of the machine other processes took meanwhile.
 */
import { loadavg } from 'node:os';
import { median } from './measure-core.js';

export { median } from './measure-core.js';

export interface Timing {
  /** Median wall-clock ms of one call. */
  ms: number;
  /** Fastest call, ms. */
  best: number;
  /** Median CPU ms of one call (user + system, all threads of the process). */
  cpuMs: number;
  /** CPU time over wall time while timing: ≈ threads used on an idle machine, lower under load. */
  cpuShare: number;
}

/** Times `fn` over `samples` calls after `warm` untimed ones. */
export function time(fn: () => void, samples: number, warm = 2): Timing {
  for (let i = 0; i < warm; i++) fn();
  const ts: number[] = [], cs: number[] = [];
  const cpu0 = process.cpuUsage(), w0 = performance.now();
  for (let i = 0; i < samples; i++) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cs.push((c.user + c.system) / 1000);
  }
  const used = process.cpuUsage(cpu0), wall = performance.now() - w0;
  return { ms: median(ts), best: Math.min(...ts), cpuMs: median(cs), cpuShare: (used.user + used.system) / 1000 / wall };
}

/** Calls to time so that a measurement lasts about `budgetMs` given one call of `estimateMs`. */
export function samplesFor(estimateMs: number, budgetMs: number, min = 5, max = 200): number {
  return Math.max(min, Math.min(max, Math.round(budgetMs / Math.max(estimateMs, 1e-3))));
}

/** The 1-minute load average, to print beside figures measured on a shared machine. */
export function loadLine(): string {
  return `load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`;
}
