import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { elements, plain, tfjs } from './data-helpers.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Lib = any; // st or tf: the same calls on both

// Elements of the kinds TensorFlow.js programs batch: numbers, number arrays, tensors, nested objects.
function records(lib: Lib): unknown[] {
  return [0, 1, 2, 3, 4].map((i) => ({
    xs: { age: i, pos: [i, -i], img: lib.tensor([[i, i + 0.5], [i + 1, i + 1.5]]) },
    ys: lib.tensor([i % 2]),
    w: i / 10,
  }));
}

for (const smallLastBatch of [true, false]) {
  test(`batch(2, ${smallLastBatch}) of nested objects matches tf.data`, async () => {
    const tf = await tfjs();
    const ours = st.data.array(records(st)).batch(2, smallLastBatch);
    const theirs = tf.data.array(records(tf) as never).batch(2, smallLastBatch);
    const got = await elements(ours);
    assert.deepEqual(got, await elements(theirs));
    assert.equal(got.length, smallLastBatch ? 3 : 2);
    assert.equal(ours.size, theirs.size);
    // Spot-check the layout itself, not only the agreement.
    const first = got[0] as { xs: { img: { shape: number[] }; pos: { shape: number[]; values: number[] } }; ys: { shape: number[] } };
    assert.deepEqual(first.xs.img.shape, [2, 2, 2]);
    assert.deepEqual(first.xs.pos, { shape: [2, 2], values: [0, 0, 1, -1] });
    assert.deepEqual(first.ys.shape, [2, 1]);
  });
}

test('batch keeps int32 tensors int32, stacks typed arrays and numbers into float32, as tf.data', async () => {
  const tf = await tfjs();
  const build = (lib: Lib) => lib.data.array([0, 1, 2].map((i) => ({
    label: lib.tensor([i], [1], 'int32'), f: new Float32Array([i, i * 2]), n: i + 0.25,
  }))).batch(3);
  const [ours] = (await build(st).toArray()) as Record<string, st.Tensor>[];
  const [theirs] = (await build(tf).toArray()) as Record<string, import('@tensorflow/tfjs').Tensor>[];
  assert.deepEqual(plain(ours), plain(theirs));
  for (const k of ['label', 'f', 'n']) assert.equal(ours[k].dtype, theirs[k].dtype, k);
  assert.equal(ours.label.dtype, 'int32');
});

test('batch of [x, y] arrays holding tensors batches position by position (TensorFlow.js cannot)', async () => {
  const ds = st.data.array([0, 1, 2].map((i) => [st.tensor([i, i]), st.tensor([10 * i])])).batch(2);
  const [b0, b1] = await elements(ds);
  assert.deepEqual(b0, [{ shape: [2, 2], values: [0, 0, 1, 1] }, { shape: [2, 1], values: [0, 10] }]);
  assert.deepEqual(b1, [{ shape: [1, 2], values: [2, 2] }, { shape: [1, 1], values: [20] }]);
});

test('batch stacks copies: later changes to an element do not reach the batch', async () => {
  const t = st.tensor([1, 2]);
  const [b] = (await st.data.array([t, t]).batch(2).toArray()) as st.Tensor[];
  t.values[0] = 99;
  assert.deepEqual(Array.from(b.values), [1, 2, 1, 2]);
});

test('batch errors name the element, the path and the fix', async () => {
  const reject = (items: unknown[], ...patterns: RegExp[]) =>
    assert.rejects(st.data.array(items).batch(4).toArray(), (e: Error) => {
      for (const p of patterns) assert.match(e.message, p);
      return e instanceof st.StrataError;
    });
  await reject([{ x: st.tensor([1, 2]) }, { x: st.tensor([1, 2, 3]) }], /element 1 at \.x has shape \[3\] but element 0 has \[2\]/);
  await reject([st.tensor([1], [1], 'int32'), st.tensor([1])], /element 1 is float32 but element 0 is int32/);
  await reject([{ name: 'setosa' }, { name: 'virginica' }], /element 0 at \.name is a string; .*map strings to numbers/);
  await reject([{ a: 1, b: 2 }, { a: 3 }], /element 1 has no key 'b'/);
  await reject([[1, 2], [3]], /do not form one tensor/);
  await reject([{ a: null }, { a: 1 }], /element 0 at \.a is null/);
});
