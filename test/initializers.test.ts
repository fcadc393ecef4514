import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError } from './helpers.js';

const I = st.initializers;

function stats(t: st.Tensor): { mean: number; std: number; min: number; max: number } {
  const v = Array.from(t.values);
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  const std = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length);
  return { mean, std, min: Math.min(...v), max: Math.max(...v) };
}

test('fans follow Keras: dense [in, out], conv [...k, in, out]', () => {
  assert.deepEqual(I.computeFans([784, 128]), [784, 128]);
  assert.deepEqual(I.computeFans([3, 3, 16, 32]), [144, 288]);
  assert.deepEqual(I.computeFans([10]), [10, 10]);
});

test('variance-scaling family has the variance its name promises', () => {
  const shape = [200, 300];
  const cases: [st.initializers.Initializer, number][] = [
    [I.glorotUniform({ seed: 1 }), Math.sqrt(2 / 500)],
    [I.glorotNormal({ seed: 2 }), Math.sqrt(2 / 500)],
    [I.heNormal({ seed: 3 }), Math.sqrt(2 / 200)],
    [I.heUniform({ seed: 4 }), Math.sqrt(2 / 200)],
    [I.lecunNormal({ seed: 5 }), Math.sqrt(1 / 200)],
    [I.lecunUniform({ seed: 6 }), Math.sqrt(1 / 200)],
    [I.varianceScaling({ scale: 3, mode: 'fanOut', distribution: 'untruncatedNormal', seed: 7 }), Math.sqrt(3 / 300)],
  ];
  for (const [init, std] of cases) {
    const s = stats(init.apply(shape));
    assert.ok(Math.abs(s.mean) < 0.05 * std * 10 / 10 + 0.002, `${init.className} mean ${s.mean}`);
    assert.ok(Math.abs(s.std / std - 1) < 0.03, `${init.className} std ${s.std}, expected ${std}`);
  }
  const limit = Math.sqrt(6 / 500);
  const u = stats(I.glorotUniform({ seed: 9 }).apply(shape));
  assert.ok(u.max <= limit && u.min >= -limit && u.max > 0.99 * limit);
  const t = stats(I.heNormal({ seed: 9 }).apply(shape));
  assert.ok(t.max <= 2 * Math.sqrt(2 / 200) / 0.87962566103423978 + 1e-6, 'truncated at two stddevs');
});

test('basic initializers', () => {
  expectClose(I.zeros().apply([2, 2]), [0, 0, 0, 0]);
  expectClose(I.ones().apply([3]), [1, 1, 1]);
  expectClose(I.constant({ value: 0.5 }).apply([2]), [0.5, 0.5]);
  const n = stats(I.randomNormal({ mean: 1, stddev: 2, seed: 1 }).apply([100, 100]));
  assert.ok(Math.abs(n.mean - 1) < 0.05 && Math.abs(n.std - 2) < 0.05);
  const u = stats(I.randomUniform({ seed: 1 }).apply([1000]));
  assert.ok(u.min >= -0.05 && u.max < 0.05);
  const tn = stats(I.truncatedNormal({ stddev: 1, seed: 1 }).apply([1000]));
  assert.ok(tn.min >= -2 && tn.max <= 2);
  expectClose(I.identity({ gain: 2 }).apply([2, 3]), [2, 0, 0, 0, 2, 0]);
});

test('orthogonal gives orthonormal columns (tall) or rows (wide), scaled by gain', () => {
  for (const shape of [[6, 4], [4, 6], [2, 3, 5]]) {
    const w = I.orthogonal({ gain: 1.5, seed: 3 }).apply(shape);
    const cols = shape[shape.length - 1];
    const rows = w.size / cols;
    const m = st.reshape(w, [rows, cols]);
    const gram = rows >= cols ? st.matmul(m, m, true, false) : st.matmul(m, m, false, true);
    const k = Math.min(rows, cols);
    expectClose(gram, st.mul(st.eye(k), 2.25), 1e-5, 1e-5, `gram of ${JSON.stringify(shape)}`);
  }
});

test('seeded initializers repeat; unseeded ones follow setSeed', () => {
  assert.deepEqual(Array.from(I.glorotUniform({ seed: 4 }).apply([3, 3]).values), Array.from(I.glorotUniform({ seed: 4 }).apply([3, 3]).values));
  st.setSeed(11);
  const a = I.heNormal().apply([4]).values;
  st.setSeed(11);
  const b = I.heNormal().apply([4]).values;
  assert.deepEqual(Array.from(a), Array.from(b));
});

test('getInitializer reads names and Keras JSON in every spelling', () => {
  assert.equal(I.getInitializer('glorot_uniform').className, 'GlorotUniform');
  assert.equal(I.getInitializer('heNormal').className, 'HeNormal');
  assert.equal(I.getInitializer('Orthogonal').className, 'Orthogonal');
  const vs = I.getInitializer({ class_name: 'VarianceScaling', config: { scale: 2, mode: 'fan_avg', distribution: 'uniform', seed: null } }) as st.initializers.VarianceScaling;
  assert.equal(vs.scale, 2);
  assert.equal(vs.mode, 'fanAvg');
  assert.equal(vs.distribution, 'uniform');
  const c = I.getInitializer({ class_name: 'Constant', config: { value: 3 } });
  expectClose(c.apply([1]), [3]);
  const round = I.getInitializer(I.serializeInitializer(I.randomNormal({ mean: 2, stddev: 0.1, seed: 5 })));
  assert.deepEqual(round.getConfig(), { mean: 2, stddev: 0.1, seed: 5 });
  expectError(() => I.getInitializer('glorotUniformish'), st.ConfigError, "unknown initializer 'glorotUniformish'", 'glorotUniform');
  expectError(() => I.varianceScaling({ mode: 'fanSideways' as never }), st.ConfigError, "mode must be 'fanIn'");
});
