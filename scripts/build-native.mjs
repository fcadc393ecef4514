#!/usr/bin/env node
// Builds the native backend (native/ → native/build/Release/strata_native.node) with node-gyp.
// Runs at `npm install` / `npm run prepare`. It never fails the install: on any error it prints one
// line and exits 0, and Strata runs on its js backend. STRATA_DISABLE_NATIVE=1 skips the build.
// STRATA_REQUIRE_NATIVE=1 (set by .ci/run, or `--require`) turns every such skip into a loud failure
// (exit 1), so CI on a machine with a compiler cannot pass on the js backend alone.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(root, 'native');

const required = process.env.STRATA_REQUIRE_NATIVE === '1' || process.argv.includes('--require');

function skip(reason) {
  if (required) {
    console.error(`strata: native backend build FAILED (${reason}); STRATA_REQUIRE_NATIVE=1 requires it`);
    process.exit(1);
  }
  console.log(`strata: native backend not built (${reason}); using the js backend`);
  process.exit(0);
}

/** node-gyp's entry script: the one npm gives its scripts, else the one bundled with npm. */
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((p) => p && existsSync(p));
}

/** Node's headers installed beside the binary (Debian's nodejs-dev: /usr/include/node), so no download. */
function findNodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = resolve(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

function main() {
  if (process.env.STRATA_DISABLE_NATIVE === '1') skip('STRATA_DISABLE_NATIVE=1');
  if (!existsSync(join(nativeDir, 'binding.gyp'))) skip('native/binding.gyp is missing');
  const gyp = findNodeGyp();
  if (!gyp) skip('node-gyp not found');
  const nodedir = findNodeDir();
  const args = [gyp, 'rebuild', '--directory', nativeDir, '--jobs', 'max', '--loglevel', 'error'];
  if (nodedir) args.push(`--nodedir=${nodedir}`);
  const started = Date.now();
  const run = spawnSync(process.execPath, args, {
    cwd: nativeDir,
    encoding: 'utf8',
    timeout: 10 * 60 * 1000,
    env: { ...process.env, npm_config_loglevel: 'error' },
  });
  if (run.error) skip(`node-gyp could not run: ${run.error.message}`);
  if (run.status !== 0) {
    const out = `${run.stderr ?? ''}\n${run.stdout ?? ''}`;
    const line = out.split('\n').find((l) => /error/i.test(l)) ?? `node-gyp exited with ${run.status}`;
    if (process.env.STRATA_NATIVE_VERBOSE === '1' || required) console.log(out);
    skip(line.trim().slice(0, 200));
  }
  const built = join(nativeDir, 'build', 'Release', 'strata_native.node');
  if (!existsSync(built)) skip('node-gyp did not produce strata_native.node');
  console.log(`strata: native backend built in ${((Date.now() - started) / 1000).toFixed(1)} s (${built})`);
}

try {
  main();
} catch (e) {
  skip(e instanceof Error ? e.message : String(e));
}
