/**
 * Benchmark: GFLOPS of the native float32 GEMM on square products (n = 256, 512, 1024 by default) with
 * 1 and 2 threads, for each micro-kernel the CPU supports. Wall GFLOPS use the median call; "cpu"
 * GFLOPS divide by the median CPU time of the process (all threads), so they measure work per core-second
 * and drop less than wall figures when other processes load the machine.
 * Run with `node build/bench/gemm-native.js` (options: `--sizes 256,512,1024`, `--threads 1,2`,
 * `--isa avx512,avx2`, `--ms 1500` time budget per measurement).
 */
import { nativeAddon } from '../src/kernels/native/addon.js';
import { loadLine, samplesFor, time } from './kernel-timing.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

function main(): void {
  const addon = nativeAddon();
  if (!addon) {
    console.log('native addon not built: run `node scripts/build-native.mjs`');
    return;
  }
  const sizes = option('sizes', '256,512,1024').split(',').map(Number);
  const threads = option('threads', '1,2').split(',').map(Number);
  const best = addon.getBestIsa();
  const isas = option('isa', best === 'avx512' ? 'avx512,avx2' : best).split(',');
  const budget = Number(option('ms', '1500'));
  console.log(`native GEMM, square float32 C = A·B; ${loadLine()}`);
  for (const isa of isas) {
    if (!addon.setIsa(isa)) {
      console.log(`${isa}: not supported by this CPU`);
      continue;
    }
    for (const t of threads) {
      addon.setThreads(t);
      for (const n of sizes) {
        const a = new Float32Array(n * n).map(() => Math.random() - 0.5);
        const b = new Float32Array(n * n).map(() => Math.random() - 0.5);
        const c = new Float32Array(n * n);
        const call = (): void => addon.gemm(n, n, n, a, 0, n, 1, b, 0, n, 1, c, 0, n, false);
        const t0 = performance.now();
        call();
        const r = time(call, samplesFor(performance.now() - t0, budget), 2);
        const gflop = (2 * n * n * n) / 1e9;
        console.log(
          `${isa.padEnd(7)} threads ${t}  n=${String(n).padStart(4)}  ` +
            `wall ${(gflop / (r.ms / 1e3)).toFixed(1).padStart(6)} GFLOPS (best ${(gflop / (r.best / 1e3)).toFixed(1)})  ` +
            `cpu ${(gflop / (r.cpuMs / 1e3)).toFixed(1).padStart(6)} GFLOPS/core-s  cpu share ${r.cpuShare.toFixed(2)}`,
        );
      }
    }
  }
  addon.setIsa(best);
  addon.setThreads(0);
  console.log(loadLine());
}

main();
