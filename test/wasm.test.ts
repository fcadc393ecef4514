import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as st from '../src/index.js';
import '../src/kernels/native/register.js';
import { defaultWasmThreads, loadWasmNode } from '../src/kernels/wasm/load-node.js';
import { instantiateWasmAddon, loadWasmAddon, relaxedSimdSupported, wasmRelaxedOf, wasmWorkersOf } from '../src/kernels/wasm/index.js';
import { arrays, compareOutputs } from './parity-harness.js';

// The wasm module (the C++ kernels of the native backend compiled to wasm32 SIMD128, driven by the
// native glue over a copying transport): the committed wasm/strata*.wasm are built from the current
// sources, it loads and registers (in Node the threaded build, wasm/strata-threads.wasm: shared memory,
// worker_threads; wasm/strata-relaxed-threads.wasm where Node runs relaxed SIMD, test/wasm-relaxed.test.ts), its workers take part at 2 threads, and its transport copies arrays in and out. Its kernels against js,
// beside the native addon's, are in test/backend-parity.test.ts and test/compiled-bindings.test.ts.

const root = fileURLToPath(new URL('../../', import.meta.url));
const wasm = loadWasmNode();

test('the committed wasm/strata*.wasm (SIMD128 and relaxed SIMD) were built from the current C++ sources (npm run build:wasm)', () => {
  const run = spawnSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { cwd: root, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
});

test('the threaded wasm module loads in Node, registers as \'wasm\', and runs the SIMD128 GEMM on the native default thread count', (t) => {
  if (!wasm.addon) return t.skip(wasm.reason);
  assert.ok(st.listBackends().includes('wasm'));
  assert.match('path' in wasm ? wasm.path : '', /strata(-relaxed)?-threads\.wasm$/);
  assert.equal(wasm.addon.getIsa(), 'simd128');
  // STRATA_NUM_THREADS, else every core (as the native addon counts them).
  assert.equal(wasm.addon.getThreads(), defaultWasmThreads());
  // The x86 micro-kernels are not compiled in; the portable one is.
  assert.equal(wasm.addon.setIsa('avx2'), false);
  assert.equal(wasm.addon.setIsa('generic'), true);
  assert.equal(wasm.addon.setIsa('simd128'), true);
  assert.equal(wasm.addon.getIsa(), 'simd128');
  // The bindings' argument checks run inside the module too, and surface as RangeErrors.
  const a = new Float32Array(6), c = new Float32Array(4);
  assert.throws(() => wasm.addon!.gemm(2, 2, 3, a, 1, 3, 1, a, 0, 2, 1, c, 0, 2, false), /strata wasm gemm: a matrix lies outside its array/);
});

test('the wasm module is a relaxed-SIMD build exactly where this runtime runs relaxed SIMD (Node 20: --experimental-wasm-relaxed-simd, which the loader turns on)', (t) => {
  if (!wasm.addon || !('path' in wasm)) return t.skip(wasm.addon ? 'no path' : wasm.reason);
  const relaxed = relaxedSimdSupported();
  t.diagnostic(`relaxed SIMD ${relaxed ? 'supported' : 'not supported'} here; loaded ${wasm.path}`);
  assert.equal(wasm.path.includes('strata-relaxed'), relaxed, 'the loader chose the build for this runtime');
  // What the module itself reports (its strata_relaxed_simd export), not the file name.
  assert.equal(wasmRelaxedOf(wasm.addon), relaxed, 'the module loaded is the one chosen');
  const use = st.testing.wasmThreads();
  assert.ok(use);
  assert.equal(use.relaxedSimd, relaxed);
  assert.equal(use.relaxedSimdSupported, relaxed);
  // The other builds report themselves too: a plain build says 0, a relaxed one (where it compiles) 1.
  const plain = readFileSync(wasm.path.replace(/strata(-relaxed)?-threads\.wasm$/, 'strata.wasm'));
  assert.equal(wasmRelaxedOf(instantiateWasmAddon(plain)), false);
  const relaxedBytes = readFileSync(wasm.path.replace(/strata(-relaxed)?-threads\.wasm$/, 'strata-relaxed.wasm'));
  assert.equal(WebAssembly.validate(relaxedBytes), relaxed, 'the relaxed build compiles exactly where relaxed SIMD runs');
  if (relaxed) assert.equal(wasmRelaxedOf(instantiateWasmAddon(relaxedBytes)), true);
});

const rnd = (shape: number[], seed: number): st.Tensor => st.randomNormal(shape, { seed });

test('wasm kernels copy their arrays in and out: inputs are never written, outputs never alias scratch memory', (t) => {
  if (!wasm.addon) return t.skip(wasm.reason);
  const before = st.getBackend();
  st.setBackend('wasm');
  try {
    const a = rnd([64, 48], 20), b = rnd([48, 40], 21);
    const aCopy = Float32Array.from(a.dataSync() as Float32Array);
    const first = st.matmul(a, b);
    const firstValues = Float32Array.from(first.dataSync() as Float32Array);
    st.matmul(b, rnd([40, 64], 22)); // reuses the scratch block
    assert.deepEqual(first.dataSync(), firstValues);
    assert.deepEqual(a.dataSync(), aCopy);
  } finally {
    st.setBackend(before);
  }
});

test('an array kept resident (keepResident) is read from its wasm copy, not copied in again; a written one still is', (t) => {
  if (!wasm.addon) return t.skip(wasm.reason);
  const addon = wasm.addon;
  // [2, k] · [k, 2] with k = 8192: w is 64 KiB, large enough to be kept.
  const k = 8192;
  const x = Float32Array.from({ length: 2 * k }, (_, i) => (i % 7) - 3), w = Float32Array.from({ length: k * 2 }, (_, i) => (i % 5) - 2);
  const expected = new Float32Array(4);
  addon.gemm(2, 2, k, x, 0, k, 1, Float32Array.from(w), 0, 2, 1, expected, 0, 2, false);
  addon.keepResident!(w);
  w[0] = 100; // the contract says never; here it shows that the call reads the resident copy
  const out = new Float32Array(4);
  addon.gemm(2, 2, k, x, 0, k, 1, w, 0, 2, 1, out, 0, 2, false);
  assert.deepEqual(out, expected);
  // An array the call writes is copied in and out as any other, resident or not.
  const n = 128, c = new Float32Array(n * n).fill(1);
  addon.keepResident!(c);
  c.fill(2);
  const ones = new Float32Array(n).fill(1);
  addon.gemm(n, n, 1, ones, 0, 1, 1, ones, 0, n, 1, c, 0, n, true);
  assert.ok(c.every((v) => v === 3), 'the written array accumulated onto its current values');
});

test('wasm transport: an operand multiplied again and again is read where it stays in wasm memory, and a call that writes an array replaces its copy there', (t) => {
  if (!wasm.addon) return t.skip(wasm.reason);
  const addon = wasm.addon;
  // 128 × 128 floats (64 KiB): large enough to stay resident from its third call on.
  const n = 128, rand = (seed: number) => rnd([n, n], seed).dataSync() as Float32Array;
  const a = rand(40), b = rand(41), b2 = rand(42);
  const product = (x: Float32Array, y: Float32Array): Float32Array => {
    const c = new Float32Array(n * n);
    addon.gemm(n, n, n, x, 0, n, 1, y, 0, n, 1, c, 0, n, false);
    return c;
  };
  const reference = (x: Float32Array, y: Float32Array) => st.matmul(st.tensor(x, [n, n]), st.tensor(y, [n, n])).dataSync();
  const first = product(a, b);
  for (let i = 0; i < 5; i++) assert.deepEqual(product(a, b), first, `call ${i + 2} equals the first`);
  // Another right-hand side with the resident a, and a as the right-hand side.
  assert.deepEqual(product(a, b2), product(Float32Array.from(a), b2));
  assert.deepEqual(product(b2, a), product(b2, Float32Array.from(a)));
  // A call that writes a (its C) must leave no stale copy of it behind: the next product reads a's new values.
  addon.gemm(n, n, n, b, 0, n, 1, b2, 0, n, 1, a, 0, n, false);
  const fresh = Float32Array.from(a);
  assert.notDeepEqual(fresh, Float32Array.from(first));
  assert.deepEqual(product(a, b), product(fresh, b));
  const close = (x: ArrayLike<number>, y: ArrayLike<number>) => {
    for (let i = 0; i < x.length; i++) assert.ok(Math.abs(x[i] - y[i]) <= 1e-3 * (1 + Math.abs(y[i])), `element ${i}: ${x[i]} vs ${y[i]}`);
  };
  close(product(a, b), reference(fresh, b));
});

test('wasm transport: more reused operands than resident memory holds (64 MiB) are evicted least recently used first, products unchanged', (t) => {
  if (!wasm.addon) return t.skip(wasm.reason);
  const addon = wasm.addon;
  // Five 16 MiB right-hand sides, each multiplied four times in turn: from the third round on they
  // become resident and push each other out.
  const m = 8, k = 1024, n = 4096;
  const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i));
  const bs = Array.from({ length: 5 }, (_, s) => Float32Array.from({ length: k * n }, (_, i) => Math.cos(i * (s + 1) * 1e-3)));
  const product = (b: Float32Array): Float32Array => {
    const c = new Float32Array(m * n);
    addon.gemm(m, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, n, false);
    return c;
  };
  const first = bs.map(product);
  for (let round = 2; round <= 4; round++) {
    bs.forEach((b, i) => assert.deepEqual(product(b), first[i], `round ${round}, operand ${i}`));
  }
  // Two of them in one call: neither evicts the other while the call reads it.
  const rows = 256, c = new Float32Array(rows * n), c2 = new Float32Array(rows * n);
  addon.gemm(rows, n, k, bs[0], 0, k, 1, bs[1], 0, n, 1, c, 0, n, false);
  addon.gemm(rows, n, k, Float32Array.from(bs[0]), 0, k, 1, Float32Array.from(bs[1]), 0, n, 1, c2, 0, n, false);
  assert.deepEqual(c, c2);
});

test('loadWasmAddon (the platform-neutral async loader) instantiates the module from its bytes', async (t) => {
  if (!wasm.addon || !('path' in wasm)) return t.skip(wasm.addon ? 'no path' : wasm.reason);
  const addon = await loadWasmAddon(readFileSync(wasm.path));
  const a = Float32Array.of(1, 2, 3, 4), b = Float32Array.of(5, 6, 7, 8), c = new Float32Array(4);
  addon.gemm(2, 2, 2, a, 0, 2, 1, b, 0, 2, 1, c, 0, 2, false);
  assert.deepEqual(Array.from(c), [19, 22, 43, 50]);
  // A second instance has its own memory: the registered backend's module is untouched.
  assert.notEqual(addon, wasm.addon);
});


test('the threaded wasm build: workers run GEMM, convolution and pooling tasks, with the results of one thread', async (t) => {
  if (!wasm.addon) return t.skip(wasm.reason);
  const addon = wasm.addon;
  const workers = wasmWorkersOf(addon);
  assert.ok(workers, 'Node runs the threaded build with workers');
  const before = addon.getThreads();
  const backend = st.getBackend();
  st.setBackend('wasm');
  try {
    addon.setThreads(2);
    assert.equal(addon.getThreads(), 2);
    await workers.whenRunning(1);
    const a = rnd([300, 280], 30), b = rnd([280, 260], 31), x = rnd([4, 30, 30, 16], 32), w = rnd([3, 3, 16, 32], 33);
    const p = rnd([4, 48, 48, 32], 34);
    const ops: [string, () => st.Tensor][] = [
      ['matmul', () => st.matmul(a, b)], ['conv2d', () => st.conv2d(x, w, 1, 'same')], ['maxPool', () => st.maxPool(p, 2, 1, 'same')],
    ];
    // Tasks go to whichever thread claims them first: a worker still waking (a loaded machine) may
    // take none of one call's, so each op is repeated, up to 50 times, until a worker took part.
    const run = (threads: number): Float64Array[] => ops.map(([name, op]) => {
      const tasks = workers.tasksRun();
      const out = arrays([op()])[0];
      for (let i = 0; threads > 1 && i < 50 && workers.tasksRun() === tasks; i++) op();
      const ran = workers.tasksRun() - tasks;
      if (threads > 1) assert.ok(ran > 0, `${name}: the workers ran none of its tasks in 50 calls at ${threads} threads`);
      else assert.equal(ran, 0, `${name}: at 1 thread the workers stay idle`);
      return out;
    });
    const two = run(2);
    addon.setThreads(1);
    compareOutputs(two, run(1), 'wasm 2 threads against 1');
    assert.deepEqual(workers.errors, []);
  } finally {
    addon.setThreads(before);
    st.setBackend(backend);
  }
});
