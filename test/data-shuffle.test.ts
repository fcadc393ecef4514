import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { tfjs } from './data-helpers.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);

test('shuffle with a seed gives the same orders every time the pipeline is built', async () => {
  for (const seed of [42, 'iris']) {
    const build = () => st.data.array(range(20)).shuffle(20, seed);
    const a = build(), b = build();
    const passesA = [await a.toArray(), await a.toArray()];
    const passesB = [await b.toArray(), await b.toArray()];
    assert.deepEqual(passesA, passesB, `seed ${seed}`);
    assert.notDeepEqual(passesA[0], range(20), 'shuffled');
    assert.deepEqual(sorted(passesA[0]), range(20), 'a permutation');
    // reshuffleEachIteration (default): every pass a new order.
    assert.notDeepEqual(passesA[0], passesA[1]);
  }
  assert.notDeepEqual(await st.data.array(range(20)).shuffle(20, 1).toArray(), await st.data.array(range(20)).shuffle(20, 2).toArray());
});

test('reshuffleEachIteration false repeats the first order every pass (TensorFlow.js 4.22 reshuffles anyway)', async () => {
  const ds = st.data.array(range(20)).shuffle(20, 5, false);
  const first = await ds.toArray();
  assert.deepEqual(await ds.toArray(), first);
  assert.deepEqual(await ds.repeat(2).toArray(), [...first, ...first]);
  const tf = await tfjs();
  const theirs = tf.data.array(range(20)).shuffle(20, '5', false);
  assert.notDeepEqual(await theirs.toArray(), await theirs.toArray(), 'tf.data ignores reshuffleEachIteration: false');
});

test('without a seed, st.setSeed makes shuffles reproducible', async () => {
  st.setSeed(123);
  const a = await st.data.array(range(30)).shuffle(30).toArray();
  st.setSeed(123);
  const b = await st.data.array(range(30)).shuffle(30).toArray();
  assert.deepEqual(a, b);
});

test('shuffle draws from a window of bufferSize elements, as tf.data', async () => {
  const tf = await tfjs();
  const n = 60;
  for (const bufferSize of [1, 3, 10]) {
    const orders = [
      await st.data.array(range(n)).shuffle(bufferSize, 9).toArray(),
      await tf.data.array(range(n)).shuffle(bufferSize, '9').toArray(),
    ];
    for (const [who, out] of [['st', orders[0]], ['tf', orders[1]]] as const) {
      assert.deepEqual(sorted(out), range(n), `${who} ${bufferSize}: a permutation`);
      // Element i out is one of the first i + bufferSize in.
      out.forEach((x, i) => assert.ok(x < i + bufferSize, `${who} bufferSize ${bufferSize}: element ${i} is input ${x}`));
    }
    if (bufferSize === 1) assert.deepEqual(orders[0], range(n));
    // How far elements travel forward is bounded by the window: both spread about as much.
    const reach = (out: number[]) => Math.max(...out.map((x, i) => i - x));
    if (bufferSize === 10) assert.ok(reach(orders[0]) > bufferSize && reach(orders[1]) > bufferSize, 'elements can wait long in the window');
  }
});

test('a full-size window gives every element every position about equally often', async () => {
  const ds = st.data.array(range(5)).shuffle(5, 77);
  const counts = range(5).map(() => 0);
  for (let pass = 0; pass < 500; pass++) counts[(await ds.toArray())[0]]++;
  for (const c of counts) assert.ok(c > 70 && c < 130, `first-position counts ${counts}`);
});

test('shuffling zipped features and labels keeps each pair together', async () => {
  const xs = range(12).map((i) => [i, i * 2]);
  const ys = range(12).map((i) => i % 3);
  const ds = st.data.zip({ xs: st.data.array(xs), ys: st.data.array(ys) }).shuffle(12, 3).batch(5);
  const batches = (await ds.toArray()) as { xs: st.Tensor; ys: st.Tensor }[];
  assert.deepEqual(batches.map((b) => b.ys.shape[0]), [5, 5, 2]);
  const seen: number[] = [];
  for (const b of batches) {
    for (let r = 0; r < b.ys.shape[0]; r++) {
      const i = b.xs.values[2 * r];
      assert.equal(b.xs.values[2 * r + 1], 2 * i);
      assert.equal(b.ys.values[r], i % 3);
      seen.push(i);
    }
  }
  assert.deepEqual(sorted(seen), range(12));
  assert.notDeepEqual(seen, range(12));
});

test('shuffle rejects a missing or bad bufferSize and seed, suggesting the dataset size', () => {
  assert.throws(() => st.data.array(range(8)).shuffle(undefined as never), /bufferSize must be a positive integer.*dataset size \(8\)/);
  assert.throws(() => st.data.array(range(8)).shuffle(0), st.ConfigError);
  assert.throws(() => st.data.array(range(8)).shuffle(4, {} as never), /seed must be a number or a string/);
});
