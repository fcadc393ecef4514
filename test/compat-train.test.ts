import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError } from './helpers.js';

const P0 = [0.5, -1.2, 2.0];
const G = [0.3, -0.7, 1.5];

/** One or more steps of `opt` on p = P0 with gradient G each time; the new parameter values. */
function step(opt: st.optimizers.Optimizer, steps = 1): number[] {
  const p = st.variable(st.tensor(P0));
  for (let i = 0; i < steps; i++) opt.apply([st.tensor(G)], [p]);
  return Array.from(p.dataSync());
}

/** The same steps in TensorFlow.js 4.22 (cpu). */
async function tfStep(make: (tf: typeof import('@tensorflow/tfjs')) => import('@tensorflow/tfjs').Optimizer, steps = 1): Promise<number[]> {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const p = tf.variable(tf.tensor1d(P0));
  const opt = make(tf);
  for (let i = 0; i < steps; i++) opt.applyGradients([{ name: p.name, tensor: tf.tensor1d(G) }]);
  return Array.from(p.dataSync());
}

test('train.adam with non-default positional args matches the TF.js formula and TF.js itself', async () => {
  const [lr, b1, b2, eps] = [0.1, 0.8, 0.9, 0.05];
  // TF.js: m = (1−β1)g, v = (1−β2)g², p −= lr·(m/(1−β1))/(√(v/(1−β2)) + ε) at t = 1.
  const hand = P0.map((p, i) => {
    const m = (1 - b1) * G[i], v = (1 - b2) * G[i] ** 2;
    return p - lr * (m / (1 - b1)) / (Math.sqrt(v / (1 - b2)) + eps);
  });
  const got = step(st.train.adam(lr, b1, b2, eps));
  expectClose(got, hand, 1e-6, 1e-5, 'adam step 1');
  // Keras places ε on √v; with this large ε the two differ, so the test tells them apart.
  const keras = step(st.optimizers.adam({ learningRate: lr, beta1: b1, beta2: b2, epsilon: eps }));
  assert.ok(Math.abs(keras[0] - hand[0]) > 1e-3, `keras ${keras[0]} vs tfjs ${hand[0]}`);
  expectClose(step(st.train.adam(lr, b1, b2, eps), 3), await tfStep((tf) => tf.train.adam(lr, b1, b2, eps), 3), 1e-6, 1e-5, 'adam 3 steps vs TF.js');
  // Defaults: lr 0.001, β 0.9/0.999, ε 1e-7.
  expectClose(step(st.train.adam(), 2), await tfStep((tf) => tf.train.adam(), 2), 1e-7, 1e-6, 'adam defaults');
});

test('train.rmsprop with non-default positional args matches the TF.js formula and TF.js itself', async () => {
  const [lr, decay, mom, eps] = [0.05, 0.7, 0.5, 0.01];
  // ms = (1−decay)g²; mom = lr·g/√(ms + ε); p −= mom.
  const hand = P0.map((p, i) => p - lr * G[i] / Math.sqrt((1 - decay) * G[i] ** 2 + eps));
  expectClose(step(st.train.rmsprop(lr, decay, mom, eps)), hand, 1e-6, 1e-5, 'rmsprop step 1');
  expectClose(step(st.train.rmsprop(lr, decay, mom, eps), 3), await tfStep((tf) => tf.train.rmsprop(lr, decay, mom, eps), 3), 1e-6, 1e-5, 'rmsprop 3 steps vs TF.js');
  expectClose(step(st.train.rmsprop(0.01), 2), await tfStep((tf) => tf.train.rmsprop(0.01), 2), 1e-6, 1e-5, 'rmsprop defaults');
  // Centered: TensorFlow's √(ms − mg² + ε) (TF.js 4.22 subtracts ε; see train.ts).
  const ms = G.map((g) => (1 - decay) * g * g), mg = G.map((g) => (1 - decay) * g);
  const centered = P0.map((p, i) => p - lr * G[i] / Math.sqrt(ms[i] - mg[i] ** 2 + eps));
  expectClose(step(st.train.rmsprop(lr, decay, 0, eps, true)), centered, 1e-6, 1e-5, 'rmsprop centered');
});

test('train.sgd, momentum, adagrad, adamax, adadelta match TF.js 4.22 over three steps', async () => {
  const cases: [string, () => st.optimizers.Optimizer, (tf: typeof import('@tensorflow/tfjs')) => import('@tensorflow/tfjs').Optimizer][] = [
    ['sgd', () => st.train.sgd(0.1), (tf) => tf.train.sgd(0.1)],
    ['momentum', () => st.train.momentum(0.1, 0.9), (tf) => tf.train.momentum(0.1, 0.9)],
    ['nesterov', () => st.train.momentum(0.1, 0.8, true), (tf) => tf.train.momentum(0.1, 0.8, true)],
    ['adagrad', () => st.train.adagrad(0.2, 0.3), (tf) => tf.train.adagrad(0.2, 0.3)],
    ['adamax', () => st.train.adamax(0.05, 0.8, 0.9, 0.01, 0.1), (tf) => tf.train.adamax(0.05, 0.8, 0.9, 0.01, 0.1)],
    ['adamax defaults', () => st.train.adamax(), (tf) => tf.train.adamax()],
  ];
  for (const [name, mine, theirs] of cases) {
    expectClose(step(mine(), 3), await tfStep(theirs, 3), 1e-6, 1e-5, name);
  }
  // Adadelta: the first step agrees with TF.js (both accumulators start at 0, and TF.js's use of the
  // old E[g²] only shows from step 2, where we follow TensorFlow/Keras).
  const [lr, rho, eps] = [1.0, 0.9, 1e-3];
  const eg = G.map((g) => (1 - rho) * g * g);
  const hand = P0.map((p, i) => p - lr * Math.sqrt(eps) / Math.sqrt(eg[i] + eps) * G[i]);
  expectClose(step(st.train.adadelta(lr, rho, eps)), hand, 1e-6, 1e-5, 'adadelta step 1 (TensorFlow form)');
  assert.equal(st.train.adadelta().currentLearningRate, 0.001);
  assert.equal(st.train.adamax().currentLearningRate, 0.002);
});

test('train.* refuse a missing or non-numeric learning rate with a pointer to st.optimizers', () => {
  expectError(() => st.train.sgd(undefined as unknown as number), st.ConfigError, 'train.sgd: learningRate');
  expectError(() => st.train.rmsprop({ learningRate: 1 } as unknown as number), st.ConfigError, 'st.optimizers.rmsprop');
  expectError(() => st.train.momentum(0.1, undefined as unknown as number), st.ConfigError, 'momentum (the second argument)');
});

test('TF.js optimizer.minimize(f, returnCost?, varList?): trains the variables f reaches, as polynomial-regression-core does', async () => {
  // y = a·x² + b·x + c fitted from variables created at top level, minimize(f) without a varList.
  st.setSeed(1);
  const a = st.variable(st.scalar(0.1)), b = st.variable(st.scalar(-0.3)), c = st.variable(st.scalar(0.2));
  const unused = st.variable(st.scalar(5));
  const frozen = st.variable(st.scalar(1), { trainable: false });
  const xs = st.tensor1d([-1, -0.5, 0, 0.5, 1, 1.5]);
  const ys = st.add(st.add(st.mul(st.square(xs), -0.8), st.mul(xs, 0.4)), 0.9);
  const predict = (x: st.Tensor) => st.mul(st.add(st.add(st.mul(st.square(x), a), st.mul(x, b)), c), frozen);
  const loss = () => st.mean(st.square(st.sub(predict(xs), ys)));
  const opt = st.train.adam(0.1);
  const first = loss().item();
  for (let i = 0; i < 200; i++) assert.equal(opt.minimize(loss), null);
  const cost = opt.minimize(loss, true);
  assert.ok(cost !== null && cost.item() < first / 100, `loss ${first} → ${cost?.item()}`);
  expectClose([a.item(), b.item(), c.item()], [-0.8, 0.4, 0.9], 0.05, 0);
  assert.equal(unused.item(), 5, 'a variable the loss does not reach is left alone (no Adam slot update)');
  assert.equal(frozen.item(), 1);
  assert.equal(opt.slotVariables.length, 6, 'slots only for a, b, c');

  // Same first step as TF.js's minimize with an explicit varList.
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const w = st.variable(st.tensor([0.5, -1])), tw = tf.variable(tf.tensor1d([0.5, -1]));
  const x2 = [[1, 2], [3, -1]];
  const mine = st.train.rmsprop(0.05, 0.8, 0.3).minimize(() => st.mean(st.square(st.matmul(st.tensor(x2), st.reshape(w, [2, 1])))), true, [w]);
  const theirs = tf.train.rmsprop(0.05, 0.8, 0.3).minimize(() => tf.mean(tf.square(tf.matMul(tf.tensor2d(x2), tf.reshape(tw, [2, 1])))) as import('@tensorflow/tfjs').Scalar, true, [tw]);
  expectClose(mine!, Array.from(theirs!.dataSync()), 1e-6);
  expectClose(w, Array.from(tw.dataSync()), 1e-6, 1e-5);
  expectError(() => st.train.sgd(0.1).minimize(() => st.sum(st.tensor([1, 2]))), st.ConfigError, 'no variable reaches the result of f');
  expectError(() => st.train.sgd(0.1).minimize(() => st.mul(w, 2)), st.ShapeError, 'must return a scalar');
});

test('variableGrads + applyGradients(name map), as snake-dqn does, match TF.js 4.22', async () => {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const k = [[0.2, -0.5], [0.7, 0.1], [-0.3, 0.4]], bias = [0.05, -0.1];
  const xs = [[1, 2, 3], [-1, 0.5, 2]], ys = [[0.3, -0.2], [1, 0.5]];
  const m = st.sequential({ layers: [st.layers.dense({ units: 2, inputShape: [3], activation: 'tanh' })] });
  m.setWeights([st.tensor(k), st.tensor(bias)]);
  const tm = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], activation: 'tanh' })] });
  tm.setWeights([tf.tensor2d(k), tf.tensor1d(bias)]);

  const g = st.variableGrads(() => st.losses.meanSquaredError(st.tensor(ys), m.apply(st.tensor(xs)) as st.Tensor, null));
  const tg = tf.variableGrads(() => tf.losses.meanSquaredError(tf.tensor2d(ys), tm.apply(tf.tensor2d(xs)) as import('@tensorflow/tfjs').Tensor) as import('@tensorflow/tfjs').Scalar);
  assert.deepEqual(Object.keys(g.grads), m.weights.map((w) => w.name));
  expectClose(g.value, Array.from(tg.value.dataSync()), 1e-6);
  st.train.sgd(0.5).applyGradients(g.grads);
  tf.train.sgd(0.5).applyGradients(tg.grads);
  m.getWeights().forEach((w, i) => expectClose(w, Array.from(tm.getWeights()[i].dataSync()), 1e-6, 1e-5, `weight ${i}`));
  // [{ name, tensor }] works too; an unknown name is refused.
  const w = st.variable(st.tensor([1, 2]), { name: 'compat_named_w' });
  st.train.sgd(1).applyGradients([{ name: 'compat_named_w', tensor: st.tensor([0.5, 0.5]) }]);
  expectClose(w, [0.5, 1.5]);
  expectError(() => st.train.sgd(1).applyGradients({ no_such_variable: st.tensor([1]) }), st.ConfigError, "no variable named 'no_such_variable'");
});
