import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import '../src/kernels/native/register.js';
import { setFusedRecurrent } from '../src/layers/recurrent.js';
import { rnnSequence, type RnnSequenceOptions } from '../src/ops/rnn-sequence.js';
import { backends, expectClose, expectError, expectExecuted, rand } from './helpers.js';

// The fused recurrent sequence (one kernel call for the time loop, one for BPTT) against the layers'
// per-step path, on every backend, over odd sizes and every option; finite-difference checks of the
// op in float64 (js reference); native against js on a size that splits the batch across threads.

type Cell = 'rnn' | 'lstm' | 'gru';
interface Variant { cell: Cell; name: string; opts: Record<string, unknown> }

const VARIANTS: Variant[] = [
  { cell: 'rnn', name: 'SimpleRNN tanh', opts: {} },
  { cell: 'rnn', name: 'SimpleRNN relu', opts: { activation: 'relu' } },
  { cell: 'lstm', name: 'LSTM sigmoid/tanh', opts: {} },
  { cell: 'lstm', name: 'LSTM hard_sigmoid/relu', opts: { recurrentActivation: 'hard_sigmoid', activation: 'relu' } },
  { cell: 'gru', name: 'GRU resetAfter', opts: { resetAfter: true } },
  { cell: 'gru', name: 'GRU resetAfter false', opts: { resetAfter: false, recurrentActivation: 'hardSigmoidKeras3' } },
  { cell: 'gru', name: 'GRU linear', opts: { activation: 'linear', resetAfter: true } },
];

const SIZES: [number, number, number][] = [];
for (const units of [1, 7, 33]) for (const batch of [1, 3]) for (const time of [1, 5]) SIZES.push([units, batch, time]);

/** A [batch, time] mask with some masked steps (the first step of row 1, the last of row 2, ...). */
function maskOf(batch: number, time: number): st.Tensor {
  const v = new Float32Array(batch * time).fill(1);
  for (let b = 0; b < batch; b++) if (time > 1) v[b * time + ((b * 3 + 1) % time)] = 0;
  if (batch > 1) v[time] = 0;
  return st.tensor(v, [batch, time]);
}

interface Case { layer: st.layers.Layer; x: st.Tensor; init: st.Tensor[]; call: { training?: boolean; mask?: st.Tensor } }

/** Outputs and the gradients of Σ outputs ⊙ r w.r.t. the input, the initial states and every weight. */
function run(c: Case, fused: boolean): { outs: st.Tensor[]; grads: st.Tensor[] } {
  setFusedRecurrent(fused);
  try {
    let outs: st.Tensor[] = [];
    const wrt = [c.x, ...c.init, ...c.layer.trainableWeights];
    const { grads } = st.valueAndGrads(() => {
      const y = c.layer.apply(c.x, { ...c.call, initialState: c.init.length ? c.init : undefined }) as st.Tensor | st.Tensor[];
      outs = Array.isArray(y) ? y : [y];
      return outs.map((o, i) => st.sum(st.mul(o, st.randomNormal(o.shape, { seed: 100 + i })))).reduce((a, b) => st.add(a, b));
    }, wrt);
    return { outs, grads };
  } finally {
    setFusedRecurrent(true);
  }
}

function compare(c: Case, what: string, atol: number, rtol: number): void {
  c.layer.apply(c.x, c.call); // builds
  const ref = run(c, false), got = run(c, true);
  assert.equal(got.outs.length, ref.outs.length, `${what}: output count`);
  got.outs.forEach((o, i) => {
    assert.deepEqual(o.shape, ref.outs[i].shape, `${what}: output ${i} shape`);
    expectClose(o, ref.outs[i], atol, rtol, `${what}: output ${i}`);
  });
  got.grads.forEach((g, i) => expectClose(g, ref.grads[i], atol, rtol, `${what}: gradient ${i}`));
}

function layerFor(v: Variant, units: number, extra: Record<string, unknown>): st.layers.Layer {
  return st.layers.recurrent({
    cell: v.cell, units, ...v.opts, ...extra,
    biasInitializer: st.initializers.randomNormal({ seed: 5, stddev: 0.3 }),
    recurrentInitializer: st.initializers.orthogonal({ seed: 6 }), kernelInitializer: st.initializers.glorotUniform({ seed: 7 }),
  } as never);
}

for (const backend of backends()) {
  // Native float32 differs from the per-step path by its own rounding (polynomial exp, summation order).
  const [atol, rtol] = backend === 'js' ? [1e-5, 1e-4] : [5e-5, 5e-4];
  for (const v of VARIANTS) {
    test(`fused ${v.name} equals the per-step path on ${backend}: outputs and gradients, odd sizes`, () => {
      const before = st.getBackend();
      st.setBackend(backend);
      try {
        // The fused sequence kernel runs native code for float32 at every size (no threshold).
        expectExecuted(backend, 'native', () => { for (const [units, batch, time] of SIZES) {
          const size = `units ${units}, batch ${batch}, time ${time}`;
          const x = st.randomNormal([batch, time, 3], { seed: units * 100 + batch * 10 + time });
          const init = (v.cell === 'lstm' ? [1, 2] : [1]).map((s) => st.randomNormal([batch, units], { seed: 50 + s }));
          compare({ layer: layerFor(v, units, { returnSequences: true }), x, init: [], call: {} }, `${v.name} plain, ${size}`, atol, rtol);
          const all = layerFor(v, units, { returnSequences: time > 1, returnState: true, goBackwards: true, dropout: 0.2, recurrentDropout: 0.3, seed: 3 });
          compare({ layer: all, x, init, call: { training: true, mask: maskOf(batch, time) } },
            `${v.name} goBackwards + mask + dropout + recurrentDropout + initial states, ${size}`, atol, rtol);
          const masked = layerFor(v, units, { returnSequences: true, recurrentDropout: 0.5, seed: 9 });
          compare({ layer: masked, x, init: [], call: { training: true, mask: maskOf(batch, time) } },
            `${v.name} mask + recurrentDropout, ${size}`, atol, rtol);
        } });
      } finally {
        st.setBackend(before);
      }
    });
  }
}

// ---- the op in float64 on the js reference: finite differences of every differentiable input

const FEATURES = 2;

/** The op's differentiable inputs, in its order: x, W, b, U, (recurrent bias), h0, (c0). */
function opInputs(cell: Cell, units: number, batch: number, time: number, resetAfter: boolean, seed: number): st.Tensor[] {
  const G = cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;
  return [
    rand([batch, time, FEATURES], seed), rand([FEATURES, G * units], seed + 1), rand([G * units], seed + 2),
    st.mul(rand([units, G * units], seed + 3), 0.5),
    ...(cell === 'gru' && resetAfter ? [rand([G * units], seed + 4)] : []),
    ...(cell === 'lstm' ? [5, 6] : [5]).map((s) => rand([batch, units], seed + s)),
  ];
}

/** rnnSequence on opInputs' list. */
function callOp(args: st.Tensor[], opts: RnnSequenceOptions, mask: st.Tensor | null, recurrentMask: st.Tensor | null): st.Tensor[] {
  const [x, kernel, bias, recurrentKernel, ...rest] = args;
  const hasRecurrentBias = opts.cell === 'gru' && (opts.resetAfter ?? true);
  return rnnSequence(x, kernel, recurrentKernel, {
    bias, recurrentBias: hasRecurrentBias ? rest[0] : null, initialStates: hasRecurrentBias ? rest.slice(1) : rest, mask, recurrentMask,
  }, opts);
}

const OP_VARIANTS: [Cell, RnnSequenceOptions['activation'], RnnSequenceOptions['recurrentActivation'], boolean][] = [
  ['rnn', 'tanh', 'sigmoid', false], ['lstm', 'tanh', 'sigmoid', false], ['lstm', 'tanh', 'hardSigmoid', false],
  ['gru', 'tanh', 'sigmoid', true], ['gru', 'tanh', 'sigmoid', false], ['gru', 'linear', 'hardSigmoidKeras3', false],
];

for (const [cell, activation, recurrentActivation, resetAfter] of OP_VARIANTS) {
  test(`rnnSequence ${cell} (${activation}/${recurrentActivation}${cell === 'gru' ? `, resetAfter ${resetAfter}` : ''}) gradients by finite differences (float64, js)`, () => {
    const before = st.getBackend();
    st.setBackend('js');
    try {
      const [units, batch, time] = [3, 2, 4];
      const mask = st.tensor([[1, 0, 1, 1], [1, 1, 1, 0]], [batch, time], 'float64');
      const recMask = st.tensor(Float64Array.from({ length: batch * units }, (_, i) => (i % 3 === 1 ? 0 : 1 / 0.7)), [batch, units]);
      for (const [goBackwards, returnSequences, masked] of [[false, true, false], [true, false, true], [true, true, true]]) {
        const f = (...args: st.Tensor[]) => {
          const ys = callOp(args, { cell, activation, recurrentActivation, resetAfter, goBackwards, returnSequences },
            masked ? mask : null, masked ? recMask : null);
          return st.concat(ys.map((y) => st.reshape(y, [batch, -1])), 1);
        };
        const report = st.testing.checkGradients(f, opInputs(cell, units, batch, time, resetAfter, 10));
        assert.ok(report.ok && report.checked > 0, `goBackwards ${goBackwards}, returnSequences ${returnSequences}, masked ${masked}: ${report.checked} checked`);
      }
    } finally {
      st.setBackend(before);
    }
  });
}

// ---- native against the js reference at W5-like sizes (the batch split across threads)

test('native rnnSequence matches the js kernel at a size that splits the batch across threads', (t) => {
  if (!backends().includes('native')) {
    t.skip('native backend not built: run `node scripts/build-native.mjs`');
    return;
  }
  const [units, batch, time] = [64, 32, 24];
  for (const [cell, resetAfter] of [['lstm', false], ['gru', true], ['gru', false], ['rnn', false]] as const) {
    const args = opInputs(cell, units, batch, time, resetAfter, 30).map((x, i) => st.mul(st.cast(x, 'float32'), i === 3 ? 0.3 : 1));
    const mask = maskOf(batch, time);
    const recMask = st.dropoutMask([batch, units], 0.25, 4);
    const results = ['js', 'native'].map((b) => {
      const before = st.getBackend();
      st.setBackend(b);
      try {
        // Twice, so the native scratch and recycled buffers of the first call are reused by the second.
        const f = () => {
          const ys = callOp(args, { cell, activation: 'tanh', recurrentActivation: 'sigmoid', resetAfter, goBackwards: true, returnSequences: true },
            mask, recMask);
          return ys.map((y, i) => st.sum(st.mul(y, st.randomNormal(y.shape, { seed: 200 + i })))).reduce((a, c) => st.add(a, c));
        };
        return expectExecuted(b, 'native', () => {
          st.valueAndGrads(f, args);
          return st.valueAndGrads(f, args);
        });
      } finally {
        st.setBackend(before);
      }
    });
    expectClose(results[1].value, results[0].value, 1e-3, 1e-4, `${cell} value`);
    results[1].grads.forEach((g, i) => expectClose(g, results[0].grads[i], 1e-4, 1e-3, `${cell} gradient ${i}`));
  }
});

// ---- errors and the higher-order fallback

test('rnnSequence errors name the op, the expected and the given shapes', () => {
  const x = st.zeros([2, 3, 5]), kernel = st.zeros([5, 8]), rk = st.zeros([2, 8]), h0 = st.zeros([2, 2]), c0 = st.zeros([2, 2]);
  const opts: RnnSequenceOptions = { cell: 'lstm', activation: 'tanh', recurrentActivation: 'sigmoid' };
  expectError(() => rnnSequence(st.zeros([2, 3]), kernel, rk, { initialStates: [h0, c0] }, opts), st.ShapeError, 'rnnSequence (lstm)', '[batch, time ≥ 1, features]', '[2, 3]');
  expectError(() => rnnSequence(x, st.zeros([4, 8]), rk, { initialStates: [h0, c0] }, opts), st.ShapeError, 'kernel must be [features, 4·units] = [5, 8]', '[4, 8]');
  expectError(() => rnnSequence(x, kernel, st.zeros([2, 6]), { initialStates: [h0, c0] }, opts), st.ShapeError, 'recurrentKernel must be [units, 4·units]');
  expectError(() => rnnSequence(x, kernel, rk, { initialStates: [h0] }, opts), st.ShapeError, 'initialStates must be 2 tensor(s)');
  expectError(() => rnnSequence(x, kernel, rk, { initialStates: [h0, c0], mask: st.ones([2, 4]) }, opts), st.ShapeError, 'mask must be [batch, time] = [2, 3]');
  expectError(() => rnnSequence(x, kernel, rk, { initialStates: [h0, c0], recurrentBias: st.zeros([8]) }, opts), st.ShapeError, 'only a GRU with resetAfter');
  expectError(() => rnnSequence(x, kernel, rk, { initialStates: [h0, c0], bias: st.zeros([7]) }, opts), st.ShapeError, 'bias must be [8]');
  expectError(() => rnnSequence(x, kernel, st.zeros([2, 8], 'float64'), { initialStates: [h0, c0] }, opts), st.DTypeError, 'one float dtype');
});

test('a gradient of a gradient through a recurrent layer runs the per-step path; the op refuses one', () => {
  const layer = st.layers.lstm({ units: 2, kernelInitializer: st.initializers.glorotUniform({ seed: 1 }) });
  const x = rand([2, 3, 2], 1, 'float32');
  layer.apply(x);
  const k = layer.trainableWeights[0];
  // d/dx of |dL/dk|²: the inner gradient is recorded by the outer tape, so the layer must not fuse.
  const outer = st.valueAndGrads(() => {
    const { grads: [dk] } = st.valueAndGrads(() => st.sum(layer.apply(x) as st.Tensor), [k]);
    return st.sum(st.square(dk));
  }, [x]);
  assert.ok(outer.grads[0].values.some((v) => v !== 0), 'second-order gradient reaches x');
  const xs = rand([1, 2, 1], 2, 'float32'), w = rand([1, 1], 3, 'float32'), u = rand([1, 1], 4, 'float32'), h0 = st.zeros([1, 1]);
  assert.throws(() => st.valueAndGrads(() => {
    const { grads: [du] } = st.valueAndGrads(() => st.sum(rnnSequence(xs, w, u, { initialStates: [h0] },
      { cell: 'rnn', activation: 'tanh', recurrentActivation: 'sigmoid' })[0]), [u]);
    return st.sum(du);
  }, [xs]), /gradient of its gradient is not supported/);
});
