// Cells that own their weights: st.layers.rnn over lstmCell / gruCell / simpleRNNCell, stacked cells
// and a user's cell, against the SimpleRNN/LSTM/GRU layers (same weights), TensorFlow.js 4.22's own
// tf.layers.rnn / stackedRNNCells, finite differences, and save → load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as st from '../src/index.js';
import { expectClose, forEachBackend, expectError } from './helpers.js';
import { setFusedRecurrent } from '../src/layers/recurrent.js';

const seq = (n: number, k: number) => Array.from({ length: n }, (_, i) => +(Math.sin(0.37 * i * k + 0.1 * k) * 0.8).toFixed(4));
const x = st.tensor(seq(2 * 5 * 3, 1), [2, 5, 3]);
const mask = st.tensor([[1, 1, 0, 1, 1], [1, 0, 0, 0, 1]]);

/** Gives each weight of `layer` (built for x) deterministic values; returns them. */
function fillWeights(layer: st.layers.Layer, k: number): st.Tensor[] {
  const ws = layer.weights.map((w, i) => st.tensor(seq(w.size, k + 0.7 * i), w.shape));
  layer.setWeights(ws);
  return ws;
}
const list = (y: st.Tensor | st.Tensor[]) => (Array.isArray(y) ? y : [y]);

test('rnn over a built-in cell equals the SimpleRNN / LSTM / GRU layer with the same weights (fused and per step, masks, states, dropout)', () => forEachBackend(() => {
  const cases: [() => st.layers.Layer, () => st.layers.Layer][] = [
    [() => st.layers.simpleRNN({ units: 4, returnSequences: true, returnState: true }), () => st.layers.simpleRNNCell({ units: 4 })],
    [() => st.layers.lstm({ units: 4, returnSequences: true, returnState: true, goBackwards: true }), () => st.layers.lstmCell({ units: 4 })],
    [() => st.layers.gru({ units: 4, returnState: true }), () => st.layers.gruCell({ units: 4 })],
    [() => st.layers.gru({ units: 4, resetAfter: false, returnSequences: true }), () => st.layers.gruCell({ units: 4, resetAfter: false })],
    [() => st.layers.lstm({ units: 4, dropout: 0.3, recurrentDropout: 0.2, seed: 9, returnSequences: true }),
      () => st.layers.lstmCell({ units: 4, dropout: 0.3, recurrentDropout: 0.2, seed: 9 })],
  ];
  for (const [makeLayer, makeCell] of cases) {
    const layer = makeLayer() as st.layers.Layer & { returnSequences: boolean; returnState: boolean; goBackwards: boolean };
    const rnn = st.layers.rnn({ cell: makeCell() as st.layers.RNNCellLike, returnSequences: layer.returnSequences, returnState: layer.returnState, goBackwards: layer.goBackwards });
    layer.build([null, 5, 3]);
    rnn.build([null, 5, 3]);
    assert.deepEqual(rnn.weights.map((w) => w.shape), layer.weights.map((w) => w.shape));
    const ws = fillWeights(layer, 2);
    rnn.setWeights(ws);
    for (const fused of [true, false]) {
      setFusedRecurrent(fused);
      try {
        for (const opts of [{}, { mask }, { training: true }]) {
          const want = list(layer.apply(x, opts) as st.Tensor | st.Tensor[]), got = list(rnn.apply(x, opts) as st.Tensor | st.Tensor[]);
          assert.equal(got.length, want.length);
          got.forEach((g, i) => expectClose(g, want[i], 1e-5, 1e-4, `${layer.className} fused ${fused} ${JSON.stringify(Object.keys(opts))} output ${i}`));
        }
      } finally {
        setFusedRecurrent(true);
      }
    }
  }
}, 'either'));

test('a cell steps on its own: [x, ...states] → [h, ...states], and names its weights in Keras order', () => {
  const cell = st.layers.lstmCell({ units: 3, name: 'my_cell' });
  const step = st.tensor(seq(2 * 4, 3), [2, 4]);
  const [h, h2, c] = cell.apply([step, st.zeros([2, 3]), st.zeros([2, 3])]) as st.Tensor[];
  assert.deepEqual(cell.weights.map((w) => w.name), ['my_cell/kernel', 'my_cell/recurrent_kernel', 'my_cell/bias']);
  assert.deepEqual(cell.stateSize, [3, 3]);
  expectClose(h, h2);
  // One step of the cell = the LSTM layer on a one-step sequence with the same weights.
  const layer = st.layers.lstm({ units: 3, returnState: true });
  layer.build([null, 1, 4]);
  layer.setWeights(cell.getWeights());
  const [, lh, lc] = layer.apply(st.reshape(step, [2, 1, 4])) as st.Tensor[];
  expectClose(h, lh);
  expectClose(c, lc);
  expectError(() => cell.apply([step, st.zeros([2, 3])]), st.ShapeError, 'my_cell', 'h, c');
});

test('stacked cells equal the stacked layers with the same weights; a list of cells means a stack', () => forEachBackend(() => {
  const stacked = st.layers.rnn({ cell: [st.layers.lstmCell({ units: 4 }), st.layers.gruCell({ units: 2 })], returnSequences: true, returnState: true });
  stacked.build([null, 5, 3]);
  assert.ok(stacked.cell instanceof st.layers.StackedRNNCells);
  assert.deepEqual(stacked.cell.stateSize, [4, 4, 2]);
  const l1 = st.layers.lstm({ units: 4, returnSequences: true, returnState: true }), l2 = st.layers.gru({ units: 2, returnSequences: true, returnState: true });
  l1.build([null, 5, 3]);
  l2.build([null, 5, 4]);
  const ws = [...fillWeights(l1, 1), ...fillWeights(l2, 4)];
  stacked.setWeights(ws);
  for (const opts of [{}, { mask }]) {
    const [s1, h1, c1] = l1.apply(x, opts) as st.Tensor[];
    const [s2, h2] = l2.apply(s1, opts) as st.Tensor[];
    const [seqOut, gh1, gc1, gh2] = stacked.apply(x, opts) as st.Tensor[];
    expectClose(seqOut, s2, 1e-5, 1e-4, 'sequence');
    expectClose(gh1, h1);
    expectClose(gc1, c1);
    expectClose(gh2, h2);
  }
}, 'either'));

/** A user's cell: h = tanh(x·W + h₋₁·U), the SimpleRNN formula without bias, written as a Layer. */
class MinimalCell extends st.layers.Layer {
  static override className = 'MinimalCell';
  readonly stateSize: number;
  kernel?: st.Variable;
  recurrent?: st.Variable;
  constructor(opts: { units: number; name?: string }) {
    super(opts);
    this.stateSize = opts.units;
  }
  override build(shape: (number | null)[]): void {
    this.kernel = this.addWeight('kernel', [shape[shape.length - 1]!, this.stateSize], 'glorotUniform');
    this.recurrent = this.addWeight('recurrent_kernel', [this.stateSize, this.stateSize], 'orthogonal');
    this.built = true;
  }
  computeOutputShape(shape: (number | null)[]): (number | null)[][] {
    return [[shape[0], this.stateSize], [shape[0], this.stateSize]];
  }
  protected call(inputs: st.Tensor | st.Tensor[]): st.Tensor[] {
    const [xt, h] = inputs as st.Tensor[];
    const out = st.tanh(st.add(st.matmul(xt, this.kernel!), st.matmul(h, this.recurrent!)));
    return [out, out];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), units: this.stateSize };
  }
}
st.serialization.registerClass(MinimalCell);

test('a user-defined cell runs in rnn, equals SimpleRNN without bias, trains, and saves and loads', async () => {
  forEachBackend(() => {
    const rnn = st.layers.rnn({ cell: new MinimalCell({ units: 3 }), returnSequences: true });
    rnn.build([null, 5, 3]);
    const ref = st.layers.simpleRNN({ units: 3, useBias: false, returnSequences: true });
    ref.build([null, 5, 3]);
    rnn.setWeights(fillWeights(ref, 5));
    expectClose(rnn.apply(x) as st.Tensor, ref.apply(x) as st.Tensor);
    expectClose(rnn.apply(x, { mask }) as st.Tensor, ref.apply(x, { mask }) as st.Tensor);
  }, 'either');
  st.setSeed(4);
  const model = st.sequential({ layers: [st.layers.rnn({ cell: new MinimalCell({ units: 6 }), inputShape: [5, 3] }), st.layers.dense({ units: 1 })] });
  model.compile({ optimizer: st.optimizers.adam(0.05), loss: 'meanSquaredError' });
  const y = st.tensor(seq(2, 7), [2, 1]);
  const h = await model.fit(x, y, { epochs: 30, verbose: 0 });
  assert.ok(h.history.loss[29] < 0.2 * h.history.loss[0], `loss ${h.history.loss[0]} → ${h.history.loss[29]}`);
  const dir = mkdtempSync(join(tmpdir(), 'strata-cells-'));
  try {
    await model.save(dir);
    const back = await st.loadLayersModel(dir);
    expectClose(back.predict(x) as st.Tensor, model.predict(x) as st.Tensor, 0, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('built-in and stacked cells save and load (config and weights), and Bidirectional copies the cell', async () => {
  const inp = st.input({ shape: [5, 3] });
  const seqOut = st.layers.rnn({ cell: st.layers.stackedRNNCells({ cells: [st.layers.gruCell({ units: 4 }), st.layers.simpleRNNCell({ units: 3 })] }), returnSequences: true }).apply(inp) as st.SymbolicTensor;
  const bi = st.layers.bidirectional({ layer: st.layers.rnn({ cell: st.layers.lstmCell({ units: 2 }) }) }).apply(seqOut) as st.SymbolicTensor;
  const model = st.model({ inputs: inp, outputs: bi });
  const biLayer = model.layers[2] as st.layers.Bidirectional;
  const [f, b] = [biLayer.forwardLayer, biLayer.backwardLayer] as unknown as st.layers.RNN[];
  assert.notEqual(f.cell, b.cell);
  assert.notEqual(f.weights[0], b.weights[0]);
  model.setWeights(model.getWeights().map((w, i) => st.tensor(seq(w.size, 1 + 0.3 * i), w.shape)));
  const dir = mkdtempSync(join(tmpdir(), 'strata-cells-'));
  try {
    await model.save(dir);
    const back = await st.loadLayersModel(dir);
    assert.deepEqual(back.layers.map((l) => l.className), ['InputLayer', 'RNN', 'Bidirectional']);
    expectClose(back.predict(x) as st.Tensor, model.predict(x) as st.Tensor, 0, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rnn, lstmCell and stackedRNNCells match TensorFlow.js 4.22 with the same weights', async () => {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const tx = tf.tensor(Array.from(x.dataSync()), [2, 5, 3]);
  // TF.js's cells default to hardSigmoid: both sides name the recurrent activation.
  const tfRnn = tf.layers.rnn({ cell: [tf.layers.lstmCell({ units: 4, recurrentActivation: 'sigmoid' }), tf.layers.simpleRNNCell({ units: 3 })], returnSequences: true });
  const ty = tfRnn.apply(tx) as import('@tensorflow/tfjs').Tensor;
  const ours = st.layers.rnn({ cell: [st.layers.lstmCell({ units: 4 }), st.layers.simpleRNNCell({ units: 3 })], returnSequences: true });
  ours.build([null, 5, 3]);
  assert.deepEqual(ours.weights.map((w) => w.shape), tfRnn.getWeights().map((w) => w.shape));
  ours.setWeights(tfRnn.getWeights().map((w) => st.tensor(Array.from(w.dataSync()), w.shape)));
  expectClose(ours.apply(x) as st.Tensor, ty.dataSync(), 1e-5, 1e-4, 'stacked sequence');
  const tfGru = tf.layers.rnn({ cell: tf.layers.gruCell({ units: 3, recurrentActivation: 'sigmoid' }), goBackwards: true });
  const gy = tfGru.apply(tx) as import('@tensorflow/tfjs').Tensor;
  const gru = st.layers.rnn({ cell: st.layers.gruCell({ units: 3, resetAfter: false }), goBackwards: true });
  gru.build([null, 5, 3]);
  gru.setWeights(tfGru.getWeights().map((w) => st.tensor(Array.from(w.dataSync()), w.shape)));
  expectClose(gru.apply(x) as st.Tensor, gy.dataSync());
});

test('gradients through the step-by-step loop (a user cell, stacked built-in cells) agree with finite differences', () => {
  const x64 = st.tensor(seq(2 * 4 * 3, 2), [2, 4, 3], 'float64');
  const m64 = st.tensor([[0, 1, 1, 1], [1, 1, 0, 1]], [2, 4], 'float64');
  const init = { dtype: 'float64' as const, kernelInitializer: st.initializers.glorotUniform({ seed: 3 }), recurrentInitializer: st.initializers.orthogonal({ seed: 4 }),
    biasInitializer: st.initializers.randomNormal({ seed: 5, stddev: 0.3 }) };
  const layers = [
    st.layers.rnn({ cell: new MinimalCell({ units: 3, dtype: 'float64' } as never), returnSequences: true }),
    st.layers.rnn({ cell: [st.layers.lstmCell({ units: 2, ...init }), st.layers.gruCell({ units: 2, ...init })], returnState: true, goBackwards: true }),
  ];
  for (const layer of layers) {
    for (const mask of [undefined, m64]) {
      layer.apply(x64);
      const f = (input: st.Tensor) => {
        const y = layer.apply(input, { mask });
        return Array.isArray(y) ? st.concat(y.map((t) => st.reshape(t, [t.shape[0], -1])), 1) : y;
      };
      const report = st.testing.checkGradients(f, [x64, ...layer.trainableWeights]);
      assert.ok(report.ok && report.checked > 0, `${layer.describe()} mask ${!!mask}: worst ${JSON.stringify(report.worst)}`);
    }
  }
});

test('bad cells and states are refused naming the layer', () => {
  expectError(() => st.layers.rnn({ cell: st.layers.dense({ units: 2 }) as never }), st.ConfigError, 'cell must be a recurrent cell', 'no stateSize');
  expectError(() => st.layers.stackedRNNCells({ cells: [] }), st.ConfigError, 'non-empty');
  const r = st.layers.rnn({ cell: st.layers.lstmCell({ units: 2 }), name: 'seq' });
  expectError(() => r.apply([x, st.zeros([2, 2])]), st.ShapeError, "'seq'", 'initialState must be 2');
});
