import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as st from '../src/index.js';
import '../src/kernels/native/register.js';
import { loadWasmNode } from '../src/kernels/wasm/load-node.js';
import { loadWasmAddon } from '../src/kernels/wasm/index.js';

// The wasm module (the C++ kernels of the native backend compiled to wasm32 SIMD128, driven by the
// native glue over a copying transport): the committed wasm/strata.wasm is built from the current
// sources, it loads and registers, and its transport copies arrays in and out. Its kernels against js,
// beside the native addon's, are in test/backend-parity.test.ts and test/compiled-bindings.test.ts.

const root = fileURLToPath(new URL('../../', import.meta.url));
const wasm = loadWasmNode();

test('the committed wasm/strata.wasm was built from the current C++ sources (npm run build:wasm)', () => {
  const run = spawnSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { cwd: root, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
});

test('the wasm module loads in Node, registers as \'wasm\', and runs the SIMD128 GEMM single-threaded', (t) => {
  if (!wasm.addon) return t.skip(wasm.reason);
  assert.ok(st.listBackends().includes('wasm'));
  assert.equal(wasm.addon.getIsa(), 'simd128');
  assert.equal(wasm.addon.getThreads(), 1);
  // The x86 micro-kernels are not compiled in; the portable one is.
  assert.equal(wasm.addon.setIsa('avx2'), false);
  assert.equal(wasm.addon.setIsa('generic'), true);
  assert.equal(wasm.addon.setIsa('simd128'), true);
  assert.equal(wasm.addon.getIsa(), 'simd128');
  // The bindings' argument checks run inside the module too, and surface as RangeErrors.
  const a = new Float32Array(6), c = new Float32Array(4);
  assert.throws(() => wasm.addon!.gemm(2, 2, 3, a, 1, 3, 1, a, 0, 2, 1, c, 0, 2, false), /strata wasm gemm: a matrix lies outside its array/);
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

test('loadWasmAddon (the platform-neutral async loader) instantiates the module from its bytes', async (t) => {
  if (!wasm.addon || !('path' in wasm)) return t.skip(wasm.addon ? 'no path' : wasm.reason);
  const addon = await loadWasmAddon(readFileSync(wasm.path));
  const a = Float32Array.of(1, 2, 3, 4), b = Float32Array.of(5, 6, 7, 8), c = new Float32Array(4);
  addon.gemm(2, 2, 2, a, 0, 2, 1, b, 0, 2, 1, c, 0, 2, false);
  assert.deepEqual(Array.from(c), [19, 22, 43, 50]);
  // A second instance has its own memory: the registered backend's module is untouched.
  assert.notEqual(addon, wasm.addon);
});
