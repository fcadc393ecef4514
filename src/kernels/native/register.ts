/**
 * Side effect of importing the library in Node: loads the native backend when it was built and
 * registers it as 'native' at the highest priority, so it is the default; otherwise Strata stays on
 * the fastest other backend registered (wasm, else js). Either way it prints one line to stderr naming
 * the backend in use — unless STRATA_QUIET=1, or inside a `node --test` run, where every test
 * file would repeat it.
 */
import { BACKEND_PRIORITY, getBackend, registerBackend } from '../registry.js';
import { loadAddon } from './addon.js';
import { createNativeBackend } from './index.js';

function notice(line: string): void {
  if (process.env.STRATA_QUIET === '1' || process.env.NODE_TEST_CONTEXT) return;
  process.stderr.write(`${line}\n`);
}

const load = loadAddon();
if (load.addon) {
  registerBackend(createNativeBackend(load.addon), BACKEND_PRIORITY.native);
  notice(`strata: using the native backend (${load.addon.getIsa()}, ${load.addon.getThreads()} threads)`);
} else {
  // Named after the backend that is the default now (js, or wasm where it registered first).
  notice(`strata: using the ${getBackend()} backend (${load.reason})`);
}
