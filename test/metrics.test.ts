import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError } from './helpers.js';

const M = st.metrics;
const t = (v: number[] | number[][], dtype?: 'int32') => st.tensor(v, undefined, dtype);

test('functional accuracies', () => {
  expectClose(M.binaryAccuracy(t([[1], [1], [0], [0]]), t([[0.98], [1], [0], [0.6]])), [1, 1, 1, 0]);
  expectClose(M.categoricalAccuracy(t([[0, 0, 1], [0, 1, 0]]), t([[0.1, 0.9, 0.8], [0.05, 0.95, 0]])), [0, 1]);
  expectClose(M.sparseCategoricalAccuracy(t([[2], [1]]), t([[0.1, 0.6, 0.3], [0.05, 0.95, 0]])), [0, 1]);
  expectClose(M.topKCategoricalAccuracy(t([[0, 0, 1], [0, 1, 0]]), t([[0.1, 0.9, 0.8], [0.05, 0.95, 0]]), 1), [0, 1]);
  expectClose(M.topKCategoricalAccuracy(t([[0, 0, 1], [0, 1, 0]]), t([[0.1, 0.9, 0.8], [0.05, 0.95, 0]]), 2), [1, 1]);
});

test('stateful metrics accumulate over batches and reset', () => {
  const p = M.precision();
  p.updateState(t([0, 1, 1, 1]), t([1, 0, 1, 1]));
  expectClose(p.result(), 2 / 3, 1e-9);
  const r = M.recall();
  r.updateState(t([0, 1, 1, 1]), t([1, 0, 1, 1]));
  expectClose(r.result(), 2 / 3, 1e-9);
  const a = M.auc();
  a.updateState(t([0, 0]), t([0, 0.5]));
  a.updateState(t([1, 1]), t([0.3, 0.9]));
  expectClose(a.result(), 0.75, 1e-3); // 3 of the 4 positive/negative pairs are ordered
  a.resetState();
  a.updateState(t([0, 0, 1, 1]), t([0.1, 0.2, 0.8, 0.9]));
  expectClose(a.result(), 1, 1e-3);
  const e = M.rmse();
  e.updateState(t([[0, 1], [0, 0]]), t([[1, 1], [0, 0]]));
  expectClose(e.result(), 0.5, 1e-9);
  const q = M.r2();
  q.updateState(t([1, 2, 3, 4]), t([1.1, 1.9, 3.2, 3.8]));
  const ssRes = 0.01 + 0.01 + 0.04 + 0.04, ssTot = 5;
  expectClose(q.result(), 1 - ssRes / ssTot, 1e-6);
  const acc = M.getMetric('accuracy', { loss: 'categoricalCrossentropy' });
  acc.updateState(t([[0, 1], [1, 0]]), t([[0.2, 0.8], [0.3, 0.7]]));
  acc.updateState(t([[0, 1], [1, 0]]), t([[0.2, 0.8], [0.9, 0.1]]));
  expectClose(acc.result(), 0.75, 1e-9);
  acc.resetState();
  assert.equal(acc.result(), 0);
});

test('sample weights weigh samples', () => {
  const m = M.getMetric('mae');
  m.updateState(t([[0], [0]]), t([[1], [3]]), t([3, 1]));
  expectClose(m.result(), (3 * 1 + 1 * 3) / 4, 1e-9);
});

test('getMetric picks the accuracy the loss implies, takes custom functions, and rejects unknown names', () => {
  const yT = t([[1], [0]]), yP = t([[0.7], [0.2]]);
  const bin = M.getMetric('acc', { loss: 'binaryCrossentropy' });
  bin.updateState(yT, yP);
  assert.equal(bin.result(), 1);
  const sparse = M.getMetric('accuracy', { loss: 'sparse_categorical_crossentropy' });
  sparse.updateState(t([1, 0]), t([[0.2, 0.8], [0.6, 0.4]]));
  assert.equal(sparse.result(), 1);
  const custom = M.getMetric(function meanPred(_t: st.Tensor, p: st.Tensor) { return st.mean(p, -1); });
  custom.updateState(yT, yP);
  expectClose(custom.result(), 0.45, 1e-6);
  assert.equal(custom.name, 'meanPred');
  expectError(() => M.getMetric('accuracyy'), st.ConfigError, 'unknown metric "accuracyy"');
});
