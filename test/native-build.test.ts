// CI requires the native addon (STRATA_REQUIRE_NATIVE=1 in .ci/run): a build that fails on a machine
// with a compiler must fail CI loudly, while a user's `npm install` still falls back to js quietly.
// The build runs in a temporary copy of the package (scripts/ + native/ without its build), with the
// compiler replaced by `false`, so the real addon is never touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** A throwaway package root holding the build and test scripts and the native sources. */
function packageCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'strata-native-build-'));
  mkdirSync(join(dir, 'scripts'));
  for (const f of ['build-native.mjs', 'run-tests.mjs']) cpSync(join(root, 'scripts', f), join(dir, 'scripts', f));
  mkdirSync(join(dir, 'native'));
  cpSync(join(root, 'native', 'binding.gyp'), join(dir, 'native', 'binding.gyp'));
  cpSync(join(root, 'native', 'src'), join(dir, 'native', 'src'), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['STRATA_REQUIRE_NATIVE', 'STRATA_DISABLE_NATIVE', 'NODE_TEST_CONTEXT']) delete e[k];
  return { ...e, ...extra };
}

/** Runs the copy's build-native.mjs with a compiler that always fails. */
function buildWithBrokenCompiler(dir: string, extra: Record<string, string>, args: string[] = []) {
  return spawnSync(process.execPath, [join(dir, 'scripts', 'build-native.mjs'), ...args], {
    cwd: dir, encoding: 'utf8', env: env({ CXX: 'false', CC: 'false', ...extra }), timeout: 120_000,
  });
}

test('a failed native build falls back quietly for users, and fails loudly with STRATA_REQUIRE_NATIVE=1 or --require', () => {
  const dir = packageCopy();
  try {
    const user = buildWithBrokenCompiler(dir, {});
    assert.equal(user.status, 0, `a user's install must not fail: ${user.stderr}`);
    assert.match(user.stdout, /^strata: native backend not built \(.*\); using the js backend\n$/);

    const ci = buildWithBrokenCompiler(dir, { STRATA_REQUIRE_NATIVE: '1' });
    assert.equal(ci.status, 1, `CI must fail when the addon does not build: ${ci.stdout}`);
    assert.match(ci.stderr, /strata: native backend build FAILED \(.*\); STRATA_REQUIRE_NATIVE=1 requires it/);

    const flag = buildWithBrokenCompiler(dir, {}, ['--require']);
    assert.equal(flag.status, 1);
    assert.match(flag.stderr, /native backend build FAILED/);

    // Disabling the addon while requiring it is a contradiction, not a quiet skip.
    const disabled = buildWithBrokenCompiler(dir, { STRATA_REQUIRE_NATIVE: '1', STRATA_DISABLE_NATIVE: '1' });
    assert.equal(disabled.status, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the test runner refuses to run without the addon when STRATA_REQUIRE_NATIVE=1', () => {
  const dir = packageCopy();
  try {
    const run = spawnSync(process.execPath, [join(dir, 'scripts', 'run-tests.mjs'), 'no-such-test-file.js'], {
      cwd: dir, encoding: 'utf8', env: env({ STRATA_REQUIRE_NATIVE: '1' }), timeout: 60_000,
    });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /STRATA_REQUIRE_NATIVE=1 but the native addon is missing/);
    assert.doesNotMatch(run.stdout, /strata tests on the/, 'no test pass may start');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
