/**
 * Benchmark: the wasm backend on 1 and 2 threads in Node — GEMM n = 1024 (addon.gemm, the transport's
 * copies included) and W3 CNN training steps (batch 64, Adam; bench/workloads/models.ts) — on the
 * threaded build (wasm/strata-threads.wasm at 1 and 2 threads) beside the single-threaded build
 * (wasm/strata.wasm), interleaved round by round in one process so that a change of load on the
 * machine hits every set-up alike. Prints medians of wall time and of process CPU time (all threads)
 * per step. Run with `node build/bench/wasm-threads.js [--rounds N]`.
 */
import { readFileSync } from 'node:fs';
import * as st from '../src/index.js';
import '../src/kernels/native/register.js';
import type { NativeAddon } from '../src/kernels/native/addon.js';
import { createNativeBackend } from '../src/kernels/native/index.js';
import { instantiateWasmAddon, wasmWorkersOf } from '../src/kernels/wasm/index.js';
import { loadWasmNode } from '../src/kernels/wasm/load-node.js';
import { registerBackend, BACKEND_PRIORITY } from '../src/kernels/registry.js';
import { median } from './kernel-timing.js';
import { strataModel } from './workloads/strata.js';

type SetUp = { name: string; addon: NativeAddon; backend: string; threads: number };

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const rounds = argv.includes('--rounds') ? Number(argv[argv.indexOf('--rounds') + 1]) : 5;
  const threaded = loadWasmNode();
  if (!threaded.addon || !('path' in threaded) || !threaded.path.endsWith('-threads.wasm')) throw new Error('the threaded wasm build did not load');
  // Its single-threaded twin: strata.wasm, or strata-relaxed.wasm where Node runs relaxed SIMD (--experimental-wasm-relaxed-simd).
  const single = instantiateWasmAddon(readFileSync(threaded.path.replace(/-threads\.wasm$/, '.wasm')));
  const file = threaded.path.split(/[\\/]/).pop()!;
  // The single-threaded build as a backend of its own, for the training steps.
  registerBackend(createNativeBackend(single, 'wasm-single'), BACKEND_PRIORITY.wasm - 1);
  const setUps: SetUp[] = [
    { name: `${file.replace('-threads', '')} (single-threaded build)`, addon: single, backend: 'wasm-single', threads: 1 },
    { name: `${file}, 1 thread`, addon: threaded.addon, backend: 'wasm', threads: 1 },
    { name: `${file}, 2 threads`, addon: threaded.addon, backend: 'wasm', threads: 2 },
  ];
  threaded.addon.setThreads(2);
  await wasmWorkersOf(threaded.addon)!.whenRunning(1);

  const n = 1024;
  const a = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i)), b = Float32Array.from({ length: n * n }, (_, i) => Math.cos(i));
  const c = new Float32Array(n * n);
  const gemm = (addon: NativeAddon): void => addon.gemm(n, n, n, a, 0, n, 1, b, 0, n, 1, c, 0, n, false);

  const model = strataModel('cnn');
  const x = st.randomUniform([64, 28, 28, 1], { seed: 1 });
  const y = st.oneHot(st.cast(st.floor(st.randomUniform([64], { minval: 0, maxval: 10, seed: 2 })), 'int32'), 10);
  const train = (): void => { model.trainOnBatch(x, y); };

  const results = new Map<string, { wall: number[]; cpu: number[] }>();
  const time = (key: string, reps: number, f: () => void): void => {
    const r = results.get(key) ?? { wall: [], cpu: [] };
    results.set(key, r);
    for (let i = 0; i < reps; i++) {
      const c0 = process.cpuUsage(), t0 = performance.now();
      f();
      r.wall.push(performance.now() - t0);
      const d = process.cpuUsage(c0);
      r.cpu.push((d.user + d.system) / 1000);
    }
  };
  for (let round = 0; round < rounds; round++) {
    for (const s of setUps) {
      s.addon.setThreads(s.threads);
      st.setBackend(s.backend);
      gemm(s.addon); // warm
      time(`GEMM n=1024 | ${s.name}`, 3, () => gemm(s.addon));
      train(); // warm
      time(`W3 train batch 64 | ${s.name}`, 3, train);
    }
  }
  console.log(`wasm threads in Node ${process.version}: medians of ${rounds} rounds × 3 steps (interleaved); CPU = process CPU time, all threads`);
  for (const [key, r] of results) {
    const [what] = key.split(' | ');
    const wall = median(r.wall), cpu = median(r.cpu);
    const rate = what.startsWith('GEMM') ? `${(2 * n ** 3 / wall / 1e6).toFixed(1)} GFLOPS wall, ${(2 * n ** 3 / cpu / 1e6).toFixed(1)} per CPU-second`
      : `${(64 / wall * 1000).toFixed(0)} samples/s wall, ${(64 / cpu * 1000).toFixed(0)} per CPU-second`;
    console.log(`${key}: wall ${wall.toFixed(1)} ms, CPU ${cpu.toFixed(1)} ms — ${rate}`);
  }
  console.log(`worker tasks run: ${wasmWorkersOf(threaded.addon)!.tasksRun()}`);
}

await main();
