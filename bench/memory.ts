/**
 * Memory check: trains the W3 CNN (batch 64, Adam) with trainOnBatch for N steps on the default
 * backend and samples RSS, JS heap and ArrayBuffer memory every 100 steps. Prints peak RSS, RSS after
 * the warm-up (the first fifth of the steps, at most 1000) and at the end, and the slope after the
 * warm-up (least squares, MB per 1000 steps); writes JSON (bench/results/memory-latest.json or --out).
 * Run with `node build/bench/memory.js [--steps N] [--out FILE]`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as st from '../src/index.js';
import '../src/kernels/native/register.js';
import { batchFor } from './workloads/models.js';
import { strataModel, strataTensor } from './workloads/strata.js';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const steps = Number(flag('--steps') ?? 10000);
if (!Number.isInteger(steps) || steps < 200) throw new Error(`memory: --steps must be an integer ≥ 200, got ${flag('--steps')}`);
const out = flag('--out') ?? fileURLToPath(new URL('../../bench/results/memory-latest.json', import.meta.url));
const EVERY = 100;
const warmupSteps = Math.min(1000, Math.round(steps / 5 / EVERY) * EVERY);

const MB = 1024 * 1024;
interface Sample { step: number; rssMB: number; heapUsedMB: number; arrayBuffersMB: number; externalMB: number }
const sample = (step: number): Sample => {
  const m = process.memoryUsage();
  return { step, rssMB: m.rss / MB, heapUsedMB: m.heapUsed / MB, arrayBuffersMB: m.arrayBuffers / MB, externalMB: m.external / MB };
};

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length, mx = xs.reduce((a, b) => a + b, 0) / n, my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0, den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den ? num / den : 0;
}

const model = strataModel('cnn');
const { x, y } = batchFor('cnn');
const xs = strataTensor(x), ys = strataTensor(y);
const samples: Sample[] = [sample(0)];
const t0 = performance.now();
for (let s = 1; s <= steps; s++) {
  model.trainOnBatch(xs, ys);
  if (s % EVERY === 0) {
    samples.push(sample(s));
    if (s % (EVERY * 10) === 0) process.stderr.write(`  step ${s}: rss ${samples.at(-1)!.rssMB.toFixed(1)} MB\n`);
  }
}
const seconds = (performance.now() - t0) / 1000;
const after = samples.filter((p) => p.step >= warmupSteps);
const per1000 = (key: keyof Sample) => slope(after.map((p) => p.step), after.map((p) => p[key])) * 1000;
const result = {
  date: new Date().toISOString(),
  backend: st.getBackend(),
  workload: 'W3 CNN trainOnBatch, batch 64, Adam 1e-3',
  steps, warmupSteps, seconds,
  peakRssMB: Math.max(...samples.map((p) => p.rssMB)),
  rssAfterWarmupMB: after[0].rssMB,
  rssEndMB: samples.at(-1)!.rssMB,
  slopeMBPer1000Steps: { rss: per1000('rssMB'), heapUsed: per1000('heapUsedMB'), arrayBuffers: per1000('arrayBuffersMB') },
  samples,
};
const f = (v: number) => v.toFixed(1);
console.log(`W3 CNN, ${steps} trainOnBatch steps on ${result.backend} in ${seconds.toFixed(0)} s`);
console.log(`RSS: peak ${f(result.peakRssMB)} MB, after warm-up (step ${warmupSteps}) ${f(result.rssAfterWarmupMB)} MB, end ${f(result.rssEndMB)} MB`);
console.log(`slope after warm-up, MB per 1000 steps: RSS ${result.slopeMBPer1000Steps.rss.toFixed(2)}, heap ${result.slopeMBPer1000Steps.heapUsed.toFixed(2)}, ArrayBuffers ${result.slopeMBPer1000Steps.arrayBuffers.toFixed(2)}`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
console.log(`wrote ${out}`);
