import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError, expectGradientsClose, forEachBackend, rand } from './helpers.js';

test('resizeBilinear matches tf.image.resizeBilinear: up and down, alignCorners, halfPixelCenters, one image, int32', async () => {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const v = Array.from({ length: 2 * 4 * 5 * 3 }, (_, i) => Math.sin(i * 1.7) * 10);
  forEachBackend((backend) => {
    for (const size of [[7, 9], [2, 3], [4, 5], [1, 1], [8, 2]] as [number, number][]) {
      for (const [align, half] of [[false, false], [true, false], [false, true]]) {
        const got = st.image.resizeBilinear(st.tensor(v, [2, 4, 5, 3]), size, align, half);
        const want = tf.image.resizeBilinear(tf.tensor(v, [2, 4, 5, 3]) as import('@tensorflow/tfjs').Tensor4D, size, align, half);
        const what = `${backend} size ${size} align ${align} half ${half}`;
        assert.deepEqual(got.shape, want.shape, what);
        expectClose(got, Array.from(want.dataSync()), 1e-5, 1e-5, what);
      }
    }
    const one = st.tensor([[[0], [10]], [[20], [30]]]);
    const got3 = st.resizeBilinear(one, [3, 3], true);
    assert.deepEqual(got3.shape, [3, 3, 1]);
    expectClose(got3, [0, 5, 10, 10, 15, 20, 20, 25, 30]);
    const gotInt = st.tensor([[[[0], [10]], [[20], [30]]]], undefined, 'int32').resizeBilinear([2, 4]);
    assert.equal(gotInt.dtype, 'float32');
    expectClose(gotInt, Array.from(tf.image.resizeBilinear(tf.tensor4d([0, 10, 20, 30], [1, 2, 2, 1], 'int32'), [2, 4]).dataSync()));
  });
});

test('resizeBilinear gradients (finite differences), each option', () => {
  forEachBackend(() => {
    for (const [align, half] of [[false, false], [true, false], [false, true]]) {
      expectGradientsClose((x) => st.sum(st.square(st.resizeBilinear(x, [5, 3], align, half))), [rand([1, 3, 4, 2], 3)]);
    }
  }, 'fallback');
});

test('resizeBilinear rejects bad images, sizes and option pairs, naming them', () => {
  expectError(() => st.resizeBilinear(st.ones([4, 4]), [2, 2]), st.ShapeError, 'resizeBilinear', '[4, 4]');
  expectError(() => st.resizeBilinear(st.ones([1, 4, 4, 1]), [2, 0] as [number, number]), st.ConfigError, 'size', '[2,0]');
  expectError(() => st.resizeBilinear(st.ones([1, 4, 4, 1]), [2, 2], true, true), st.ConfigError, 'alignCorners', 'halfPixelCenters');
});
