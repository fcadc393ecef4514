/**
 * Side effect of importing the library in Node: registers the compiled backends by priority, so the
 * default is native → wasm → js. The native addon is registered as 'native' when it was built and
 * loads; the wasm module (wasm/strata.wasm, committed, so it needs no compiler) as 'wasm'.
 * STRATA_BACKEND=js|wasm|native forces the default (the test runner's passes). Prints one line to
 * stderr naming the backend in use (and why, off native) — unless STRATA_QUIET=1, or inside a
 * `node --test` run, where every test file would repeat it.
 */
import { BACKEND_PRIORITY, getBackend, registerBackend, setBackend } from '../registry.js';
import { loadAddon } from './addon.js';
import { createNativeBackend } from './index.js';
import { loadWasmNode } from '../wasm/load-node.js';
import { createWasmBackend } from '../wasm/index.js';

function notice(line: string): void {
  if (process.env.STRATA_QUIET === '1' || process.env.NODE_TEST_CONTEXT) return;
  process.stderr.write(`${line}\n`);
}

const load = loadAddon();
const wasm = loadWasmNode();
if (wasm.addon) registerBackend(createWasmBackend(wasm.addon), BACKEND_PRIORITY.wasm);
if (load.addon) registerBackend(createNativeBackend(load.addon), BACKEND_PRIORITY.native);
const forced = process.env.STRATA_BACKEND;
if (forced) setBackend(forced);
if (forced) {
  notice(`strata: using the ${forced} backend (STRATA_BACKEND=${forced})`);
} else if (load.addon) {
  notice(`strata: using the native backend (${load.addon.getIsa()}, ${load.addon.getThreads()} threads)`);
} else {
  const why = 'reason' in load ? load.reason : '';
  notice(`strata: using the ${getBackend()} backend (${why}${wasm.addon ? '' : `; ${'reason' in wasm ? wasm.reason : 'no wasm module'}`})`);
}
