import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as st from '../src/index.js';
import '../src/kernels/native/register.js';
import { loadAddon, type NativeAddon } from '../src/kernels/native/addon.js';
import { createNativeBackend } from '../src/kernels/native/index.js';
import { jsBackend } from '../src/kernels/js/index.js';
import { Tensor } from '../src/tensor/tensor.js';
import { onNativePath } from './helpers.js';

const load = loadAddon();
const addon: NativeAddon | null = load.addon;
const skipReason = load.addon ? undefined : `native backend not built: ${load.reason}`;
const native = addon ? createNativeBackend(addon) : undefined;

// Odd sizes; a product of three 1s and 7s (≤ 512 multiply-adds) checks the js fallback instead.
const SIZES = [1, 7, 33, 257];

/** Seeded standard-normal float32 values. */
function randF32(shape: number[], seed: number): Tensor {
  return st.randomNormal(shape, { seed, dtype: 'float32' });
}

function toF64(t: Tensor): Tensor {
  return new Tensor(Float64Array.from(t.values), t.shape);
}

function absF64(t: Tensor): Tensor {
  return new Tensor(Float64Array.from(t.values, Math.abs), t.shape);
}

/**
 * Native float32 matmul against the js kernel in float64, within float32 rounding: each element may
 * differ by 1e-5 · Σ|a||b| (k·ε for k ≤ 257 is 1.5e-5; real errors grow like √k·ε).
 */
/** Products of at most this many multiply-adds run in js (src/kernels/native/matmul.ts). */
const MATMUL_TINY = 512;

function expectMatmulMatches(a: Tensor, b: Tensor, ta: boolean, tb: boolean, what: string): void {
  const k = ta ? a.shape[a.rank - 2] : a.shape[a.rank - 1];
  const outSize = jsBackend.matmul(a, b, ta, tb).size;
  // Above the threshold the GEMM must run (checked); below it, the js fallback must.
  const got = onNativePath(outSize * k > MATMUL_TINY, () => native!.matmul(a, b, ta, tb), what);
  const want = jsBackend.matmul(toF64(a), toF64(b), ta, tb);
  const scale = jsBackend.matmul(absF64(a), absF64(b), ta, tb);
  assert.equal(got.dtype, 'float32', `${what}: dtype`);
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  for (let i = 0; i < want.size; i++) {
    const tol = 1e-5 * scale.values[i] + 1e-6;
    if (!(Math.abs(got.values[i] - want.values[i]) <= tol)) {
      assert.fail(`${what}: element ${i} is ${got.values[i]}, expected ${want.values[i]} (tolerance ${tol})`);
    }
  }
}

function stored(batch: number[], rows: number, cols: number, t: boolean): number[] {
  return t ? [...batch, cols, rows] : [...batch, rows, cols];
}

/** Micro-kernels to exercise: every one this CPU runs (the AVX-512, AVX2 and portable paths). */
function isas(): string[] {
  const order = ['generic', 'avx2', 'avx512'];
  return order.slice(0, order.indexOf(addon!.getBestIsa()) + 1);
}

function withIsa(isa: string, body: () => void): void {
  const before = addon!.getIsa();
  assert.ok(addon!.setIsa(isa), `setIsa(${isa})`);
  try {
    body();
  } finally {
    addon!.setIsa(before);
  }
}

test('the native backend is registered and is the default when built', (t) => {
  if (skipReason) return t.skip(skipReason);
  assert.ok(st.listBackends().includes('native'));
  assert.equal(st.getBackend(), 'native');
  assert.ok(['avx512', 'avx2', 'generic'].includes(addon!.getIsa()));
  assert.ok(addon!.getThreads() >= 1);
});

test('native matmul matches js over odd shapes and all transposes, on every micro-kernel', (t) => {
  if (skipReason) return t.skip(skipReason);
  let seed = 1;
  for (const isa of isas()) {
    withIsa(isa, () => {
      for (const m of SIZES) for (const n of SIZES) for (const k of SIZES) {
        // The full cross on the best kernel; the others skip the slowest (all-257) shapes.
        if (isa !== addon!.getBestIsa() && m * n * k > 257 * 257 * 33) continue;
        for (const ta of [false, true]) for (const tb of [false, true]) {
          const a = randF32(stored([], m, k, ta), seed++), b = randF32(stored([], k, n, tb), seed++);
          expectMatmulMatches(a, b, ta, tb, `${isa} m=${m} n=${n} k=${k} ta=${ta} tb=${tb}`);
        }
      }
    });
  }
});

test('native matmul: shapes around the tile and block edges, one and all threads', (t) => {
  if (skipReason) return t.skip(skipReason);
  const shapes = [[12, 32, 384], [13, 33, 385], [11, 31, 383], [100, 300, 700], [600, 65, 129], [3, 500, 400], [400, 3, 500], [64, 64, 1]];
  const threads = addon!.getThreads();
  let seed = 1000;
  try {
    for (const nt of [1, Math.max(2, threads)]) {
      addon!.setThreads(nt);
      for (const [m, n, k] of shapes) {
        for (const ta of [false, true]) for (const tb of [false, true]) {
          const a = randF32(stored([], m, k, ta), seed++), b = randF32(stored([], k, n, tb), seed++);
          expectMatmulMatches(a, b, ta, tb, `threads=${nt} m=${m} n=${n} k=${k} ta=${ta} tb=${tb}`);
        }
      }
    }
  } finally {
    addon!.setThreads(0);
  }
});

test('native matmul broadcasts batch dims, with and without transposes', (t) => {
  if (skipReason) return t.skip(skipReason);
  const cases: [number[], number[], number, number, number][] = [
    [[2, 3], [2, 3], 5, 6, 7],
    [[4, 1, 3], [1, 5, 1], 7, 3, 2],
    [[5], [], 33, 17, 9],        // shared b: one tall product
    [[], [6], 9, 17, 33],        // shared a
    [[2, 1], [1, 3], 70, 80, 90], // large products, threaded one by one
    [[64], [64], 33, 33, 33],     // many small products, spread across threads whole
    [[3], [1], 1, 1, 1],
  ];
  let seed = 2000;
  for (const [ba, bb, m, n, k] of cases) {
    for (const ta of [false, true]) for (const tb of [false, true]) {
      const a = randF32(stored(ba, m, k, ta), seed++), b = randF32(stored(bb, k, n, tb), seed++);
      expectMatmulMatches(a, b, ta, tb, `batch ${JSON.stringify(ba)}×${JSON.stringify(bb)} m=${m} n=${n} k=${k} ta=${ta} tb=${tb}`);
    }
  }
});

test('native matmul hands float64, int32 and mixed dtypes to the js kernel', (t) => {
  if (skipReason) return t.skip(skipReason);
  const a64 = st.randomNormal([3, 4], { seed: 1, dtype: 'float64' }), b64 = st.randomNormal([4, 5], { seed: 2, dtype: 'float64' });
  const y64 = native!.matmul(a64, b64, false, false);
  assert.equal(y64.dtype, 'float64');
  assert.deepEqual(Array.from(y64.values), Array.from(jsBackend.matmul(a64, b64, false, false).values));
  const ai = st.tensor([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), bi = st.tensor([1, 0, -1, 2, 3, 1], [3, 2], 'int32');
  const yi = native!.matmul(ai, bi, false, false);
  assert.equal(yi.dtype, 'int32');
  assert.deepEqual(Array.from(yi.values), [8, 7, 17, 16]);
  const mixed = native!.matmul(ai, st.tensor([1, 2, 3, 4, 5, 6], [3, 2]), false, false);
  assert.equal(mixed.dtype, 'float32');
  assert.deepEqual(Array.from(mixed.values), [22, 28, 49, 64]);
});

test('native matmul: empty products and shape errors', (t) => {
  if (skipReason) return t.skip(skipReason);
  assert.deepEqual(native!.matmul(randF32([0, 3], 1), randF32([3, 4], 2), false, false).shape, [0, 4]);
  const zeroK = native!.matmul(randF32([2, 0], 1), randF32([0, 3], 2), false, false);
  assert.deepEqual(Array.from(zeroK.values), [0, 0, 0, 0, 0, 0]);
  assert.throws(() => native!.matmul(randF32([2, 3], 1), randF32([4, 5], 2), false, false), /inner dimensions differ/);
});

test('addon gemm: strided views, offsets, accumulate, and bounds checks', (t) => {
  if (skipReason) return t.skip(skipReason);
  const m = 5, n = 37, k = 19, lda = 23, ldb = 41, ldc = 40;
  // Arrays exactly as long as the views need, so one element more is out of bounds.
  const a = randF32([4 + (m - 1) * lda + k], 1).values as Float32Array;
  const b = randF32([3 + (k - 1) * ldb + n], 2).values as Float32Array;
  const c = randF32([2 + (m - 1) * ldc + n], 3).values as Float32Array;
  const before = c.slice();
  addon!.gemm(m, n, k, a, 4, lda, 1, b, 3, ldb, 1, c, 2, ldc, true);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < ldc; j++) {
      const idx = 2 + i * ldc + j;
      if (idx >= c.length) break;
      if (j >= n) {
        assert.equal(c[idx], before[idx], `column ${j} beyond n must be left alone`);
        continue;
      }
      let s = before[idx];
      for (let p = 0; p < k; p++) s += a[4 + i * lda + p] * b[3 + p * ldb + j];
      assert.ok(Math.abs(c[idx] - s) < 1e-4, `C[${i}, ${j}] = ${c[idx]}, expected ${s}`);
    }
  }
  assert.equal(c[0], before[0]);
  assert.throws(() => addon!.gemm(m, n, k, a, 5, lda, 1, b, 3, ldb, 1, c, 2, ldc, false), RangeError);
  assert.throws(() => addon!.gemm(m, n, k, a, 4, lda, 1, b, 3, ldb, 1, c, 2, ldc + 1, false), RangeError);
  assert.throws(() => addon!.gemm(1, 1, 1, new Float64Array(1) as unknown as Float32Array, 0, 1, 1, b, 0, 1, 1, c, 0, 1, false), RangeError);
});

test('ops and autograd run on the native backend', (t) => {
  if (skipReason) return t.skip(skipReason);
  st.setBackend('native');
  const w = st.variable(st.randomNormal([8, 3], { seed: 3 }));
  const x = st.randomNormal([5, 8], { seed: 4 });
  const { value, grads } = st.valueAndGrads(() => st.sum(st.matmul(x, w)), [w]);
  st.setBackend('js');
  const ref = st.valueAndGrads(() => st.sum(st.matmul(x, w)), [w]);
  st.setBackend('native');
  assert.ok(Math.abs((value.values[0] as number) - (ref.value.values[0] as number)) < 1e-4);
  const g = grads[0].values, gr = ref.grads[0].values;
  for (let i = 0; i < g.length; i++) assert.ok(Math.abs(g[i] - gr[i]) < 1e-4);
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

test('native adamUpdate matches the js rule to float32 rounding (with and without AMSGrad and decay) and refuses bad lengths', (t) => {
  if (skipReason) return t.skip(skipReason);
  const n = 1000;
  const rand = (seed: number, positive = false) => {
    const v = randF32([n], seed).values as Float32Array;
    return positive ? v.map(Math.abs) : v;
  };
  for (const amsgrad of [false, true]) {
    for (const decay of [0, 0.004]) {
      const p = rand(1), g = rand(2), m = rand(3), v = rand(4, true), vHat = amsgrad ? rand(5, true) : null;
      const outs = () => [new Float32Array(n), new Float32Array(n), new Float32Array(n), amsgrad ? new Float32Array(n) : null] as const;
      const a = outs(), b = outs();
      native!.adamUpdate(p, g, m, v, vHat, 1e-3, 0.9, 0.999, 1e-7, decay, a[0], a[1], a[2], a[3]);
      jsBackend.adamUpdate(p, g, m, v, vHat, 1e-3, 0.9, 0.999, 1e-7, decay, b[0], b[1], b[2], b[3]);
      for (let k = 0; k < 4; k++) {
        const x = a[k], y = b[k];
        if (!x || !y) continue;
        for (let i = 0; i < n; i++) {
          if (!(Math.abs(x[i] - y[i]) <= 2e-6 * (1 + Math.abs(y[i])))) {
            assert.fail(`amsgrad=${amsgrad} decay=${decay} output ${k} element ${i}: ${x[i]} vs ${y[i]}`);
          }
        }
      }
    }
  }
  const f = () => new Float32Array(n);
  const raw = addon as unknown as { adamUpdate: (...args: unknown[]) => void };
  assert.throws(() => raw.adamUpdate(f(), f(), f(), new Float32Array(n - 1), null, 1, 0.9, 0.999, 1e-7, 0, f(), f(), f(), null), /parameter's length/);
  assert.throws(() => raw.adamUpdate(f(), f(), f(), f(), null, 1, 0.9, 0.999, 1e-7, 0, f(), f(), f(), f()), /go together/);
});
