import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError } from './helpers.js';
import { expectConfigRoundTrip } from './layer-helpers.js';

test('recurrent configs round-trip with every option', () => {
  const common = { units: 3, activation: 'relu', useBias: false, kernelInitializer: st.initializers.heNormal({ seed: 2 }),
    recurrentInitializer: st.initializers.identity({ gain: 0.5 }), biasInitializer: 'ones',
    kernelRegularizer: st.regularizers.l2({ l2: 0.01 }), recurrentRegularizer: 'l1', biasRegularizer: st.regularizers.l1l2({ l1: 0.1, l2: 0.2 }),
    kernelConstraint: st.constraints.maxNorm({ maxValue: 2 }), recurrentConstraint: 'nonNeg', biasConstraint: st.constraints.unitNorm(),
    dropout: 0.1, recurrentDropout: 0.2, seed: 9, returnSequences: true, returnState: true, goBackwards: true, stateful: true,
    inputShape: [5, 4] };
  const rnn = expectConfigRoundTrip(st.layers.simpleRNN(common)) as st.layers.SimpleRNN;
  assert.deepEqual([rnn.units, rnn.goBackwards, rnn.returnSequences, rnn.returnState, rnn.stateful, rnn.seed], [3, true, true, true, true, 9]);
  assert.equal(st.layers.serialize(rnn).config.recurrent_activation, undefined, 'SimpleRNN has no recurrent activation');
  const lstm = expectConfigRoundTrip(st.layers.lstm({ ...common, recurrentActivation: 'hard_sigmoid', unitForgetBias: false })) as st.layers.LSTM;
  assert.equal(lstm.recurrentActivation.name, 'hard_sigmoid');
  assert.equal(lstm.unitForgetBias, false);
  const gru = expectConfigRoundTrip(st.layers.gru({ ...common, resetAfter: true })) as st.layers.GRU;
  assert.equal(gru.resetAfter, true, 'a config written by Strata keeps resetAfter true');
  assert.equal(st.layers.serialize(gru).config.reset_after, true);
  assert.equal((expectConfigRoundTrip(st.layers.gru({ units: 2 })) as st.layers.GRU).resetAfter, true);
  assert.equal((expectConfigRoundTrip(st.layers.gru({ units: 2, resetAfter: false })) as st.layers.GRU).resetAfter, false);
});

test('default names follow Keras; regularizers and constraints cover all three weights', () => {
  assert.match(st.layers.simpleRNN({ units: 1 }).name, /^simple_rnn(_\d+)?$/);
  assert.match(st.layers.lstm({ units: 1 }).name, /^lstm(_\d+)?$/);
  assert.match(st.layers.gru({ units: 1 }).name, /^gru(_\d+)?$/);
  const layer = st.layers.gru({ units: 2, kernelInitializer: 'ones', recurrentInitializer: 'ones', biasInitializer: st.initializers.constant({ value: -1 }),
    kernelRegularizer: st.regularizers.l1({ l1: 0.1 }), recurrentRegularizer: st.regularizers.l2({ l2: 0.1 }), biasRegularizer: 'l1',
    recurrentConstraint: st.constraints.maxNorm({ maxValue: 1, axis: 0 }), biasConstraint: 'nonNeg' });
  layer.apply(st.ones([1, 2, 3]));
  expectClose(layer.regularizationLosses().map((t) => t.item()), [0.1 * 18, 0.1 * 12, 0.01 * 12]);
  layer.applyConstraints();
  const [, u, b] = layer.getWeights();
  expectClose(u, new Array(12).fill(1 / Math.sqrt(2)), 1e-5);
  expectClose(b, new Array(12).fill(0));
});

test('a clone from getConfig with one option changed (what Bidirectional needs)', () => {
  const fwd = st.layers.lstm({ units: 2, returnSequences: true, name: 'fwd' });
  const cls = fwd.constructor as typeof st.layers.LSTM;
  const bwd = cls.fromConfig({ ...fwd.getConfig(), goBackwards: !fwd.goBackwards, name: 'bwd' });
  assert.ok(bwd instanceof st.layers.LSTM);
  assert.deepEqual([bwd.goBackwards, bwd.returnSequences, bwd.units, bwd.name], [true, true, 2, 'bwd']);
});

test('deserialize TensorFlow.js model.json configs (snake_case, hard_sigmoid, extra keys)', () => {
  const lstm = st.layers.deserialize({ class_name: 'LSTM', config: {
    name: 'lstm_LSTM1', trainable: true, batch_input_shape: [null, 10, 8], dtype: 'float32', units: 4, activation: 'tanh',
    recurrent_activation: 'hard_sigmoid', use_bias: true, return_sequences: true, return_state: false, go_backwards: false,
    stateful: false, unroll: false, unit_forget_bias: true, implementation: 1, dropout: 0, recurrent_dropout: 0,
    kernel_initializer: { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'normal', seed: null } },
    recurrent_initializer: { class_name: 'Orthogonal', config: { gain: 1, seed: null } },
    bias_initializer: { class_name: 'Zeros', config: {} }, kernel_regularizer: null, recurrent_regularizer: null,
    bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, recurrent_constraint: null, bias_constraint: null,
  } }) as st.layers.LSTM;
  assert.ok(lstm instanceof st.layers.LSTM);
  assert.deepEqual([lstm.name, lstm.units, lstm.returnSequences, lstm.recurrentActivation.name], ['lstm_LSTM1', 4, true, 'hard_sigmoid']);
  assert.deepEqual(lstm.batchInputShape, [null, 10, 8]);
  assert.equal(lstm.kernelInitializer.className, 'VarianceScaling');
  const y = lstm.apply(st.ones([2, 10, 8])) as st.Tensor;
  assert.deepEqual(y.shape, [2, 10, 4]);
  expectClose(lstm.getWeights()[2], [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);

  // TF.js's GRU writes reset_after: false; a file without the key means the same (TF.js/Keras 2 form).
  for (const extra of [{ reset_after: false }, {}]) {
    const gru = st.layers.deserialize({ class_name: 'GRU', config: { units: 3, recurrent_activation: 'sigmoid', ...extra } }) as st.layers.GRU;
    assert.equal(gru.resetAfter, false);
    gru.build([null, 2, 5]);
    assert.deepEqual(gru.getWeights()[2].shape, [9]);
  }
  const keras3 = st.layers.deserialize({ class_name: 'GRU', config: { units: 3, reset_after: true, seed: null, use_cudnn: 'auto',
    dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' } } } }) as st.layers.GRU;
  assert.equal(keras3.resetAfter, true);
  keras3.build([null, 2, 5]);
  assert.deepEqual(keras3.getWeights()[2].shape, [2, 9]);
  const rnn = st.layers.deserialize({ class_name: 'SimpleRNN', config: { units: 2, activation: 'relu', go_backwards: true, time_major: false } });
  assert.ok(rnn instanceof st.layers.SimpleRNN && rnn.goBackwards);
});

test('recurrent errors name the layer, the shapes and a fix', () => {
  expectError(() => st.layers.lstm({ units: 0 }), st.ConfigError, "LSTM 'lstm", 'units (size of the state) must be a positive integer, got 0');
  expectError(() => st.layers.gru({ units: 2.5 }), st.ConfigError, 'got 2.5');
  expectError(() => st.layers.simpleRNN({ units: 2, dropout: 1 }), st.ConfigError, 'dropout must be a number in [0, 1), got 1');
  expectError(() => st.layers.lstm({ units: 2, recurrentDropout: -0.1 }), st.ConfigError, 'recurrentDropout must be a number in [0, 1)');
  expectError(() => st.layers.lstm({ units: 2, recurrentActivation: 'sigmod' }), st.ConfigError, 'unknown activation "sigmod"');
  expectError(() => st.layers.recurrent({ cell: 'transformer', units: 2 } as never), st.ConfigError, "cell must be 'rnn', 'lstm' or 'gru', got \"transformer\"");
  const layer = st.layers.lstm({ units: 3, name: 'lstm_x' });
  expectError(() => layer.apply(st.zeros([4, 7])), st.ShapeError, "LSTM 'lstm_x'",
    'expected input of rank 3 [batch, time, features]', 'got [null, 7]', 'did you forget an embedding or a reshape?');
  layer.apply(st.zeros([2, 5, 4]));
  expectError(() => layer.apply(st.zeros([2, 5, 6])), st.ShapeError, 'with 4 features, got [2, 5, 6]');
  expectError(() => layer.apply(st.zeros([2, 5])), st.ShapeError, 'did you forget an embedding or a reshape?');
  expectError(() => layer.apply(st.zeros([2, 5, 4]), { initialState: [st.zeros([2, 3])] }), st.ShapeError,
    'initialState must be 2 tensors [h, c] of shape [batch, units] = [2, 3], got [[2, 3]]');
  expectError(() => layer.apply(st.zeros([2, 5, 4]), { initialState: [st.zeros([2, 4]), st.zeros([2, 3])] }), st.ShapeError, 'got [[2, 4], [2, 3]]');
  expectError(() => layer.apply(st.zeros([2, 5, 4]), { mask: st.ones([2, 4]) }), st.ShapeError, 'mask must be [batch, time] = [2, 5]');
  expectError(() => layer.resetStates(), st.ConfigError, 'resetStates needs a stateful layer; create it with stateful: true');
  const stateful = st.layers.gru({ units: 2, stateful: true });
  stateful.apply(st.zeros([3, 2, 1]));
  expectError(() => stateful.apply(st.zeros([4, 2, 1])), st.ShapeError, 'keeps states for batch size 3, got a batch of 4', 'resetStates()');
  expectError(() => stateful.resetStates([st.zeros([3, 2]), st.zeros([3, 2])]), st.ShapeError, 'resetStates(states) must be 1 tensor [h]');
});
