/**
 * Timing in Node, the same method as bench/torch/bench_torch.py (bench/measure-core.ts): every
 * measurement also records this process's CPU time over wall time and the CPU other processes used
 * meanwhile (from /proc/stat), as a check for load from elsewhere on a shared machine.
 */
import { readFileSync } from 'node:fs';
import type { Item } from './workloads/catalog.js';
import type { Step } from './workloads/strata.js';
import { measureWith, type CpuProbe, type Measurement, type Method } from './measure-core.js';

export { FULL, QUICK, median, type Measurement, type Method } from './measure-core.js';

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

/** This process's CPU seconds beside the machine's. */
const processProbe: CpuProbe = {
  read: () => {
    const u = process.cpuUsage();
    return { own: (u.user + u.system) / 1e6, machine: machineBusySeconds() };
  },
};

/** Times `step` for `item` in this process; errors (a missing kernel, say) propagate from the first warm-up step. */
export function measure(step: Step, item: Item, method: Method): Promise<Measurement> {
  return measureWith(step, item, method, processProbe);
}
