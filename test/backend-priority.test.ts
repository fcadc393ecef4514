// The default backend is the registered one of highest priority (native > wasm > js), whatever the
// order of registration; setBackend overrides it. (Runs in its own process: the registrations stay.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { jsBackend } from '../src/kernels/js/index.js';

test('registerBackend: the highest priority registered is the default; setBackend overrides it', () => {
  const before = st.getBackend();
  assert.equal(before, st.listBackends().includes('native') ? 'native' : 'js');
  assert.deepEqual(st.BACKEND_PRIORITY, { native: 300, wasm: 200, js: 100 });
  // A 'wasm' stand-in registered after native: below native, above js.
  st.registerBackend({ ...jsBackend, name: 'wasm' }, st.BACKEND_PRIORITY.wasm);
  assert.equal(st.getBackend(), before === 'native' ? 'native' : 'wasm');
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
