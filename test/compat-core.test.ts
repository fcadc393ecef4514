import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError } from './helpers.js';

test('tensor1d … tensor6d build tensors of their rank and refuse the wrong nesting', () => {
  assert.deepEqual(st.tensor1d([1, 2, 3]).shape, [3]);
  assert.equal(st.tensor1d([1, 2], 'int32').dtype, 'int32');
  const t2 = st.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
  assert.deepEqual(t2.arraySync(), [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(st.tensor2d([[1, 2], [3, 4]]).shape, [2, 2]);
  assert.deepEqual(st.tensor3d([[[1], [2]]]).shape, [1, 2, 1]);
  assert.deepEqual(st.tensor4d(new Float32Array(8), [1, 2, 2, 2]).shape, [1, 2, 2, 2]);
  assert.deepEqual(st.tensor5d(new Float32Array(4), [1, 1, 2, 2, 1]).shape, [1, 1, 2, 2, 1]);
  assert.deepEqual(st.tensor6d([[[[[[7]]]]]]).shape, [1, 1, 1, 1, 1, 1]);
  // Uint8Array (pixels) becomes int32, as TF.js infers it.
  assert.equal(st.tensor2d(Uint8Array.of(1, 2, 3, 4), [2, 2]).dtype, 'int32');
  expectError(() => st.tensor2d([1, 2, 3, 4]), st.ShapeError, 'tensor2d: a flat array or typed array needs a shape of 2 numbers');
  expectError(() => st.tensor2d([[[1]]]), st.ShapeError, 'tensor2d: values must be nested 2 deep', 'got values nested 3 deep');
  expectError(() => st.tensor3d([1, 2], [2, 1] as never), st.ShapeError, 'tensor3d: shape must have 3 numbers, got [2, 1]');
  expectError(() => st.tensor1d([[1, 2]]), st.ShapeError, 'tensor1d: values must be nested 1 deep');
  expectError(() => st.tensor2d([1, 2, 3], [2, 2]), st.ShapeError, 'holds 4 values, but 3 were given');
});

test('buffer / TensorBuffer: set, get, locToIndex, indexToLoc, strides, toTensor', () => {
  const b = st.buffer([2, 3, 4]);
  assert.deepEqual(b.strides, [12, 4]);
  assert.equal(b.size, 24);
  assert.equal(b.dtype, 'float32');
  b.set(5, 1, 2, 3);
  b.set(-1, 0, 1, 0);
  assert.equal(b.get(1, 2, 3), 5);
  assert.equal(b.locToIndex([1, 2, 3]), 23);
  assert.deepEqual(b.indexToLoc(23), [1, 2, 3]);
  assert.deepEqual(b.indexToLoc(4), [0, 1, 0]);
  const t = b.toTensor();
  assert.equal(t.dataSync()[23], 5);
  assert.equal(t.dataSync()[4], -1);
  b.set(9, 0, 0, 0);
  assert.equal(t.dataSync()[0], 0, 'toTensor copies');
  const i = st.buffer([3], 'int32', Int32Array.of(1, 2, 3));
  i.set(7, 2);
  assert.deepEqual(Array.from(i.toTensor().dataSync()), [1, 2, 7]);
  assert.deepEqual(st.buffer([]).strides, []);
  expectError(() => b.get(1, 2), st.ShapeError, 'location [1, 2] has 2 indices, the buffer has rank 3');
  expectError(() => b.set(1, 2, 0, 0), st.ShapeError, 'out of range for shape [2, 3, 4]');
  expectError(() => st.buffer([2, 2], 'float32', new Float32Array(3)), st.ShapeError, '3 values do not fill shape [2, 2]');
});

test('util helpers behave as TF.js documents them', () => {
  assert.throws(() => st.util.assert(false, () => 'custom message'), /custom message/);
  st.util.assert(true, () => 'never built');
  expectError(() => st.util.assertShapesMatch([2, 3], [3, 2], 'Error in f:'), st.ShapeError, 'Error in f: Shapes [2,3] and [3,2] must match');
  assert.equal(st.util.sizeFromShape([2, 3, 4]), 24);
  assert.equal(st.util.sizeFromShape([]), 1);
  assert.ok(st.util.arraysEqual([1, 2], Int32Array.of(1, 2)) && !st.util.arraysEqual([1, 2], [1, 2, 3]));
  assert.deepEqual(st.util.flatten([[1, 2], [3, [4, Float32Array.of(5, 6)]]]), [1, 2, 3, 4, 5, 6]);
  assert.ok(st.util.isTypedArray(new Uint8Array(2)) && !st.util.isTypedArray([1]));
  assert.equal(st.util.clamp(0, 5, 3), 3);
  assert.equal(st.util.clamp(0, -1, 3), 0);
  assert.deepEqual(st.util.computeStrides([2, 3, 4]), [12, 4]);
  const bytes = st.util.encodeString('hé');
  assert.deepEqual(Array.from(bytes), [104, 195, 169]);
  assert.equal(st.util.decodeString(bytes), 'hé');
  const t0 = st.util.now();
  assert.ok(typeof t0 === 'number' && st.util.now() >= t0);

  // shuffle permutes in place and follows st.setSeed.
  st.setSeed(42);
  const a = Array.from({ length: 20 }, (_, i) => i);
  st.util.shuffle(a);
  assert.notDeepEqual(a, Array.from({ length: 20 }, (_, i) => i));
  assert.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i));
  st.setSeed(42);
  const b = Array.from({ length: 20 }, (_, i) => i);
  st.util.shuffle(b);
  assert.deepEqual(a, b);
  const idx = st.util.createShuffledIndices(10);
  assert.ok(idx instanceof Uint32Array);
  assert.deepEqual(Array.from(idx).sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const xs = [0, 1, 2, 3, 4], ys = ['a', 'b', 'c', 'd', 'e'];
  st.util.shuffleCombo(xs, ys);
  xs.forEach((x, i) => assert.equal(ys[i], 'abcde'[x]));
  expectError(() => st.util.shuffleCombo([1], [1, 2]), st.ConfigError, 'same length');
});

test('tidy returns its result, dispose/keep are no-ops, memory is honest, nextFrame and ready resolve', async () => {
  const x = st.tensor([1, 2]);
  const y = st.tidy(() => st.mul(x, 3));
  expectClose(y, [3, 6]);
  assert.deepEqual(st.tidy('named', () => ({ a: 1 })), { a: 1 });
  expectError(() => st.tidy(42 as never), st.ConfigError, 'tidy: expected a function');
  expectError(() => st.tidy((async () => x) as never), st.ConfigError, 'returned a Promise');
  st.dispose(y);
  st.dispose([x, y]);
  expectClose(y, [3, 6]);
  assert.equal(st.keep(x), x);
  const m = st.memory();
  assert.equal(m.unreliable, true);
  assert.equal(m.numTensors, 0);
  assert.ok(m.numBytes > 0, 'Node reports ArrayBuffer memory');
  assert.ok(m.reasons.some((r) => r.includes('garbage collector')));
  let resolved = false;
  const p = st.nextFrame().then(() => { resolved = true; });
  assert.equal(resolved, false);
  await p;
  assert.equal(resolved, true);
  await st.ready();
});

test('multinomial: seeded, int32 [batch, numSamples], empirical frequencies match softmax(logits)', () => {
  const logits = [[0, Math.log(3), Math.log(6)], [Math.log(8), 0, Math.log(1)]];
  const n = 20000;
  const s = st.multinomial(st.tensor(logits), n, 7);
  assert.equal(s.dtype, 'int32');
  assert.deepEqual(s.shape, [2, n]);
  const v = s.dataSync();
  const want = [[0.1, 0.3, 0.6], [0.8, 0.1, 0.1]];
  for (let r = 0; r < 2; r++) {
    const counts = [0, 0, 0];
    for (let i = 0; i < n; i++) counts[v[r * n + i]]++;
    counts.forEach((c, k) => assert.ok(Math.abs(c / n - want[r][k]) < 0.01, `row ${r} class ${k}: ${c / n} vs ${want[r][k]}`));
  }
  assert.deepEqual(Array.from(st.multinomial(st.tensor(logits), 50, 7).dataSync().slice(0, 50)), Array.from(v.slice(0, 50)));
  // normalized: the values are probabilities; 1-D logits give [numSamples].
  const p = st.multinomial(st.tensor([0.25, 0.75]), n, 3, true);
  assert.deepEqual(p.shape, [n]);
  const ones = Array.from(p.dataSync()).filter((k) => k === 1).length / n;
  assert.ok(Math.abs(ones - 0.75) < 0.01, `P(1) = ${ones}`);
  expectError(() => st.multinomial(st.tensor([[1]]), 3), st.ShapeError, 'at least 2 classes');
  expectError(() => st.multinomial(st.tensor([1, 2]), 0), st.ConfigError, 'numSamples must be a positive integer');
});
