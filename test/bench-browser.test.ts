// Keeps `npm run bench:browser` from rotting: the driver (bench/browser-bench.ts) runs a smoke pass
// (one warm-up and one timed step per cell) of three items in real Chromium and writes its report;
// the test reads it. No timing is asserted: only that the page ran every cell — Strata's with finite
// positive rates, TensorFlow.js's either measured or refused with the kernel it lacks named. Skipped
// with one line where Chromium, playwright-core or the browser bundle is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, chromiumMissing } from './browser-server.js';
import { threadShortfall } from '../bench/workloads/threads.js';

const missing = chromiumMissing() ?? (process.env.STRATA_DISABLE_NATIVE === '1' ? 'the page runs the wasm backend either way; it runs in the default pass' : null)
  ?? (existsSync(join(ROOT, 'dist', 'strata.browser.js')) ? null : 'dist/strata.browser.js is not built (npm run build)');
if (missing) console.log(`# bench:browser smoke test skipped: ${missing}`);

interface MeasuredOrNot { value?: number; error?: string }

test('bench:browser --smoke runs W1, W2 and W4 in Chromium: Strata wasm measured, TensorFlow.js measured or its missing kernel named', { skip: missing !== null, timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-bench-browser-'));
  try {
    const out = join(dir, 'browser.json');
    const script = fileURLToPath(new URL('../bench/browser-bench.js', import.meta.url));
    // deconv-train: TensorFlow.js's wasm backend has no Conv2DBackpropFilter, so one cell is refused.
    const run = spawnSync(process.execPath, [script, '--smoke', '--only', 'gemm-256,mlp-train,deconv-train', '--no-node', '--out', out], { encoding: 'utf8' });
    assert.equal(run.status, 0, `the driver failed:\n${run.stderr.slice(-2000)}`);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(report.browser.crossOriginIsolated, true);
    assert.equal(report.browser.strata.backend, 'wasm');
    assert.match(report.browser.tfjsWasmFile, /^tfjs-backend-wasm(-threaded)?(-simd)?\.wasm$/);
    assert.deepEqual(report.rows.map((r: { id: string }) => r.id), ['gemm-256', 'mlp-train', 'deconv-train']);
    const twoThreads = report.browser.strata.threads >= 2;
    for (const row of report.rows as Array<{ id: string; browser: Record<string, MeasuredOrNot> }>) {
      const c = row.browser;
      assert.ok(Number.isFinite(c['strata-wasm-1T'].value) && c['strata-wasm-1T'].value! > 0, `${row.id} strata-wasm-1T: ${JSON.stringify(c['strata-wasm-1T'])}`);
      if (twoThreads) assert.ok(Number.isFinite(c['strata-wasm-2T'].value) && c['strata-wasm-2T'].value! > 0, `${row.id} strata-wasm-2T: ${JSON.stringify(c['strata-wasm-2T'])}`);
      else assert.equal(c['strata-wasm-2T'].error, threadShortfall(report.browser.strata.threads, 2));
      for (const impl of ['tfjs-wasm', 'tfjs-cpu']) {
        const cell = c[impl];
        const ok = (Number.isFinite(cell.value) && cell.value! > 0) || /missing kernel [A-Z]\w+/.test(cell.error ?? '');
        assert.ok(ok, `${row.id} ${impl}: neither a rate nor a named missing kernel: ${JSON.stringify(cell)}`);
      }
    }
    const md = readFileSync(join(dir, 'browser.md'), 'utf8');
    assert.match(md, /\| W1 \| matmul 256 GFLOPS \|/);
    assert.match(md, /smoke test, not a measurement/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
