import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, forEachBackend } from './helpers.js';

// Reference values: TensorFlow.js 4.22 (tf.layers.simpleRNN / lstm / gru, whose GRU is resetAfter
// false), built on x below, weights set with setWeights(fill(shape, 0.7 + 0.13·i, 0.5·i + k)) for
// weight i, then apply(x, ...) — a scratch script printed the outputs rounded to 6 decimals.

/** sin-patterned values rounded to 4 decimals, as the scratch script made them. */
function fill(shape: number[], a: number, b: number): st.Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  return st.tensor(Array.from({ length: n }, (_, i) => +(Math.sin(a * i + b) * 0.8).toFixed(4)), shape);
}
const x = fill([2, 4, 2], 0.9, 0.3);
const h0 = fill([2, 3], 1.1, 0.2), c0 = fill([2, 3], 0.4, 1.0);
const mask = st.tensor([[1, 1, 0, 1], [1, 0, 0, 0]]);

function setUp<L extends st.layers.Layer>(layer: L, k: number): L {
  layer.build([null, 4, 2]);
  layer.setWeights(layer.getWeights().map((w, i) => fill(w.shape, 0.7 + 0.13 * i, 0.5 * i + k)));
  return layer;
}
const outs = (y: st.Tensor | st.Tensor[]) => (Array.isArray(y) ? y : [y]);

test('simpleRNN, lstm and gru match TensorFlow.js', () => forEachBackend(() => {
  const rnn = setUp(st.layers.simpleRNN({ units: 3, returnSequences: true }), 0);
  expectClose(rnn.apply(x) as st.Tensor, [0.829992, 0.786375, 0.15178, 0.792116, 0.880884, 0.607243, 0.181428, 0.404689, 0.155049,
    0.703653, 0.478523, -0.336472, 0.816212, 0.864323, 0.519438, 0.384151, 0.692541, 0.521408, 0.29819, 0.175218, -0.30332,
    0.906002, 0.83811, 0.045521]);
  const lstm = setUp(st.layers.lstm({ units: 3, returnSequences: true }), 1);
  const y = lstm.apply(x) as st.Tensor;
  assert.deepEqual(y.shape, [2, 4, 3]);
  expectClose(y, [0.186987, 0.108536, 0.024498, 0.187863, 0.175799, 0.043935, 0.12147, 0.083992, -0.125338, 0.159494, 0.100454,
    -0.077759, 0.199387, 0.154038, 0.050525, 0.136375, 0.097874, -0.075044, 0.119017, 0.076291, -0.13071, 0.227495, 0.146111, -0.031284]);
  const back = setUp(st.layers.lstm({ units: 3, goBackwards: true }), 1);
  expectClose(back.apply(x) as st.Tensor, [0.213609, 0.140764, 0.007036, 0.226454, 0.182392, 0.003946]);
  const gru = setUp(st.layers.gru({ units: 3, resetAfter: false, returnSequences: true, goBackwards: true }), 2);
  expectClose(gru.apply(x) as st.Tensor, [0.23805, -0.202697, -0.488579, 0.450748, -0.362986, -0.749846, 0.460785, -0.007688, -0.036173,
    0.464075, 0.172163, 0.024097, 0.123002, 0.135356, 0.02153, 0.444478, -0.456815, -0.622351, 0.484394, -0.22461, -0.595477,
    0.482931, 0.130694, 0.296157]);
}));

test('hard_sigmoid recurrent activation (TF.js default) and returnState match TensorFlow.js', () => {
  const lstm = setUp(st.layers.lstm({ units: 3, recurrentActivation: 'hard_sigmoid', returnState: true }), 1);
  const [o, h, c] = outs(lstm.apply(x));
  expectClose(o, [0.177589, 0.11492, -0.080333, 0.238453, 0.161584, -0.027779]);
  expectClose(h, o);
  expectClose(c, [0.644941, 0.409251, -0.192655, 0.665995, 0.488096, -0.066604]);
  const gru = setUp(st.layers.gru({ units: 3, recurrentActivation: 'hardSigmoid', resetAfter: false }), 2);
  expectClose(gru.apply(x) as st.Tensor, [0.530851, -0.132965, -0.515735, 0.48796, 0.035921, 0.061523]);
});

test('masked steps carry the state and repeat the previous output, as TensorFlow.js', () => {
  const lstm = setUp(st.layers.lstm({ units: 3, returnSequences: true }), 1);
  expectClose(lstm.apply(x, { mask }) as st.Tensor, [0.186987, 0.108536, 0.024498, 0.187863, 0.175799, 0.043935, 0.187863, 0.175799,
    0.043935, 0.153958, 0.110519, 0.007456, 0.199387, 0.154038, 0.050525, 0.199387, 0.154038, 0.050525, 0.199387, 0.154038, 0.050525,
    0.199387, 0.154038, 0.050525]);
  const gru = setUp(st.layers.gru({ units: 3, resetAfter: false, returnSequences: true, goBackwards: true }), 2);
  expectClose(gru.apply(x, { mask }) as st.Tensor, [0.23805, -0.202697, -0.488579, 0.23805, -0.202697, -0.488579, 0.291547, 0.073821,
    -0.056217, 0.341199, 0.20101, 0.004916, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.092717, 0.216646, 0.252852]);
  // A float or int mask, the same; and the mask passes on only with returnSequences.
  expectClose(gru.apply(x, { mask: st.cast(mask, 'int32') }) as st.Tensor, gru.apply(x, { mask }) as st.Tensor);
  assert.equal(gru.computeMask(x, mask), mask);
  assert.equal(st.layers.gru({ units: 3 }).computeMask(x, mask), null);
});

test('initial states match TensorFlow.js, given as an option or after the input', () => {
  const lstm = setUp(st.layers.lstm({ units: 3, returnSequences: true, returnState: true }), 1);
  const [seq, h, c] = outs(lstm.apply(x, { initialState: [h0, c0] }));
  assert.deepEqual(seq.shape, [2, 4, 3]);
  expectClose(seq, [0.198359, 0.166377, 0.198569, 0.212445, 0.20436, 0.149922, 0.130328, 0.106357, -0.040047, 0.160806, 0.106465,
    -0.035465, 0.261619, 0.197354, 0.085044, 0.157919, 0.130514, -0.037689, 0.123524, 0.087848, -0.109361, 0.228956, 0.149664, -0.021124]);
  expectClose(h, [0.160806, 0.106465, -0.035465, 0.228956, 0.149664, -0.021124]);
  expectClose(c, [0.674538, 0.445157, -0.0899, 0.684312, 0.497707, -0.053224]);
  expectClose(outs(lstm.apply([x, h0, c0]))[2], c);
  const rnn = setUp(st.layers.simpleRNN({ units: 3, activation: 'relu', returnState: true }), 0);
  const [o, hr] = outs(rnn.apply(x, { initialState: [h0] }));
  expectClose(o, [1.030081, 0.631929, 0, 1.365558, 1.288315, 0.283987]);
  expectClose(hr, o);
});

test('gru resetAfter true: hand-derived steps with separate input and recurrent biases', () => {
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const [W, U, bx, bh] = [[0.5, -0.3, 0.8], [0.2, 0.7, -0.6], [0.1, -0.2, 0.3], [-0.4, 0.25, 0.15]];
  const layer = st.layers.gru({ units: 1, returnSequences: true });
  layer.build([null, 2, 1]);
  assert.deepEqual(layer.getWeights().map((w) => w.shape), [[1, 3], [1, 3], [2, 3]]);
  layer.setWeights([st.tensor([W]), st.tensor([U]), st.tensor([bx, bh])]);
  const xs = [0.9, -0.4];
  let hPrev = 0.35;
  const want: number[] = [];
  for (const xt of xs) {
    const z = sig(xt * W[0] + bx[0] + hPrev * U[0] + bh[0]);
    const r = sig(xt * W[1] + bx[1] + hPrev * U[1] + bh[1]);
    const hh = Math.tanh(xt * W[2] + bx[2] + r * (hPrev * U[2] + bh[2]));
    hPrev = z * hPrev + (1 - z) * hh;
    want.push(hPrev);
  }
  expectClose(layer.apply(st.tensor(xs, [1, 2, 1]), { initialState: [st.tensor([[0.35]])] }) as st.Tensor, want);
  // resetAfter false puts r inside the matmul: a different number on the same weights.
  const before = st.layers.gru({ units: 1, resetAfter: false });
  before.build([null, 2, 1]);
  before.setWeights([st.tensor([W]), st.tensor([U]), st.tensor(bx)]);
  const y = (before.apply(st.tensor(xs, [1, 2, 1]), { initialState: [st.tensor([[0.35]])] }) as st.Tensor).item();
  assert.ok(Math.abs(y - want[1]) > 1e-3);
});

test('weights have the Keras layouts; the LSTM forget bias starts at 1', () => {
  const shapes = (l: st.layers.Layer) => { l.build([null, 5, 2]); return l.getWeights().map((w) => w.shape); };
  assert.deepEqual(shapes(st.layers.simpleRNN({ units: 3 })), [[2, 3], [3, 3], [3]]);
  assert.deepEqual(shapes(st.layers.lstm({ units: 3 })), [[2, 12], [3, 12], [12]]);
  assert.deepEqual(shapes(st.layers.gru({ units: 3 })), [[2, 9], [3, 9], [2, 9]]);
  assert.deepEqual(shapes(st.layers.gru({ units: 3, resetAfter: false, useBias: false })), [[2, 9], [3, 9]]);
  const lstm = st.layers.lstm({ units: 2 });
  lstm.build([null, 3, 1]);
  expectClose(lstm.getWeights()[2], [0, 0, 1, 1, 0, 0, 0, 0]);
  const plain = st.layers.lstm({ units: 2, unitForgetBias: false, biasInitializer: st.initializers.constant({ value: 0.5 }) });
  plain.build([null, 3, 1]);
  expectClose(plain.getWeights()[2], new Array(8).fill(0.5));
  // Orthogonal recurrent kernel by default: Uᵀ·U = I for each square block of SimpleRNN.
  const rnn = st.layers.simpleRNN({ units: 4 });
  rnn.build([null, 3, 2]);
  const u = rnn.getWeights()[1];
  expectClose(st.matmul(u, u, true, false), st.tensor([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]), 1e-5);
});

test('computeOutputShape agrees with apply for every output option', () => {
  for (const cell of ['rnn', 'lstm', 'gru'] as const) {
    for (const returnSequences of [false, true]) {
      for (const returnState of [false, true]) {
        const layer = st.layers.recurrent({ cell, units: 3, returnSequences, returnState });
        const got = outs(layer.apply(st.ones([2, 5, 4]))).map((t) => [null, ...t.shape.slice(1)]);
        const want = layer.computeOutputShape([null, 5, 4]);
        assert.deepEqual(returnState ? want : [want], got, `${cell} ${returnSequences} ${returnState}`);
        assert.equal(got.length, returnState ? (cell === 'lstm' ? 3 : 2) : 1);
      }
    }
  }
  assert.ok(st.layers.recurrent({ cell: 'lstm', units: 2 }) instanceof st.layers.LSTM);
  assert.ok(st.layers.recurrent({ cell: 'rnn', units: 2 }) instanceof st.layers.SimpleRNN);
  assert.equal(st.layers.recurrent({ cell: 'gru', units: 2, resetAfter: false }).resetAfter, false);
});

test('dropout: one input mask and one state mask per sequence, training only, fixed by the seed', () => {
  // Linear cell with no recurrence: each step's output is (x ⊙ mask)·W, so a mask reused at every
  // step gives equal outputs for equal inputs.
  const make = (seed?: number) => st.layers.simpleRNN({ units: 1, activation: 'linear', useBias: false, returnSequences: true,
    kernelInitializer: 'ones', recurrentInitializer: 'zeros', dropout: 0.5, seed });
  const xs = st.ones([3, 4, 20]);
  const layer = make(5);
  expectClose(layer.apply(xs) as st.Tensor, new Array(12).fill(20));
  const y = Array.from((layer.apply(xs, { training: true }) as st.Tensor).values);
  for (let b = 0; b < 3; b++) {
    const row = y.slice(4 * b, 4 * b + 4);
    assert.ok(row.every((v) => v === row[0]), `sample ${b}: the same mask at every step, got ${row}`);
    assert.ok(row[0] % 2 === 0 && row[0] !== 20, 'kept inputs are scaled by 2');
  }
  assert.deepEqual(Array.from((layer.apply(xs, { training: true }) as st.Tensor).values), y, 'a seed fixes the mask');
  const fresh = make();
  const a = (fresh.apply(xs, { training: true }) as st.Tensor).values, b = (fresh.apply(xs, { training: true }) as st.Tensor).values;
  assert.notDeepEqual(Array.from(a), Array.from(b), 'without a seed, a new mask per call');
  // Recurrent dropout thins the state the recurrent matmul sees: training changes the result.
  const rec = st.layers.lstm({ units: 8, recurrentDropout: 0.5, seed: 3 });
  const xr = st.randomNormal([2, 5, 3], { seed: 1 });
  const inf = rec.apply(xr) as st.Tensor;
  expectClose(rec.apply(xr, { training: false }) as st.Tensor, inf);
  assert.notDeepEqual(Array.from((rec.apply(xr, { training: true }) as st.Tensor).values), Array.from(inf.values));
});

test('stateful layers continue from the previous call; resetStates zeroes or sets the states', () => {
  for (const cell of ['rnn', 'lstm', 'gru'] as const) {
    const whole = st.layers.recurrent({ cell, units: 3, returnSequences: true, kernelInitializer: st.initializers.glorotUniform({ seed: 1 }),
      recurrentInitializer: st.initializers.orthogonal({ seed: 2 }) });
    const xs = st.randomNormal([2, 6, 2], { seed: 4 });
    const full = whole.apply(xs) as st.Tensor;
    const layer = st.layers.recurrent({ cell, units: 3, stateful: true, returnSequences: true });
    layer.build([null, 3, 2]);
    layer.setWeights(whole.getWeights());
    assert.equal(layer.states, null);
    const first = layer.apply(st.slice(xs, [0, 0, 0], [-1, 3, -1])) as st.Tensor;
    const second = layer.apply(st.slice(xs, [0, 3, 0], [-1, 3, -1])) as st.Tensor;
    expectClose(st.concat([first, second], 1), full, 1e-5);
    assert.equal(layer.states!.length, cell === 'lstm' ? 2 : 1);
    layer.resetStates();
    expectClose(layer.states![0], new Array(6).fill(0));
    expectClose(layer.apply(st.slice(xs, [0, 0, 0], [-1, 3, -1])) as st.Tensor, first);
    // resetStates(states) sets them: the same as passing them as initial states.
    const init = new Array(cell === 'lstm' ? 2 : 1).fill(0).map((_, i) => st.randomNormal([2, 3], { seed: 10 + i }));
    layer.resetStates(init);
    const fromSet = layer.apply(xs) as st.Tensor;
    const plain = st.layers.recurrent({ cell, units: 3, returnSequences: true });
    plain.build([null, 6, 2]);
    plain.setWeights(whole.getWeights());
    expectClose(fromSet, plain.apply(xs, { initialState: init }) as st.Tensor, 1e-5);
  }
});
