import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import * as optimizers from '../src/optimizers/index.js';
import { expectClose, expectError } from './helpers.js';

const S = optimizers.schedules;
const at = (s: optimizers.LearningRateSchedule, steps: number[]): number[] => steps.map((t) => s.call(t));

test('exponentialDecay: continuous and staircase', () => {
  const s = S.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
  expectClose(at(s, [0, 5, 10, 25]), [0.1, 0.1 * 0.5 ** 0.5, 0.05, 0.1 * 0.5 ** 2.5], 1e-15, 1e-12);
  const c = S.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true });
  expectClose(at(c, [0, 9, 10, 25]), [0.1, 0.1, 0.05, 0.025], 1e-15, 1e-12);
});

test('inverseTimeDecay: continuous and staircase', () => {
  const s = S.inverseTimeDecay({ initialLearningRate: 1, decaySteps: 2, decayRate: 0.5 });
  expectClose(at(s, [0, 1, 4]), [1, 1 / 1.25, 1 / 2], 1e-15, 1e-12);
  const c = S.inverseTimeDecay({ initialLearningRate: 1, decaySteps: 2, decayRate: 0.5, staircase: true });
  expectClose(at(c, [0, 1, 3, 4]), [1, 1, 1 / 1.5, 1 / 2], 1e-15, 1e-12);
});

test('piecewiseConstantDecay: values[i] up to and including boundaries[i]', () => {
  const s = S.piecewiseConstantDecay({ boundaries: [100, 110], values: [1, 0.5, 0.1] });
  assert.deepEqual(at(s, [0, 100, 101, 110, 111, 1e6]), [1, 1, 0.5, 0.5, 0.1, 0.1]);
  expectError(() => S.piecewiseConstantDecay({ boundaries: [1, 2], values: [1, 2] }), st.ConfigError, 'one more entry');
  expectError(() => S.piecewiseConstantDecay({ boundaries: [2, 1], values: [1, 2, 3] }), st.ConfigError, 'increase');
});

test('polynomialDecay: linear, power, capped, cycled', () => {
  const lin = S.polynomialDecay({ initialLearningRate: 1, decaySteps: 10, endLearningRate: 0 });
  expectClose(at(lin, [0, 5, 10, 20]), [1, 0.5, 0, 0], 1e-15, 1e-12);
  const sq = S.polynomialDecay({ initialLearningRate: 1, decaySteps: 10, endLearningRate: 0.1, power: 2 });
  expectClose(at(sq, [3, 15]), [0.9 * 0.49 + 0.1, 0.1], 1e-15, 1e-12);
  expectClose(S.polynomialDecay({ initialLearningRate: 1, decaySteps: 10 }).call(10), [0.0001], 1e-15, 1e-12);
  // cycle: decaySteps grows to the next multiple: step 15 → 20 steps, (1 − 15/20) = 0.25.
  const cyc = S.polynomialDecay({ initialLearningRate: 1, decaySteps: 10, endLearningRate: 0, cycle: true });
  expectClose(at(cyc, [0, 5, 10, 15, 20, 21]), [1, 0.5, 0, 0.25, 0, 1 - 21 / 30], 1e-15, 1e-12);
});

test('cosineDecay: plain, alpha, linear warm-up then decay from the target', () => {
  const c = S.cosineDecay({ initialLearningRate: 1, decaySteps: 10 });
  expectClose(at(c, [0, 5, 10, 50]), [1, 0.5, 0, 0], 1e-15, 1e-12);
  const a = S.cosineDecay({ initialLearningRate: 2, decaySteps: 10, alpha: 0.1 });
  expectClose(at(a, [5, 10]), [2 * (0.9 * 0.5 + 0.1), 0.2], 1e-15, 1e-12);
  const w = S.cosineDecay({ initialLearningRate: 0, decaySteps: 10, warmupTarget: 1, warmupSteps: 4 });
  // Warm-up 0 → 1 over 4 steps, then cosine from 1 over 10 steps, then flat.
  expectClose(at(w, [0, 1, 2, 4, 9, 14, 100]), [0, 0.25, 0.5, 1, 0.5, 0, 0], 1e-15, 1e-12);
  const w2 = S.cosineDecay({ initialLearningRate: 0.1, decaySteps: 4, warmupTarget: 0.5, warmupSteps: 2, alpha: 0.2 });
  expectClose(at(w2, [1, 3, 6]), [0.3, 0.5 * (0.8 * 0.5 * (1 + Math.cos(Math.PI / 4)) + 0.2), 0.1], 1e-15, 1e-12);
});

test('cosineDecayRestarts: periods grow by tMul, restarts scale by mMul', () => {
  const s = S.cosineDecayRestarts({ initialLearningRate: 1, firstDecaySteps: 10, tMul: 2, mMul: 0.5 });
  // Period 1: steps 0–9; period 2 (20 long, ×0.5): 10–29.
  expectClose(at(s, [0, 5, 10, 20]), [1, 0.5, 0.5, 0.25], 1e-12, 1e-10);
  const one = S.cosineDecayRestarts({ initialLearningRate: 1, firstDecaySteps: 4, tMul: 1 });
  expectClose(at(one, [2, 4, 6]), [0.5, 1, 0.5], 1e-12, 1e-10);
});

test('schedules serialize to Keras JSON and back', () => {
  const all: optimizers.LearningRateSchedule[] = [
    S.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9, staircase: true }),
    S.inverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9 }),
    S.piecewiseConstantDecay({ boundaries: [5], values: [1, 0.1] }),
    S.polynomialDecay({ initialLearningRate: 0.1, decaySteps: 10, power: 2, cycle: true }),
    S.cosineDecay({ initialLearningRate: 0, decaySteps: 10, warmupTarget: 0.1, warmupSteps: 3, alpha: 0.1 }),
    S.cosineDecayRestarts({ initialLearningRate: 0.1, firstDecaySteps: 7 }),
  ];
  for (const s of all) {
    const json = S.serialize(s);
    assert.equal(json.class_name, s.className);
    assert.ok(Object.keys(json.config).every((k) => !/[A-Z]/.test(k)), JSON.stringify(json.config));
    const back = S.deserialize(json);
    assert.deepEqual(back.getConfig(), s.getConfig());
    for (const t of [0, 3, 8, 17]) assert.equal(back.call(t), s.call(t));
  }
  const c = S.serialize(all[4]).config;
  assert.equal(c.warmup_target, 0.1);
  assert.equal(c.initial_learning_rate, 0);
  expectError(() => S.deserialize({ class_name: 'StepDecay', config: {} }), st.ConfigError, "unknown learning-rate schedule 'StepDecay'");
});

test('schedule options are validated', () => {
  expectError(() => S.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.5 }), st.ConfigError, 'decaySteps', '> 0');
  expectError(() => S.cosineDecay({ initialLearningRate: -1, decaySteps: 10 }), st.ConfigError, 'initialLearningRate');
  expectError(() => S.polynomialDecay({ initialLearningRate: 1 } as never), st.ConfigError, 'decaySteps is required');
});
