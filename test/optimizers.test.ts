import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
// Until src/index.ts exports `optimizers`, import the module directly.
import * as optimizers from '../src/optimizers/index.js';
import { expectClose, expectError, forEachBackend, rand } from './helpers.js';

const O = optimizers;

// --- references: the Keras 3 update rules written out per element, in float64 ----------------

type Ref = (p: number[], g: number[], s: Record<string, number[]>, t: number, lr: number) => number[];
const zeros = (n: number): number[] => new Array<number>(n).fill(0);

function refAdam(beta1 = 0.9, beta2 = 0.999, eps = 1e-7, amsgrad = false, wd = 0): Ref {
  return (p, g, s, t, lr) => {
    s.m ??= zeros(p.length); s.v ??= zeros(p.length); s.vh ??= zeros(p.length);
    const alpha = lr * Math.sqrt(1 - beta2 ** (t + 1)) / (1 - beta1 ** (t + 1));
    return p.map((x0, i) => {
      const x = x0 - x0 * wd * lr;
      s.m[i] += (g[i] - s.m[i]) * (1 - beta1);
      s.v[i] += (g[i] * g[i] - s.v[i]) * (1 - beta2);
      let v = s.v[i];
      if (amsgrad) { s.vh[i] = Math.max(s.vh[i], v); v = s.vh[i]; }
      return x - s.m[i] * alpha / (Math.sqrt(v) + eps);
    });
  };
}

function refSgd(momentum = 0, nesterov = false, wd = 0): Ref {
  return (p, g, s, _t, lr) => {
    s.m ??= zeros(p.length);
    return p.map((x0, i) => {
      const x = x0 - x0 * wd * lr;
      if (momentum === 0) return x - lr * g[i];
      s.m[i] = -g[i] * lr + s.m[i] * momentum;
      return nesterov ? x + s.m[i] * momentum - g[i] * lr : x + s.m[i];
    });
  };
}

function refRmsprop(rho = 0.9, momentum = 0, eps = 1e-7, centered = false): Ref {
  return (p, g, s, _t, lr) => {
    s.v ??= zeros(p.length); s.mom ??= zeros(p.length); s.a ??= zeros(p.length);
    return p.map((x, i) => {
      s.v[i] = rho * s.v[i] + (1 - rho) * g[i] ** 2;
      let den = s.v[i] + eps;
      if (centered) { s.a[i] = rho * s.a[i] + (1 - rho) * g[i]; den = s.v[i] - s.a[i] ** 2 + eps; }
      const inc = lr * g[i] / Math.sqrt(den);
      if (momentum > 0) { s.mom[i] = momentum * s.mom[i] + inc; return x - s.mom[i]; }
      return x - inc;
    });
  };
}

function refAdagrad(init = 0.1, eps = 1e-7): Ref {
  return (p, g, s, _t, lr) => {
    s.acc ??= new Array<number>(p.length).fill(init);
    return p.map((x, i) => { s.acc[i] += g[i] ** 2; return x - lr * g[i] / Math.sqrt(s.acc[i] + eps); });
  };
}

function refAdadelta(rho = 0.95, eps = 1e-7): Ref {
  return (p, g, s, _t, lr) => {
    s.eg ??= zeros(p.length); s.ed ??= zeros(p.length);
    return p.map((x, i) => {
      s.eg[i] = rho * s.eg[i] + (1 - rho) * g[i] ** 2;
      const d = -Math.sqrt(s.ed[i] + eps) * g[i] / Math.sqrt(s.eg[i] + eps);
      s.ed[i] = rho * s.ed[i] + (1 - rho) * d * d;
      return x + lr * d;
    });
  };
}

function refAdamax(beta1 = 0.9, beta2 = 0.999, eps = 1e-7): Ref {
  return (p, g, s, t, lr) => {
    s.m ??= zeros(p.length); s.u ??= zeros(p.length);
    return p.map((x, i) => {
      s.m[i] += (g[i] - s.m[i]) * (1 - beta1);
      s.u[i] = Math.max(beta2 * s.u[i], Math.abs(g[i]));
      return x - lr * s.m[i] / ((1 - beta1 ** (t + 1)) * (s.u[i] + eps));
    });
  };
}

function refNadam(beta1 = 0.9, beta2 = 0.999, eps = 1e-7): Ref {
  const u = (k: number): number => beta1 * (1 - 0.5 * 0.96 ** k);
  let uProd = 1;
  return (p, g, s, t, lr) => {
    s.m ??= zeros(p.length); s.v ??= zeros(p.length);
    uProd *= u(t + 1);
    const uProdNext = uProd * u(t + 2);
    return p.map((x, i) => {
      s.m[i] += (g[i] - s.m[i]) * (1 - beta1);
      s.v[i] += (g[i] ** 2 - s.v[i]) * (1 - beta2);
      const mHat = u(t + 2) * s.m[i] / (1 - uProdNext) + (1 - u(t + 1)) * g[i] / (1 - uProd);
      const vHat = s.v[i] / (1 - beta2 ** (t + 1));
      return x - mHat * lr / (Math.sqrt(vHat) + eps);
    });
  };
}

const P0 = [1, -2, 3];
// Gradients that change sign and shrink, so AMSGrad's max and momentum matter.
const GRADS = [[0.5, -1, 2], [-0.3, 0.4, 1.5], [0.05, -0.02, 0.1], [1.2, 0.3, -0.7]];

function runOptimizer(opt: optimizers.Optimizer, dtype: 'float32' | 'float64' = 'float64'): number[][] {
  const w = st.variable(st.tensor(P0, [3], dtype));
  const out: number[][] = [];
  for (const g of GRADS) {
    opt.apply([st.tensor(g, [3], dtype)], [w]);
    out.push(Array.from(w.values));
  }
  return out;
}

function runReference(ref: Ref, lr: number | ((t: number) => number)): number[][] {
  let p = P0.slice();
  const s: Record<string, number[]> = {};
  return GRADS.map((g, t) => (p = ref(p, g, s, t, typeof lr === 'number' ? lr : lr(t))));
}

function expectTrajectory(opt: optimizers.Optimizer, ref: Ref, lr: number | ((t: number) => number), what: string): void {
  const got = runOptimizer(opt);
  const want = runReference(ref, lr);
  got.forEach((p, t) => expectClose(p, want[t], 1e-12, 1e-10, `${what} step ${t + 1}`));
}

// --- update rules ----------------------------------------------------------------------------------

test('sgd: first step is p − lr·g (hand-computed), then the reference trajectory', () => {
  const w = st.variable(st.tensor(P0, [3], 'float64'));
  O.sgd({ learningRate: 0.1 }).apply([st.tensor([0.5, -1, 2], [3], 'float64')], [w]);
  expectClose(w, [0.95, -1.9, 2.8], 1e-12, 0);
  expectTrajectory(O.sgd({ learningRate: 0.1 }), refSgd(), 0.1, 'sgd');
  expectTrajectory(O.sgd(), refSgd(), 0.01, 'sgd default lr 0.01');
});

test('sgd momentum and nesterov follow Keras 3', () => {
  // Hand-computed, momentum 0.9, lr 0.1, g = 1 then 1: m1 = −0.1, p1 = 0.9; m2 = −0.19, p2 = 0.71.
  const w = st.variable(st.tensor([1], [1], 'float64'));
  const o = O.sgd({ learningRate: 0.1, momentum: 0.9 });
  o.apply([st.tensor([1], [1], 'float64')], [w]);
  expectClose(w, [0.9], 1e-12, 0);
  o.apply([st.tensor([1], [1], 'float64')], [w]);
  expectClose(w, [0.71], 1e-12, 0);
  // Nesterov: p1 = 1 + 0.9·(−0.1) − 0.1 = 0.81.
  const w2 = st.variable(st.tensor([1], [1], 'float64'));
  O.sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true }).apply([st.tensor([1], [1], 'float64')], [w2]);
  expectClose(w2, [0.81], 1e-12, 0);
  expectTrajectory(O.sgd({ learningRate: 0.1, momentum: 0.9 }), refSgd(0.9), 0.1, 'momentum');
  expectTrajectory(O.sgd({ learningRate: 0.1, momentum: 0.5, nesterov: true }), refSgd(0.5, true), 0.1, 'nesterov');
  expectTrajectory(O.momentum(0.1, 0.5, true), refSgd(0.5, true), 0.1, 'tfjs momentum()');
});

test('adam: first step moves each weight by ≈ lr·sign(g); trajectory matches Keras 3 formula', () => {
  const w = st.variable(st.tensor(P0, [3], 'float64'));
  O.adam({ learningRate: 0.1 }).apply([st.tensor([0.5, -1, 2], [3], 'float64')], [w]);
  expectClose(w, [0.9, -1.9, 2.9], 1e-5, 0);
  expectTrajectory(O.adam({ learningRate: 0.1 }), refAdam(), 0.1, 'adam');
  expectTrajectory(O.adam({ learningRate: 0.05, beta1: 0.8, beta2: 0.99, epsilon: 1e-3 }), refAdam(0.8, 0.99, 1e-3), 0.05, 'adam custom');
  expectTrajectory(O.adam(0.05, 0.8, 0.99, 1e-3), refAdam(0.8, 0.99, 1e-3), 0.05, 'adam tfjs positional');
});

test('adam amsgrad keeps the running max of v and differs from plain adam', () => {
  // beta2 0.5 so that v falls when the gradients shrink (step 3) and the max matters.
  const ams = runOptimizer(O.adam({ learningRate: 0.1, beta2: 0.5, amsgrad: true }));
  const want = runReference(refAdam(0.9, 0.5, 1e-7, true), 0.1);
  ams.forEach((p, t) => expectClose(p, want[t], 1e-12, 1e-10, `amsgrad step ${t + 1}`));
  expectTrajectory(O.adam({ learningRate: 0.1, amsgrad: true }), refAdam(0.9, 0.999, 1e-7, true), 0.1, 'amsgrad default');
  const plain = runOptimizer(O.adam({ learningRate: 0.1, beta2: 0.5 }));
  assert.ok(Math.abs(plain[3][0] - ams[3][0]) > 1e-6, 'amsgrad made no difference');
  assert.equal(O.adam({ amsgrad: true }).getWeights().length, 1);
});

test('adamw decays weights by p·weightDecay·lr before the adam step', () => {
  expectTrajectory(O.adamw({ learningRate: 0.1 }), refAdam(0.9, 0.999, 1e-7, false, 0.004), 0.1, 'adamw default decay');
  expectTrajectory(O.adamw({ learningRate: 0.1, weightDecay: 0.5 }), refAdam(0.9, 0.999, 1e-7, false, 0.5), 0.1, 'adamw 0.5');
  // With a zero gradient only the decay acts: p·(1 − 0.5·0.1).
  const w = st.variable(st.tensor([2], [1], 'float64'));
  O.adamw({ learningRate: 0.1, weightDecay: 0.5 }).apply([st.tensor([0], [1], 'float64')], [w]);
  expectClose(w, [1.9], 1e-12, 0);
  // weightDecay works on any optimizer (Keras 3 base option), and can exclude variables by name.
  expectTrajectory(O.sgd({ learningRate: 0.1, momentum: 0.9, weightDecay: 0.1 }), refSgd(0.9, false, 0.1), 0.1, 'sgd wd');
  const o = O.sgd({ learningRate: 0.1, weightDecay: 0.5 });
  o.excludeFromWeightDecay({ varNames: ['bias'] });
  const b = st.variable(st.tensor([2], [1], 'float64'), { name: 'dense/bias' });
  o.apply([st.tensor([0], [1], 'float64')], [b]);
  expectClose(b, [2], 0, 0);
});

test('adamax and nadam follow Keras 3 formulas', () => {
  expectTrajectory(O.adamax({ learningRate: 0.1 }), refAdamax(), 0.1, 'adamax');
  expectTrajectory(O.nadam({ learningRate: 0.1 }), refNadam(), 0.1, 'nadam');
  expectTrajectory(O.nadam({ learningRate: 0.02, beta1: 0.5, beta2: 0.9 }), refNadam(0.5, 0.9), 0.02, 'nadam custom');
  // Adamax first step, hand-computed: m = 0.1g, u = |g|, p − lr·0.1g/(0.1·(|g| + ε)) ≈ p − lr·sign(g).
  const w = st.variable(st.tensor([1], [1], 'float64'));
  O.adamax({ learningRate: 0.1 }).apply([st.tensor([0.5], [1], 'float64')], [w]);
  expectClose(w, [0.9], 1e-6, 0);
});

test('rmsprop plain, momentum, centered', () => {
  // Hand-computed first step: v = 0.1·g² → p − lr·g/√(0.1g² + ε) ≈ p − lr·sign(g)·√10.
  const w = st.variable(st.tensor([1], [1], 'float64'));
  O.rmsprop({ learningRate: 0.01 }).apply([st.tensor([2], [1], 'float64')], [w]);
  expectClose(w, [1 - 0.01 * Math.sqrt(10)], 1e-8, 0);
  expectTrajectory(O.rmsprop({ learningRate: 0.01 }), refRmsprop(), 0.01, 'rmsprop');
  expectTrajectory(O.rmsprop({ learningRate: 0.01, momentum: 0.9 }), refRmsprop(0.9, 0.9), 0.01, 'rmsprop momentum');
  expectTrajectory(O.rmsprop({ learningRate: 0.01, centered: true }), refRmsprop(0.9, 0, 1e-7, true), 0.01, 'rmsprop centered');
  expectTrajectory(O.rmsprop({ learningRate: 0.01, rho: 0.8, momentum: 0.5, centered: true }), refRmsprop(0.8, 0.5, 1e-7, true), 0.01, 'rmsprop all');
  expectTrajectory(O.rmsprop(0.01, 0.8), refRmsprop(0.8), 0.01, 'rmsprop tfjs positional (decay = rho)');
  assert.equal(O.rmsprop({ momentum: 0.5, centered: true }).build([st.variable(st.zeros([2]))]), undefined);
});

test('adagrad and adadelta follow Keras 3 formulas', () => {
  // Adagrad first step by hand: acc = 0.1 + 4 → p − 0.1·2/√4.1.
  const w = st.variable(st.tensor([1], [1], 'float64'));
  O.adagrad({ learningRate: 0.1 }).apply([st.tensor([2], [1], 'float64')], [w]);
  expectClose(w, [1 - 0.2 / Math.sqrt(4.1 + 1e-7)], 1e-12, 0);
  expectTrajectory(O.adagrad({ learningRate: 0.1 }), refAdagrad(), 0.1, 'adagrad');
  expectTrajectory(O.adagrad(0.1, 0.5), refAdagrad(0.5), 0.1, 'adagrad tfjs positional');
  expectTrajectory(O.adadelta({ learningRate: 1 }), refAdadelta(), 1, 'adadelta');
  expectTrajectory(O.adadelta({ learningRate: 0.5, rho: 0.9, epsilon: 1e-4 }), refAdadelta(0.9, 1e-4), 0.5, 'adadelta custom');
});

test('float32 variables stay float32 and track the float64 reference closely', () => {
  const w = st.variable(st.tensor(P0, [3], 'float32'));
  const o = O.adam({ learningRate: 0.1 });
  for (const g of GRADS) o.apply([st.tensor(g, [3], 'float32')], [w]);
  assert.equal(w.dtype, 'float32');
  for (const s of o.getWeights().slice(1)) assert.equal(s.dtype, 'float32');
  expectClose(w, runReference(refAdam(), 0.1)[3], 1e-6, 1e-6);
});

// --- clipping ------------------------------------------------------------------------------------

function sgdStep(opts: optimizers.SGDOptions, grads: number[][]): number[][] {
  const ws = grads.map((g) => st.variable(st.zeros([g.length], 'float64')));
  O.sgd({ learningRate: 1, ...opts }).apply(grads.map((g) => st.tensor(g, [g.length], 'float64')), ws);
  return ws.map((w) => Array.from(w.values).map((x) => -x));
}

test('clipNorm clips each gradient to the norm; clipValue elementwise; globalClipNorm jointly', () => {
  let [a, b] = sgdStep({ clipNorm: 1 }, [[3, 4], [0.3, 0.4]]);
  expectClose(a, [0.6, 0.8], 1e-12, 0);
  expectClose(b, [0.3, 0.4], 1e-12, 0); // already inside
  [a] = sgdStep({ clipValue: 0.5 }, [[3, -0.2, -7]]);
  expectClose(a, [0.5, -0.2, -0.5], 0, 0);
  [a, b] = sgdStep({ globalClipNorm: 1 }, [[3], [4]]);
  expectClose(a, [0.6], 1e-12, 0);
  expectClose(b, [0.8], 1e-12, 0);
  [a, b] = sgdStep({ globalClipNorm: 10 }, [[3], [4]]);
  expectClose([...a, ...b], [3, 4], 0, 0);
  // Keras config spellings are accepted too.
  [a] = sgdStep({ clipnorm: 2 }, [[0, 5]]);
  expectClose(a, [0, 2], 1e-12, 0);
  // Clipping happens before adam's moments: a huge gradient makes the same first step as a clipped one.
  const w1 = st.variable(st.tensor([0, 0], [2], 'float64'));
  const w2 = st.variable(st.tensor([0, 0], [2], 'float64'));
  const o1 = O.adam({ learningRate: 0.1, clipNorm: 1 });
  const o2 = O.adam({ learningRate: 0.1 });
  o1.apply([st.tensor([300, 400], [2], 'float64')], [w1]);
  o2.apply([st.tensor([0.6, 0.8], [2], 'float64')], [w2]);
  expectClose(w1, w2, 1e-15, 1e-12);
  expectClose(o1.getWeights()[1], o2.getWeights()[1], 1e-15, 1e-12);
});

// --- API -----------------------------------------------------------------------------------------

test('apply never writes a tensor in place; iterations count; null gradients are skipped', () => {
  const w = st.variable(st.tensor([1, 2], [2], 'float64'));
  const u = st.variable(st.tensor([5], [1], 'float64'));
  const snapshot = st.tensor(w.values as Float64Array, [2]); // shares w's storage
  const o = O.adam({ learningRate: 0.1 });
  o.apply([st.tensor([1, 1], [2], 'float64'), null], [w, u]);
  const state1 = o.getWeights();
  const copies = state1.map((t) => Array.from(t.values));
  o.apply([st.tensor([1, 1], [2], 'float64'), st.tensor([1], [1], 'float64')], [w, u]);
  expectClose(snapshot, [1, 2], 0, 0);
  state1.forEach((t, i) => expectClose(t, copies[i], 0, 0, `state tensor ${i}`));
  assert.equal(o.iterations, 2);
  // u saw one step only, but at iteration 1, so with Adam's bias correction of step 2.
  expectClose(u, [5 - (0.1 * Math.sqrt(1 - 0.999 ** 2) / (1 - 0.9 ** 2)) * 0.1 / (Math.sqrt(0.001) + 1e-7)], 1e-12, 0);
  assert.equal(o.getWeights().length, 1 + 2 * 2);
  expectError(() => o.apply([null], [w]), st.ConfigError, 'no gradient');
});

test('adam updates its slots in their own storage until slotVariables hands them out; results do not change', () => {
  forEachBackend(() => {
    // float32 and 800 parameters: the native kernel (above its 256-parameter threshold).
    const grads = [1, 2, 3].map((s) => rand([40, 20], 10 + s, 'float32'));
    const inPlace = st.variable(rand([40, 20], 1, 'float32')), outOfPlace = st.variable(rand([40, 20], 1, 'float32'));
    const a = O.adam({ learningRate: 0.01, amsgrad: true }), b = O.adam({ learningRate: 0.01, amsgrad: true });
    b.build([outOfPlace]);
    assert.equal(b.slotVariables.length, 3); // handed out: b updates out of place from now on
    const slotStorage = (o: optimizers.Optimizer) => (o as unknown as { entries: { slots: st.Variable[] }[] }).entries[0].slots.map((v) => v.values);
    a.apply([grads[0]], [inPlace]);
    const first = slotStorage(a);
    for (const g of grads.slice(1)) {
      a.apply([g], [inPlace]);
    }
    slotStorage(a).forEach((v, i) => assert.equal(v, first[i], `slot ${i} keeps its storage`));
    const bViews = b.slotVariables.map((v) => st.reshape(v, [-1]));
    for (const g of grads) b.apply([g], [outOfPlace]);
    bViews.forEach((t) => assert.ok(t.dataSync().every((x) => x === 0), 'a view of a handed-out slot keeps its values'));
    expectClose(inPlace, outOfPlace, 0, 0, 'weights');
    a.getWeights().slice(1).forEach((t, i) => expectClose(t, b.getWeights()[i + 1], 0, 0, `slot ${i}`));
  });
});

test('applyGradients takes pairs or { grad, variable }; minimize returns the loss', () => {
  const w = st.variable(st.tensor([1], [1], 'float64'));
  const o = O.sgd({ learningRate: 0.5 });
  o.applyGradients([[st.tensor([1], [1], 'float64'), w]]);
  o.applyGradients([{ grad: st.tensor([1], [1], 'float64'), variable: w }]);
  expectClose(w, [0], 1e-15, 0);
  const v = st.variable(st.tensor([3], [1], 'float64'));
  const loss = o.minimize(() => st.sum(st.square(v)), [v]);
  expectClose(loss, [9], 0, 0);
  expectClose(v, [3 - 0.5 * 6], 1e-12, 0);
  assert.equal(o.iterations, 3);
});

test('learning rate: settable number, schedule evaluated at iterations, currentLearningRate', () => {
  const o = O.sgd({ learningRate: 0.1 });
  o.learningRate = 0.05;
  assert.equal(o.currentLearningRate, 0.05);
  const sched = O.schedules.piecewiseConstantDecay({ boundaries: [1], values: [1, 0.1] });
  const s = O.sgd({ learningRate: sched });
  const w = st.variable(st.tensor([0], [1], 'float64'));
  const lrs: number[] = [];
  for (let i = 0; i < 4; i++) {
    lrs.push(s.currentLearningRate);
    s.apply([st.tensor([-1], [1], 'float64')], [w]);
  }
  assert.deepEqual(lrs, [1, 1, 0.1, 0.1]); // steps 0 and 1 ≤ boundary 1
  expectClose(w, [2.2], 1e-12, 0);
  expectError(() => { s.learningRate = 0.5; }, st.ConfigError, 'schedule');
  s.learningRate = O.schedules.exponentialDecay({ initialLearningRate: 1, decaySteps: 1, decayRate: 0.5 });
  assert.equal(s.currentLearningRate, 1 / 16);
  const f = O.adam({ learningRate: (step) => 0.1 / (step + 1) });
  expectTrajectory(f, refAdam(), (t) => 0.1 / (t + 1), 'adam with a function lr');
});

test('getConfig uses Keras/TF.js names; serialize writes Keras JSON; get resolves names and JSON', () => {
  const a = O.adam({ learningRate: 0.01, beta1: 0.8, clipNorm: 1 });
  assert.deepEqual(a.getConfig(), {
    name: 'adam', learningRate: 0.01, weightDecay: null, clipnorm: 1, globalClipnorm: null, clipvalue: null,
    beta1: 0.8, beta2: 0.999, epsilon: 1e-7, amsgrad: false,
  });
  const json = O.serialize(a);
  assert.equal(json.class_name, 'Adam');
  assert.equal(json.config.learning_rate, 0.01);
  assert.equal(json.config.beta_1, 0.8);
  assert.equal(json.config.global_clipnorm, null);
  const back = O.get(json) as optimizers.Adam;
  assert.ok(back instanceof O.Adam);
  assert.deepEqual(back.getConfig(), a.getConfig());

  const names: [string, string][] = [['adam', 'Adam'], ['Adam', 'Adam'], ['sgd', 'SGD'], ['SGD', 'SGD'],
    ['rmsprop', 'RMSprop'], ['RMSProp', 'RMSprop'], ['adagrad', 'Adagrad'], ['adadelta', 'Adadelta'],
    ['adamax', 'Adamax'], ['nadam', 'Nadam'], ['adamw', 'AdamW'], ['AdamW', 'AdamW']];
  for (const [n, cls] of names) assert.equal(O.get(n).className, cls, n);
  const same = O.sgd();
  assert.equal(O.get(same), same);
  // Defaults are Keras 3's.
  assert.equal(O.get('sgd').currentLearningRate, 0.01);
  assert.equal((O.get('adagrad') as optimizers.Adagrad).initialAccumulatorValue, 0.1);
  assert.equal((O.get('adadelta') as optimizers.Adadelta).rho, 0.95);
  assert.equal((O.get('adamw') as optimizers.AdamW).weightDecay, 0.004);

  // A Keras 3 file, with a schedule and extra keys; a TF.js file (RMSProp decay = rho, camelCase).
  const k = O.get({ class_name: 'SGD', config: { name: 'SGD', learning_rate: {
    module: 'keras.optimizers.schedules', class_name: 'ExponentialDecay', config: { initial_learning_rate: 0.1,
      decay_steps: 10, decay_rate: 0.5, staircase: true, name: 'ExponentialDecay' }, registered_name: null },
  momentum: 0.9, nesterov: true, use_ema: false, ema_momentum: 0.99, clipnorm: null, loss_scale_factor: null } }) as optimizers.SGD;
  assert.equal(k.momentum, 0.9);
  assert.ok(k.learningRate instanceof O.schedules.ExponentialDecay);
  const ks = O.serialize(k);
  assert.equal((ks.config.learning_rate as { class_name: string }).class_name, 'ExponentialDecay');
  assert.equal((ks.config.learning_rate as { config: Record<string, unknown> }).config.decay_steps, 10);
  const t = O.get({ class_name: 'RMSProp', config: { learningRate: 0.01, decay: 0.8, momentum: 0, epsilon: 1e-7, centered: true } }) as optimizers.RMSprop;
  assert.equal(t.rho, 0.8);
  assert.equal(t.centered, true);
  const m = O.get({ class_name: 'Momentum', config: { learning_rate: 0.1, momentum: 0.5, use_nesterov: true } }) as optimizers.SGD;
  assert.equal(m.nesterov, true);
  const legacy = O.get({ class_name: 'Adam', config: { lr: 0.02, beta_1: 0.7, beta_2: 0.9, decay: 0.0, epsilon: 1e-8 } }) as optimizers.Adam;
  assert.deepEqual([legacy.currentLearningRate, legacy.beta1, legacy.beta2, legacy.epsilon], [0.02, 0.7, 0.9, 1e-8]);
});

test('bad options and inputs give errors that name the problem', () => {
  expectError(() => O.adam({ learningRate: -0.1 }), st.ConfigError, 'Adam', 'learningRate', '-0.1');
  expectError(() => O.sgd(Number.NaN), st.ConfigError, 'learningRate');
  expectError(() => O.adam({ beta1: 1 }), st.ConfigError, 'beta1', '[0, 1)');
  expectError(() => O.adam({ beta2: -0.1 }), st.ConfigError, 'beta2');
  expectError(() => O.nadam({ beta1: 1.5 }), st.ConfigError, 'Nadam', 'beta1');
  expectError(() => O.sgd({ momentum: 2 }), st.ConfigError, 'momentum');
  expectError(() => O.rmsprop({ rho: 1 }), st.ConfigError, 'rho');
  expectError(() => O.adagrad({ initialAccumulatorValue: -1 }), st.ConfigError, 'initialAccumulatorValue');
  expectError(() => O.adam({ epsilon: -1 }), st.ConfigError, 'epsilon');
  expectError(() => O.sgd({ clipNorm: 0 }), st.ConfigError, 'clipNorm');
  expectError(() => O.sgd({ clipNorm: 1, clipValue: 1 }), st.ConfigError, 'only one of');
  expectError(() => O.get('adamm'), st.ConfigError, "unknown optimizer 'adamm'", 'adam, adamw');
  expectError(() => O.get({ class_name: 'Adam', config: { use_ema: true } }), st.ConfigError, 'use_ema');
  expectError(() => O.adamw({ weightDecay: null as unknown as number }), st.ConfigError, 'weightDecay');
  const w = st.variable(st.zeros([2, 2], 'float64'));
  const o = O.sgd();
  expectError(() => o.apply([st.zeros([2, 2]), st.zeros([2])], [w]), st.ConfigError, '2 gradients for 1 variables');
  expectError(() => o.apply([st.zeros([4])], [w]), st.ShapeError, 'has shape [4], expected [2, 2]');
  expectError(() => o.apply([st.zeros([2, 2])], [st.zeros([2, 2]) as st.Variable]), st.ConfigError, 'not a Variable');
  expectError(() => o.apply([st.zeros([2, 2]), st.zeros([2, 2])], [w, w]), st.ConfigError, 'listed twice');
  expectError(() => o.apply([st.zeros([1], 'int32')], [st.variable(st.zeros([1], 'int32'))]), st.DTypeError, 'int32');
  const a = O.adam();
  a.apply([st.zeros([2, 2], 'float64')], [w]);
  expectError(() => a.setWeights([st.scalar(1, 'int32'), st.zeros([2, 2])]), st.ConfigError, 'expected 2 slot tensors');
  expectError(() => a.setWeights([st.scalar(1, 'int32'), st.zeros([4]), st.zeros([4])]), st.ShapeError, 'slot 0');
  expectError(() => a.setWeights([st.scalar(-1, 'int32')]), st.ConfigError, 'iteration count');
});

// --- state save / restore ------------------------------------------------------------------------

const MAKERS: [string, () => optimizers.Optimizer][] = [
  ['sgd momentum', () => O.sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true })],
  ['adam amsgrad', () => O.adam({ learningRate: 0.05, amsgrad: true })],
  ['adamw', () => O.adamw({ learningRate: 0.05, weightDecay: 0.1 })],
  ['adamax', () => O.adamax({ learningRate: 0.05 })],
  ['nadam', () => O.nadam({ learningRate: 0.05 })],
  ['rmsprop centered momentum', () => O.rmsprop({ learningRate: 0.01, momentum: 0.5, centered: true })],
  ['adagrad', () => O.adagrad({ learningRate: 0.1 })],
  ['adadelta', () => O.adadelta({ learningRate: 1 })],
  ['sgd with a schedule', () => O.sgd({ learningRate: O.schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 6 }) })],
];

function regression(seed: number, dtype: 'float32' | 'float64' = 'float64') {
  const x = rand([32, 3], seed, dtype);
  const wTrue = st.tensor([[0.5], [-1.5], [2]], [3, 1], dtype);
  const y = st.add(st.matmul(x, wTrue), st.scalar(0.3, dtype));
  const w = st.variable(st.zeros([3, 1], dtype), { name: 'w' });
  const b = st.variable(st.zeros([1], dtype), { name: 'b' });
  const loss = (): st.Tensor => st.mean(st.square(st.sub(st.add(st.matmul(x, w), b), y)));
  return { w, b, loss };
}

test('getWeights/setWeights resume training exactly (restored before and after build)', () => {
  for (const [name, make] of MAKERS) {
    const a = regression(1);
    const oa = make();
    for (let i = 0; i < 5; i++) oa.minimize(a.loss, [a.w, a.b]);
    const state = oa.getWeights();
    assert.equal(state[0].dtype, 'int32');
    assert.equal(state[0].values[0], 5);
    for (const restoreFirst of [true, false]) {
      const c = regression(1);
      c.w.assign(st.tensor(a.w.dataSync(), [3, 1], 'float64'));
      c.b.assign(st.tensor(a.b.dataSync(), [1], 'float64'));
      const oc = make();
      if (restoreFirst) oc.setWeights(state); else { oc.build([c.w, c.b]); oc.setWeights(state); }
      assert.equal(oc.iterations, 5);
      const traj = (o: optimizers.Optimizer, m: ReturnType<typeof regression>): number[] => {
        o.minimize(m.loss, [m.w, m.b]);
        return [...m.w.dataSync(), ...m.b.dataSync()];
      };
      const a2 = regression(1);
      a2.w.assign(st.tensor(a.w.dataSync(), [3, 1], 'float64'));
      a2.b.assign(st.tensor(a.b.dataSync(), [1], 'float64'));
      const oa2 = make();
      oa2.setWeights(state);
      for (let i = 0; i < 4; i++) {
        expectClose(traj(oc, c), traj(oa2, a2), 0, 0, `${name} (${restoreFirst ? 'before' : 'after'} build) step ${i}`);
      }
    }
    // The continued run matches an uninterrupted one.
    const d = regression(1);
    const od = make();
    for (let i = 0; i < 9; i++) od.minimize(d.loss, [d.w, d.b]);
    const e = regression(1);
    const oe = make();
    for (let i = 0; i < 5; i++) oe.minimize(e.loss, [e.w, e.b]);
    const of = make();
    of.setWeights(oe.getWeights());
    for (let i = 0; i < 4; i++) of.minimize(e.loss, [e.w, e.b]);
    expectClose(e.w, d.w, 0, 0, `${name} resumed vs uninterrupted`);
  }
  const named = O.adam().getNamedWeights();
  assert.equal(named[0].name, 'iter');
});

test('a state of the wrong size set before build is reported on the first apply', () => {
  const o = O.adam();
  o.setWeights([st.scalar(3, 'int32'), st.zeros([2])]);
  const w = st.variable(st.zeros([2], 'float64'));
  expectError(() => o.apply([st.zeros([2], 'float64')], [w]), st.ConfigError, 'expected 2 slot tensors');
});

// --- convergence ---------------------------------------------------------------------------------

test('every optimizer fits a linear regression to a loss floor', () => {
  // [name, optimizer, steps, loss floor]; the starting loss is about 5.4.
  const cases: [string, () => optimizers.Optimizer, number, number?][] = [
    ['sgd', () => O.sgd({ learningRate: 0.1 }), 200],
    ['sgd nesterov', () => O.sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true }), 200],
    ['adam', () => O.adam({ learningRate: 0.05 }), 300],
    ['adam amsgrad', () => O.adam({ learningRate: 0.05, amsgrad: true }), 300],
    ['adamw', () => O.adamw({ learningRate: 0.05, weightDecay: 1e-4 }), 300],
    ['adamax', () => O.adamax({ learningRate: 0.1 }), 300],
    ['nadam', () => O.nadam({ learningRate: 0.05 }), 300],
    ['rmsprop', () => O.rmsprop({ learningRate: 0.01 }), 400],
    ['rmsprop centered', () => O.rmsprop({ learningRate: 0.01, centered: true, momentum: 0.5 }), 400],
    ['adagrad', () => O.adagrad({ learningRate: 0.5 }), 300],
    ['adadelta', () => O.adadelta({ learningRate: 10 }), 350, 1e-2], // Adadelta is slow and oscillates near the end
  ];
  forEachBackend((backend) => {
    for (const [name, make, steps, floor = 1e-3] of cases) {
      const r = regression(7, 'float32');
      const o = make();
      const first = r.loss().item();
      for (let i = 0; i < steps; i++) o.minimize(r.loss, [r.w, r.b]);
      const last = r.loss().item();
      assert.ok(first > 1 && last < floor, `${name} on ${backend}: loss ${first} → ${last}`);
    }
  }, 'fallback');
});
