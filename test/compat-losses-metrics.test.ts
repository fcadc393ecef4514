import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError, forEachBackend } from './helpers.js';

type TF = typeof import('@tensorflow/tfjs');
async function tfjs(): Promise<TF> {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  return tf;
}

const labels = [[0, 1, 0], [1, 0, 0], [0, 0, 1], [1, 0, 0]];
const probs = [[0.2, 0.7, 0.1], [0.5, 0.3, 0.2], [0.1, 0.1, 0.8], [0.3, 0.6, 0.1]];
const logits = [[0.5, 2.0, -1.0], [1.5, 0.2, 0.3], [-0.3, 0.1, 2.2], [0.1, 1.4, -0.6]];
const weights = [[1], [0], [2], [0.5]];
const R = st.losses.Reduction;

test('TF.js core losses: every loss and reduction agrees with TF.js 4.22 (cpu)', async () => {
  const tf = await tfjs();
  const T = (v: number[][]) => tf.tensor2d(v);
  const S = (v: number[][]) => st.tensor(v);
  const reductions = [undefined, R.NONE, R.MEAN, R.SUM, R.SUM_BY_NONZERO_WEIGHTS] as const;
  forEachBackend((backend) => {
    for (const red of reductions) {
      for (const w of [undefined, weights]) {
        const sw = w && S(w), tw = w && T(w);
        const cases: [string, st.Tensor, import('@tensorflow/tfjs').Tensor][] = [
          ['meanSquaredError', st.losses.meanSquaredError(S(labels), S(probs), sw ?? null, red), tf.losses.meanSquaredError(T(labels), T(probs), tw, red)],
          ['absoluteDifference', st.losses.absoluteDifference(S(labels), S(probs), sw, red), tf.losses.absoluteDifference(T(labels), T(probs), tw, red)],
          ['hingeLoss', st.losses.hingeLoss(S(labels), S(logits), sw, red), tf.losses.hingeLoss(T(labels), T(logits), tw, red)],
          ['huberLoss', st.losses.huberLoss(S(labels), S(logits), sw, 0.7, red), tf.losses.huberLoss(T(labels), T(logits), tw, 0.7, red)],
          ['logLoss', st.losses.logLoss(S(labels), S(probs), sw, 1e-4, red), tf.losses.logLoss(T(labels), T(probs), tw, 1e-4, red)],
          ['sigmoidCrossEntropy', st.losses.sigmoidCrossEntropy(S(labels), S(logits), sw, 0.1, red), tf.losses.sigmoidCrossEntropy(T(labels), T(logits), tw, 0.1, red)],
          ['softmaxCrossEntropy', st.losses.softmaxCrossEntropy(S(labels), S(logits), sw && st.tensor([1, 0, 2, 0.5]), 0.2, red),
            tf.losses.softmaxCrossEntropy(T(labels), T(logits), tw && tf.tensor1d([1, 0, 2, 0.5]), 0.2, red)],
          ['cosineDistance', st.losses.cosineDistance(S(labels), S(probs), 1, sw, red), tf.losses.cosineDistance(T(labels), T(probs), 1, tw, red)],
        ];
        for (const [name, mine, theirs] of cases) {
          const what = `${name} weights=${w ? 'yes' : 'no'} reduction=${red} on ${backend}`;
          assert.deepEqual(mine.shape, theirs.shape, what);
          expectClose(mine, Array.from(theirs.dataSync()), 1e-6, 1e-5, what);
        }
      }
    }
  });
  // The default reduction gives a scalar: the mean when there are no weights.
  const d = st.losses.absoluteDifference(st.tensor([1, 2, 3]), st.tensor([2, 2, 5]));
  assert.deepEqual(d.shape, []);
  expectClose(d, [1], 1e-7);
  expectClose(st.losses.computeWeightedLoss(st.tensor([1, 2, 3]), st.tensor([1, 0, 1])), [2], 1e-7);
});

test('st.losses.meanSquaredError keeps its Keras two-argument form for compile', () => {
  // Two arguments: one value per sample (what compile and the existing tests use).
  const perSample = st.losses.meanSquaredError(st.tensor([[0, 1], [0, 0]]), st.tensor([[0.6, 0.4], [0.4, 0.6]]));
  expectClose(perSample, [0.36, 0.26], 1e-6);
  assert.equal(st.losses.getLoss('mse'), st.losses.meanSquaredError);
  // A third argument (even null) selects TF.js's reduced form.
  expectClose(st.losses.meanSquaredError(st.tensor([[0, 1], [0, 0]]), st.tensor([[0.6, 0.4], [0.4, 0.6]]), null), [0.31], 1e-6);
  expectError(() => st.losses.computeWeightedLoss(st.tensor([1]), null, 7 as st.losses.Reduction), st.ConfigError, 'unknown reduction 7');
  expectError(() => st.losses.hingeLoss(st.zeros([2, 3]), st.zeros([2, 2])), st.ShapeError, 'losses.hingeLoss: labels [2, 3] and predictions [2, 2]');
});

test('TF.js core losses have gradients (softmaxCrossEntropy)', () => {
  const x = st.variable(st.tensor(logits));
  const { grads: [g] } = st.valueAndGrads(() => st.losses.softmaxCrossEntropy(st.tensor(labels), x), [x]);
  // d/dlogits of the batch mean = (softmax − labels) / batch.
  const sm = st.softmax(st.tensor(logits)).dataSync();
  expectClose(g, Array.from(sm, (v, i) => (v - labels[Math.floor(i / 3)][i % 3]) / 4), 1e-6, 1e-5);
});

test('TF.js metric functions agree with TF.js 4.22 (cpu), per sample', async () => {
  const tf = await tfjs();
  const yT = [[0, 1, 1], [1, 0, 1], [0, 0, 1], [1, 1, 0]];
  const yP = [[0.2, 0.7, 0.6], [0.9, 0.3, 0.2], [0.1, 0.4, 0.8], [0.3, 0.6, 0.1]];
  const reg = [[1.5, -2, 3], [0.2, 4, -1], [2, 2, 2], [-0.5, 0.1, 7]];
  const regP = [[1.2, -1, 2.5], [0.4, 3, -2], [1, 2.5, 2], [0.5, 0.3, 6]];
  const pairs: [string, number[][], number[][]][] = [
    ['binaryAccuracy', yT, yP], ['binaryCrossentropy', yT, yP], ['categoricalAccuracy', labels, probs],
    ['categoricalCrossentropy', labels, probs], ['meanSquaredError', reg, regP], ['meanAbsoluteError', reg, regP],
    ['meanAbsolutePercentageError', reg, regP], ['cosineProximity', reg, regP], ['MSE', reg, regP], ['mse', reg, regP],
    ['MAPE', reg, regP], ['mape', reg, regP], ['r2Score', reg, regP],
  ];
  forEachBackend((backend) => {
    for (const [name, a, b] of pairs) {
      const mine = (st.metrics as unknown as Record<string, (x: st.Tensor, y: st.Tensor) => st.Tensor>)[name](st.tensor(a), st.tensor(b));
      const theirs = (tf.metrics as unknown as Record<string, (x: unknown, y: unknown) => import('@tensorflow/tfjs').Tensor>)[name](tf.tensor2d(a), tf.tensor2d(b));
      assert.deepEqual(mine.shape, theirs.shape, `${name} shape on ${backend}`);
      expectClose(mine, Array.from(theirs.dataSync()), 1e-5, 1e-5, `${name} on ${backend}`);
    }
  });
  const sparseT = [1, 0, 2, 0];
  expectClose(st.metrics.sparseCategoricalAccuracy(st.tensor(sparseT), st.tensor(probs)),
    Array.from(tf.metrics.sparseCategoricalAccuracy(tf.tensor1d(sparseT), tf.tensor2d(probs)).dataSync()));
  // precision / recall: TF.js counts exact 0/1 predictions over the batch (a scalar).
  const t = [1, 0, 1, 1, 0, 1], p = [1, 1, 0, 1, 0, 0];
  const prec = st.metrics.precision(st.tensor(t), st.tensor(p));
  assert.deepEqual(prec.shape, []);
  expectClose(prec, Array.from(tf.metrics.precision(tf.tensor1d(t), tf.tensor1d(p)).dataSync()), 1e-7);
  expectClose(prec, [2 / 3], 1e-7);
  expectClose(st.metrics.recall(st.tensor(t), st.tensor(p)), Array.from(tf.metrics.recall(tf.tensor1d(t), tf.tensor1d(p)).dataSync()), 1e-7);
  expectClose(st.metrics.recall(st.tensor(t), st.tensor(p)), [0.5], 1e-7);
  // The options form still gives the stateful metric compile uses.
  const m = st.metrics.precision({ threshold: 0.3 });
  assert.ok(m instanceof st.metrics.Metric);
  m.updateState(st.tensor([1, 0, 1]), st.tensor([0.4, 0.5, 0.1]));
  assert.equal(m.result(), 0.5);
  assert.ok(st.metrics.recall() instanceof st.metrics.Recall);
});
