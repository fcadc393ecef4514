// TensorFlow.js's gradient functions and optimizer forms on Strata, checked against TF.js 4.22 (cpu):
// tf.grad / grads / valueAndGrad / valueAndGrads / variableGrads, optimizer.minimize(f, returnCost,
// varList), computeGradients and applyGradients — beside Strata's own valueAndGrads(f, wrt) forms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError, forEachBackend } from './helpers.js';

async function tfjs() {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  return tf;
}

const A = [0.5, -1, 2, 0.25];
const B = [1.5, 2, -0.5, 3];

test('grad, grads(f), valueAndGrad, valueAndGrads(f) return functions, as TF.js, with TF.js values', async () => {
  const tf = await tfjs();
  const tfGa = tf.grad((a) => tf.sum(tf.mul(tf.square(a), tf.tensor(B))))(tf.tensor(A)).dataSync();
  const [tfDa, tfDb] = tf.grads((a, b) => tf.mul(tf.square(a), b))([tf.tensor(A), tf.tensor(B)], tf.tensor([1, 2, 3, 4])).map((t) => t.dataSync());
  const tfVg = tf.valueAndGrad((a) => tf.sum(tf.exp(a)))(tf.tensor(A));
  const tfVgs = tf.valueAndGrads((a, b) => tf.sum(tf.div(a, b)))([tf.tensor(A), tf.tensor(B)]);
  forEachBackend(() => {
    const b = st.tensor(B);
    expectClose(st.grad((a) => st.sum(st.mul(st.square(a), b)))(st.tensor(A)), tfGa);
    const [da, db] = st.grads((a, b2) => st.mul(st.square(a), b2))([st.tensor(A), B], [1, 2, 3, 4]);
    expectClose(da, tfDa);
    expectClose(db, tfDb);
    const vg = st.valueAndGrad((a) => st.sum(st.exp(a)))(A);
    expectClose(vg.value, tfVg.value.dataSync());
    expectClose(vg.grad, tfVg.grad.dataSync());
    const vgs = st.valueAndGrads((a, b2) => st.sum(st.div(a, b2)))([st.tensor(A), b]);
    expectClose(vgs.value, tfVgs.value.dataSync());
    expectClose(vgs.grads[0], tfVgs.grads[0].dataSync());
    expectClose(vgs.grads[1], tfVgs.grads[1].dataSync());

    // Strata's own forms (the API contract) keep their meaning: gradients now, zeros where unused.
    const x = st.tensor(A);
    const { value, grads: [dx, dunused] } = st.valueAndGrads(() => st.sum(st.square(x)), [x, b]);
    expectClose(value, [A.reduce((s, v) => s + v * v, 0)]);
    expectClose(dx, A.map((v) => 2 * v));
    expectClose(dunused, [0, 0, 0, 0]);
    expectClose(st.grads(() => st.sum(st.square(x)), [x])[0], A.map((v) => 2 * v));

    // As TF.js, the function forms refuse an argument that does not reach the result.
    expectError(() => st.grads((a) => st.sum(a))([st.tensor(A), b]), st.ConfigError, 'argument 1');
    expectError(() => st.grad(3 as never), st.ConfigError, 'must be a function');
  });
});

test('variableGrads: the trainable variables f reads, by name; trainable: false and unreached ones are skipped', async () => {
  const tf = await tfjs();
  const tw = tf.variable(tf.tensor(A), true, 'vg_w');
  const tfv = tf.variableGrads(() => tf.sum(tf.mul(tf.square(tw), tf.tensor(B))), [tw]);
  forEachBackend((backend) => {
    const w = st.variable(st.tensor(A), { name: `vg_w_${backend}` });
    const frozen = st.variable(st.tensor(B), { name: `vg_frozen_${backend}`, trainable: false });
    const unused = st.variable(st.tensor(B), { name: `vg_unused_${backend}` });
    const { value, grads } = st.variableGrads(() => {
      st.add(unused, 1); // read, but not on the way to the result
      return st.sum(st.mul(st.square(w), frozen));
    });
    expectClose(value, tfv.value.dataSync());
    assert.deepEqual(Object.keys(grads), [w.name]);
    expectClose(grads[w.name]!, tfv.grads.vg_w.dataSync());
    // A listed non-trainable variable gets a null gradient (TF.js).
    const listed = st.variableGrads(() => st.sum(st.mul(st.square(w), frozen)), [w, frozen]);
    assert.equal(listed.grads[frozen.name], null);
    expectError(() => st.variableGrads(() => st.mul(w, 2)), st.ShapeError, 'scalar');
    expectError(() => st.variableGrads(() => st.sum(st.tensor(A))), st.ConfigError, 'no variable reaches');
    expectError(() => st.variableGrads(() => st.sum(w), [frozen]), st.ConfigError, 'none of the 1 variables');
    const twin = st.variable(st.tensor(A), { name: w.name });
    expectError(() => st.variableGrads(() => st.add(st.sum(w), st.sum(twin))), st.ConfigError, `two variables are named '${w.name}'`);
  });
});

test('optimizer.minimize(f, returnCost, varList) as TF.js; minimize(f, vars) as before', async () => {
  const tf = await tfjs();
  const X = [[1, 2], [3, -1], [0.5, 0.5]];
  const Y = [[1], [-2], [0.5]];
  const run = (steps: number) => {
    const w = tf.variable(tf.tensor([[0.1], [-0.2]]), true, 'min_w');
    const scale = tf.variable(tf.tensor([2]), false, 'min_scale');
    const opt = tf.train.adam(0.1);
    const costs: number[] = [];
    for (let i = 0; i < steps; i++) {
      const c = opt.minimize(() => tf.mean(tf.square(tf.sub(tf.mul(tf.matMul(tf.tensor(X), w), scale), tf.tensor(Y)))), true);
      costs.push(c!.dataSync()[0]);
    }
    return { w: Array.from(w.dataSync()), scale: Array.from(scale.dataSync()), costs };
  };
  const want = run(3);
  forEachBackend(() => {
    const w = st.variable(st.tensor([[0.1], [-0.2]]));
    const scale = st.variable(st.tensor([2]), { trainable: false });
    const opt = st.optimizers.adam({ learningRate: 0.1 });
    const loss = () => st.mean(st.square(st.sub(st.mul(st.matmul(st.tensor(X), w), scale), st.tensor(Y))));
    const costs: number[] = [];
    for (let i = 0; i < 3; i++) costs.push(opt.minimize(loss, true)!.dataSync()[0]);
    expectClose(costs, want.costs, 1e-5);
    expectClose(w, want.w, 1e-5);
    expectClose(scale, want.scale, 0, 0, 'a variable made with trainable: false is not updated');
    assert.equal(opt.minimize(loss), null, 'returnCost defaults to false: null');

    // varList limits the update; the Strata form (an array as second argument) still works.
    const v = st.variable(st.tensor([1, 2]));
    const u = st.variable(st.tensor([3, 4]));
    const sgd = st.optimizers.sgd({ learningRate: 0.5 });
    assert.equal(sgd.minimize(() => st.sum(st.mul(v, u)), false, [v]), null);
    expectClose(v, [1 - 1.5, 2 - 2]);
    expectClose(u, [3, 4]);
    const l = sgd.minimize(() => st.sum(st.mul(v, u)), [u]);
    expectClose(l, [-0.5 * 3 + 0 * 4]);
    expectClose(u, [3 + 0.25, 4 - 0]);
    expectError(() => sgd.minimize(() => st.sum(v), 'yes' as never), st.ConfigError, 'returnCost');
  });
});

test('computeGradients + applyGradients by name, as TF.js (also a copied map and [{ name, tensor }])', () => {
  forEachBackend((backend) => {
    const w = st.variable(st.tensor([1, -2, 3]), { name: `cg_w_${backend}` });
    const opt = st.optimizers.sgd({ learningRate: 0.1 });
    const f = () => st.sum(st.square(w));
    const { value, grads } = opt.computeGradients(f);
    expectClose(value, [14]);
    expectClose(grads[w.name]!, [2, -4, 6]);
    opt.applyGradients(grads);
    expectClose(w, [0.8, -1.6, 2.4]);
    // A map rebuilt by the program (averaging, say) finds its variables by name.
    const again = st.variableGrads(f).grads;
    const averaged: Record<string, st.Tensor> = {};
    for (const [name, g] of Object.entries(again)) averaged[name] = st.mul(g!, 0.5);
    opt.applyGradients(averaged);
    expectClose(w, [0.8 - 0.08, -1.6 + 0.16, 2.4 - 0.24]);
    opt.applyGradients([{ name: w.name, tensor: st.tensor([1, 1, 1]) }]);
    expectClose(w, [0.72 - 0.1, -1.44 - 0.1, 2.16 - 0.1]);
    opt.applyGradients([[st.tensor([1, 1, 1]), w]]); // Keras pairs, as before
    expectClose(w, [0.52, -1.64, 1.96]);
    expectError(() => opt.applyGradients({ no_such_variable_anywhere: st.tensor([1]) }), st.ConfigError, "no variable named 'no_such_variable_anywhere'");
  });
});
