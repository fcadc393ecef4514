import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { rand } from './helpers.js';

// Finite-difference checks (float64) of the recurrent layers w.r.t. the input, the initial states
// and every weight, over cell × returnSequences × goBackwards × mask × initial state × dropout.

const CELLS = ['rnn', 'lstm', 'gru'] as const;
type Cell = (typeof CELLS)[number];

function check(layer: st.layers.Layer, x: st.Tensor, opts: { training?: boolean; mask?: st.Tensor; initialState?: st.Tensor[] } = {}): void {
  layer.apply(x, opts); // builds the weights
  const init = opts.initialState ?? [];
  const f = (input: st.Tensor, ...rest: st.Tensor[]) => {
    const y = layer.apply(input, { ...opts, initialState: init.length ? rest.slice(0, init.length) : undefined });
    // returnState: every output counts, flattened side by side.
    return Array.isArray(y) ? st.concat(y.map((t) => st.reshape(t, [t.shape[0], -1])), 1) : y;
  };
  const report = st.testing.checkGradients(f, [x, ...init, ...layer.trainableWeights]);
  assert.ok(report.ok && report.checked > 0, `${layer.describe()}: gradient check compared ${report.checked} elements`);
}

function make(cell: Cell, extra: Record<string, unknown> = {}): st.layers.Layer {
  // Random biases so every bias element matters; float64 for a precise check.
  return st.layers.recurrent({ cell, units: 2, dtype: 'float64', biasInitializer: st.initializers.randomNormal({ seed: 5, stddev: 0.3 }),
    recurrentInitializer: st.initializers.orthogonal({ seed: 6 }), kernelInitializer: st.initializers.glorotUniform({ seed: 7 }), ...extra } as never);
}

const states = (cell: Cell) => (cell === 'lstm' ? [rand([2, 2], 21), rand([2, 2], 22)] : [rand([2, 2], 21)]);
// Sample 0 skips its first step (so an initial state flows through a masked step), sample 1 its last two.
const mask = st.tensor([[0, 1, 1], [1, 1, 0]], [2, 3], 'float64');

for (const cell of CELLS) {
  test(`${cell} gradients: returnSequences × goBackwards × mask × initial state`, () => {
    for (const returnSequences of [false, true]) {
      for (const goBackwards of [false, true]) {
        for (const masked of [false, true]) {
          for (const withState of [false, true]) {
            const layer = make(cell, { returnSequences, goBackwards });
            check(layer, rand([2, 3, 2], 1), { mask: masked ? mask : undefined, initialState: withState ? states(cell) : undefined });
          }
        }
      }
    }
  });

  test(`${cell} gradients with dropout and recurrentDropout in training (fixed seed)`, () => {
    for (const returnSequences of [false, true]) {
      const layer = make(cell, { returnSequences, dropout: 0.3, recurrentDropout: 0.4, seed: 11, goBackwards: returnSequences });
      check(layer, rand([2, 3, 2], 2), { training: true, mask: returnSequences ? mask : undefined });
      check(layer, rand([2, 3, 2], 2), { training: false });
    }
  });

  test(`${cell} gradients: returnState, activations and no bias`, () => {
    check(make(cell, { returnState: true, returnSequences: true }), rand([2, 3, 2], 3), { initialState: states(cell) });
    check(make(cell, { activation: 'softsign', useBias: false }), rand([2, 3, 2], 4));
    if (cell !== 'rnn') check(make(cell, { recurrentActivation: 'hard_sigmoid', dropout: 0.2, seed: 1 }), rand([2, 3, 2], 5), { training: true });
  });
}

test('gru gradients for both reset conventions', () => {
  for (const resetAfter of [true, false]) {
    check(make('gru', { resetAfter, returnSequences: true, recurrentDropout: 0.3, seed: 2 }), rand([2, 4, 3], 6),
      { training: true, initialState: states('gru') });
  }
});

test('dropout in training changes the gradient (the masks are really applied)', () => {
  const layer = make('lstm', { dropout: 0.5, seed: 3 });
  const x = rand([2, 3, 2], 9);
  layer.apply(x);
  const k = layer.trainableWeights[0];
  const g = (training: boolean) => Array.from(st.valueAndGrads(() => layer.apply(x, { training }) as st.Tensor, [k]).grads[0].values);
  assert.notDeepEqual(g(true), g(false));
});
