import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as st from '../src/index.js';
import '../src/kernels/native/register.js';
import { loadAddon, type NativeAddon } from '../src/kernels/native/addon.js';

// Loading the native addon and choosing the default backend: registration, the environment switches,
// the one-line notice, the install step, malloc tuning. Its kernels against js, with the wasm
// module's, are in test/backend-parity.test.ts and test/compiled-bindings.test.ts.

const load = loadAddon();
const addon: NativeAddon | null = load.addon;
const skipReason = load.addon ? undefined : `native backend not built: ${load.reason}`;

test('the native backend is registered and is the default when built', (t) => {
  if (skipReason) return t.skip(skipReason);
  assert.ok(st.listBackends().includes('native'));
  // (Unless STRATA_BACKEND forces another: the test runner's wasm pass.)
  assert.equal(st.getBackend(), process.env.STRATA_BACKEND ?? 'native');
  assert.ok(['avx512', 'avx2', 'generic'].includes(addon!.getIsa()));
  assert.ok(addon!.getThreads() >= 1);
});

const root = fileURLToPath(new URL('../../', import.meta.url));
const childEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_TEST_CONTEXT; // let the child print its notice
  delete env.STRATA_QUIET;
  delete env.STRATA_REQUIRE_NATIVE; // CI's requirement: these children disable the addon on purpose
  delete env.STRATA_BACKEND; // the test runner's wasm and js passes set these
  delete env.STRATA_DISABLE_WASM;
  return { ...env, ...extra };
};
const probe = `
  const st = await import(${JSON.stringify(new URL('../src/index.js', import.meta.url).href)});
  await import(${JSON.stringify(new URL('../src/kernels/native/register.js', import.meta.url).href)});
  console.log(st.getBackend());`;

test('STRATA_DISABLE_NATIVE=1 falls back to wasm, and with STRATA_DISABLE_WASM=1 too to js, with a one-line notice', () => {
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
    cwd: root, encoding: 'utf8', env: childEnv({ STRATA_DISABLE_NATIVE: '1' }),
  });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), 'wasm');
  assert.equal(run.stderr, 'strata: using the wasm backend (disabled by STRATA_DISABLE_NATIVE=1)\n');
  const neither = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
    cwd: root, encoding: 'utf8', env: childEnv({ STRATA_DISABLE_NATIVE: '1', STRATA_DISABLE_WASM: '1' }),
  });
  assert.equal(neither.status, 0, neither.stderr);
  assert.equal(neither.stdout.trim(), 'js');
  assert.equal(neither.stderr, 'strata: using the js backend (disabled by STRATA_DISABLE_NATIVE=1; disabled by STRATA_DISABLE_WASM=1)\n');
});

test('STRATA_BACKEND=js|wasm|native forces the default backend', (t) => {
  for (const name of ['js', 'wasm', ...(skipReason ? [] : ['native'])]) {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
      cwd: root, encoding: 'utf8', env: childEnv({ STRATA_BACKEND: name }),
    });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), name);
    assert.equal(run.stderr, `strata: using the ${name} backend (STRATA_BACKEND=${name})\n`);
  }
  if (skipReason) t.diagnostic(skipReason);
});

test('a child process picks the native backend by default and names it once', (t) => {
  if (skipReason) return t.skip(skipReason);
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: root, encoding: 'utf8', env: childEnv({}) });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), 'native');
  assert.match(run.stderr, /^strata: using the native backend \((avx512|avx2|generic), \d+ threads\)\n$/);
  const quiet = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
    cwd: root, encoding: 'utf8', env: childEnv({ STRATA_QUIET: '1' }),
  });
  assert.equal(quiet.stderr, '');
});

test('the native build step never fails the install: STRATA_DISABLE_NATIVE=1 skips it with one line', () => {
  const run = spawnSync(process.execPath, ['scripts/build-native.mjs'], {
    cwd: root, encoding: 'utf8', env: childEnv({ STRATA_DISABLE_NATIVE: '1' }),
  });
  assert.equal(run.status, 0);
  assert.equal(run.stdout, 'strata: native backend not built (STRATA_DISABLE_NATIVE=1); using the js backend\n');
});

test('the addon keeps freed tensor memory for reuse unless STRATA_MALLOC_TUNING=0', (t) => {
  if (skipReason) return t.skip(skipReason);
  if (process.env.STRATA_MALLOC_TUNING === '0') return t.skip('STRATA_MALLOC_TUNING=0 in this process');
  if (!process.report?.getReport || !(process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime) {
    return t.skip('not glibc: the thresholds are glibc settings');
  }
  assert.equal(addon!.mallocTuned(), true);
  const probeTuned = `
    const { loadAddon } = await import(${JSON.stringify(new URL('../src/kernels/native/addon.js', import.meta.url).href)});
    console.log(loadAddon().addon.mallocTuned());`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', probeTuned], {
    cwd: root, encoding: 'utf8', env: childEnv({ STRATA_MALLOC_TUNING: '0' }),
  });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), 'false');
});
