/**
 * Training-step figures that hold up on a shared machine: median CPU per step (all threads), garbage
 * collections per step split into scavenges and mark-compacts (with their pause time), and minor page
 * faults per step. Wall-clock rates swing with the load of other processes; these counts do not (much).
 * Why this exists (issue 13): W3 training lost ~25% across merges that never touched the training path.
 * The cause was V8's full collections: a step allocates ~30 MB of tensor storage, and with more library
 * code in the heap V8 ran a mark-compact every ~1.3 steps instead of every ~7 (45–51 against 9–11 per
 * 65 steps; `node --initial-old-space-size=64` brings the old rate back). Watch `markCompactsPerStep`.
 * Since the step buffers (src/tensor/buffer-pool.ts) it also prints the large arrays a step took from the
 * pool and made fresh, and the peak memory of 3 more steps (bench/peak-memory.ts, as the bench measures
 * it); `STRATA_STEP_BUFFERS=0` turns the recycling off for an A/B.
 * Run with `node build/bench/train-gc.js [mlp|cnn|upsampler|lstm|gru|simple-rnn] [--steps N] [--threads T]`.
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import * as st from '../src/index.js';
import '../src/kernels/native/register.js';
import { nativeAddon } from '../src/kernels/native/addon.js';
import { median } from './kernel-timing.js';
import { memoryPass, statusKb } from './peak-memory.js';
import { bufferPoolStats } from '../src/tensor/buffer-pool.js';
import type { ModelId } from './workloads/catalog.js';
import { MODELS, batchFor } from './workloads/models.js';
import { strataModel, strataTensor } from './workloads/strata.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const first = process.argv[2];
  const model = (first && !first.startsWith('--') ? first : 'cnn') as ModelId;
  if (!(model in MODELS)) throw new Error(`train-gc: unknown model '${model}'; one of ${Object.keys(MODELS).join(', ')}`);
  const steps = option('--steps', 60), threads = option('--threads', 2);
  const runtimeRssKb = statusKb('VmRSS');
  const addon = nativeAddon();
  if (addon) addon.setThreads(threads);
  const m = strataModel(model);
  const { x, y } = batchFor(model);
  const xs = strataTensor(x), ys = strataTensor(y);
  for (let i = 0; i < 5; i++) m.trainOnBatch(xs, ys);
  const gc = { minor: 0, major: 0, minorMs: 0, majorMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) { gc.major++; gc.majorMs += e.duration; } else if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        gc.minor++;
        gc.minorMs += e.duration;
      }
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const cpu: number[] = [];
  const r0 = process.resourceUsage();
  const pool0 = { ...bufferPoolStats };
  for (let i = 0; i < steps; i++) {
    const c0 = process.cpuUsage();
    m.trainOnBatch(xs, ys);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const faults = process.resourceUsage().minorPageFault - r0.minorPageFault;
  const reused = bufferPoolStats.reused - pool0.reused, fresh = bufferPoolStats.fresh - pool0.fresh;
  await new Promise((r) => setTimeout(r, 20)); // let the last gc entries arrive
  observer.disconnect();
  const per = (n: number) => Number((n / steps).toFixed(2));
  console.log(JSON.stringify({
    model, backend: st.getBackend(), threads, steps, medianCpuMsPerStep: Number(median(cpu).toFixed(2)),
    scavengesPerStep: per(gc.minor), markCompactsPerStep: per(gc.major), gcPauseMsPerStep: per(gc.minorMs + gc.majorMs),
    minorPageFaultsPerStep: per(faults), pooledArraysReusedPerStep: per(reused), pooledArraysFreshPerStep: per(fresh),
    peak: await memoryPass(() => { m.trainOnBatch(xs, ys); }, 3, runtimeRssKb),
  }));
}

await main();
