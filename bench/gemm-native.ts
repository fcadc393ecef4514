/**
 * Benchmark: GFLOPS of the native float32 GEMM on square products (n = 256, 512, 1024 by default) with
 * 1 and 2 threads, for each micro-kernel the CPU supports. Wall GFLOPS use the median call; "cpu"
 * GFLOPS divide by the median CPU time of the process (all threads), so they measure work per core-second
 * and drop less than wall figures when other processes load the machine.
 * Run with `node build/bench/gemm-native.js` (options: `--sizes 256,512,1024`, `--threads 1,2`,
 * `--isa avx512,avx2`, `--ms 1500` time budget per measurement).
 *
 * `--wasm` times the wasm backend's GEMM instead (the build Node loads, through the same addon interface,
 * copies in and out of wasm memory included); `--wasm a.wasm,b.wasm` times several builds of the module
 * interleaved in one process (call by call, so load from other processes falls on each alike), which
 * is how a change to the SIMD128 kernel is compared on a shared machine.
 */
import { readFileSync } from 'node:fs';
import type { NativeAddon } from '../src/kernels/native/addon.js';
import { nativeAddon } from '../src/kernels/native/addon.js';
import { loadWasmNode } from '../src/kernels/wasm/load-node.js';
import { instantiateWasmAddon } from '../src/kernels/wasm/module.js';
import { loadLine, median, samplesFor, time } from './kernel-timing.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length && !process.argv[i + 1].startsWith('--') ? process.argv[i + 1] : fallback;
}

function randomMatrix(n: number): Float32Array {
  return new Float32Array(n * n).map(() => Math.random() - 0.5);
}

function benchNative(addon: NativeAddon): void {
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
        const a = randomMatrix(n), b = randomMatrix(n), c = new Float32Array(n * n);
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

/** The wasm GEMM of one or more module builds, single-threaded, interleaved call by call. */
function benchWasm(files: string[]): void {
  const builds: { name: string; addon: NativeAddon }[] = [];
  if (files.length === 0) {
    const w = loadWasmNode();
    if (!w.addon) {
      console.log(`wasm backend not loaded: ${w.reason}`);
      return;
    }
    // The build loadWasmNode chose: strata-relaxed-threads.wasm under --experimental-wasm-relaxed-simd.
    builds.push({ name: `wasm/${w.path.split(/[\\/]/).pop()}`, addon: w.addon });
    // Threaded builds start at the machine's thread count; the header promises one thread.
    w.addon.setThreads(1);
  } else {
    for (const f of files) builds.push({ name: f, addon: instantiateWasmAddon(readFileSync(f)) });
  }
  const sizes = option('sizes', '256,512,1024').split(',').map(Number);
  const budget = Number(option('ms', '3000'));
  console.log(`wasm GEMM (1 thread), square float32 C = A·B; ${loadLine()}`);
  for (const n of sizes) {
    const a = randomMatrix(n), b = randomMatrix(n), c = new Float32Array(n * n);
    const calls = builds.map(({ addon }) => (): void => addon.gemm(n, n, n, a, 0, n, 1, b, 0, n, 1, c, 0, n, false));
    // Warm for a second at least: V8 runs new wasm code in its baseline compiler (Liftoff) until the
    // optimised code, compiled on a background thread, is ready; on a loaded machine that takes a while.
    const w0 = performance.now();
    do for (const call of calls) call(); while (performance.now() - w0 < 1000);
    const t0 = performance.now();
    for (const call of calls) call();
    const samples = samplesFor(performance.now() - t0, budget);
    const wall = builds.map((): number[] => []), cpu = builds.map((): number[] => []);
    for (let s = 0; s < samples; s++) {
      calls.forEach((call, i) => {
        const c0 = process.cpuUsage(), w0 = performance.now();
        call();
        wall[i].push(performance.now() - w0);
        const used = process.cpuUsage(c0);
        cpu[i].push((used.user + used.system) / 1000);
      });
    }
    const gflop = (2 * n * n * n) / 1e9;
    builds.forEach(({ name }, i) => {
      console.log(
        `n=${String(n).padStart(4)}  ${name.padEnd(24)} cpu ${(gflop / (median(cpu[i]) / 1e3)).toFixed(1).padStart(6)} GFLOPS/core-s ` +
          `(best ${(gflop / (Math.min(...cpu[i]) / 1e3)).toFixed(1)})  wall ${(gflop / (median(wall[i]) / 1e3)).toFixed(1).padStart(6)} ` +
          `(best ${(gflop / (Math.min(...wall[i]) / 1e3)).toFixed(1)})  ${samples} calls`,
      );
    });
  }
  console.log(loadLine());
}

function main(): void {
  if (process.argv.includes('--wasm')) {
    const files = option('wasm', '');
    benchWasm(files ? files.split(',') : []);
    return;
  }
  const addon = nativeAddon();
  if (!addon) {
    console.log('native addon not built: run `node scripts/build-native.mjs`');
    return;
  }
  benchNative(addon);
}

main();
