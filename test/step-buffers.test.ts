// Recycled step buffers (src/tensor/buffer-pool.ts, src/model/step-buffers.ts): a training step of a
// model made only of the library's code hands its large arrays to the next step. These tests check that
// recycling changes no number, that nothing a user can hold is overwritten, and that user code in the
// step (a custom layer or activation that keeps a tensor) turns it off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { bufferPoolStats, clearBufferPool, setStepBufferRecycling, withStepBuffers } from '../src/tensor/buffer-pool.js';
import { writeOnlyFloat32, zeroedFloat32 } from '../src/tensor/write-only.js';
import { backends, rng } from './helpers.js';

const BATCH = 32;

/**
 * A small W3-like CNN (conv relu → conv relu → pool → dense relu → dropout → softmax): its conv outputs
 * and their gradients (66–100 KB; the second conv's input gradient accumulates into a zeroed array) and
 * the first dense kernel (80 KB, replaced by each Adam update) are large enough to be pooled.
 */
function cnn(seed: number, activation: string | ((x: st.Tensor) => st.Tensor) = 'relu', extra: st.layers.Layer[] = []): st.Sequential {
  st.setSeed(seed);
  const m = st.sequential({
    layers: [
      st.layers.conv2d({ filters: 8, kernelSize: 3, activation: activation as string, inputShape: [12, 12, 1] }),
      ...extra,
      st.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu' }),
      st.layers.maxPooling2d({ poolSize: 2 }),
      st.layers.flatten(),
      st.layers.dense({ units: 160, activation: 'relu' }),
      st.layers.dropout({ rate: 0.25 }),
      st.layers.dense({ units: 4, activation: 'softmax' }),
    ],
  });
  m.compile({ optimizer: st.optimizers.adam({ learningRate: 1e-2 }), loss: 'categoricalCrossentropy' });
  return m;
}

function batch(seed: number): { x: st.Tensor; y: st.Tensor } {
  const r = rng(seed);
  const x = st.tensor(Float32Array.from({ length: BATCH * 144 }, () => r()), [BATCH, 12, 12, 1]);
  const labels = st.tensor(Int32Array.from({ length: BATCH }, () => Math.floor(r() * 4)), [BATCH], 'int32');
  return { x, y: st.oneHot(labels, 4) };
}

/** Runs `f` with recycling on or off, restoring the setting after. */
function withRecycling<T>(on: boolean, f: () => T): T {
  const was = setStepBufferRecycling(on);
  try {
    return f();
  } finally {
    setStepBufferRecycling(was);
  }
}

/** Losses of `steps` trainOnBatch calls on fresh batches, with the dropout seed reset first. */
function train(m: st.Sequential, steps: number): number[] {
  st.setSeed(99);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const { x, y } = batch(10 + s);
    losses.push(m.trainOnBatch(x, y) as number);
  }
  return losses;
}

const weightsOf = (m: st.Sequential) => m.getWeights().map((w) => Array.from(w.dataSync()));

test('recycled training steps compute exactly what fresh arrays compute, and reuse their arrays', () => {
  for (const backend of backends()) {
    st.setBackend(backend);
    clearBufferPool();
    const recycled = withRecycling(true, () => {
      const m = cnn(3);
      const losses = train(m, 3);
      const before = { ...bufferPoolStats };
      losses.push(...train(m, 3));
      return { losses, weights: weightsOf(m), reused: bufferPoolStats.reused - before.reused, made: bufferPoolStats.fresh - before.fresh };
    });
    // train() reseeds dropout, so the second call repeats the first call's masks: compare like with like.
    const again = withRecycling(false, () => {
      const m = cnn(3);
      const losses = train(m, 3);
      losses.push(...train(m, 3));
      return { losses, weights: weightsOf(m) };
    });
    assert.deepEqual(recycled.losses, again.losses, `${backend}: losses with recycled buffers`);
    assert.deepEqual(recycled.weights, again.weights, `${backend}: weights with recycled buffers`);
    assert.ok(recycled.losses.every(Number.isFinite), `${backend}: finite losses`);
    if (backend !== 'js') {
      // The native glue takes its large outputs from the pool, and Adam's new dense kernel takes the
      // storage of the one it replaced two steps before: after warm-up, no fresh large arrays.
      assert.ok(recycled.reused >= 3 * 4, `${backend}: ${recycled.reused} buffers reused in 3 steps`);
      assert.equal(recycled.made, 0, `${backend}: fresh large buffers in 3 steady-state steps`);
    }
  }
});

test('fit copies its shuffled batches into recycled arrays and trains exactly as with fresh ones', async () => {
  for (const backend of backends()) {
    st.setBackend(backend);
    clearBufferPool();
    const r = rng(5);
    const n = 4 * BATCH;
    const x = st.tensor(Float32Array.from({ length: n * 144 }, () => r()), [n, 12, 12, 1]);
    const y = st.oneHot(st.tensor(Int32Array.from({ length: n }, () => Math.floor(r() * 4)), [n], 'int32'), 4);
    const run = (on: boolean) => withRecycling(on, async () => {
      const m = cnn(4);
      st.setSeed(7);
      const first = await m.fit(x, y, { batchSize: BATCH, epochs: 1, shuffle: true, verbose: 0 });
      const before = { ...bufferPoolStats };
      const second = await m.fit(x, y, { batchSize: BATCH, epochs: 1, shuffle: true, verbose: 0 });
      const fitReused = bufferPoolStats.reused - before.reused, made = bufferPoolStats.fresh - before.fresh;
      // The same 4 steps through trainOnBatch on batches made outside the step: one pooled array fewer each.
      const mid = bufferPoolStats.reused;
      for (let b = 0; b < 4; b++) m.trainOnBatch(x.slice([b * BATCH], [BATCH]), y.slice([b * BATCH], [BATCH]));
      return { losses: [...first.history.loss, ...second.history.loss], weights: weightsOf(m), made, batchCopies: fitReused - (bufferPoolStats.reused - mid) };
    });
    const recycled = await run(true), fresh = await run(false);
    assert.deepEqual(recycled.losses, fresh.losses, `${backend}: fit losses with recycled batches`);
    assert.deepEqual(recycled.weights, fresh.weights, `${backend}: fit weights with recycled batches`);
    // The batch copies of the inputs (18 KB each; the targets are below the pool's 4 KiB) come from the
    // pool too, one per step, and no step of the second epoch makes a fresh array.
    if (backend !== 'js') assert.equal(recycled.made, 0, `${backend}: fresh buffers in an epoch after warm-up`);
    assert.equal(recycled.batchCopies, 4, `${backend}: recycled input batches in a 4-step epoch`);
  }
});

test('a weight\'s storage an optimizer replaced is reused by later steps unless a tensor made outside a step shares it', () => {
  for (const backend of backends()) {
    if (backend === 'js') continue; // the js kernels do not take step buffers; only the optimizer's outputs would
    st.setBackend(backend);
    withRecycling(true, () => {
      const m = cnn(7);
      train(m, 3);
      const kernel = m.layers[4].weights[0];
      // Storage of the 80 KB dense kernel, made by the last step's Adam update and owned by the Variable.
      const before = kernel.values;
      train(m, 2);
      assert.notEqual(kernel.values, before, 'the optimizer replaced the storage');
      // After two more steps the first storage went back to the pool and served again.
      let reusedByTwoSteps = false;
      for (let s = 0; s < 3 && !reusedByTwoSteps; s++) {
        const b = kernel.values;
        train(m, 1);
        reusedByTwoSteps = kernel.values.buffer === before.buffer || b.buffer === before.buffer;
      }
      assert.ok(reusedByTwoSteps, `${backend}: the replaced storage came back as a weight's storage`);
      // A view made between steps pins the storage it shares.
      const view = st.reshape(kernel, [-1]);
      const copy = Array.from(view.dataSync());
      const made = new Set<ArrayBufferLike>();
      for (let s = 0; s < 4; s++) {
        train(m, 1);
        made.add(kernel.values.buffer);
      }
      assert.ok(!made.has(view.values.buffer), `${backend}: the viewed storage was not handed out again`);
      assert.deepEqual(Array.from(view.values), copy, `${backend}: the view kept its values`);
    });
  }
});

test('tensors a user holds between steps keep their values while later steps run', () => {
  for (const backend of backends()) {
    st.setBackend(backend);
    const m = cnn(4);
    train(m, 2);
    const dense = m.layers[4];
    assert.equal(dense.name.startsWith('dense'), true);
    const kernel = dense.getWeights()[0];
    const kernelVar = dense.weights[0];
    // A reshape shares the variable's storage (made by the last step's optimizer update).
    const view = st.reshape(kernelVar, [-1]);
    const viewCopy = Array.from(view.dataSync());
    const { x } = batch(50);
    const pred = m.predict(x) as st.Tensor;
    const predCopy = Array.from(pred.dataSync());
    const kernelCopy = Array.from(kernel.dataSync());
    train(m, 3);
    assert.deepEqual(Array.from(view.values), viewCopy, `${backend}: a view of a weight from before the steps`);
    assert.deepEqual(Array.from(pred.values), predCopy, `${backend}: a prediction from before the steps`);
    assert.deepEqual(Array.from(kernel.values), kernelCopy, `${backend}: getWeights from before the steps`);
    assert.notDeepEqual(Array.from(kernelVar.values), viewCopy, `${backend}: the weight itself did train`);
  }
});

test('predict recycles its intermediate arrays and never the results it returns', () => {
  for (const backend of backends()) {
    st.setBackend(backend);
    withRecycling(true, () => {
      // A conv model whose output is large enough to be pooled (32 × 10 × 10 × 8 floats, 100 KB).
      st.setSeed(8);
      const m = st.sequential({ layers: [
        st.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [12, 12, 1] }),
        st.layers.conv2d({ filters: 8, kernelSize: 1, activation: 'relu' }),
      ] });
      const { x } = batch(60);
      const first = m.predict(x) as st.Tensor;
      const copy = Array.from(first.dataSync());
      const before = { ...bufferPoolStats };
      const later = [1, 2, 3].map(() => m.predict(x) as st.Tensor);
      for (const t of later) assert.notEqual(t.values.buffer, first.values.buffer);
      assert.deepEqual(Array.from(first.values), copy, `${backend}: the first result kept its values`);
      assert.deepEqual(Array.from(later[2].values), copy, `${backend}: the same input gives the same result`);
      if (backend !== 'js') assert.ok(bufferPoolStats.reused - before.reused >= 3, `${backend}: the first conv's output storage was reused`);
    });
  }
});

/** A layer of user code that keeps the tensor it was given (as a debugging hook might). */
class Keeper extends st.layers.Layer {
  static override className = 'Keeper';
  kept: st.Tensor | null = null;
  keptCopy: number[] = [];
  computeOutputShape(shape: (number | null)[]): (number | null)[] {
    return shape;
  }
  protected override call(x: st.Tensor | st.Tensor[]): st.Tensor {
    const t = Array.isArray(x) ? x[0] : x;
    if (!this.kept) {
      this.kept = t;
      this.keptCopy = Array.from(t.dataSync());
    }
    return t;
  }
  override getConfig(): Record<string, unknown> {
    return {};
  }
}

test('a custom layer or activation that keeps a tensor of the step turns recycling off', () => {
  for (const backend of backends()) {
    st.setBackend(backend);
    const keeper = new Keeper({});
    const m = cnn(5, 'relu', [keeper]);
    train(m, 4);
    assert.ok(keeper.kept && keeper.kept.size === BATCH * 10 * 10 * 8, 'the layer kept the conv output');
    assert.deepEqual(Array.from(keeper.kept.values), keeper.keptCopy, `${backend}: the kept conv output`);

    let kept: st.Tensor | null = null, keptCopy: number[] = [];
    const relu = (x: st.Tensor) => {
      const y = st.relu(x);
      if (!kept) { kept = y; keptCopy = Array.from(y.dataSync()); }
      return y;
    };
    train(cnn(6, relu), 4);
    assert.deepEqual(Array.from(kept!.values), keptCopy, `${backend}: the output a custom activation kept`);
  }
});

test('a recycled buffer comes back as a new view, zero-filled where asked, and only from a recycling scope', () => {
  withRecycling(true, () => {
    clearBufferPool();
    const n = 50_000;
    const first = withStepBuffers(true, () => {
      const a = writeOnlyFloat32(n);
      a.fill(7);
      return a;
    });
    // The caller vouched nothing reads `first` after its scope; the next scope gets its storage back.
    const again = withStepBuffers(true, () => zeroedFloat32(n));
    assert.equal(again.buffer, first.buffer, 'the storage is reused');
    assert.notEqual(again, first, 'through a new view');
    assert.ok(again.every((v) => v === 0), 'zero-filled');
    // A scope that does not recycle, or none, neither returns nor takes pooled storage.
    const kept = withStepBuffers(false, () => writeOnlyFloat32(n));
    const outside = writeOnlyFloat32(n);
    const next = withStepBuffers(true, () => writeOnlyFloat32(n));
    assert.notEqual(kept.buffer, first.buffer);
    assert.notEqual(outside.buffer, first.buffer);
    assert.equal(next.buffer, first.buffer, 'the pooled storage waited for a recycling scope');
    // A scope that throws recycles nothing: the storage it took is not handed out again.
    let failed: Float32Array | null = null;
    assert.throws(() => withStepBuffers(true, () => { failed = writeOnlyFloat32(n); throw new Error('step failed'); }), /step failed/);
    assert.equal(failed!.buffer, first.buffer);
    const after = withStepBuffers(true, () => writeOnlyFloat32(n));
    assert.notEqual(after.buffer, first.buffer);
  });
});
