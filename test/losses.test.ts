import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError, expectGradientsClose, rand } from './helpers.js';

const L = st.losses;
const mean = (t: st.Tensor) => st.mean(t).item();
// The standalone-usage examples of the Keras documentation, with the values it prints.
const yT = [[0, 1], [0, 0]];
const yP = [[0.6, 0.4], [0.4, 0.6]];

test('losses match the Keras documentation examples and hand-computed values', () => {
  expectClose(L.meanSquaredErrorPerSample(st.tensor(yT), st.tensor(yP)), [0.36, 0.26], 1e-6);
  expectClose(L.meanAbsoluteError(st.tensor(yT), st.tensor(yP)), [0.6, 0.5], 1e-6);
  expectClose(mean(L.binaryCrossentropy(st.tensor(yT), st.tensor(yP))), 0.815, 1e-3);
  expectClose(mean(L.huber(st.tensor(yT), st.tensor(yP))), 0.155, 1e-3);
  expectClose(mean(L.kullbackLeiblerDivergence(st.tensor(yT), st.tensor(yP))), 0.458, 1e-3);
  expectClose(mean(L.poisson(st.tensor(yT), st.tensor(yP))), (0.6 + 0.4 - Math.log(0.4 + 1e-7)) / 4 + 0.25, 1e-5); // by hand
  expectClose(mean(L.hinge(st.tensor(yT), st.tensor(yP))), 1.3, 1e-3);
  expectClose(mean(L.squaredHinge(st.tensor(yT), st.tensor(yP))), 1.86, 1e-3);
  expectClose(mean(L.categoricalHinge(st.tensor(yT), st.tensor(yP))), 1.4, 1e-3);
  const lc = (v: number) => Math.log(Math.cosh(v)); // by hand
  expectClose(mean(L.logCosh(st.tensor(yT), st.tensor(yP))), (2 * lc(0.6) + lc(0.4) + lc(0.6)) / 4, 1e-6);
  expectClose(L.categoricalCrossentropy(st.tensor([[0, 1, 0], [0, 0, 1]]), st.tensor([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])), [0.0513, 2.303], 1e-3);
  expectClose(L.sparseCategoricalCrossentropy(st.tensor([1, 2], undefined, 'int32'), st.tensor([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])), [0.0513, 2.303], 1e-3);
  expectClose(L.cosineSimilarity(st.tensor([[0, 1], [1, 1]]), st.tensor([[1, 0], [1, 1]])), [0, -1], 1e-5);
  expectClose(mean(L.meanSquaredLogarithmicError(st.tensor(yT), st.tensor([[1, 1], [1, 0]]))), 0.240, 1e-3);
  expectClose(mean(L.meanAbsolutePercentageError(st.tensor([[2, 1], [2, 3]]), st.tensor([[1, 1], [1, 0]]))), 50, 1e-3);
});

test('fromLogits equals applying the activation first, and stays finite for large logits', () => {
  const logits = st.tensor([[2, -1, 0.5], [-3, 4, 1]]);
  const labels = st.tensor([[0, 0, 1], [0, 1, 0]]);
  expectClose(L.categoricalCrossentropy(labels, logits, { fromLogits: true }), L.categoricalCrossentropy(labels, st.softmax(logits)), 1e-5);
  expectClose(L.sparseCategoricalCrossentropy([2, 1], logits, { fromLogits: true }), L.categoricalCrossentropy(labels, st.softmax(logits)), 1e-5);
  const z = st.tensor([[1, 0, 1]]);
  const x = st.tensor([[3, -2, 0.1]]);
  expectClose(L.binaryCrossentropy(z, x, { fromLogits: true }), L.binaryCrossentropy(z, st.sigmoid(x)), 1e-5);
  const big = L.binaryCrossentropy(st.tensor([[1, 0]]), st.tensor([[-500, 500]]), { fromLogits: true });
  expectClose(big, [500], 1e-3);
});

test('label smoothing moves labels toward uniform', () => {
  const p = st.tensor([[0.7, 0.2, 0.1]]);
  const smooth = L.categoricalCrossentropy(st.tensor([[1, 0, 0]]), p, { labelSmoothing: 0.3 });
  const manual = L.categoricalCrossentropy(st.tensor([[0.8, 0.1, 0.1]]), p);
  expectClose(smooth, manual, 1e-6);
  const b = L.binaryCrossentropy(st.tensor([[1]]), st.tensor([[0.9]]), { labelSmoothing: 0.2 });
  expectClose(b, L.binaryCrossentropy(st.tensor([[0.9]]), st.tensor([[0.9]])), 1e-6);
});

test('every loss has finite-difference gradients with respect to yPred', () => {
  const t = st.tensor([[0, 1, 0], [1, 0, 0]], undefined, 'float64');
  const probs = st.softmax(rand([2, 3], 1));
  const pos = st.add(st.abs(rand([2, 3], 2)), 0.1);
  const anyReal = rand([2, 3], 3);
  const cases: [string, (p: st.Tensor) => st.Tensor, st.Tensor][] = [
    ['mse', (p) => L.meanSquaredErrorPerSample(t, p), anyReal],
    ['mae', (p) => L.meanAbsoluteError(t, p), anyReal],
    ['mape', (p) => L.meanAbsolutePercentageError(st.add(t, 1), p), anyReal],
    ['msle', (p) => L.meanSquaredLogarithmicError(t, p), pos],
    ['huber', (p) => L.huber(t, p, 0.5), anyReal],
    ['logCosh', (p) => L.logCosh(t, p), anyReal],
    ['bce', (p) => L.binaryCrossentropy(t, p), probs],
    ['bce logits', (p) => L.binaryCrossentropy(t, p, { fromLogits: true }), anyReal],
    ['cce', (p) => L.categoricalCrossentropy(t, p), probs],
    ['cce logits smoothing', (p) => L.categoricalCrossentropy(t, p, { fromLogits: true, labelSmoothing: 0.1 }), anyReal],
    ['scce', (p) => L.sparseCategoricalCrossentropy([1, 0], p), probs],
    ['kld', (p) => L.kullbackLeiblerDivergence(st.softmax(rand([2, 3], 5)), p), probs],
    ['poisson', (p) => L.poisson(t, p), pos],
    ['hinge', (p) => L.hinge(t, p), anyReal],
    ['squaredHinge', (p) => L.squaredHinge(t, p), anyReal],
    ['categoricalHinge', (p) => L.categoricalHinge(t, p), anyReal],
    ['cosine', (p) => L.cosineSimilarity(st.add(t, 0.5), p), anyReal],
  ];
  for (const [name, f, x] of cases) {
    assert.doesNotThrow(() => expectGradientsClose(f, [x]), `${name}`);
  }
});

test('getLoss resolves names in every spelling, and errors are clear', () => {
  assert.equal(L.getLoss('mse'), L.meanSquaredErrorPerSample);
  assert.equal(L.getLoss('mean_absolute_error'), L.meanAbsoluteError);
  assert.ok(L.getLoss('categorical_crossentropy'));
  assert.ok(L.getLoss('sparseCategoricalCrossentropy'));
  const custom = (a: st.Tensor, b: st.Tensor) => st.sub(a, b);
  assert.equal(L.getLoss(custom), custom);
  expectError(() => L.getLoss('meanSquirredError'), st.ConfigError, 'unknown loss "meanSquirredError"');
  expectError(() => L.meanSquaredErrorPerSample(st.zeros([2, 3]), st.zeros([2, 4])), st.ShapeError, 'yTrue [2, 3] and yPred [2, 4]');
  expectError(() => L.sparseCategoricalCrossentropy(st.zeros([3], 'int32'), st.zeros([2, 4])), st.ShapeError, 'one class index per row');
});
