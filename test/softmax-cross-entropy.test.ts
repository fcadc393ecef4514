// The fused softmax + categorical cross-entropy (src/ops/softmax-cross-entropy.ts): a cross-entropy
// of a softmax output takes one kernel forward and one backward, with the gradient going straight to
// the logits. Checked against the unfused ops (the same formula, clip included), finite differences and
// reference values, on every backend; a model trains the same with it as without.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectGradientsClose, forEachBackend, rand } from './helpers.js';

type Float = 'float32' | 'float64';

/** One-hot rows for classes picked by seed, or soft labels (rows summing to 1) when `soft`. */
function labels(rows: number, n: number, seed: number, dtype: Float, soft = false): st.Tensor {
  if (soft) return st.softmax(rand([rows, n], seed, dtype));
  const v = new (dtype === 'float32' ? Float32Array : Float64Array)(rows * n);
  for (let r = 0; r < rows; r++) v[r * n + ((r * 7 + seed) % n)] = 1;
  return st.tensor(v, [rows, n], dtype);
}

/** The unfused loss: the same ops on a copy of the probabilities that is no softmax output (p·1 = p exactly). */
const unfused = (t: st.Tensor, z: st.Tensor): st.Tensor => st.losses.categoricalCrossentropy(t, st.mul(st.softmax(z), 1));
const fused = (t: st.Tensor, z: st.Tensor): st.Tensor => st.losses.categoricalCrossentropy(t, st.softmax(z));

/** f's result, computed while a tape records (the fused path is a training path: softmax keeps its logits only then). */
function recorded(f: () => st.Tensor, wrt: st.Tensor): st.Tensor {
  let out!: st.Tensor;
  st.valueAndGrads(() => (out = f(), st.sum(out)), [wrt]);
  return out;
}

/** Kernel calls of `kernel` on the active backend while `f` runs. */
function callsOf(kernel: string, f: () => void): number {
  const b = st.getBackend();
  const count = () => { const k = st.testing.kernelCalls(b).byKernel[kernel]; return k ? k.native + k.js : 0; };
  const before = count();
  f();
  return count() - before;
}

test('the fused loss equals the unfused ops, one-hot and soft labels, float32 and float64', () => {
  forEachBackend((backend) => {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const shape of [[6, 10], [2, 3, 5], [129, 10]]) {
        for (const soft of [false, true]) {
          const n = shape[shape.length - 1], rows = shape.reduce((a, b) => a * b, 1) / n;
          const z = st.reshape(rand([rows, n], 3, dtype), shape);
          const t = st.reshape(labels(rows, n, 1, dtype, soft), shape);
          const what = `${backend} ${dtype} ${JSON.stringify(shape)} soft ${soft}`;
          let got!: st.Tensor;
          assert.equal(callsOf('softmaxCrossEntropy', () => { got = recorded(() => fused(t, z), z); }), 1, `${what}: the fused kernel ran`);
          assert.deepEqual(got.shape, shape.slice(0, -1), what);
          assert.equal(got.dtype, dtype, what);
          expectClose(got, unfused(t, z), dtype === 'float32' ? 1e-6 : 1e-13, dtype === 'float32' ? 1e-6 : 1e-13, what);
          // Without a tape (inference, evaluate) the ops run, and a prediction holds no logits.
          let plain!: st.Tensor;
          assert.equal(callsOf('softmaxCrossEntropy', () => { plain = fused(t, z); }), 0, `${what}: no fused kernel without a tape`);
          expectClose(plain, got, dtype === 'float32' ? 1e-6 : 1e-13, dtype === 'float32' ? 1e-6 : 1e-13, what);
        }
      }
    }
  });
});

test('the fused loss matches reference values: −log softmax(z)[class], clipped at −log 1e-7', () => {
  forEachBackend(() => {
    const z = st.tensor([[1, 2, 3], [0, 0, 40]]);
    const t = st.tensor([[0, 0, 1], [1, 0, 0]]);
    // Row 0: log(e + e² + e³) − 3 = 0.40760596; row 1: p₀ = e^−40/(2 + e^40) < 1e-7, so −log(1e-7) = 16.118096.
    expectClose(recorded(() => fused(t, z), z), [0.40760596, 16.11809565], 1e-6, 1e-6, 'reference values');
  });
});

test('the fused gradient reaches the logits and equals the unfused gradient, clipped entries included', () => {
  forEachBackend((backend) => {
    for (const dtype of ['float32', 'float64'] as const) {
      // Wide logits: some probabilities fall below ε or above 1 − ε, where the clip stops the gradient.
      const z = st.mul(rand([40, 10], 5, dtype), 12);
      for (const soft of [false, true]) {
        const t = labels(40, 10, 2, dtype, soft);
        const what = `${backend} ${dtype} soft ${soft}`;
        let dz!: st.Tensor;
        const ran = callsOf('softmaxCrossEntropyGrad', () => { dz = st.grads(() => st.mean(fused(t, z)), [z])[0]; });
        assert.equal(ran, 1, `${what}: the fused gradient kernel ran`);
        const want = st.grads(() => st.mean(unfused(t, z)), [z])[0];
        expectClose(dz, want, dtype === 'float32' ? 1e-7 : 1e-15, dtype === 'float32' ? 1e-5 : 1e-12, what);
      }
    }
  });
});

test('the fused gradient matches finite differences for the logits and the labels (float64)', () => {
  forEachBackend(() => {
    const z = rand([5, 7], 11), t = labels(5, 7, 3, 'float64', true);
    expectGradientsClose((x) => fused(t, x), [z]);
    expectGradientsClose((x, y) => fused(y, x), [z, t]);
    // With respect to the probabilities themselves (a softmax output given as the input), and to both.
    const p = st.softmax(z);
    expectGradientsClose((q) => st.losses.categoricalCrossentropy(t, q), [p]);
    const [dz, dp] = st.grads(() => st.add(st.sum(fused(t, z)), st.sum(st.losses.categoricalCrossentropy(t, p))), [z, p]);
    const [uz, up] = st.grads(() => st.add(st.sum(unfused(t, z)), st.sum(st.losses.categoricalCrossentropy(t, st.mul(p, 1)))), [z, p]);
    expectClose(dz, uz, 1e-12, 1e-10, 'logits, beside a probabilities input');
    expectClose(dp, up, 1e-12, 1e-10, 'probabilities');
  }, 'fallback'); // float64: the js kernels on every backend
});

test('under nested tapes (a second derivative) the unfused ops run and the result is the unfused one', () => {
  forEachBackend(() => {
    const z = rand([4, 6], 9), t = labels(4, 6, 1, 'float64');
    const outer = (f: typeof fused) => st.grads(() => st.sum(st.square(st.grads(() => st.sum(f(t, z)), [z])[0])), [z])[0];
    let got!: st.Tensor;
    assert.equal(callsOf('softmaxCrossEntropy', () => { got = outer(fused); }), 0, 'no fused kernel under two tapes');
    expectClose(got, outer(unfused), 1e-12, 1e-10, 'second derivative');
  }, 'fallback');
});

test('a softmax model trains the same with the fused loss as with the unfused ops', () => {
  forEachBackend((backend) => {
    const run = (activation: 'softmax' | ((x: st.Tensor) => st.Tensor), sparse: boolean) => {
      st.setSeed(4);
      const m = st.sequential({ layers: [
        st.layers.dense({ units: 16, activation: 'relu', inputShape: [12] }), st.layers.dense({ units: 5, activation }),
      ] });
      m.compile({ optimizer: st.optimizers.adam({ learningRate: 0.01 }), loss: sparse ? 'sparseCategoricalCrossentropy' : 'categoricalCrossentropy' });
      const x = rand([32, 12], 1, 'float32');
      const classes = Array.from({ length: 32 }, (_, i) => (i * 3) % 5);
      const y = sparse ? st.tensor(classes, [32], 'int32') : st.cast(st.oneHot(st.tensor(classes, [32], 'int32'), 5), 'float32');
      const losses = [0, 1, 2, 3].map(() => m.trainOnBatch(x, y) as number);
      return { losses, weights: m.getWeights() };
    };
    for (const sparse of [false, true]) {
      const what = `${backend} sparse ${sparse}`;
      let a!: ReturnType<typeof run>;
      assert.ok(callsOf('softmaxCrossEntropyGrad', () => { a = run('softmax', sparse); }) >= 4, `${what}: fused path taken`);
      const b = run((x) => st.mul(st.softmax(x), 1), sparse);
      expectClose(a.losses, b.losses, 1e-6, 1e-5, `${what} losses`);
      a.weights.forEach((w, i) => expectClose(w, b.weights[i], 1e-6, 1e-4, `${what} weight ${i}`));
    }
  });
});
