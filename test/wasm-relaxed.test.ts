import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import '../src/kernels/wasm/load-node.js'; // turns relaxed SIMD on where Node 20 has it behind a flag
import { relaxedSimdSupported } from '../src/kernels/wasm/relaxed.js';

// The wasm build the default pass does not load, in a child process: the parity harness (every kernel
// against js, 1 and 2 threads, every GEMM micro-kernel) and the wasm module tests, on the wasm backend
// alone; the child's wasm.test fails unless the expected build is the module that loaded.
// Where Node runs relaxed SIMD (Node 21 on; Node 20, whose flag the loader turns on) the default pass
// runs wasm/strata-relaxed*.wasm, so the child runs the SIMD128 build (STRATA_WASM_RELAXED=0, the one
// browsers without relaxed SIMD load); where it does not, the child tries the relaxed build with
// --experimental-wasm-relaxed-simd. (Chromium runs both in test/browser.test.ts.)

const root = fileURLToPath(new URL('../../', import.meta.url));
const FLAG = '--experimental-wasm-relaxed-simd';

function flagRunsRelaxed(): boolean {
  const r = spawnSync(process.execPath, [FLAG, '--input-type=module', '-e',
    "import { relaxedSimdSupported } from './build/src/kernels/wasm/relaxed.js'; process.exit(relaxedSimdSupported() ? 0 : 3)"],
  { cwd: root, encoding: 'utf8' });
  return r.status === 0;
}

const relaxedByDefault = relaxedSimdSupported();
const skip = process.env.STRATA_DISABLE_WASM === '1' ? 'the wasm backend is disabled (STRATA_DISABLE_WASM=1)'
  : !relaxedByDefault && !flagRunsRelaxed() ? `this Node (${process.version}) runs no relaxed SIMD, even with ${FLAG}` : null;
if (skip) console.log(`# second wasm build's tests skipped: ${skip}`);
const other = relaxedByDefault ? 'SIMD128' : 'relaxed-SIMD';

test(`the ${other} wasm build passes the parity harness and the wasm module tests`, { skip: skip ?? false, timeout: 1_200_000 }, () => {
  const r = spawnSync(process.execPath, [...(relaxedByDefault ? [] : [FLAG]), '--test', '--test-reporter=dot', 'build/test/backend-parity.test.js', 'build/test/wasm.test.js'], {
    cwd: root,
    encoding: 'utf8',
    // Without NODE_TEST_CONTEXT, which the runner gives its own children: a nested runner would report to it, not exit non-zero.
    env: { ...process.env, NODE_TEST_CONTEXT: undefined, STRATA_BACKEND: 'wasm', STRATA_NUM_THREADS: '2',
      STRATA_WASM_RELAXED: relaxedByDefault ? '0' : process.env.STRATA_WASM_RELAXED },
  });
  assert.equal(r.status, 0, `${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`);
});
