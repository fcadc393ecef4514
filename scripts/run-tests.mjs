#!/usr/bin/env node
// `npm test` after the build: the whole compiled suite (build/test) once on the default backend
// (native where it was built) and once more on the js reference backend (STRATA_DISABLE_NATIVE=1),
// so both backends pass the same tests. Without a native build the first run is already js and the
// second is skipped. Extra arguments go to `node --test` (e.g. a file filter).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const addon = join(root, 'native', 'build', 'Release', 'strata_native.node');
const args = process.argv.slice(2);
const files = args.length > 0 ? args : ['build/test/'];

function run(label, env) {
  console.log(`\n=== strata tests on the ${label} backend ===`);
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], {
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
let status = run(nativeBuilt ? 'native' : 'js', {});
if (nativeBuilt) status = run('js', { STRATA_DISABLE_NATIVE: '1' }) || status;
process.exit(status);
