/**
 * Benchmark: training steps of the W3 MNIST CNN (bench/workloads/models.ts: conv 32 relu → maxpool →
 * conv 64 relu → maxpool → flatten → dense 128 relu → dropout → dense 10 softmax; batch 64, Adam) on the
 * default backend (native where built). Prints samples/s from the median wall time and from the median
 * CPU time of a step (the CPU figure is the steadier one on a shared machine).
 * Run with `node build/bench/w3-train.js [--steps N]`.
 */
import * as st from '../src/index.js';
import { median } from './kernel-timing.js';
import { strataModel } from './workloads/strata.js';

const BATCH = 64;

function main(): void {
  const args = process.argv.slice(2);
  const i = args.indexOf('--steps');
  const steps = i >= 0 ? Number(args[i + 1]) : 15;
  const model = strataModel('cnn');
  const x = st.randomUniform([BATCH, 28, 28, 1], { seed: 1 });
  const labels = st.randomUniform([BATCH], { minval: 0, maxval: 10, seed: 2 });
  const y = st.oneHot(st.cast(st.floor(labels), 'int32'), 10);
  for (let s = 0; s < 3; s++) model.trainOnBatch(x, y);
  const wall: number[] = [], cpu: number[] = [];
  for (let s = 0; s < steps; s++) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    model.trainOnBatch(x, y);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const w = median(wall), c = median(cpu);
  console.log(`W3 train step (${st.getBackend()}), batch ${BATCH}, ${steps} steps: median ${w.toFixed(1)} ms wall → ` +
    `${(BATCH * 1000 / w).toFixed(0)} samples/s; median CPU ${c.toFixed(1)} ms → ${(BATCH * 1000 / c).toFixed(0)} samples/s (CPU of all threads)`);
}

main();
