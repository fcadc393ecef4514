/**
 * Benchmark: square float32 matmul on Strata's reference `js` backend (single-threaded plain
 * JavaScript), on its `native` backend (C++ AVX-512/AVX2 GEMM, with one and with two threads, when the
 * addon is built), and on TensorFlow.js 4.22's `cpu` backend, in one process. Prints a table of GFLOPS
 * (flops = 2n³, median of several timed samples after a warm-up) and writes bench/results/latest.json.
 * Run with `npm run bench`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import * as st from '../src/index.js';
import '../src/kernels/native/register.js';
import { nativeAddon } from '../src/kernels/native/addon.js';

const SIZES = [256, 512, 1024];
/** Timed samples per measurement (3 when one product takes over a second); the median is reported. */
const SAMPLES = 5;
/** Each sample repeats the product until it lasts about this long, so small sizes time reliably. */
const SAMPLE_MS = 200;
/** Minimum warm-up, so the JIT has optimised the hot loops before timing starts. */
const WARMUP_MS = 300;

interface Timing {
  /** Median wall-clock milliseconds of one product. */
  ms: number;
  gflops: number;
  /** Products per timed sample. */
  reps: number;
  /** Timed samples the median is taken over. */
  samples: number;
  /**
   * CPU time of this process over wall time while timing: about 1 on an idle core, lower when other
   * processes took the core away (the GFLOPS are then understated).
   */
  cpuShare: number;
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/**
 * Warms each runner up (WARMUP_MS, and two calls unless one takes over a second), then times them in
 * alternating samples of `reps` calls each, so a slowdown of the machine hits both alike.
 */
function measure(n: number, runners: (() => void)[]): Timing[] {
  const once = runners.map((run) => {
    const w0 = performance.now();
    let calls = 0, last = 0;
    while (calls === 0 || (calls === 1 && last < 1000) || performance.now() - w0 < WARMUP_MS) {
      const t0 = performance.now();
      run();
      last = performance.now() - t0;
      calls++;
    }
    return last;
  });
  const reps = once.map((t) => Math.max(1, Math.round(SAMPLE_MS / Math.max(t, 1e-3))));
  const samples = once.some((t) => t > 1000) ? 3 : SAMPLES;
  const times = runners.map((): number[] => []);
  const cpu = runners.map(() => 0), wall = runners.map(() => 0);
  for (let s = 0; s < samples; s++) {
    runners.forEach((run, i) => {
      const cpu0 = process.cpuUsage(), start = performance.now();
      for (let r = 0; r < reps[i]; r++) run();
      const dt = performance.now() - start, used = process.cpuUsage(cpu0);
      times[i].push(dt / reps[i]);
      wall[i] += dt;
      cpu[i] += (used.user + used.system) / 1000;
    });
  }
  return runners.map((_, i) => {
    const ms = median(times[i]);
    return { ms, gflops: (2 * n ** 3) / (ms * 1e6), reps: reps[i], samples, cpuShare: cpu[i] / wall[i] };
  });
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

async function main(): Promise<void> {
  // Production mode also silences tfjs's "install tfjs-node" hint; it only skips debug checks.
  tf.enableProdMode();
  await tf.setBackend('cpu');
  await tf.ready();
  st.setBackend('js');
  const addon = nativeAddon();
  const native = addon ? ` (${addon.getIsa()})` : ' (not built)';

  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padStart(6) : c.padStart(20))).join('');
  console.log('matmul float32, [n, n] · [n, n], GFLOPS = 2n³ / time');
  console.log('(median of 3–5 timed samples after a warm-up, the runs alternating)');
  console.log(`${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}; js and tfjs use one thread, Strata native${native} one and two\n`);
  console.log(line(['n', 'Strata js', 'Strata native 1T', 'Strata native 2T', `tfjs ${tf.version.tfjs} cpu`, 'best Strata / tfjs']));
  const rows: {
    n: number; strata: Timing; native1: Timing | null; native2: Timing | null; tfjs: Timing; ratio: number; maxAbsDiff: number;
  }[] = [];
  for (const n of SIZES) {
    const a = st.randomNormal([n, n], { seed: 1 }), b = st.randomNormal([n, n], { seed: 2 });
    const ta = tf.tensor2d(a.values as Float32Array, [n, n]), tb = tf.tensor2d(b.values as Float32Array, [n, n]);
    // Same inputs on both sides; a loose check that both compute the same product.
    const tfOut = tf.matMul(ta, tb);
    const tfValues = tfOut.dataSync();
    tfOut.dispose();
    let diff = maxAbsDiff(st.matmul(a, b).values, tfValues);
    if (addon) {
      st.setBackend('native');
      diff = Math.max(diff, maxAbsDiff(st.matmul(a, b).values, tfValues));
      st.setBackend('js');
    }
    if (!(diff < 1e-2 * Math.sqrt(n))) throw new Error(`bench: Strata and tfjs disagree at n=${n} (max |diff| ${diff})`);

    const onNative = (threads: number) => () => {
      st.setBackend('native');
      addon!.setThreads(threads);
      st.matmul(a, b);
      st.setBackend('js');
    };
    const runners = [
      () => { st.matmul(a, b); },
      () => {
        const y = tf.matMul(ta, tb);
        y.dataSync();
        y.dispose();
      },
      ...(addon ? [onNative(1), onNative(2)] : []),
    ];
    const [strata, tfjs, native1 = null, native2 = null] = measure(n, runners);
    addon?.setThreads(0);
    ta.dispose();
    tb.dispose();
    const best = Math.max(strata.gflops, native1?.gflops ?? 0, native2?.gflops ?? 0);
    rows.push({ n, strata, native1, native2, tfjs, ratio: best / tfjs.gflops, maxAbsDiff: diff });
    const r = rows[rows.length - 1];
    console.log(line([
      String(n), r.strata.gflops.toFixed(2), r.native1?.gflops.toFixed(1) ?? '—', r.native2?.gflops.toFixed(1) ?? '—',
      r.tfjs.gflops.toFixed(2), `${r.ratio.toFixed(1)}×`,
    ]));
  }
  const busy = rows.some((r) => r.strata.cpuShare < 0.9 || r.tfjs.cpuShare < 0.9 || (r.native1 && r.native1.cpuShare < 0.9) ||
    (r.native2 && r.native2.cpuShare < 1.8));
  if (busy) console.log('\nnote: other processes took the cores away part of the time; the GFLOPS above are understated');

  const dir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const report = {
    benchmark: 'matmul',
    dtype: 'float32',
    flops: '2n^3',
    statistic: 'median',
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? null,
    strataBackend: st.getBackend(),
    native: addon ? { isa: addon.getIsa(), threads: [1, 2] } : null,
    tfjs: { version: tf.version.tfjs, backend: tf.getBackend() },
    results: rows,
  };
  writeFileSync(`${dir}latest.json`, JSON.stringify(report, null, 2) + '\n');
  console.log(`\nwrote ${dir}latest.json`);
}

await main();
