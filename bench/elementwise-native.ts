/**
 * Benchmark: native vs js elementwise kernels — microseconds per call on small tensors (where the
 * size thresholds of src/kernels/native/elementwise.ts come from), GB/s on a large conv activation
 * ([64, 26, 26, 32], W3's first conv output), and the fused bias + activation against the separate
 * add / activation / gradient kernels it replaces. Median of many calls; also prints CPU time.
 * Run with `node build/bench/elementwise-native.js` (needs the native build).
 */
import { cpus } from 'node:os';
import * as st from '../src/index.js';
import { nativeAddon, type NativeAddon } from '../src/kernels/native/addon.js';
import { createNativeBackend } from '../src/kernels/native/index.js';
import type { ElementwiseAddon } from '../src/kernels/native/elementwise.js';
import { jsBackend } from '../src/kernels/js/index.js';
import type { Backend } from '../src/kernels/backend.js';
import { Tensor } from '../src/tensor/tensor.js';
import { median } from './kernel-timing.js';

/** Median µs per call over `rounds` rounds of `reps` calls, and the CPU µs per call. */
function time(fn: () => void, reps: number, rounds = 15): { us: number; cpuUs: number } {
  for (let i = 0; i < reps; i++) fn();
  const ts: number[] = [], cs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    ts.push(((performance.now() - t0) * 1000) / reps);
    const c = process.cpuUsage(c0);
    cs.push((c.user + c.system) / reps);
  }
  return { us: median(ts), cpuUs: median(cs) };
}

function f32(shape: number[], seed: number): Tensor {
  return st.randomNormal(shape, { seed, dtype: 'float32' });
}

function main(): void {
  const addon = nativeAddon();
  if (!addon) {
    console.log('native backend not built: run `node scripts/build-native.mjs`');
    return;
  }
  const native = createNativeBackend(addon);
  const ew = addon as NativeAddon & ElementwiseAddon;
  console.log(`${cpus()[0]?.model ?? 'CPU'} × ${cpus().length}, Node ${process.version}, native threads ${addon.getThreads()}\n`);

  console.log('small tensors: CPU µs per call (js kernel | native binding called directly, no threshold)');
  for (const n of [10, 16, 17, 32, 64, 128, 256, 1024]) {
    const x = f32([n], 1), y = f32([n], 2);
    const xv = x.values as Float32Array, yv = y.values as Float32Array;
    const jr = time(() => jsBackend.unary('relu', x), 20000);
    const nr = time(() => ew.unary(17, xv, new Float32Array(n), 0, 0), 20000);
    const je = time(() => jsBackend.unary('exp', x), 20000);
    const ne = time(() => ew.unary(1, xv, new Float32Array(n), 0, 0), 20000);
    const shapes = Int32Array.from([1, n, n, n]);
    const ja = time(() => jsBackend.binary('add', x, y), 20000);
    const na = time(() => ew.binary(0, xv, yv, new Float32Array(n), shapes), 20000);
    const f = (j: { cpuUs: number }, k: { cpuUs: number }) => `${j.cpuUs.toFixed(2)} | ${k.cpuUs.toFixed(2)}`;
    console.log(`  n=${String(n).padStart(5)}  relu ${f(jr, nr)}   exp ${f(je, ne)}   add ${f(ja, na)}`);
  }
  const s10 = f32([10], 3), m10 = f32([2, 5], 4);
  console.log(`  backend dispatch, 10 elements (both js below the threshold): relu js ${time(() => jsBackend.unary('relu', s10), 20000).us.toFixed(2)}` +
    ` native ${time(() => native.unary('relu', s10), 20000).us.toFixed(2)} µs; sum js ${time(() => jsBackend.reduce('sum', m10, [1], false), 20000).us.toFixed(2)}` +
    ` native ${time(() => native.reduce('sum', m10, [1], false), 20000).us.toFixed(2)} µs`);

  const shape = [64, 26, 26, 32];
  const x = f32(shape, 5), b = f32([32], 6), dy = f32(shape, 7);
  const bytes = x.size * 4;
  console.log(`\nlarge: ${JSON.stringify(shape)} float32 (${(bytes / 1e6).toFixed(1)} MB): ms per call, GB/s of input + output`);
  const row = (name: string, traffic: number, f: (k: Backend) => unknown) => {
    const j = time(() => f(jsBackend), 3, 9), n = time(() => f(native), 3, 9);
    const gb = (us: number) => (traffic / (us * 1e3)).toFixed(1);
    console.log(`  ${name.padEnd(34)} js ${(j.us / 1000).toFixed(2).padStart(6)} ms (${gb(j.us).padStart(4)} GB/s, cpu ${(j.cpuUs / 1000).toFixed(2)})` +
      `   native ${(n.us / 1000).toFixed(2).padStart(6)} ms (${gb(n.us).padStart(5)} GB/s, cpu ${(n.cpuUs / 1000).toFixed(2)})   ×${(j.us / n.us).toFixed(1)}`);
  };
  row('relu', 2 * bytes, (k) => k.unary('relu', x));
  row('sigmoid', 2 * bytes, (k) => k.unary('sigmoid', x));
  row('add same shape', 3 * bytes, (k) => k.binary('add', x, dy));
  row('bias add [..., 32] + [32]', 2 * bytes, (k) => k.binary('add', x, b));
  row('sum over axes 0-2 (bias gradient)', bytes, (k) => k.reduce('sum', x, [0, 1, 2], false));
  row('sum over axis 0', bytes, (k) => k.reduce('sum', x, [0], false));
  row('sum over axis 3 (last)', bytes, (k) => k.reduce('sum', x, [3], false));
  row('max over all', bytes, (k) => k.reduce('max', x, [0, 1, 2, 3], false));
  row('softmax last axis', 2 * bytes, (k) => k.softmax(x, 3));
  row('unfused bias + relu (add, relu)', 4 * bytes, (k) => k.unary('relu', k.binary('add', x, b)));
  row('fused biasActivation relu', 2 * bytes, (k) => k.biasActivation(x, b, 'relu', 1));
  const y = native.biasActivation(x, b, 'relu', 1);
  row('unfused grad (reluGrad, mul, sum)', 5 * bytes, (k) => k.reduce('sum', k.binary('mul', dy, k.unary('reluGrad', y)), [0, 1, 2], false));
  row('fused biasActivationGrad relu', 3 * bytes, (k) => k.biasActivationGrad(dy, y, 'relu', 1, true));
}

main();
