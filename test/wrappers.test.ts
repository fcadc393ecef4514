import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError, forEachBackend, rand } from './helpers.js';
import { expectConfigRoundTrip, expectLayerGradientsClose } from './layer-helpers.js';

type RnnOpts = st.layers.LSTMOptions & st.layers.GRUOptions;
const FACTORIES: Record<string, (o: RnnOpts) => st.layers.Layer> = {
  SimpleRNN: (o) => st.layers.simpleRNN(o), LSTM: (o) => st.layers.lstm(o), GRU: (o) => st.layers.gru(o),
};
const MODES: st.layers.MergeMode[] = ['concat', 'sum', 'mul', 'ave', null];
const seeded = (seed: number) => ({
  kernelInitializer: st.initializers.randomNormal({ seed, stddev: 0.5 }),
  recurrentInitializer: st.initializers.randomNormal({ seed: seed + 1, stddev: 0.5 }),
  biasInitializer: st.initializers.randomNormal({ seed: seed + 2, stddev: 0.2 }),
});

/** The bidirectional layer's two directions rebuilt as plain layers with its weights. */
function byHand(kind: string, opts: RnnOpts, bidi: st.layers.Bidirectional, inputShape: number[]): [st.layers.Layer, st.layers.Layer] {
  const fwd = FACTORIES[kind](opts);
  const bwd = FACTORIES[kind]({ ...opts, goBackwards: true });
  fwd.build([null, ...inputShape.slice(1)]);
  bwd.build([null, ...inputShape.slice(1)]);
  const ws = bidi.getWeights();
  fwd.setWeights(ws.slice(0, fwd.weights.length));
  bwd.setWeights(ws.slice(fwd.weights.length));
  return [fwd, bwd];
}

function mergeByHand(mode: st.layers.MergeMode, y: st.Tensor, yb: st.Tensor): st.Tensor | st.Tensor[] {
  if (mode === 'concat') return st.concat([y, yb], -1);
  if (mode === 'sum') return st.add(y, yb);
  if (mode === 'mul') return st.mul(y, yb);
  if (mode === 'ave') return st.div(st.add(y, yb), 2);
  return [y, yb];
}

function expectSame(actual: st.Tensor | st.Tensor[], expected: st.Tensor | st.Tensor[]): void {
  const a = Array.isArray(actual) ? actual : [actual];
  const e = Array.isArray(expected) ? expected : [expected];
  assert.equal(a.length, e.length, 'number of outputs');
  a.forEach((t, i) => {
    assert.deepEqual(t.shape, e[i].shape, `output ${i} shape`);
    expectClose(t, e[i], 1e-5, 1e-4, `output ${i}`);
  });
}

test('timeDistributed(dense) equals dense on the [batch·time, ...] reshaped input', () => forEachBackend(() => {
  const inner = st.layers.dense({ units: 3, activation: 'tanh', biasInitializer: st.initializers.randomNormal({ seed: 2 }) });
  const td = st.layers.timeDistributed({ layer: inner });
  const x = rand([2, 4, 5], 1, 'float32');
  const y = td.apply(x) as st.Tensor;
  assert.deepEqual(y.shape, [2, 4, 3]);
  const expected = st.reshape(inner.apply(st.reshape(x, [8, 5])) as st.Tensor, [2, 4, 3]);
  expectClose(y, expected);
  // Every step uses the same weights: step t of sample b is dense(x[b, t]).
  expectClose(st.slice(y, [1, 2, 0], [1, 1, 3]), inner.apply(st.slice(x, [1, 2, 0], [1, 1, 5])) as st.Tensor);
  assert.deepEqual(td.computeOutputShape([null, 4, 5]), [null, 4, 3]);
  assert.deepEqual(td.weights, inner.weights);
  assert.deepEqual(td.trainableWeights.map((w) => w.name), [inner.kernel!.name, inner.bias!.name]);
  assert.equal(td.countParams(), 18);
  // Rank 4: dense acts on the last axis of each [h, w] step.
  const td4 = st.layers.timeDistributed({ layer: st.layers.dense({ units: 2 }) });
  assert.deepEqual((td4.apply(st.ones([2, 3, 4, 5])) as st.Tensor).shape, [2, 3, 4, 2]);
  assert.deepEqual(td4.computeOutputShape([null, 3, 4, 5]), [null, 3, 4, 2]);
}, 'fallback'));

test('timeDistributed weights: setWeights, getWeights, freezing, penalties', () => {
  const td = st.layers.timeDistributed({ layer: st.layers.dense({ units: 2, kernelRegularizer: st.regularizers.l1({ l1: 1 }) }) });
  td.build([null, 3, 2]);
  td.setWeights([st.tensor([[1, -1], [2, 0]]), st.tensor([0.5, 0])]);
  expectClose(td.getWeights()[0], [1, -1, 2, 0]);
  expectClose(td.apply(st.ones([1, 3, 2])) as st.Tensor, [3.5, -1, 3.5, -1, 3.5, -1]);
  expectClose(td.regularizationLosses().map((t) => t.item()), [4]);
  td.trainable = false;
  assert.equal(td.trainableWeights.length, 0);
  assert.equal(td.nonTrainableWeights.length, 2);
  expectError(() => td.setWeights([st.zeros([2, 2])]), st.ConfigError, "TimeDistributed 'time_distributed", 'setWeights expects 2 tensors');
});

test('timeDistributed gradients w.r.t. input and the inner weights', () => {
  const td = st.layers.timeDistributed({ layer: st.layers.dense({ units: 3, activation: 'sigmoid', dtype: 'float64' }) });
  expectLayerGradientsClose(td, rand([2, 3, 4], 3));
  const conv = st.layers.timeDistributed({ layer: st.layers.dense({ units: 2, activation: 'tanh', dtype: 'float64' }) });
  expectLayerGradientsClose(conv, rand([1, 2, 3, 2], 4));
});

test('timeDistributed config round-trips and loads a TF.js snake_case config', () => {
  const td = st.layers.timeDistributed({ layer: st.layers.dense({ units: 4, activation: 'relu', name: 'inner_dense' }), inputShape: [6, 3] });
  const again = expectConfigRoundTrip(td) as st.layers.TimeDistributed;
  assert.equal(again.layer.className, 'Dense');
  assert.equal(again.layer.name, 'inner_dense');
  const json = st.layers.serialize(td);
  assert.equal((json.config.layer as st.layers.KerasObject).class_name, 'Dense');
  const loaded = st.layers.deserialize({ class_name: 'TimeDistributed', config: {
    name: 'time_distributed_1', trainable: true, batch_input_shape: [null, 10, 8], dtype: 'float32',
    layer: { class_name: 'Dense', config: { name: 'dense_5', trainable: true, units: 4, activation: 'softmax', use_bias: true,
      kernel_initializer: { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'uniform', seed: null } },
      bias_initializer: { class_name: 'Zeros', config: {} }, kernel_regularizer: null, bias_regularizer: null,
      activity_regularizer: null, kernel_constraint: null, bias_constraint: null } } } }) as st.layers.TimeDistributed;
  assert.equal(loaded.name, 'time_distributed_1');
  assert.equal((loaded.layer as st.layers.Dense).units, 4);
  assert.equal((loaded.layer as st.layers.Dense).activation.name, 'softmax');
  const y = loaded.apply(st.ones([2, 10, 8])) as st.Tensor;
  assert.deepEqual(y.shape, [2, 10, 4]);
  expectClose(st.sum(y, -1), new Array(20).fill(1));
  // camelCase className form, as getConfig of TF.js writes it.
  const camel = st.layers.deserialize({ class_name: 'TimeDistributed', config: { layer: { className: 'Dense', config: { units: 2, useBias: false } } } });
  assert.equal(((camel as st.layers.TimeDistributed).layer as st.layers.Dense).useBias, false);
});

test('timeDistributed of a layer with a dropout shorthand expands to standard wrapped layers', () => {
  const td = st.layers.timeDistributed({ layer: st.layers.dense({ units: 3, dropout: 0.5, kernelInitializer: 'ones' }), name: 'td_d' });
  const x = st.ones([1, 2, 2]);
  const before = td.apply(x) as st.Tensor;
  const parts = td.expand();
  assert.deepEqual(parts.map((p) => [p.className, (p as st.layers.TimeDistributed).layer.className]), [['TimeDistributed', 'Dense'], ['TimeDistributed', 'Dropout']]);
  assert.equal(parts[0].name, 'td_d');
  assert.equal(st.layers.serialize(parts[0]).config.layer && (st.layers.serialize(parts[0]).config.layer as st.layers.KerasObject).config.dropout, undefined);
  expectClose(parts[0].apply(x) as st.Tensor, before);
  const plain = st.layers.timeDistributed({ layer: st.layers.dense({ units: 3 }) });
  assert.deepEqual(plain.expand(), [plain]);
});

test('timeDistributed errors', () => {
  expectError(() => st.layers.timeDistributed({} as never), st.ConfigError, "TimeDistributed 'time_distributed", 'layer must be a layer');
  const td = st.layers.timeDistributed({ layer: st.layers.dense({ units: 2 }), name: 'td_x' });
  expectError(() => td.apply(st.ones([4, 3])), st.ShapeError, "TimeDistributed 'td_x'", 'expected input of rank ≥ 3 [batch, time, ...], got [null, 3]');
  const states = st.layers.timeDistributed({ layer: st.layers.lstm({ units: 2, returnState: true }) });
  expectError(() => states.apply(st.ones([1, 2, 3, 4])), st.ConfigError, 'returned 3 tensors', 'turn off returnState');
});

for (const kind of ['SimpleRNN', 'LSTM', 'GRU']) {
  test(`bidirectional ${kind}: every merge mode equals the two directions run by hand`, () => forEachBackend(() => {
    const x = rand([2, 4, 3], 11, 'float32');
    for (const returnSequences of [false, true]) {
      for (const mergeMode of MODES) {
        const opts = { units: 2, returnSequences, ...seeded(20) };
        const bidi = st.layers.bidirectional({ layer: FACTORIES[kind](opts), mergeMode });
        const y = bidi.apply(x) as st.Tensor | st.Tensor[];
        const [fwd, bwd] = byHand(kind, opts, bidi, x.shape);
        let yb = bwd.apply(x) as st.Tensor;
        if (returnSequences) yb = st.reverse(yb, 1);
        expectSame(y, mergeByHand(mergeMode, fwd.apply(x) as st.Tensor, yb));
        const shapes = bidi.computeOutputShape([null, 4, 3]);
        const got = Array.isArray(y) ? y.map((t) => [null, ...t.shape.slice(1)]) : [null, ...y.shape.slice(1)];
        assert.deepEqual(shapes, got, `computeOutputShape for ${mergeMode}`);
      }
    }
  }));
}

test('bidirectional LSTM concat matches TensorFlow.js', () => forEachBackend(() => {
  // Numbers from tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 2, returnSequences: true,
  // recurrentActivation: 'sigmoid' }) }) in TF.js 4.22, weight i filled with round(sin(j·(0.3 + i) + 1)·50)/100.
  const fill = (shape: number[], k: number) => st.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) },
    (_, j) => Math.round(Math.sin(j * k + 1) * 50) / 100), shape);
  const bidi = st.layers.bidirectional({ layer: st.layers.lstm({ units: 2, returnSequences: true }) });
  const x = fill([1, 3, 2], 0.7);
  bidi.build([null, 3, 2]);
  bidi.setWeights(bidi.getWeights().map((w, i) => fill(w.shape, 0.3 + i)));
  expectClose(bidi.apply(x) as st.Tensor, [-0.140495, -0.025104, 0.095389, 0.062656, -0.145072, -0.017864, 0.01538, 0.103829,
    -0.141051, -0.001888, -0.093609, 0.153352], 1e-5);
}));

test('bidirectional builds named forward/backward copies; weights forward first, Keras layout', () => {
  const layer = st.layers.lstm({ units: 3, name: 'enc' });
  const bidi = st.layers.bidirectional({ layer });
  assert.equal(bidi.forwardLayer.name, 'forward_enc');
  assert.equal(bidi.backwardLayer.name, 'backward_enc');
  assert.equal(bidi.forwardLayer.goBackwards, false);
  assert.equal(bidi.backwardLayer.goBackwards, true);
  assert.notEqual(bidi.forwardLayer, layer);
  bidi.build([null, 5, 2]);
  assert.deepEqual(bidi.weights.map((w) => w.name), ['forward_enc/kernel', 'forward_enc/recurrent_kernel', 'forward_enc/bias',
    'backward_enc/kernel', 'backward_enc/recurrent_kernel', 'backward_enc/bias']);
  assert.deepEqual(bidi.getWeights().map((w) => w.shape), [[2, 12], [3, 12], [12], [2, 12], [3, 12], [12]]);
  assert.equal(bidi.countParams(), 2 * (24 + 36 + 12));
  const ws = bidi.getWeights().map((w, i) => st.fill(w.shape, i));
  bidi.setWeights(ws);
  expectClose(bidi.backwardLayer.getWeights()[0], ws[3]);
  bidi.trainable = false;
  assert.equal(bidi.trainableWeights.length, 0);
  expectError(() => bidi.setWeights(ws.slice(1)), st.ConfigError, 'setWeights expects 6 tensors');
});

test('bidirectional returnState gives [output, ...forward states, ...backward states]', () => forEachBackend(() => {
  const x = rand([2, 3, 2], 12, 'float32');
  for (const [kind, nStates] of [['LSTM', 2], ['GRU', 1]] as const) {
    for (const mergeMode of ['concat', null] as st.layers.MergeMode[]) {
      const opts = { units: 2, returnState: true, returnSequences: true, ...seeded(30) };
      const bidi = st.layers.bidirectional({ layer: FACTORIES[kind](opts), mergeMode });
      const out = bidi.apply(x) as st.Tensor[];
      const [fwd, bwd] = byHand(kind, opts, bidi, x.shape);
      const [y, ...fs] = fwd.apply(x) as st.Tensor[];
      const [yb, ...bs] = bwd.apply(x) as st.Tensor[];
      const merged = mergeByHand(mergeMode, y, st.reverse(yb, 1));
      expectSame(out, [...(Array.isArray(merged) ? merged : [merged]), ...fs, ...bs]);
      assert.equal(fs.length, nStates);
      const shapes = bidi.computeOutputShape([null, 3, 2]) as st.layers.LayerShape[];
      assert.deepEqual(shapes, out.map((t) => [null, ...t.shape.slice(1)]));
      // Initial states: the forward layer's, then the backward layer's.
      const init = [...fs, ...bs].map((s, i) => st.mul(s, 0.5 + i));
      const withInit = bidi.apply(x, { initialState: init }) as st.Tensor[];
      const [y2, ...fs2] = fwd.apply(x, { initialState: init.slice(0, nStates) }) as st.Tensor[];
      const [yb2, ...bs2] = bwd.apply(x, { initialState: init.slice(nStates) }) as st.Tensor[];
      const merged2 = mergeByHand(mergeMode, y2, st.reverse(yb2, 1));
      expectSame(withInit, [...(Array.isArray(merged2) ? merged2 : [merged2]), ...fs2, ...bs2]);
      expectSame(bidi.apply([x, ...init]) as st.Tensor[], withInit);
    }
  }
}));

for (const kind of ['LSTM', 'GRU']) {
  test(`bidirectional ${kind} gradients w.r.t. input and every weight, each merge mode`, () => {
    for (const mergeMode of MODES) {
      const returnSequences = mergeMode === 'concat' || mergeMode === 'mul';
      const layer = FACTORIES[kind]({ units: 2, returnSequences, dtype: 'float64', ...seeded(40) });
      const bidi = st.layers.bidirectional({ layer, mergeMode });
      const f = (x: st.Tensor) => {
        const y = bidi.apply(x);
        return Array.isArray(y) ? st.concat(y, -1) : y;
      };
      const x = rand([2, 3, 2], 13);
      bidi.apply(x);
      st.testing.checkGradients(f, [x, ...bidi.trainableWeights]);
      if (mergeMode === 'sum') expectLayerGradientsClose(bidi, x);
    }
  });
}

test('bidirectional passes the mask to both directions', () => forEachBackend(() => {
  const x = rand([2, 4, 3], 14, 'float32');
  const mask = st.tensor([[1, 1, 1, 0], [1, 1, 0, 0]], undefined, 'int32');
  const opts = { units: 2, returnSequences: true, ...seeded(50) };
  const bidi = st.layers.bidirectional({ layer: st.layers.gru(opts), mergeMode: 'concat' });
  const y = bidi.apply(x, { mask }) as st.Tensor;
  const [fwd, bwd] = byHand('GRU', opts, bidi, x.shape);
  expectClose(y, st.concat([fwd.apply(x, { mask }) as st.Tensor, st.reverse(bwd.apply(x, { mask }) as st.Tensor, 1)], -1));
  const unmasked = bidi.apply(x) as st.Tensor;
  assert.ok(Array.from(unmasked.values).some((v, i) => Math.abs(v - y.values[i]) > 1e-4), 'the mask changes the output');
  assert.equal(bidi.computeMask(x, mask), mask);
  assert.equal(st.layers.bidirectional({ layer: st.layers.gru({ units: 2 }) }).computeMask(x, mask), null);
}));

test('bidirectional with an explicit backwardLayer', () => {
  const layer = st.layers.simpleRNN({ units: 2, returnSequences: true, name: 'f' });
  const backwardLayer = st.layers.simpleRNN({ units: 2, returnSequences: true, goBackwards: true, activation: 'relu', name: 'b' });
  const bidi = st.layers.bidirectional({ layer, backwardLayer, mergeMode: 'sum' });
  assert.equal(bidi.backwardLayer, backwardLayer);
  const x = rand([1, 3, 2], 15, 'float32');
  const y = bidi.apply(x) as st.Tensor;
  const fwd = st.layers.simpleRNN({ units: 2, returnSequences: true });
  fwd.build([null, 3, 2]);
  fwd.setWeights(bidi.forwardLayer.getWeights());
  expectClose(y, st.add(fwd.apply(x) as st.Tensor, st.reverse(backwardLayer.apply(x) as st.Tensor, 1)));
  const again = expectConfigRoundTrip(bidi) as st.layers.Bidirectional;
  assert.equal(again.backwardLayer.name, 'b');
  assert.equal((again.backwardLayer as unknown as st.layers.SimpleRNN).activation.name, 'relu');
});

test('bidirectional and nested wrappers round-trip their configs', () => {
  for (const mergeMode of MODES) {
    const bidi = st.layers.bidirectional({ layer: st.layers.lstm({ units: 3, returnSequences: true, recurrentDropout: 0.1, seed: 2 }), mergeMode, inputShape: [5, 4] });
    const again = expectConfigRoundTrip(bidi) as st.layers.Bidirectional;
    assert.equal(again.mergeMode, mergeMode);
    assert.equal(again.forwardLayer.name, bidi.forwardLayer.name);
  }
  const nested = st.layers.timeDistributed({ layer: st.layers.bidirectional({ layer: st.layers.gru({ units: 2, resetAfter: false }), mergeMode: 'ave' }) });
  const again = expectConfigRoundTrip(nested) as st.layers.TimeDistributed;
  const inner = again.layer as st.layers.Bidirectional;
  assert.equal(inner.className, 'Bidirectional');
  assert.equal(inner.mergeMode, 'ave');
  assert.equal((inner.forwardLayer as unknown as st.layers.GRU).resetAfter, false);
  // The nested wrappers compute: [b, t1, t2, f] → each t1 step is one GRU sequence over t2.
  const x = rand([2, 3, 4, 2], 16, 'float32');
  const y = nested.apply(x) as st.Tensor;
  assert.deepEqual(y.shape, [2, 3, 2]);
  assert.deepEqual(nested.computeOutputShape([null, 3, 4, 2]), [null, 3, 2]);
  const bidi = nested.layer as st.layers.Bidirectional;
  expectClose(st.slice(y, [1, 2, 0], [1, 1, 2]), bidi.apply(st.reshape(st.slice(x, [1, 2, 0, 0], [1, 1, 4, 2]), [1, 4, 2])) as st.Tensor);
  assert.equal(nested.weights.length, 6);
});

test('bidirectional loads TF.js (snake_case) and camelCase configs with the nested layer', () => {
  const lstmConfig = { name: 'lstm_1', trainable: true, dtype: 'float32', units: 4, activation: 'tanh', recurrent_activation: 'hard_sigmoid',
    use_bias: true, kernel_initializer: { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'normal', seed: null } },
    recurrent_initializer: { class_name: 'Orthogonal', config: { gain: 1, seed: null } }, bias_initializer: { class_name: 'Zeros', config: {} },
    unit_forget_bias: true, kernel_regularizer: null, recurrent_regularizer: null, bias_regularizer: null, activity_regularizer: null,
    kernel_constraint: null, recurrent_constraint: null, bias_constraint: null, dropout: 0, recurrent_dropout: 0, implementation: 1,
    return_sequences: true, return_state: false, go_backwards: false, stateful: false, unroll: false };
  const loaded = st.layers.deserialize({ class_name: 'Bidirectional', config: {
    name: 'bidirectional_1', trainable: true, batch_input_shape: [null, 5, 3], dtype: 'float32',
    layer: { class_name: 'LSTM', config: lstmConfig }, merge_mode: 'concat' } }) as st.layers.Bidirectional;
  assert.equal(loaded.name, 'bidirectional_1');
  assert.equal(loaded.forwardLayer.name, 'forward_lstm_1');
  assert.equal(loaded.backwardLayer.name, 'backward_lstm_1');
  assert.equal((loaded.forwardLayer as unknown as st.layers.LSTM).recurrentActivation.name, 'hard_sigmoid');
  assert.deepEqual((loaded.apply(st.ones([2, 5, 3])) as st.Tensor).shape, [2, 5, 8]);
  assert.equal(loaded.weights.length, 6);
  // merge_mode null (deserialize drops nulls): two outputs.
  const none = st.layers.deserialize({ class_name: 'Bidirectional', config: { layer: { class_name: 'GRU', config: { units: 2, name: 'g' } }, merge_mode: null } }) as st.layers.Bidirectional;
  assert.equal(none.mergeMode, null);
  assert.equal((none.apply(st.ones([1, 2, 3])) as st.Tensor[]).length, 2);
  // Keras 3 writes the forward copy as `layer` and the backward one as `backward_layer`; camelCase keys too.
  const keras3 = st.layers.deserialize({ class_name: 'Bidirectional', config: {
    name: 'bidi', merge_mode: 'sum',
    layer: { module: 'keras.layers', className: 'SimpleRNN', config: { name: 'forward_rnn', units: 3, returnSequences: false, goBackwards: false }, registered_name: null },
    backward_layer: { class_name: 'SimpleRNN', config: { name: 'backward_rnn', units: 3, go_backwards: true } } } }) as st.layers.Bidirectional;
  assert.equal(keras3.forwardLayer.name, 'forward_rnn');
  assert.equal(keras3.backwardLayer.name, 'backward_rnn');
  assert.equal(keras3.mergeMode, 'sum');
  assert.deepEqual((keras3.apply(st.ones([2, 4, 1])) as st.Tensor).shape, [2, 3]);
});

test('embedding({ maskZero }) mask skips the padding steps of a recurrent layer', () => forEachBackend(() => {
  const emb = st.layers.embedding({ inputDim: 6, outputDim: 3, maskZero: true, embeddingsInitializer: st.initializers.randomNormal({ seed: 60 }) });
  const rnn = st.layers.lstm({ units: 2, ...seeded(61) });
  const ids = st.tensor([[3, 1, 5, 0, 0], [2, 4, 0, 0, 0]], undefined, 'int32');
  const masked = rnn.apply(emb.apply(ids), { mask: emb.computeMask(ids, null) }) as st.Tensor;
  const unmasked = rnn.apply(emb.apply(ids)) as st.Tensor;
  // With the mask, each row's result is the LSTM over its real steps only.
  const row0 = rnn.apply(emb.apply(st.tensor([[3, 1, 5]], undefined, 'int32'))) as st.Tensor;
  const row1 = rnn.apply(emb.apply(st.tensor([[2, 4]], undefined, 'int32'))) as st.Tensor;
  expectClose(masked, [...row0.values, ...row1.values]);
  assert.ok(Array.from(unmasked.values).some((v, i) => Math.abs(v - masked.values[i]) > 1e-4), 'padding changes the unmasked result');
  // Through a bidirectional layer: the backward direction also starts at the last real step.
  const bidi = st.layers.bidirectional({ layer: st.layers.gru({ units: 2, ...seeded(62) }), mergeMode: 'concat' });
  const yb = bidi.apply(emb.apply(ids), { mask: emb.computeMask(ids, null) }) as st.Tensor;
  const yb0 = bidi.apply(emb.apply(st.tensor([[3, 1, 5]], undefined, 'int32'))) as st.Tensor;
  expectClose(st.slice(yb, [0, 0], [1, 4]), yb0);
}));

test('bidirectional takes the wrapped layer\'s inputShape as its own', () => {
  const bidi = st.layers.bidirectional({ layer: st.layers.lstm({ units: 2, inputShape: [5, 3] }) });
  assert.deepEqual(bidi.batchInputShape, [null, 5, 3]);
  assert.deepEqual((bidi.apply(st.ones([2, 5, 3])) as st.Tensor).shape, [2, 4]);
  expectError(() => bidi.apply(st.ones([2, 5, 4])), st.ShapeError, 'expected input shape [null, 5, 3], got [2, 5, 4]');
  expectConfigRoundTrip(bidi);
});

test('bidirectional errors', () => {
  expectError(() => st.layers.bidirectional({ layer: st.layers.dense({ units: 2, name: 'dd' }) }), st.ConfigError,
    "Bidirectional 'bidirectional", "layer must be a recurrent layer (simpleRNN, lstm, gru), got Dense 'dd'");
  expectError(() => st.layers.bidirectional({ layer: st.layers.lstm({ units: 2 }), mergeMode: 'max' as never }), st.ConfigError,
    "mergeMode must be 'concat', 'sum', 'mul', 'ave' or null, got \"max\"");
  expectError(() => st.layers.bidirectional({ layer: st.layers.lstm({ units: 2 }), backwardLayer: st.layers.lstm({ units: 2 }) }), st.ConfigError,
    'backwardLayer must run the other way');
  expectError(() => st.layers.bidirectional({ layer: st.layers.lstm({ units: 2 }), backwardLayer: st.layers.lstm({ units: 2, goBackwards: true, returnSequences: true }) }),
    st.ConfigError, 'backwardLayer.returnSequences is true but layer.returnSequences is false');
  expectError(() => st.layers.bidirectional({ layer: undefined as never }), st.ConfigError, 'layer must be a layer');
  const bidi = st.layers.bidirectional({ layer: st.layers.lstm({ units: 2 }), name: 'bi_x' });
  expectError(() => bidi.apply(st.ones([1, 3, 2]), { initialState: [st.zeros([1, 2])] }), st.ConfigError, "Bidirectional 'bi_x'", 'an even number of tensors), got 1');
  expectError(() => st.layers.bidirectional({ layer: st.layers.gru({ units: 2 }) }).apply(st.ones([1, 3])), st.ShapeError, 'expected input of rank 3 [batch, time, features]');
  expectError(() => st.layers.deserialize({ class_name: 'Bidirectional', config: { layer: { class_name: 'LSTM', config: { units: 2 } }, num_constants: 1 } }),
    st.ConfigError, 'numConstants');
});
