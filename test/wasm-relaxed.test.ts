import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { relaxedSimdSupported } from '../src/kernels/wasm/relaxed.js';

// The relaxed-SIMD builds (wasm/strata-relaxed*.wasm: the same C++, its multiply-add one FMA) in Node.
// Node 20 runs relaxed SIMD only behind --experimental-wasm-relaxed-simd, so this runs the parity
// harness (every kernel against js, 1 and 2 threads, every GEMM micro-kernel) and the wasm module
// tests in a child process with that flag, on the wasm backend alone; the child's wasm.test fails
// unless the relaxed build is the module that loaded. (Chromium runs them in test/browser.test.ts.)
// Skipped with one line where this Node has no such flag, and where relaxed SIMD runs here already
// (the default pass then checks the relaxed build itself).

const root = fileURLToPath(new URL('../../', import.meta.url));
const FLAG = '--experimental-wasm-relaxed-simd';

function flagRunsRelaxed(): boolean {
  const r = spawnSync(process.execPath, [FLAG, '--input-type=module', '-e',
    "import { relaxedSimdSupported } from './build/src/kernels/wasm/relaxed.js'; process.exit(relaxedSimdSupported() ? 0 : 3)"],
  { cwd: root, encoding: 'utf8' });
  return r.status === 0;
}

const skip = process.env.STRATA_DISABLE_WASM === '1' ? 'the wasm backend is disabled (STRATA_DISABLE_WASM=1)'
  : relaxedSimdSupported() ? 'this runtime runs relaxed SIMD already: the other suites run the relaxed build'
    : !flagRunsRelaxed() ? `this Node (${process.version}) runs no relaxed SIMD, even with ${FLAG}` : null;
if (skip) console.log(`# relaxed-SIMD wasm tests skipped: ${skip}`);

test(`the relaxed-SIMD wasm build passes the parity harness and the wasm module tests (node ${FLAG})`, { skip: skip ?? false, timeout: 1_200_000 }, () => {
  const r = spawnSync(process.execPath, [FLAG, '--test', '--test-reporter=dot', 'build/test/backend-parity.test.js', 'build/test/wasm.test.js'], {
    cwd: root,
    encoding: 'utf8',
    // Without NODE_TEST_CONTEXT, which the runner gives its own children: a nested runner would report to it, not exit non-zero.
    env: { ...process.env, NODE_TEST_CONTEXT: undefined, STRATA_BACKEND: 'wasm', STRATA_NUM_THREADS: '2' },
  });
  assert.equal(r.status, 0, `${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`);
});
