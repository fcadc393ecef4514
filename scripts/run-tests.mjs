#!/usr/bin/env node
// `npm test` after the build: the whole compiled suite (build/test) once on the default backend
// (native where it was built, else wasm), then the op, layer, gradient and golden suites on the wasm
// backend (STRATA_BACKEND=wasm; the C++ kernels compiled to WebAssembly, Node's threaded build at 2
// threads, STRATA_NUM_THREADS=2, so its workers run part of every large kernel; the parity harness
// also at 1), and the whole suite once more on the js reference backend alone (no native addon, no wasm module), so every backend passes
// the same tests. Without a native build the first run is already wasm and the second is skipped.
// Extra arguments go to `node --test` (e.g. a file filter) and are used by every pass.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const addon = join(root, 'native', 'build', 'Release', 'strata_native.node');
const args = process.argv.slice(2);
const files = args.length > 0 ? args : ['build/test/'];
// The suites the wasm pass runs (the ones that exercise kernels); the rest (I/O, CLI, data) would only
// repeat the default pass. The parity harness (backend-parity, compiled-bindings) is not among them: it
// checks every compiled backend itself, native and wasm, in the default pass.
const WASM_SUITES = [
  'activations', 'autograd', 'bias-activation', 'conv', 'conv-im2col', 'conv-layers', 'conv-transpose',
  'conv-transpose-layers', 'dense', 'depthwise-conv', 'depthwise-layers', 'elementwise',
  'embedding-masking', 'gather', 'golden', 'golden-layers', 'gradients-tfjs', 'matmul',
  'merge-layers', 'normalization-layers', 'optimizers', 'pool', 'pooling-layers', 'recurrent',
  'recurrent-grad', 'reduce', 'rnn-fused', 'tensor', 'training-tfjs', 'wasm',
].map((f) => `build/test/${f}.test.js`).filter((f) => existsSync(join(root, f)));

function run(label, env, which = files) {
  console.log(`\n=== strata tests on the ${label} backend ===`);
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...which], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

const nativeBuilt = existsSync(addon) && process.env.STRATA_DISABLE_NATIVE !== '1';
// CI (.ci/run) sets STRATA_REQUIRE_NATIVE=1: a suite that would run on js alone is a failure there.
if (process.env.STRATA_REQUIRE_NATIVE === '1' && !nativeBuilt) {
  console.error(`strata tests: STRATA_REQUIRE_NATIVE=1 but the native addon is ${existsSync(addon) ? 'disabled (STRATA_DISABLE_NATIVE=1)' : `missing (${addon})`}; ` +
    'build it with `node scripts/build-native.mjs --require` to see why');
  process.exit(1);
}
let status = run(nativeBuilt ? 'native' : 'default', {});
if (nativeBuilt) {
  status = run('wasm (2 threads)', { STRATA_BACKEND: 'wasm', STRATA_NUM_THREADS: '2' }, args.length > 0 ? files : WASM_SUITES) || status;
  // The parity harness once more on one thread (the pool's serial path; no worker started).
  const parity = 'build/test/wasm.test.js';
  if (args.length === 0 && existsSync(join(root, parity))) status = run('wasm (1 thread)', { STRATA_BACKEND: 'wasm', STRATA_NUM_THREADS: '1' }, [parity]) || status;
}
status = run('js', { STRATA_DISABLE_NATIVE: '1', STRATA_DISABLE_WASM: '1', STRATA_BACKEND: 'js' }) || status;
process.exit(status);
