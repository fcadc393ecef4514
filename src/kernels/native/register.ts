/**
 * Side effect of importing the library: loads the native backend when it was built, registers it
 * as 'native' and makes it the default; otherwise Strata stays on 'js'. Either way it prints one
 * line to stderr naming the backend in use (and why, for js) — unless STRATA_QUIET=1, or inside a
 * `node --test` run, where every test file would repeat it.
 */
import { registerBackend, setBackend } from '../registry.js';
import { loadAddon } from './addon.js';
import { createNativeBackend } from './index.js';

function notice(line: string): void {
  if (process.env.STRATA_QUIET === '1' || process.env.NODE_TEST_CONTEXT) return;
  process.stderr.write(`${line}\n`);
}

const load = loadAddon();
if (load.addon) {
  registerBackend(createNativeBackend(load.addon));
  setBackend('native');
  notice(`strata: using the native backend (${load.addon.getIsa()}, ${load.addon.getThreads()} threads)`);
} else {
  notice(`strata: using the js backend (${load.reason})`);
}
