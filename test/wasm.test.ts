import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as st from '../src/index.js';
import '../src/kernels/native/register.js';
import { poisonWasmScratch } from '../src/kernels/wasm/transport.js';
import { defaultWasmThreads, loadWasmNode } from '../src/kernels/wasm/load-node.js';
import { loadWasmAddon, wasmWorkersOf } from '../src/kernels/wasm/index.js';

// The wasm backend (the C++ kernels of the native backend compiled to wasm32 SIMD128, driven by the
// native glue over a copying transport) against the js reference: one parity harness over every
// compiled backend on shapes above every size threshold, counting the compiled kernel calls it made,
// plus the check that the committed wasm/strata.wasm was built from the current sources. Node runs the
// threaded build (wasm/strata-threads.wasm: shared memory, worker_threads); `npm test` runs this file
// with STRATA_NUM_THREADS=2, so the harness checks that workers ran part of its kernels.

const root = fileURLToPath(new URL('../../', import.meta.url));
const wasm = loadWasmNode();
const compiled = (): string[] => st.listBackends().filter((b) => b !== 'js');

test('the committed wasm/strata.wasm was built from the current C++ sources (npm run build:wasm)', () => {
  const run = spawnSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { cwd: root, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
});

test('the threaded wasm module loads in Node, registers as \'wasm\', and runs the SIMD128 GEMM on the native default thread count', (t) => {
  if (!wasm.addon) return t.skip(wasm.reason);
  assert.ok(st.listBackends().includes('wasm'));
  assert.match('path' in wasm ? wasm.path : '', /strata-threads\.wasm$/);
  assert.equal(wasm.addon.getIsa(), 'simd128');
  // STRATA_NUM_THREADS, else every core (as the native addon counts them).
  assert.equal(wasm.addon.getThreads(), defaultWasmThreads());
  // The x86 micro-kernels are not compiled in; the portable one is.
  assert.equal(wasm.addon.setIsa('avx2'), false);
  assert.equal(wasm.addon.setIsa('generic'), true);
  assert.equal(wasm.addon.setIsa('simd128'), true);
  assert.equal(wasm.addon.getIsa(), 'simd128');
  // The bindings' argument checks run inside the module too, and surface as RangeErrors.
  const a = new Float32Array(6), c = new Float32Array(4);
  assert.throws(() => wasm.addon!.gemm(2, 2, 3, a, 1, 3, 1, a, 0, 2, 1, c, 0, 2, false), /strata wasm gemm: a matrix lies outside its array/);
});

const rnd = (shape: number[], seed: number): st.Tensor => st.randomNormal(shape, { seed });

/** Every output of `body` (forward values and gradients), as arrays. */
type Case = { name: string; body: () => st.Tensor[] };

const CASES: Case[] = [
  {
    name: 'matmul: batched and broadcast, every transpose, with gradients',
    body: () => {
      const a = rnd([3, 40, 50], 1), b = rnd([3, 50, 30], 2), b2 = rnd([30, 50], 3);
      const { value, grads } = st.valueAndGrads(() => st.sum(st.mul(st.matmul(a, b), st.matmul(a, b2, false, true))), [a, b, b2]);
      return [value, ...grads, st.matmul(b, a, true, true)];
    },
  },
  {
    name: 'conv2d + bias + relu, max pooling, depthwise conv, average pooling, transposed conv, dense softmax: values and gradients',
    body: () => {
      st.setSeed(11);
      const model = st.sequential({
        layers: [
          st.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', inputShape: [14, 14, 3] }),
          st.layers.maxPooling2d({ poolSize: 2 }),
          st.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'elu' }),
          st.layers.averagePooling2d({ poolSize: 2 }),
          st.layers.conv2dTranspose({ filters: 8, kernelSize: 3, strides: 2, activation: 'sigmoid' }),
          st.layers.flatten(),
          st.layers.dense({ units: 10, activation: 'softmax' }),
        ],
      });
      const x = rnd([4, 14, 14, 3], 5);
      const { value, grads } = st.valueAndGrads(() => st.sum(st.mul(model.apply(x) as st.Tensor, rnd([4, 10], 6))),
        model.trainableWeights);
      return [value, ...grads];
    },
  },
  {
    name: 'elementwise, broadcast, softmax, log-softmax, reductions and argMax',
    body: () => {
      const x = rnd([8, 33, 17], 7), y = rnd([33, 1], 8);
      const z = st.add(st.mul(st.exp(st.tanh(x)), y), st.sigmoid(x));
      return [z, st.softmax(x, 1), st.logSoftmax(x, -1), st.sum(z, [0, 2]), st.max(x, 1), st.mean(z, [1], true),
        st.argMax(x, 2), st.sub(st.relu(x), st.square(y))];
    },
  },
  {
    name: 'embedding gather and its scatter-add gradient',
    body: () => {
      const table = rnd([300, 24], 9);
      const ids = st.tensor(Int32Array.from({ length: 512 }, (_, i) => (i * 37) % 300), [512], 'int32');
      const { value, grads } = st.valueAndGrads(() => st.sum(st.mul(st.gather(table, ids), rnd([512, 24], 10))), [table]);
      return [value, ...grads];
    },
  },
  {
    name: 'plain conv2d and max / average pooling outside autograd (inference kernels)',
    body: () => {
      const x = rnd([3, 17, 15, 6], 18), w = rnd([3, 3, 6, 12], 19);
      const y = st.noGrad(() => st.conv2d(x, w, 2, 'same'));
      return [y, st.noGrad(() => st.maxPool(x, 3, 2, 'same')), st.noGrad(() => st.avgPool(y, 2, 1, 'valid'))];
    },
  },
  {
    name: 'LSTM, GRU and SimpleRNN sequences (fused forward and BPTT)',
    body: () => {
      st.setSeed(12);
      const layers = [st.layers.lstm({ units: 20, returnSequences: true }), st.layers.gru({ units: 18, returnSequences: true }),
        st.layers.simpleRNN({ units: 16 })];
      const x = rnd([6, 9, 12], 13);
      const { value, grads } = st.valueAndGrads(() => {
        let h = x;
        for (const l of layers) h = l.apply(h) as st.Tensor;
        return st.sum(st.mul(h, rnd([6, 16], 14)));
      }, [x]);
      return [value, ...grads, ...layers.flatMap((l) => l.trainableWeights.map((w) => w.read()))];
    },
  },
  {
    name: 'a training step with Adam (the fused update)',
    body: () => {
      st.setSeed(15);
      const model = st.sequential({ layers: [st.layers.dense({ units: 64, activation: 'tanh', inputShape: [40] }), st.layers.dense({ units: 3 })] });
      model.compile({ optimizer: st.optimizers.adam({ learningRate: 0.01 }), loss: 'meanSquaredError' });
      const x = rnd([32, 40], 16), y = rnd([32, 3], 17);
      model.trainOnBatch(x, y);
      model.trainOnBatch(x, y);
      return [model.predict(x) as st.Tensor, ...model.trainableWeights.map((w) => w.read())];
    },
  },
  {
    // Shapes above the thread pool's split thresholds too (GEMM 2^22 multiply-adds, pooling 2^17
    // outputs, elementwise ~10^6 ns of work), so a threaded backend runs them on several threads.
    name: 'large enough to split over threads: matmul, conv2d with gradients, max pooling, elementwise, softmax',
    body: () => {
      const a = rnd([170, 170], 23), b = rnd([170, 170], 24), x = rnd([2, 24, 24, 16], 25), w = rnd([3, 3, 16, 32], 26);
      const { value, grads } = st.valueAndGrads(() => st.sum(st.mul(st.conv2d(x, w, 1, 'same'), rnd([2, 24, 24, 32], 27))), [x, w]);
      const big = rnd([256, 1024], 28);
      return [st.matmul(a, b), value, ...grads, st.maxPool(rnd([2, 48, 48, 32], 29), 2, 1, 'same'),
        st.tanh(st.exp(st.mul(big, 0.1))), st.softmax(big, -1)];
    },
  },
];

/** The kernels the cases above must have run in compiled code on every compiled backend. */
// (unsortedSegmentSum is the gather's gradient: segmentSumRows in the C++.)
const REQUIRED = [
  'matmul', 'conv3dBiasActivation', 'conv3dBackpropInput', 'conv3dBackpropFilter', 'depthwiseConv3d',
  'depthwiseConv3dBackpropInput', 'depthwiseConv3dBackpropFilter', 'maxPool3dWithArgmax', 'avgPool3d', 'avgPool3dBackward',
  'scatterAddFlat', 'unary', 'binary', 'softmax', 'logSoftmax', 'biasActivation', 'biasActivationGrad', 'reduce', 'argReduce',
  'gather', 'unsortedSegmentSum', 'rnnSequence', 'rnnSequenceBackward', 'adamUpdate', 'conv3d', 'maxPool3d',
];

function values(ts: st.Tensor[]): Float64Array[] {
  return ts.map((t) => Float64Array.from(t.dataSync() as ArrayLike<number>));
}

function compare(got: Float64Array[], ref: Float64Array[], what: string): void {
  assert.equal(got.length, ref.length, `${what}: output count`);
  got.forEach((g, i) => {
    const r = ref[i];
    assert.equal(g.length, r.length, `${what}: output ${i} size`);
    let scale = 1e-3;
    for (const v of r) scale = Math.max(scale, Math.abs(v));
    for (let j = 0; j < r.length; j++) {
      // float32 kernels summing in another order: agreement to a few float32 ulps of the output's scale.
      if (!(Math.abs(g[j] - r[j]) <= 2e-4 * scale)) {
        assert.fail(`${what}: output ${i}[${j}] = ${g[j]}, js gives ${r[j]} (scale ${scale})`);
      }
    }
  });
}

test('parity: every compiled backend matches js on every kernel above its size threshold, and ran its compiled code', async (t) => {
  const backends = compiled();
  if (!backends.includes('wasm')) t.diagnostic(`wasm backend not loaded: ${'reason' in wasm ? wasm.reason : ''}`);
  const before = st.getBackend();
  // With several threads, the wasm workers must run part of the kernels' tasks.
  const workers = wasm.addon ? wasmWorkersOf(wasm.addon) : undefined;
  const threads = wasm.addon?.getThreads() ?? 1;
  if (workers && threads > 1) {
    workers.ensure(threads - 1);
    await workers.whenRunning(threads - 1);
  }
  const workerTasks = workers?.tasksRun() ?? 0;
  // Wasm scratch memory filled with NaN before each call: an output the transport skips copying in
  // (write-only) that a kernel reads after all would poison the result.
  poisonWasmScratch(true);
  try {
    for (const c of CASES) {
      st.setBackend('js');
      const ref = values(c.body());
      for (const b of backends) {
        st.setBackend(b);
        compare(values(c.body()), ref, `[${b}] ${c.name}`);
      }
    }
    for (const b of backends) {
      st.testing.resetKernelCalls();
      st.setBackend(b);
      for (const c of CASES) c.body();
      const counts = st.testing.kernelCalls(b).byKernel;
      const missing = REQUIRED.filter((k) => !(counts[k]?.native > 0));
      assert.deepEqual(missing, [], `[${b}] kernels that never ran compiled code: ${missing.join(', ')} (${JSON.stringify(counts)})`);
    }
    if (workers && threads > 1) {
      const ran = workers.tasksRun() - workerTasks;
      t.diagnostic(`wasm at ${threads} threads: its ${workers.running()} workers ran ${ran} pool tasks`);
      assert.ok(ran > 0, `wasm at ${threads} threads: the workers ran no pool task`);
    }
  } finally {
    poisonWasmScratch(false);
    st.setBackend(before);
  }
});

test('wasm kernels copy their arrays in and out: inputs are never written, outputs never alias scratch memory', (t) => {
  if (!wasm.addon) return t.skip(wasm.reason);
  const before = st.getBackend();
  st.setBackend('wasm');
  try {
    const a = rnd([64, 48], 20), b = rnd([48, 40], 21);
    const aCopy = Float32Array.from(a.dataSync() as Float32Array);
    const first = st.matmul(a, b);
    const firstValues = Float32Array.from(first.dataSync() as Float32Array);
    st.matmul(b, rnd([40, 64], 22)); // reuses the scratch block
    assert.deepEqual(first.dataSync(), firstValues);
    assert.deepEqual(a.dataSync(), aCopy);
  } finally {
    st.setBackend(before);
  }
});

test('loadWasmAddon (the platform-neutral async loader) instantiates the module from its bytes', async (t) => {
  if (!wasm.addon || !('path' in wasm)) return t.skip(wasm.addon ? 'no path' : wasm.reason);
  const addon = await loadWasmAddon(readFileSync(wasm.path));
  const a = Float32Array.of(1, 2, 3, 4), b = Float32Array.of(5, 6, 7, 8), c = new Float32Array(4);
  addon.gemm(2, 2, 2, a, 0, 2, 1, b, 0, 2, 1, c, 0, 2, false);
  assert.deepEqual(Array.from(c), [19, 22, 43, 50]);
  // A second instance has its own memory: the registered backend's module is untouched.
  assert.notEqual(addon, wasm.addon);
});

test('the threaded wasm build: workers run GEMM, convolution and pooling tasks, with the results of one thread', async (t) => {
  if (!wasm.addon) return t.skip(wasm.reason);
  const addon = wasm.addon;
  const workers = wasmWorkersOf(addon);
  assert.ok(workers, 'Node runs the threaded build with workers');
  const before = addon.getThreads();
  const backend = st.getBackend();
  st.setBackend('wasm');
  try {
    addon.setThreads(2);
    assert.equal(addon.getThreads(), 2);
    await workers.whenRunning(1);
    const a = rnd([300, 280], 30), b = rnd([280, 260], 31), x = rnd([4, 30, 30, 16], 32), w = rnd([3, 3, 16, 32], 33);
    const p = rnd([4, 48, 48, 32], 34);
    const ops: [string, () => st.Tensor][] = [
      ['matmul', () => st.matmul(a, b)], ['conv2d', () => st.conv2d(x, w, 1, 'same')], ['maxPool', () => st.maxPool(p, 2, 1, 'same')],
    ];
    // Tasks go to whichever thread claims them first: a worker still waking (a loaded machine) may
    // take none of one call's, so each op is repeated, up to 50 times, until a worker took part.
    const run = (threads: number): Float64Array[] => ops.map(([name, op]) => {
      const tasks = workers.tasksRun();
      const out = values([op()])[0];
      for (let i = 0; threads > 1 && i < 50 && workers.tasksRun() === tasks; i++) op();
      const ran = workers.tasksRun() - tasks;
      if (threads > 1) assert.ok(ran > 0, `${name}: the workers ran none of its tasks in 50 calls at ${threads} threads`);
      else assert.equal(ran, 0, `${name}: at 1 thread the workers stay idle`);
      return out;
    });
    const two = run(2);
    addon.setThreads(1);
    compare(two, run(1), 'wasm 2 threads against 1');
    assert.deepEqual(workers.errors, []);
  } finally {
    addon.setThreads(before);
    st.setBackend(backend);
  }
});
