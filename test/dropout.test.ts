import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError, expectGradientsClose, expectShape, forEachBackend, rand } from './helpers.js';

test('dropout with a seed is deterministic; different seeds give different masks', () => {
  forEachBackend(() => {
    const x = rand([8, 16], 1, 'float32');
    const a = st.dropout(x, 0.5, undefined, 42);
    const b = st.dropout(x, 0.5, undefined, 42);
    const c = st.dropout(x, 0.5, undefined, 43);
    assert.deepEqual(Array.from(a.values), Array.from(b.values));
    assert.notDeepEqual(Array.from(a.values), Array.from(c.values));
    expectShape(a, [8, 16]);
    assert.equal(a.dtype, 'float32');
    assert.equal(st.dropout(rand([4], 2), 0.5, undefined, 1).dtype, 'float64');
    // Unseeded calls follow st.setSeed.
    st.setSeed(5);
    const u1 = st.dropout(x, 0.3);
    st.setSeed(5);
    const u2 = st.dropout(x, 0.3);
    assert.deepEqual(Array.from(u1.values), Array.from(u2.values));
  });
});

test('dropout keeps each element with probability 1 − rate and scales it by 1/(1 − rate)', () => {
  forEachBackend(() => {
    const n = 200_000;
    for (const rate of [0.1, 0.5, 0.8]) {
      const y = st.dropout(st.ones([400, 500], 'float64'), rate, undefined, 7);
      let zeros = 0, sum = 0;
      for (const v of y.values) {
        if (v === 0) zeros++;
        else expectClose(v, 1 / (1 - rate), 1e-12, 0, 'kept value');
        sum += v;
      }
      // ±6 standard deviations of a binomial proportion.
      const sd = Math.sqrt((rate * (1 - rate)) / n);
      assert.ok(Math.abs(zeros / n - rate) < 6 * sd, `rate ${rate}: dropped fraction ${zeros / n}`);
      assert.ok(Math.abs(sum / n - 1) < 6 * sd / (1 - rate), `rate ${rate}: mean ${sum / n}, expected about 1`);
    }
  }, 'fallback');
});

test('dropout with rate 0 returns x itself', () => {
  forEachBackend(() => {
    const x = rand([3, 4], 1);
    assert.equal(st.dropout(x, 0), x);
    assert.equal(st.dropout(x, 0, [3, 1], 9), x);
  }, 'fallback');
});

test('dropout noiseShape broadcasts one decision over the size-1 dims (spatial dropout)', () => {
  forEachBackend(() => {
    const x = st.ones([2, 5, 6, 8]);
    const y = st.dropout(x, 0.5, [2, 1, 1, 8], 11);
    const v = y.values;
    let dropped = 0;
    for (let b = 0; b < 2; b++) {
      for (let c = 0; c < 8; c++) {
        const first = v[b * 240 + c];
        assert.ok(first === 0 || first === 2, `mask value ${first}`);
        if (first === 0) dropped++;
        for (let p = 0; p < 30; p++) assert.equal(v[b * 240 + p * 8 + c], first, `feature map (${b}, ${c}) is not uniform`);
      }
    }
    assert.ok(dropped > 0 && dropped < 16, `dropped ${dropped} of 16 feature maps`);
    // null keeps x's size; it equals giving the size.
    expectClose(st.dropout(x, 0.5, [null, 1, 1, null], 11), y);
    // The same seed and shape give the same mask as dropoutMask.
    expectClose(y, st.mul(x, st.dropoutMask([2, 1, 1, 8], 0.5, 11)));
  });
});

test('dropout gradient is dy times the same scaled mask', () => {
  forEachBackend(() => {
    const x = rand([4, 6], 3);
    const { value, grads: [dx] } = st.valueAndGrads(() => st.dropout(x, 0.4, undefined, 5), [x]);
    const mask = st.dropoutMask([4, 6], 0.4, 5, 'float64');
    expectClose(value, st.mul(x, mask), 1e-12);
    expectClose(dx, mask, 1e-12);
    expectGradientsClose((t) => st.dropout(t, 0.4, undefined, 5), [x]);
    expectGradientsClose((t) => st.dropout(t, 0.6, [1, 6], 8), [x]);
    expectGradientsClose((t) => st.dropout(st.mul(t, t), 0.25, [4, 1], 2), [x]);
  }, 'fallback');
});

test('dropout errors name the argument and the fix', () => {
  forEachBackend(() => {
    const x = st.ones([2, 3]);
    for (const rate of [1, -0.1, 1.5, NaN]) expectError(() => st.dropout(x, rate), st.ConfigError, 'dropout: rate must be a number in [0, 1)');
    expectError(() => st.dropout(x, '0.5' as unknown as number), st.ConfigError, 'rate');
    expectError(() => st.dropout(st.ones([2, 3], 'int32'), 0.5), st.DTypeError, 'float', "st.cast(x, 'float32')");
    expectError(() => st.dropout(x, 0.5, [2, 2]), st.ShapeError, 'noiseShape [2, 2]', '[2, 3]', "x's size or 1");
    expectError(() => st.dropout(x, 0.5, [3]), st.ShapeError, 'noiseShape');
    expectError(() => st.dropout(x, 0, [2, 2]), st.ShapeError, 'noiseShape');
    expectError(() => st.dropout(st.ones([2, 4, 4, 3]), 0.5, [2, 4, 4]), st.ShapeError, 'noiseShape [2, 4, 4]', 'e.g. [2, 1, 1, 3]');
    expectError(() => st.dropout(x, 0.5, undefined, NaN), st.ConfigError, 'seed must be a finite number');
    expectError(() => st.dropoutMask([2], 1), st.ConfigError, 'dropoutMask: rate');
  }, 'fallback');
});
