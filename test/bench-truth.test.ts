/**
 * The bench's honesty checks (issue 13): PyTorch's child environment, the refusal of ratios against
 * a PyTorch that is not on AVX-512 OpenBLAS, the FMA-peak micro-benchmark and the peak-memory pass.
 * The probes against the real /usr/bin/python3 torch run only where it is installed.
 */
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { GLIBC_TUNABLES, PYTHON, blasVerdict, probeTorch, setUpsFor, torchEnv, type TorchProbe } from '../bench/peers/torch.js';
import { measureFmaPeak } from '../bench/fma-peak.js';
import { statusKb, type PeakMemory } from '../bench/peak-memory.js';
import { formatMemory, type Row } from '../bench/report.js';
import { runCell } from '../bench/run-cell.js';
import { chartSvg, svgToPng, type Panel } from '../bench/chart-svg.js';
import { selectItems, withShape } from '../bench/workloads/catalog.js';

const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
// Debian's reference BLAS: put first on the library path, torch's libblas.so.3 resolves to it.
const REFERENCE_BLAS = '/usr/lib/x86_64-linux-gnu/blas';

test('PyTorch child environment: OpenBLAS core overrides removed, malloc thresholds raised, the parent untouched', () => {
  const parent = { PATH: '/bin', OPENBLAS_CORETYPE: 'Haswell', OPENBLAS_L2_SIZE: '1048576', HOME: '/root' };
  const env = torchEnv(parent);
  assert.equal(env.OPENBLAS_CORETYPE, undefined);
  assert.equal(env.OPENBLAS_L2_SIZE, undefined);
  assert.equal(env.GLIBC_TUNABLES, 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456');
  assert.equal(env.GLIBC_TUNABLES, GLIBC_TUNABLES);
  assert.equal(env.PATH, '/bin');
  assert.equal(parent.OPENBLAS_CORETYPE, 'Haswell', 'only the child environment changes');
  assert.deepEqual(setUpsFor(2), [{ torch: 1, blas: 1 }, { torch: 2, blas: 1 }, { torch: 2, blas: 2 }]);
  assert.deepEqual(setUpsFor(1), [{ torch: 1, blas: 1 }]);
});

const goodProbe: TorchProbe = {
  torch: '1.13', blas_libraries: [], gemm_library: '/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3', openblas: true,
  openblas_corename: 'SkylakeX', openblas_config: 'OpenBLAS 0.3.21', torch_blas_info: 'generic', cpu_avx512f: true,
  gemm: { n: 512, threads: 1, gflops: 120, reps: [120] }, env: { OPENBLAS_CORETYPE: null },
};

test('blasVerdict: OpenBLAS on AVX-512 passes; the reference BLAS, a slow GEMM or AVX2 kernels are refused', () => {
  assert.ok(blasVerdict(goodProbe, 200).ok);
  const reference = blasVerdict({ ...goodProbe, gemm_library: '/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0' }, 200);
  assert.ok(!reference.ok && /does not run on OpenBLAS/.test(reference.reason), JSON.stringify(reference));
  const none = blasVerdict({ ...goodProbe, gemm_library: null }, 200);
  assert.ok(!none.ok);
  const slow = blasVerdict({ ...goodProbe, gemm: { ...goodProbe.gemm, gflops: 3 } }, 200);
  assert.ok(!slow.ok && /3\.0 GFLOPS per CPU second, below the 20/.test(slow.reason), JSON.stringify(slow));
  // On a busy machine the wall-clock rate sinks, the rate per CPU second does not.
  assert.ok(blasVerdict({ ...goodProbe, gemm: { ...goodProbe.gemm, gflops: 12, gflops_per_cpu_second: 110 } }, 200).ok);
  assert.ok(!blasVerdict({ ...goodProbe, gemm: { ...goodProbe.gemm, gflops: 30, gflops_per_cpu_second: 4 } }, 200).ok);
  assert.ok(!blasVerdict({ ...goodProbe, gemm: { ...goodProbe.gemm, gflops: 8 } }, null).ok, 'without a peak: 10 GFLOPS floor');
  const haswell = blasVerdict({ ...goodProbe, openblas_corename: 'Haswell', env: { OPENBLAS_CORETYPE: 'Haswell' } }, 200);
  assert.ok(!haswell.ok && /Haswell kernels on an AVX-512 CPU/.test(haswell.reason));
  assert.ok(blasVerdict({ ...goodProbe, openblas_corename: 'Haswell', cpu_avx512f: false }, 200).ok, 'Haswell is the best an AVX2 CPU has');
  const prescott = blasVerdict({ ...goodProbe, openblas_corename: 'Prescott' }, 200);
  assert.ok(!prescott.ok && /Prescott kernels on an AVX-512 CPU/.test(prescott.reason), 'auto-detection fell back: refused');
  const fixed = blasVerdict({ ...goodProbe, openblas_autodetected: 'Prescott', env: { OPENBLAS_CORETYPE: 'SkylakeX' } }, 200);
  assert.ok(fixed.ok && /OPENBLAS_CORETYPE=SkylakeX: OpenBLAS detected this CPU as Prescott/.test(fixed.summary), JSON.stringify(fixed));
});

test('probeTorch: the harness environment gets AVX-512 OpenBLAS even when the shell forces Haswell', { skip: !hasTorch && 'no torch in /usr/bin/python3' }, () => {
  const p = probeTorch(torchEnv({ ...process.env, OPENBLAS_CORETYPE: 'Haswell' }));
  assert.ok(!('error' in p), JSON.stringify(p));
  assert.match(p.gemm_library ?? '', /openblas/);
  // Unset, unless OpenBLAS does not know this CPU: then the script sets SkylakeX and says what it detected.
  assert.equal(p.env.OPENBLAS_CORETYPE, p.openblas_autodetected ? 'SkylakeX' : null);
  if (p.openblas_autodetected) assert.notEqual(p.openblas_autodetected, 'SkylakeX');
  assert.equal(p.env.GLIBC_TUNABLES, GLIBC_TUNABLES);
  if (p.cpu_avx512f) assert.equal(p.openblas_corename, 'SkylakeX');
  assert.ok(blasVerdict(p, null).ok, JSON.stringify(blasVerdict(p, null)));
  // bench_torch.py run alone drops the override too (it re-executes itself without it) ...
  const alone = probeTorch({ ...process.env, OPENBLAS_CORETYPE: 'Haswell' });
  assert.ok(!('error' in alone));
  if (alone.cpu_avx512f) assert.equal(alone.openblas_corename, 'SkylakeX');
  assert.equal(alone.env.GLIBC_TUNABLES, GLIBC_TUNABLES);
  // ... and with it kept (--as-is), the verdict shows why it must go.
  const forced = probeTorch({ ...process.env, OPENBLAS_CORETYPE: 'Haswell' }, true);
  assert.ok(!('error' in forced));
  assert.equal(forced.openblas_corename, 'Haswell');
  if (forced.cpu_avx512f) assert.ok(!blasVerdict(forced, null).ok);
});

test('probeTorch: a torch on the reference BLAS is refused', { skip: (!hasTorch || !existsSync(REFERENCE_BLAS)) && 'needs torch and libblas3' }, () => {
  const p = probeTorch({ ...torchEnv(), LD_LIBRARY_PATH: REFERENCE_BLAS });
  assert.ok(!('error' in p), JSON.stringify(p));
  // OpenBLAS is still mapped (Debian's liblapack pulls it in), but torch's GEMM is not on it.
  assert.ok(p.blas_libraries.some((l) => /openblas/.test(l)), JSON.stringify(p.blas_libraries));
  assert.match(p.gemm_library ?? '', /\/blas\/libblas/);
  assert.ok(p.gemm.gflops < 10, `reference BLAS GEMM ${p.gemm.gflops} GFLOPS`);
  const v = blasVerdict(p, null);
  assert.ok(!v.ok && /does not run on OpenBLAS/.test(v.reason), JSON.stringify(v));
});

test('FMA peak: compiled at bench time, a positive rate per thread count', () => {
  const f = measureFmaPeak(0.02, 2);
  if (!f.ok) {
    assert.match(f.reason, /compile|AVX/);
    return;
  }
  assert.ok(['avx512', 'avx2'].includes(f.isa));
  assert.equal(f.gflops.length, 2);
  assert.ok(f.gflops.every((g) => g > 1), JSON.stringify(f));
  assert.ok(f.busy.every((b) => b > 0 && b <= 1.05), JSON.stringify(f));
});

test('peak memory of a step: the high-water mark sees a transient buffer freed within the step', async () => {
  if (statusKb('VmRSS') === null) return; // not Linux
  // In a child with --expose-gc, so the step can really free its 64 MB before it ends: gone from RSS
  // after the step, but not from its peak.
  const script = `
    import { memoryPass, statusKb } from ${JSON.stringify(fileURLToPath(new URL('../bench/peak-memory.js', import.meta.url)))};
    const runtime = statusKb('VmRSS');
    const big = await memoryPass(() => { let a = new Float64Array(8 * 1024 * 1024).fill(1); a = null; globalThis.gc(); }, 1, runtime);
    console.log(JSON.stringify({ big, after: statusKb('VmRSS') / 1024 }));`;
  const run = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const { big, after } = JSON.parse(run.stdout) as { big: PeakMemory; after: number };
  if (big.method.startsWith('VmHWM')) {
    assert.ok(big.peakRssMB! - big.rssBeforeMB! >= 50, JSON.stringify(big));
    assert.ok(big.workloadPeakMB! >= 50, JSON.stringify(big));
    assert.ok(big.peakRssMB! - after >= 50, `freed after the step: peak ${big.peakRssMB} MB, after ${after} MB`);
  }
  assert.ok(big.v8HeapPlusExternalMB! > 0);
  const item = selectItems(['cnn-train'])[0];
  const row: Row = { item, threads: 2, cells: {
    'strata-native': { ok: true, m: { value: 1, reps: [1], stepsPerRep: [1], cpuPerWall: 1, otherProcsCores: 0, memory: { ...big, workloadPeakMB: 30, peakRssMB: 120 } } },
    torch: { ok: true, m: { value: 1, reps: [1], stepsPerRep: [1], cpuPerWall: 1, otherProcsCores: 0, memory: { ...big, workloadPeakMB: 60, peakRssMB: 300 } } },
  } };
  assert.match(formatMemory([row]), /CNN train\s+30\.0 \(120\)\s+60\.0 \(300\)\s+0\.50/);
});

test('withShape: scaling points change batch and sequence, and the work per step follows the batch', () => {
  const lstm = withShape(selectItems(['lstm-train'])[0], { sequence: 1000 });
  assert.deepEqual(lstm.kind, { type: 'train', model: 'lstm', batch: 32, sequence: 1000 });
  const cnn = withShape(selectItems(['cnn-train'])[0], { batch: 512 });
  assert.equal(cnn.work, 512);
  assert.throws(() => withShape(selectItems(['gemm-256'])[0], { batch: 2 }), /training item/);
});

test('a cell with --batch / --seq times the reshaped item and measures its peak memory', async () => {
  const lstm = await runCell('strata-js', selectItems(['lstm-train'])[0], 1, true, { batch: 2, sequence: 5 });
  assert.ok(lstm.ok, JSON.stringify(lstm));
  assert.ok(lstm.m.value > 0);
  assert.ok(lstm.m.memory && lstm.m.memory.steps >= 1 && lstm.m.memory.peakRssMB! > 0, JSON.stringify(lstm.m.memory));
  const bad = await runCell('strata-js', selectItems(['mlp-train'])[0], 1, true, { batch: 0.5 as number });
  assert.ok(!bad.ok && /whole number/.test(bad.reason), JSON.stringify(bad));
});

test('scaling chart: log–log panels as SVG, rendered to a PNG file', async () => {
  const panels: Panel[] = [{
    title: 'W3', xLabel: 'batch size', yLabel: 'ms per step',
    series: [
      { name: 'Strata', color: '#1f77b4', dash: '', points: [[1, 2], [8, 5], [512, 300]] },
      { name: 'PyTorch', color: '#ff7f0e', dash: '6,4', points: [[1, 3], [8, null], [512, 250]] },
    ],
  }];
  const svg = chartSvg('t', panels, 1, 'note');
  assert.equal((svg.match(/<polyline/g) ?? []).length, 2);
  assert.equal((svg.match(/<circle/g) ?? []).length, 5, 'a null point is left out');
  assert.match(svg, />512</);
  const path = join(mkdtempSync(join(tmpdir(), 'strata-chart-')), 'c.png');
  await svgToPng(svg, path);
  assert.deepEqual([...readFileSync(path).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
});
