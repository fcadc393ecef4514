import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { affineTransform, type FillMode, type Interpolation } from '../src/layers/image-sampling.js';
import { Random } from '../src/tensor/random.js';
import { expectClose, expectError, expectGradientsClose, forEachBackend, rand } from './helpers.js';
import { expectConfigRoundTrip } from './layer-helpers.js';

// Image preprocessing and augmentation layers, checked against Keras 3's formulas on small hand-made
// images, against TensorFlow.js 4.22 where it has the op or layer, and for seeding, ranges and files.

type TF = typeof import('@tensorflow/tfjs');
const loadTf = async (): Promise<TF> => import('@tensorflow/tfjs');

/** Image [b, h, w, c] with pixel (i, y, x, ch) = 100·i + 10·y + x + ch/10, so every value says where it came from. */
function grid(b: number, h: number, w: number, c = 1): st.Tensor {
  const v: number[] = [];
  for (let i = 0; i < b; i++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) v.push(100 * i + 10 * y + x + ch / 10);
  return st.tensor(v, [b, h, w, c]);
}

/** out[i][y][x][c] = x[i][src(y, x)][c] for a pixel map src, by loops (an independent reference). */
function remap(x: st.Tensor, src: (y: number, x: number) => [number, number]): number[] {
  const [b, h, w, c] = x.shape;
  const out: number[] = [];
  for (let i = 0; i < b; i++) for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) {
    const [sy, sx] = src(y, xx);
    for (let ch = 0; ch < c; ch++) out.push(x.values[((i * h + sy) * w + sx) * c + ch]);
  }
  return out;
}

const seedRandom = (seed: number): Random => new Random(seed);
const run = (layer: st.layers.Layer, x: st.Tensor, training = true): st.Tensor => layer.apply(x, { training }) as st.Tensor;

test('rescaling: x·scale + offset, per-channel lists, int32 → float32; matches TensorFlow.js', async () => {
  const tf = await loadTf();
  forEachBackend(() => {
    const x = st.tensor([0, 51, 255, 127.5], [1, 2, 2, 1]);
    expectClose(run(st.layers.rescaling({ scale: 1 / 255 }), x), [0, 0.2, 1, 0.5]);
    expectClose(run(st.layers.rescaling({ scale: 1 / 127.5, offset: -1 }), x), [-1, -0.6, 1, 0]);
    const y = run(st.layers.rescaling({ scale: [1, 10], offset: [0, -1] }), st.tensor([1, 2, 3, 4], [2, 2]));
    expectClose(y, [1, 19, 3, 39]);
    const yi = run(st.layers.rescaling({ scale: 0.5 }), st.tensor([1, 3], [2], 'int32'));
    assert.equal(yi.dtype, 'float32');
    expectClose(yi, [0.5, 1.5]);
    const g = grid(2, 3, 2, 2);
    const want = tf.layers.rescaling({ scale: 0.25, offset: 3 }).apply(tf.tensor(Array.from(g.values), g.shape)) as import('@tensorflow/tfjs').Tensor;
    expectClose(run(st.layers.rescaling({ scale: 0.25, offset: 3 }), g), want.dataSync());
  }, 'fallback');
});

test('resizing: bilinear and nearest match tf.image.resize with half-pixel centers, up and down, batch and single image', async () => {
  const tf = await loadTf();
  forEachBackend(() => {
    const x = rand([2, 4, 5, 2], 1, 'float32');
    const tx = tf.tensor4d(Array.from(x.values), x.shape as [number, number, number, number]) as import('@tensorflow/tfjs').Tensor4D;
    for (const [h, w] of [[7, 3], [2, 8], [4, 5], [1, 1]]) {
      const bil = run(st.layers.resizing({ height: h, width: w }), x);
      assert.deepEqual(bil.shape, [2, h, w, 2]);
      expectClose(bil, tf.image.resizeBilinear(tx, [h, w], false, true).dataSync(), 1e-5, 1e-4, `bilinear ${h}x${w}`);
      const nn = run(st.layers.resizing({ height: h, width: w, interpolation: 'nearest' }), x);
      expectClose(nn, tf.image.resizeNearestNeighbor(tx, [h, w], false, true).dataSync(), 1e-6, 0, `nearest ${h}x${w}`);
    }
    // Hand values: a 1×2 row [0, 10] to width 4 reads positions −0.25, 0.25, 0.75, 1.25 → 0, 2.5, 7.5, 10.
    expectClose(run(st.layers.resizing({ height: 1, width: 4 }), st.tensor([0, 10], [1, 2, 1])), [0, 2.5, 7.5, 10]);
    const single = run(st.layers.resizing({ height: 3, width: 3 }), st.tensor(Array.from(x.values.slice(0, 40)), [4, 5, 2]));
    assert.deepEqual(single.shape, [3, 3, 2]);
    expectClose(single, Array.from(run(st.layers.resizing({ height: 3, width: 3 }), x).values.slice(0, 18)));
  });
});

test('resizing cropToAspectRatio crops the centred window of the target ratio, then resizes', () => forEachBackend(() => {
  // 4×6 → 2×2: Keras crops rows 0..3, columns 1..4 (a 4×4 square), then halves it.
  const x = grid(1, 4, 6);
  const y = run(st.layers.resizing({ height: 2, width: 2, cropToAspectRatio: true }), x);
  const square = remap(grid(1, 4, 4), (r, c) => [r, c]).map((v) => v + 1); // columns shifted by one
  const want = run(st.layers.resizing({ height: 2, width: 2 }), st.tensor(square, [1, 4, 4, 1]));
  expectClose(y, want);
  expectClose(y, [6.5, 8.5, 26.5, 28.5]);
  // 5×8 to 5×5: the window starts at column trunc(3/2) = 1; same size after the crop, so no resampling.
  expectClose(run(st.layers.resizing({ height: 5, width: 5, cropToAspectRatio: true }), grid(1, 5, 8)),
    remap(grid(1, 5, 5), (r, c) => [r, c]).map((v) => v + 1));
  // Without the crop the 6 columns are squeezed: different values.
  assert.notDeepEqual(Array.from(run(st.layers.resizing({ height: 2, width: 2 }), x).values), Array.from(y.values));
}, 'fallback'));

test('centerCrop: the window at floor((h − height)/2); smaller images are cropped to the ratio and resized; TF.js agrees', async () => {
  const tf = await loadTf();
  forEachBackend(() => {
    const x = grid(2, 6, 7, 2);
    const y = run(st.layers.centerCrop({ height: 3, width: 4 }), x);
    assert.deepEqual(y.shape, [2, 3, 4, 2]);
    // Rows 1..3 (floor(3/2) = 1), columns 1..4 (floor(3/2) = 1).
    expectClose(y, remap(grid(2, 3, 4, 2), (r, c) => [r, c]).map((v) => v + 11));
    const single = run(st.layers.centerCrop({ height: 2, width: 2 }), st.tensor(Array.from(grid(1, 4, 4).values), [4, 4, 1]));
    assert.deepEqual(single.shape, [2, 2, 1]);
    expectClose(single, [11, 12, 21, 22]);
    // Target taller than the image: Keras' smart resize (crop 2×4 → 2×2 centre, resize to 4×4).
    const small = grid(1, 2, 4);
    const up = run(st.layers.centerCrop({ height: 4, width: 4 }), small);
    const want = run(st.layers.resizing({ height: 4, width: 4 }), st.tensor([1, 2, 11, 12], [1, 2, 2, 1]));
    expectClose(up, want);
    // TensorFlow.js 4.22's CenterCrop where its window agrees with Keras' (even differences).
    const g = grid(1, 8, 6, 3);
    const tfY = tf.layers.centerCrop({ height: 4, width: 2 }).apply(tf.tensor(Array.from(g.values), g.shape)) as import('@tensorflow/tfjs').Tensor;
    expectClose(run(st.layers.centerCrop({ height: 4, width: 2 }), g), tfY.dataSync());
  }, 'fallback');
});

test('rescaling, resizing and centerCrop are differentiable with respect to the image', () => {
  const x = rand([2, 4, 5, 2], 3);
  expectGradientsClose((t) => run(st.layers.rescaling({ scale: [0.5, -2], offset: 1, dtype: 'float64' }), t), [x]);
  expectGradientsClose((t) => run(st.layers.resizing({ height: 3, width: 7 }), t), [x]);
  expectGradientsClose((t) => run(st.layers.resizing({ height: 5, width: 2, interpolation: 'nearest', cropToAspectRatio: true }), t), [x]);
  expectGradientsClose((t) => run(st.layers.centerCrop({ height: 3, width: 3 }), t), [x]);
  expectGradientsClose((t) => run(st.layers.centerCrop({ height: 6, width: 6 }), t), [x]);
});

test('randomFlip: exact reversals, both axes on one draw for horizontal_and_vertical, about half flipped', () => forEachBackend(() => {
  const x = grid(40, 2, 3, 2);
  const flippedIn = (y: st.Tensor, i: number, map: (r: number, c: number) => [number, number]): boolean => {
    const one = st.slice(x, [i, 0, 0, 0], [1, 2, 3, 2]);
    const got = Array.from(st.slice(y, [i, 0, 0, 0], [1, 2, 3, 2]).values);
    const want = remap(one, map);
    return got.every((v, k) => Math.abs(v - want[k]) < 1e-6);
  };
  const same = (r: number, c: number): [number, number] => [r, c];
  const h = (r: number, c: number): [number, number] => [r, 2 - c];
  const v = (r: number, c: number): [number, number] => [1 - r, c];
  const hv = (r: number, c: number): [number, number] => [1 - r, 2 - c];
  for (const [mode, flip] of [['horizontal', h], ['vertical', v], ['horizontal_and_vertical', hv]] as const) {
    const y = run(st.layers.randomFlip({ mode, seed: 11 }), x);
    let flipped = 0;
    for (let i = 0; i < 40; i++) {
      const f = flippedIn(y, i, flip), s = flippedIn(y, i, same);
      assert.ok(f !== s, `${mode}: image ${i} is neither the input nor its flip`);
      if (f) flipped++;
    }
    assert.ok(flipped >= 10 && flipped <= 30, `${mode}: ${flipped} of 40 flipped`);
  }
  // One image [h, w, c]: flipped or not, shape kept.
  const one = run(st.layers.randomFlip({ mode: 'horizontal', seed: 2 }), st.tensor([1, 2, 3], [1, 3, 1]));
  assert.deepEqual(one.shape, [1, 3, 1]);
  assert.ok(['1,2,3', '3,2,1'].includes(Array.from(one.values).join(',')));
}));

test('randomRotation by exactly 90° or 180° (factor bounds pinned) transposes and reverses the image', () => forEachBackend(() => {
  const x = grid(2, 4, 4, 2);
  for (const interpolation of ['nearest', 'bilinear'] as const) {
    // Counter-clockwise quarter turn: out[y][x] = in[x][n − 1 − y] (np.rot90).
    const q = run(st.layers.randomRotation({ factor: [0.25, 0.25], interpolation }), x);
    expectClose(q, remap(x, (y, c) => [c, 3 - y]), 1e-4, 0, `90° ${interpolation}`);
    const cw = run(st.layers.randomRotation({ factor: [-0.25, -0.25], interpolation }), x);
    expectClose(cw, remap(x, (y, c) => [3 - c, y]), 1e-4, 0, `−90° ${interpolation}`);
    const half = run(st.layers.randomRotation({ factor: [0.5, 0.5], interpolation }), x);
    expectClose(half, remap(x, (y, c) => [3 - y, 3 - c]), 1e-4, 0, `180° ${interpolation}`);
  }
  // A non-square 2×3 image turned by 180° about its centre stays inside: an exact reversal.
  const r = grid(1, 2, 3);
  expectClose(run(st.layers.randomRotation({ factor: [0.5, 0.5], fillMode: 'constant', fillValue: -1 }), r), [12, 11, 10, 2, 1, 0], 1e-4, 0);
}));

test('affine sampling matches tf.image.transform for every fill mode and interpolation', async () => {
  const tf = await loadTf();
  const x = grid(1, 4, 5, 2);
  const tx = tf.tensor4d(Array.from(x.values), x.shape as [number, number, number, number]) as import('@tensorflow/tfjs').Tensor4D;
  // Rotation-like, zoom-out, shift beyond the image, wrap-around shift, a projective one.
  const transforms = [
    [0.8, -0.6, 1.35, 0.6, 0.8, -0.95, 0, 0],
    [2.25, 0, -4.5, 0, 1.75, -2.625, 0, 0],
    [1, 0, -6.25, 0, 1, 2.375, 0, 0],
    [1, 0, 7.625, 0, 1, -9.125, 0, 0],
    [1.1, 0.2, -0.7, -0.1, 0.9, 0.4, 0.05, -0.03],
  ];
  for (const t of transforms) {
    for (const fillMode of ['reflect', 'wrap', 'constant', 'nearest'] as FillMode[]) {
      for (const interpolation of ['bilinear', 'nearest'] as Interpolation[]) {
        const want = tf.image.transform(tx, tf.tensor2d([t]), interpolation, fillMode, 2.5).dataSync();
        forEachBackend(() => expectClose(affineTransform(x, t, interpolation, fillMode, 2.5), want, 1e-4, 1e-5, `${fillMode} ${interpolation} [${t}]`), 'either');
      }
    }
  }
});

test('randomZoom and randomTranslation against hand-computed fills on tiny images', () => forEachBackend(() => {
  // Row [a b c] = [1 2 3] (one row repeated); zoom out ×2 about the centre: x reads 2x − 1 → −1, 1, 3.
  const row = st.tensor([1, 2, 3, 1, 2, 3, 1, 2, 3], [1, 3, 3, 1]);
  const zoomOut = (fillMode: FillMode) => run(st.layers.randomZoom({ heightFactor: [0, 0], widthFactor: [1, 1], fillMode, fillValue: 9 }), row);
  expectClose(zoomOut('reflect'), [1, 2, 3, 1, 2, 3, 1, 2, 3], 1e-5, 0, 'reflect');     // −1 → a, 3 → c
  expectClose(zoomOut('wrap'), [3, 2, 1, 3, 2, 1, 3, 2, 1], 1e-5, 0, 'wrap');           // −1 → c, 3 → a
  expectClose(zoomOut('constant'), [9, 2, 9, 9, 2, 9, 9, 2, 9], 1e-5, 0, 'constant');
  expectClose(zoomOut('nearest'), [1, 2, 3, 1, 2, 3, 1, 2, 3], 1e-5, 0, 'nearest');
  // ×1.5: positions −0.5, 1, 2.5; bilinear with constant fill 9 blends half of the edge pixel and half of 9.
  const z15 = run(st.layers.randomZoom({ heightFactor: [0, 0], widthFactor: [0.5, 0.5], fillMode: 'constant', fillValue: 9 }), row);
  expectClose(z15, [5, 2, 6, 5, 2, 6, 5, 2, 6]);
  // Zoom in ×0.5 with widthFactor omitted: both axes, positions 0.5, 1, 1.5 → bilinear blends.
  const g = grid(1, 3, 3);
  expectClose(run(st.layers.randomZoom({ heightFactor: [-0.5, -0.5] }), g), [5.5, 6, 6.5, 10.5, 11, 11.5, 15.5, 16, 16.5]);
  // Translation right by one pixel of 4 (widthFactor 0.25): x reads x − 1.
  const r4 = st.tensor([1, 2, 3, 4], [1, 1, 4, 1]);
  const shift = (fillMode: FillMode, wf: number, interpolation: Interpolation = 'bilinear') =>
    Array.from(run(st.layers.randomTranslation({ heightFactor: 0, widthFactor: [wf, wf], fillMode, fillValue: 0, interpolation }), r4).values);
  expectClose(shift('reflect', 0.25), [1, 1, 2, 3]);
  expectClose(shift('wrap', 0.25), [4, 1, 2, 3]);
  expectClose(shift('constant', 0.25), [0, 1, 2, 3]);
  expectClose(shift('nearest', 0.25), [1, 1, 2, 3]);
  expectClose(shift('reflect', -0.5), [3, 4, 4, 3]);
  // Half a pixel (0.125 · 4): positions −0.5, 0.5, 1.5, 2.5.
  expectClose(shift('constant', 0.125), [0.5, 1.5, 2.5, 3.5]);
  expectClose(shift('nearest', 0.125), [1, 1.5, 2.5, 3.5]);
  expectClose(shift('constant', 0.125, 'nearest'), [0, 2, 3, 4]); // rounds half away from zero, as std::round
  // Vertical shift down by one row of 2 (heightFactor 0.5) on [[1, 2], [3, 4]] with reflect: rows [1 2], [1 2].
  expectClose(run(st.layers.randomTranslation({ heightFactor: [0.5, 0.5], widthFactor: 0 }), st.tensor([1, 2, 3, 4], [2, 2, 1])), [1, 2, 1, 2]);
}, 'fallback'));

test('randomContrast: (x − mean)·k + mean per image and channel with one k per image in [1 − lower, 1 + upper], clipped', () => forEachBackend(() => {
  const x = st.add(st.mul(st.randomUniform([6, 3, 4, 2], { seed: 4 }), 100), 50); // [50, 150], far from the clip
  const y = run(st.layers.randomContrast({ factor: [0.1, 0.4], seed: 5 }), x);
  const [b, h, w, c] = x.shape;
  const ks: number[] = [];
  for (let i = 0; i < b; i++) {
    let k = NaN;
    for (let ch = 0; ch < c; ch++) {
      let m = 0;
      for (let p = 0; p < h * w; p++) m += x.values[(i * h * w + p) * c + ch] / (h * w);
      for (let p = 0; p < h * w; p++) {
        const at = (i * h * w + p) * c + ch;
        const kk = (y.values[at] - m) / (x.values[at] - m);
        if (Number.isNaN(k)) k = kk;
        assert.ok(Math.abs(kk - k) < 1e-3, `image ${i}: factor ${kk} differs from ${k} within the image`);
      }
    }
    assert.ok(k >= 0.9 - 1e-6 && k <= 1.4 + 1e-6, `factor ${k} outside [0.9, 1.4]`);
    ks.push(k);
  }
  assert.ok(new Set(ks.map((k) => k.toFixed(4))).size > 1, 'images draw different factors');
  // valueRange clips: a strong contrast on [0, 1] images stays in [0, 1].
  const z = run(st.layers.randomContrast({ factor: 1, valueRange: [0, 1], seed: 1 }), st.randomUniform([8, 4, 4, 1], { seed: 2 }));
  assert.ok(Array.from(z.values).every((v) => v >= 0 && v <= 1));
}));

test('every random layer is the identity at inference (default and training: false)', () => forEachBackend(() => {
  const x = grid(2, 5, 4, 3);
  // Seeded so that the training call surely changes the images (an unseeded flip may keep them by chance).
  const layers = [
    st.layers.randomFlip({ seed: 4 }), st.layers.randomRotation({ factor: 0.4, seed: 1 }), st.layers.randomZoom({ heightFactor: 0.5, seed: 1 }),
    st.layers.randomTranslation({ heightFactor: 0.3, widthFactor: 0.3, seed: 1 }), st.layers.randomContrast({ factor: 0.9, seed: 1 }),
  ];
  for (const l of layers) {
    assert.deepEqual(Array.from((l.apply(x) as st.Tensor).values), Array.from(x.values), l.describe());
    assert.deepEqual(Array.from(run(l, x, false).values), Array.from(x.values), l.describe());
    assert.notDeepEqual(Array.from(run(l, x, true).values), Array.from(x.values), `${l.describe()} while training`);
  }
  // Integer images come out as float32, as Keras' layers output floats.
  const xi = st.tensor([1, 2, 3, 4], [1, 2, 2, 1], 'int32');
  for (const l of layers) {
    for (const training of [false, true]) assert.equal(run(l, xi, training).dtype, 'float32', `${l.describe()} training ${training}`);
  }
}));

test('seeded: the same seed gives the same augmentations call after call; calls and seeds differ', () => forEachBackend(() => {
  const x = grid(3, 5, 5, 2);
  const makers: ((seed: number) => st.layers.Layer)[] = [
    (seed) => st.layers.randomFlip({ seed }),
    (seed) => st.layers.randomRotation({ factor: 0.3, seed }),
    (seed) => st.layers.randomZoom({ heightFactor: 0.4, widthFactor: [-0.2, 0.3], seed }),
    (seed) => st.layers.randomTranslation({ heightFactor: 0.4, widthFactor: 0.4, seed }),
    (seed) => st.layers.randomContrast({ factor: 0.5, seed }),
  ];
  for (const make of makers) {
    const a = make(7), b = make(7), c = make(8);
    const a1 = Array.from(run(a, x).values), b1 = Array.from(run(b, x).values), c1 = Array.from(run(c, x).values);
    const a2 = Array.from(run(a, x).values), b2 = Array.from(run(b, x).values);
    assert.deepEqual(a1, b1, `${a.className}: first calls`);
    assert.deepEqual(a2, b2, `${a.className}: second calls`);
    assert.notDeepEqual(a1, c1, `${a.className}: seeds 7 and 8`);
    if (a.className !== 'RandomFlip') assert.notDeepEqual(a1, a2, `${a.className}: successive calls`);
  }
}));

test('random parameters stay in their ranges and spread over them across many draws', () => {
  const draws = 400;
  const spread = (vals: number[], lo: number, hi: number, what: string): void => {
    const min = Math.min(...vals), max = Math.max(...vals);
    assert.ok(min >= lo - 1e-9 && max <= hi + 1e-9, `${what}: [${min}, ${max}] outside [${lo}, ${hi}]`);
    assert.ok(min < lo + 0.1 * (hi - lo) && max > hi - 0.1 * (hi - lo), `${what}: [${min}, ${max}] does not cover [${lo}, ${hi}]`);
  };
  const rot = st.layers.randomRotation({ factor: [-0.1, 0.3], seed: 1 });
  const t = rot.drawTransforms(draws, 5, 7, seedRandom(1));
  spread(Array.from({ length: draws }, (_, i) => Math.atan2(t[8 * i + 3], t[8 * i])), -0.2 * Math.PI, 0.6 * Math.PI, 'rotation angle');
  const sym = st.layers.randomRotation({ factor: 0.2 }).factor;
  assert.deepEqual(sym, [-0.2, 0.2]);
  const zoom = st.layers.randomZoom({ heightFactor: [-0.3, 0.5], widthFactor: 0.2 });
  const z = zoom.drawTransforms(draws, 5, 7, seedRandom(2));
  spread(Array.from({ length: draws }, (_, i) => z[8 * i + 4]), 0.7, 1.5, 'zoom height');
  spread(Array.from({ length: draws }, (_, i) => z[8 * i]), 0.8, 1.2, 'zoom width');
  const same = st.layers.randomZoom({ heightFactor: 0.4 }).drawTransforms(50, 5, 5, seedRandom(3));
  for (let i = 0; i < 50; i++) assert.equal(same[8 * i], same[8 * i + 4], 'widthFactor omitted keeps the aspect ratio');
  const tr = st.layers.randomTranslation({ heightFactor: [-0.2, 0.1], widthFactor: 0.5 }).drawTransforms(draws, 10, 4, seedRandom(4));
  spread(Array.from({ length: draws }, (_, i) => -tr[8 * i + 5]), -2, 1, 'vertical shift (pixels)');
  spread(Array.from({ length: draws }, (_, i) => -tr[8 * i + 2]), -2, 2, 'horizontal shift (pixels)');
  spread(st.layers.randomContrast({ factor: 0.4 }).drawFactors(draws, seedRandom(5)), 0.6, 1.4, 'contrast factor');
  spread(st.layers.randomContrast({ factor: [0.1, 0.5] }).drawFactors(draws, seedRandom(6)), 0.9, 1.5, 'contrast factor pair');
});

test('random affine layers pass gradients to the image through their sampling', () => {
  const x = rand([2, 4, 5, 2], 9);
  const cases: (() => st.layers.Layer)[] = [
    () => st.layers.randomFlip({ seed: 3 }),
    () => st.layers.randomRotation({ factor: 0.2, seed: 3, fillMode: 'constant', fillValue: 0.5 }),
    () => st.layers.randomZoom({ heightFactor: 0.3, seed: 3, fillMode: 'wrap' }),
    () => st.layers.randomTranslation({ heightFactor: 0.3, widthFactor: 0.3, seed: 3, fillMode: 'reflect' }),
    () => st.layers.randomContrast({ factor: 0.3, valueRange: [-10, 10], seed: 3 }),
  ];
  // A fresh layer per evaluation, so every finite-difference pass sees the same draw.
  for (const make of cases) expectGradientsClose((t) => run(make(), t), [x]);
});

test('configs round-trip with Keras snake_case keys; Keras-written configs load', () => {
  const layers = [
    st.layers.rescaling({ scale: [0.5, 2], offset: -1 }), st.layers.resizing({ height: 3, width: 4, interpolation: 'nearest', cropToAspectRatio: true }),
    st.layers.centerCrop({ height: 2, width: 5 }), st.layers.randomFlip({ mode: 'vertical', seed: 4 }),
    st.layers.randomRotation({ factor: 0.1, fillMode: 'constant', fillValue: 3, interpolation: 'nearest' }),
    st.layers.randomZoom({ heightFactor: [-0.2, 0.1], fillMode: 'wrap', seed: 2 }),
    st.layers.randomTranslation({ heightFactor: 0.1, widthFactor: [0, 0.3] }), st.layers.randomContrast({ factor: 0.2, valueRange: [0, 1] }),
  ];
  for (const l of layers) expectConfigRoundTrip(l);
  const z = st.layers.serialize(layers[5]).config;
  assert.deepEqual([z.height_factor, z.width_factor, z.fill_mode, z.fill_value, z.interpolation, z.seed, z.data_format],
    [[-0.2, 0.1], null, 'wrap', 0, 'bilinear', 2, 'channels_last']);
  assert.deepEqual(st.layers.serialize(layers[1]).config.crop_to_aspect_ratio, true);
  assert.deepEqual(st.layers.serialize(layers[7]).config.factor, [0.2, 0.2]);
  assert.deepEqual(st.layers.serialize(layers[7]).config.value_range, [0, 1]);
  // As Keras 3 writes them (factor stored as the (lower, upper) pair, dtype policy objects, null width factor).
  const rot = st.layers.deserialize({ class_name: 'RandomRotation', config: { name: 'random_rotation', factor: [-0.1, 0.1], fill_mode: 'nearest',
    fill_value: 0.0, interpolation: 'bilinear', seed: null, data_format: 'channels_last', trainable: true,
    dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' } } } }) as st.layers.RandomRotation;
  assert.deepEqual([rot.factor, rot.fillMode, rot.seed], [[-0.1, 0.1], 'nearest', undefined]);
  const zoom = st.layers.deserialize({ class_name: 'RandomZoom', config: { height_factor: 0.2, width_factor: null, fill_mode: 'reflect' } }) as st.layers.RandomZoom;
  assert.deepEqual([zoom.heightFactor, zoom.widthFactor], [0.2, null]);
  const flip = st.layers.deserialize({ class_name: 'RandomFlip', config: { mode: 'horizontal', seed: 5, data_format: 'channels_last' } }) as st.layers.RandomFlip;
  assert.deepEqual([flip.mode, flip.seed], ['horizontal', 5]);
});

test('save → load in the TF.js layers format keeps every layer; TensorFlow.js loads Rescaling/CenterCrop/Resizing', async () => {
  const tf = await loadTf();
  const model = st.sequential({ layers: [
    st.layers.rescaling({ scale: 1 / 255, inputShape: [8, 10, 3] }),
    st.layers.randomFlip({ mode: 'horizontal', seed: 1 }), st.layers.randomRotation({ factor: 0.05, seed: 2 }),
    st.layers.randomZoom({ heightFactor: 0.1, seed: 3 }), st.layers.randomTranslation({ heightFactor: 0.1, widthFactor: 0.1, seed: 4 }),
    st.layers.randomContrast({ factor: 0.1, valueRange: [0, 1], seed: 5 }),
    st.layers.centerCrop({ height: 6, width: 6 }), st.layers.resizing({ height: 4, width: 4 }),
  ] });
  const x = st.mul(st.randomUniform([2, 8, 10, 3], { seed: 7 }), 255);
  const artifacts = st.io.modelArtifacts(model);
  const again = st.io.modelFromArtifacts(JSON.parse(JSON.stringify({ ...artifacts, weightData: undefined })));
  assert.deepEqual(again.layers.map((l) => l.getConfig()), model.layers.map((l) => l.getConfig()));
  expectClose(again.predict(x) as st.Tensor, model.predict(x) as st.Tensor);
  // TensorFlow.js has Rescaling, CenterCrop and Resizing: it reads Strata's configs. Its Resizing samples with
  // alignCorners (Keras uses half-pixel centers), so values are compared up to the crop.
  const pre = st.sequential({ layers: [st.layers.rescaling({ scale: 0.5, offset: 1, inputShape: [8, 10, 3] }), st.layers.centerCrop({ height: 4, width: 6 })] });
  const a = st.io.modelArtifacts(pre);
  const tfPre = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: a.modelTopology, weightSpecs: a.weightSpecs, weightData: new ArrayBuffer(0) }));
  // Layer by layer: TF.js's CenterCrop.computeOutputShape overwrites the model's input shape in place.
  const got = tfPre.layers.reduce((t, l) => l.apply(t) as import('@tensorflow/tfjs').Tensor, tf.tensor(Array.from(x.values), x.shape));
  assert.deepEqual([tfPre.layers[0].getClassName(), tfPre.layers[1].getClassName()], ['Rescaling', 'CenterCrop']);
  expectClose(got.dataSync(), pre.predict(x) as st.Tensor, 1e-3);
  const rz = st.sequential({ layers: [st.layers.resizing({ height: 3, width: 5, interpolation: 'nearest', inputShape: [8, 10, 3] })] });
  const b = st.io.modelArtifacts(rz);
  const tfRz = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: b.modelTopology, weightSpecs: b.weightSpecs, weightData: new ArrayBuffer(0) }));
  const cfg = tfRz.layers[0].getConfig();
  assert.deepEqual([cfg.height, cfg.width, cfg.interpolation, cfg.cropToAspectRatio], [3, 5, 'nearest', false]);
});

test('errors name the layer, the option, the value and a fix', () => {
  expectError(() => st.layers.rescaling({} as never), st.ConfigError, 'Rescaling', 'scale is required');
  expectError(() => st.layers.resizing({ height: 0, width: 3 }), st.ConfigError, 'Resizing', 'height must be a positive integer', '0');
  expectError(() => st.layers.resizing({ height: 2, width: 3, interpolation: 'bicubic' as never }), st.ConfigError, "'bilinear', 'nearest'", 'bicubic');
  expectError(() => st.layers.resizing({ height: 2, width: 3, padToAspectRatio: true } as never), st.ConfigError, 'padToAspectRatio');
  expectError(() => st.layers.deserialize({ class_name: 'Resizing', config: { height: 2, width: 3, antialias: true } }), st.ConfigError, 'antialias');
  assert.equal((st.layers.deserialize({ class_name: 'Resizing', config: { height: 2, width: 3, pad_to_aspect_ratio: false,
    antialias: false, fill_mode: 'constant', fill_value: 0 } }) as st.layers.Resizing).height, 2);
  expectError(() => st.layers.centerCrop({ height: 2, width: 2, dataFormat: 'channels_first' }), st.ConfigError, 'channels_last', 'st.transpose');
  expectError(() => st.layers.randomFlip({ mode: 'diagonal' as never }), st.ConfigError, 'RandomFlip', 'mode', 'diagonal');
  expectError(() => st.layers.randomRotation({ factor: 1.5 }), st.ConfigError, 'RandomRotation', 'factor', '[-1, 1]', '1.5');
  expectError(() => st.layers.randomRotation({ factor: [0.1, 0.2, 0.3] as never }), st.ConfigError, 'factor');
  expectError(() => st.layers.randomZoom({ heightFactor: 0.2, fillMode: 'mirror' as never }), st.ConfigError, 'fillMode', "'reflect', 'wrap', 'constant', 'nearest'", 'mirror');
  expectError(() => st.layers.randomTranslation({ heightFactor: 0.2 } as never), st.ConfigError, 'RandomTranslation', 'widthFactor');
  expectError(() => st.layers.randomContrast({ factor: -0.2 }), st.ConfigError, 'RandomContrast', 'factor', '[0, 1]');
  expectError(() => st.layers.randomContrast({ factor: 0.2, valueRange: [1, 0] }), st.ConfigError, 'valueRange');
  expectError(() => st.layers.randomFlip({ seed: 'a' as never }), st.ConfigError, 'seed');
  expectError(() => run(st.layers.randomFlip(), st.tensor([1, 2, 3, 4], [2, 2])), st.ShapeError, 'RandomFlip', '[height, width, channels]', '[2, 2]');
  expectError(() => run(st.layers.resizing({ height: 2, width: 2 }), st.tensor([1, 2, 3, 4], [2, 2])), st.ShapeError, 'Resizing', '[2, 2]');
  expectError(() => run(st.layers.rescaling({ scale: [1, 2, 3] }), st.tensor([1, 2, 3, 4], [2, 2])), st.ConfigError, '3 per-channel values', '2 channels');
});

test('in a model, fit trains on augmented images while predict and evaluate see them unchanged', async () => {
  // A dense layer that reads only the left column: a horizontal flip changes what it sees.
  const model = st.sequential({ layers: [
    st.layers.randomFlip({ mode: 'horizontal', seed: 4, inputShape: [1, 2, 1] }), st.layers.flatten(),
    st.layers.dense({ units: 1, useBias: false, kernelInitializer: 'zeros' }),
  ] });
  model.layers[2].setWeights([st.tensor([1, 0], [2, 1])]);
  model.compile({ optimizer: st.optimizers.sgd({ learningRate: 0 }), loss: 'meanSquaredError' });
  const x = st.tensor([1, 3, 1, 3], [2, 1, 2, 1]);
  const y = st.tensor([1, 1], [2, 1]);
  expectClose(model.predict(x) as st.Tensor, [1, 1]);
  expectClose(model.evaluate(x, y) as st.Tensor, 0);
  // Seed 4 flips the first image only (draws 0.146, 0.876): the dense layer sees 3 then 1, loss (2² + 0)/2.
  const history = await model.fit(x, y, { epochs: 1, batchSize: 2, shuffle: false, verbose: 0 });
  expectClose(history.history.loss[0], 2);
});
