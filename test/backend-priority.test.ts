// The default backend is the registered one of highest priority (native > wasm > js), whatever the
// order of registration; setBackend overrides it. (Runs in its own process: the registrations stay.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { jsBackend } from '../src/kernels/js/index.js';

// STRATA_BACKEND (the test runner's wasm and js passes) is an explicit choice, which registrations never override.
const forced = process.env.STRATA_BACKEND;

test('registerBackend: the highest priority registered is the default; setBackend overrides it', { skip: forced ? `STRATA_BACKEND=${forced} chose the backend in this pass` : false }, () => {
  const before = st.getBackend();
  const has = (b: string) => st.listBackends().includes(b);
  assert.equal(before, has('native') ? 'native' : has('wasm') ? 'wasm' : 'js');
  assert.deepEqual(st.BACKEND_PRIORITY, { native: 300, wasm: 200, js: 100 });
  // A stand-in registered later between wasm and native: below native, above wasm and js.
  st.registerBackend({ ...jsBackend, name: 'middle' }, (st.BACKEND_PRIORITY.wasm + st.BACKEND_PRIORITY.native) / 2);
  assert.equal(st.getBackend(), before === 'native' ? 'native' : 'middle');
  // A faster one registered later takes over as the default.
  st.registerBackend({ ...jsBackend, name: 'fast' }, 1000);
  assert.equal(st.getBackend(), 'fast');
  assert.deepEqual(st.add(st.tensor([1, 2]), st.tensor([3, 4])).arraySync(), [4, 6]);
  assert.ok(st.testing.kernelCalls('fast').js > 0, 'the ops ran on the default backend');
  // An explicit choice stays, whatever registers afterwards.
  st.setBackend('js');
  st.registerBackend({ ...jsBackend, name: 'faster' }, 2000);
  assert.equal(st.getBackend(), 'js');
  st.setBackend(before);
});

test('setThreads / getThreads: every compiled backend takes the count (0 = its default); js has one thread; bad counts are refused', () => {
  const before = st.getBackend();
  try {
    const compiled = st.listBackends().filter((b) => b === 'native' || b === 'wasm');
    for (const b of compiled) {
      st.setBackend(b);
      const defaultThreads = st.getThreads();
      assert.ok(defaultThreads >= 1, `${b}: ${defaultThreads} threads by default`);
      st.setThreads(1);
      assert.equal(st.getThreads(), 1, `${b} after setThreads(1)`);
      st.setThreads(2);
      // The threaded builds run 2 (Node always loads the threaded wasm build); a serial one would stay at 1.
      assert.equal(st.getThreads(), 2, `${b} after setThreads(2)`);
      st.setThreads(0);
      assert.equal(st.getThreads(), defaultThreads, `${b} after setThreads(0)`);
    }
    st.setBackend('js');
    st.setThreads(2);
    assert.equal(st.getThreads(), 1);
    st.setThreads(0);
    assert.throws(() => st.setThreads(-1), /setThreads: expected a whole number of threads ≥ 0 \(0 = the default\), got -1/);
    assert.throws(() => st.setThreads(1.5), /got 1\.5/);
  } finally {
    st.setBackend(before);
  }
});
