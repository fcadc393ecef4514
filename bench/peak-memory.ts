/**
 * Peak memory of a few steady-state steps, measured the same way on Strata's side as on PyTorch's
 * (memory_pass in bench/torch/bench_torch.py): reset the kernel's RSS high-water mark (VmHWM) by
 * writing 5 to /proc/self/clear_refs, run the steps, read VmHWM. That is the most memory resident at
 * any moment of those steps, transient buffers included, whatever allocated them (V8's heap, Node's
 * ArrayBuffers, the native addon's scratch). The V8 heap + external memory after each step is kept
 * beside it as a second view (it misses what is freed within a step, and memory the allocator keeps).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Step } from './workloads/strata.js';

/** Peak memory of a run of steps, in MB (1 MB = 2^20 bytes). */
export interface PeakMemory {
  /** How the peak was read: 'VmHWM after clear_refs=5', or the process-lifetime fallback. */
  method: string;
  steps: number;
  /** RSS of the bare runtime before the item's model or operands were built. */
  runtimeRssMB: number | null;
  rssBeforeMB: number | null;
  /** The RSS high-water mark over the steps. */
  peakRssMB: number | null;
  /** peakRssMB − runtimeRssMB: what the workload needs at its peak, runtime left out. */
  workloadPeakMB: number | null;
  /** Strata/Node only: the most V8 heap used + external (ArrayBuffers) seen after a step. */
  v8HeapPlusExternalMB?: number;
}

const MB = 1024 * 1024;

/** A field of /proc/self/status in kB (VmRSS, VmHWM), or null off Linux. */
export function statusKb(field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
    return line ? Number(line.split(/\s+/)[1]) : null;
  } catch {
    return null;
  }
}

/** Resets VmHWM to the current RSS; false where the kernel refuses (then the lifetime peak is used). */
export function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

const round1 = (v: number | null): number | null => (v === null ? null : Math.round(v * 10) / 10);

/** Runs `steps` steps and returns their peak memory; `runtimeRssKb` is statusKb('VmRSS') before building. */
export async function memoryPass(step: Step, steps: number, runtimeRssKb: number | null): Promise<PeakMemory> {
  const reset = resetPeakRss();
  const before = statusKb('VmRSS');
  let v8 = 0;
  for (let i = 0; i < steps; i++) {
    await step();
    const m = process.memoryUsage();
    v8 = Math.max(v8, m.heapUsed + m.external);
  }
  const peakKb = reset ? statusKb('VmHWM') : process.resourceUsage().maxRSS;
  return {
    method: reset ? 'VmHWM after clear_refs=5' : 'ru_maxrss (process lifetime; clear_refs refused)',
    steps,
    runtimeRssMB: round1(runtimeRssKb === null ? null : runtimeRssKb / 1024),
    rssBeforeMB: round1(before === null ? null : before / 1024),
    peakRssMB: round1(peakKb === null ? null : peakKb / 1024),
    workloadPeakMB: round1(peakKb === null || runtimeRssKb === null ? null : (peakKb - runtimeRssKb) / 1024),
    v8HeapPlusExternalMB: round1(v8 / MB) ?? undefined,
  };
}
