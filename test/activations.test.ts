import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as st from '../src/index.js';
import { expectClose, expectError, expectGradientsClose, expectShape, forEachBackend, rand } from './helpers.js';

const f64 = (v: st.TensorLike, shape?: number[]): st.Tensor => st.tensor(v, shape, 'float64');
const XS = [-3, -1.5, -0.3, 0.2, 1, 2.5, 4];
const SELU_SCALE = 1.0507009873554805, SELU_ALPHA = 1.6732632423543772;
/** x away from every kink (0, ±2.5, ±3, 6), so finite differences are valid. */
const smoothInput = (seed: number): st.Tensor => st.add(st.mul(rand([2, 3, 4], seed), 2), 0.05);

test('ReLU family, ELU and SELU forward values', () => {
  forEachBackend(() => {
    const x = f64([-2, -0.5, 0, 1.5, 7]);
    expectClose(st.relu(x), [0, 0, 0, 1.5, 7]);
    expectClose(st.relu6(x), [0, 0, 0, 1.5, 6]);
    expectClose(st.leakyRelu(x), [-0.4, -0.1, 0, 1.5, 7]);
    expectClose(st.leakyRelu(x, 0.01), [-0.02, -0.005, 0, 1.5, 7]);
    expectClose(st.elu(f64(XS)), [-0.950212931632136, -0.7768698398515702, -0.2591817793182821, 0.2, 1, 2.5, 4], 1e-14);
    expectClose(st.elu(f64([-1, 2]), 0.5), [0.5 * (Math.exp(-1) - 1), 2], 1e-14);
    expectClose(st.selu(f64(XS)), [-1.670568728767112, -1.3658143533672527, -0.4556673153791221,
      0.2101401974710961, 1.0507009873554805, 2.6267524683887014, 4.202803949421922], 1e-14);
    expectClose(st.selu(f64([1, -1])), [SELU_SCALE, SELU_SCALE * SELU_ALPHA * (Math.exp(-1) - 1)], 1e-15);
    expectClose(st.relu([NaN, -1]), [NaN, 0]);
    const i = st.tensor([-2, 3, 9], undefined, 'int32');
    assert.equal(st.relu(i).dtype, 'int32');
    expectClose(st.relu6(i), [0, 3, 6]);
    assert.equal(st.leakyRelu(i).dtype, 'float32');
    expectClose(st.leakyRelu(i), [-0.4, 3, 9]);
  }, 'fallback');
});

test('prelu broadcasts alpha (one slope per channel)', () => {
  forEachBackend(() => {
    const x = st.tensor([[-1, 2, -3], [4, -5, -6]]);
    const y = st.prelu(x, [0.1, 0.2, 0.3]);
    expectShape(y, [2, 3]);
    expectClose(y, [-0.1, 2, -0.9, 4, -1, -1.8]);
    expectClose(st.prelu(x, 0.5), [-0.5, 2, -1.5, 4, -2.5, -3]);
    expectClose(st.prelu(x, [[0.1], [0.2]]), [-0.1, 2, -0.3, 4, -1, -1.2]);
  }, 'fallback');
});

test('smooth activations forward values (references from mpmath)', () => {
  forEachBackend(() => {
    const x = f64(XS);
    expectClose(st.sigmoid(0), [0.5]);
    expectClose(st.sigmoid(f64([1, -1])), [1 / (1 + Math.exp(-1)), 1 / (1 + Math.E)], 1e-15);
    expectClose(st.sigmoid([-1000, 1000]), [0, 1]);
    expectClose(st.tanh(f64([0, 1])), [0, Math.tanh(1)], 1e-15);
    expectClose(st.softplus(x), [0.04858735157374206, 0.2014132779827524, 0.5543552444685271, 0.7981388693815918,
      1.3132616875182228, 2.5788897342925496, 4.0181499279178094], 1e-14);
    expectClose(st.softplus([-1000, 1000]), [0, 1000]);
    expectClose(st.logSigmoid(f64([0, -1000])), [-Math.LN2, -1000], 1e-12);
    expectClose(st.softsign([-3, 1]), [-0.75, 0.5]);
    const sw = [-0.14227761953270035, -0.2736382857095345, -0.1276672449565023, 0.10996679946249559,
      0.7310585786300049, 2.310354549946891, 3.928055160151634];
    expectClose(st.swish(x), sw, 1e-14);
    expectClose(st.silu(x), sw, 1e-14);
    expectClose(st.gelu(f64([1])), [0.8413447460685429], 1e-15);
    expectClose(st.gelu(x), [-0.0040496940948902835, -0.1002108019032871, -0.1146265733433142,
      0.11585194188782061, 0.8413447460685429, 2.4844758366855597, 3.9998733150326675], 1e-14);
    expectClose(st.gelu(XS), [-0.0040496940948902835, -0.1002108019032871, -0.1146265733433142,
      0.11585194188782061, 0.8413447460685429, 2.4844758366855597, 3.9998733150326675], 1e-7, 1e-6);
    expectClose(st.gelu(x, true), [-0.003637392081773019, -0.10042842301976708, -0.11462907645724076,
      0.11585142978210629, 0.8411919906082767, 2.484915733910001, 3.9999297540518075], 1e-14);
    expectClose(st.gelu(f64([-40, 40])), [-0, 40]);
    expectClose(st.mish(x), [-0.14564746127562458, -0.29809974216680674, -0.15113317713833457,
      0.13259900186215925, 0.8650983882673103, 2.471392304557881, 3.9974128069762385], 1e-14);
    expectClose(st.hardSigmoid([-3, -1, 0, 1, 3]), [0, 0.3, 0.5, 0.7, 1]);
    expectClose(st.hardSigmoid([-4, -1.5, 0, 1.5, 4], 'keras3'), [0, 0.25, 0.5, 0.75, 1]);
    for (const f of [st.sigmoid, st.tanh, st.softplus, st.gelu, st.mish, st.swish, st.elu, st.selu]) {
      assert.equal(f(st.tensor([1], undefined, 'int32')).dtype, 'float32');
      assert.equal(f(x).dtype, 'float64');
      expectClose(f([NaN]), [NaN]);
    }
  }, 'fallback');
});

test('gradients of every activation and option', () => {
  forEachBackend(() => {
    const x = smoothInput(51);
    expectGradientsClose((p) => st.relu(p), [x]);
    expectGradientsClose((p) => st.relu6(p), [st.mul(x, 3)]);
    expectGradientsClose((p) => st.leakyRelu(p), [x]);
    expectGradientsClose((p) => st.leakyRelu(p, 0.05), [x]);
    expectGradientsClose((p) => st.elu(p), [x]);
    expectGradientsClose((p) => st.elu(p, 0.7), [x]);
    expectGradientsClose((p) => st.selu(p), [x]);
    expectGradientsClose((p) => st.sigmoid(p), [x]);
    expectGradientsClose((p) => st.tanh(p), [x]);
    expectGradientsClose((p) => st.softplus(p), [x]);
    expectGradientsClose((p) => st.logSigmoid(p), [x]);
    expectGradientsClose((p) => st.softsign(p), [x]);
    expectGradientsClose((p) => st.swish(p), [x]);
    expectGradientsClose((p) => st.gelu(p), [x]);
    expectGradientsClose((p) => st.gelu(p, true), [x]);
    expectGradientsClose((p) => st.mish(p), [x]);
    expectGradientsClose((p) => st.hardSigmoid(p), [x]);
    expectGradientsClose((p) => st.hardSigmoid(p, 'keras3'), [st.mul(x, 2)]);
    // prelu: both x and a broadcast alpha ([C], [1, C], and a scalar).
    expectGradientsClose((p, a) => st.prelu(p, a), [x, rand([4], 52)]);
    expectGradientsClose((p, a) => st.prelu(p, a), [x, rand([3, 1], 53)]);
    expectGradientsClose((p, a) => st.prelu(p, a), [x, f64(0.3)]);
  }, 'fallback');
});

test('derivatives are exact at known points', () => {
  forEachBackend(() => {
    const x = f64([-1, 0.5, 8]);
    const d = (f: (t: st.Tensor) => st.Tensor): st.Tensor => st.grads(() => f(x), [x])[0];
    expectClose(d(st.relu), [0, 1, 1]);
    expectClose(d(st.relu6), [0, 1, 0]);
    expectClose(d((t) => st.leakyRelu(t, 0.1)), [0.1, 1, 1]);
    expectClose(d(st.elu), [Math.exp(-1), 1, 1], 1e-12);
    expectClose(d(st.selu), [SELU_SCALE * SELU_ALPHA * Math.exp(-1), SELU_SCALE, SELU_SCALE], 1e-12);
    expectClose(d(st.hardSigmoid), [0.2, 0.2, 0]);
    expectClose(d((t) => st.hardSigmoid(t, 'keras3')), [1 / 6, 1 / 6, 0]);
    const phi = (t: number): number => Math.exp(-t * t / 2) / Math.sqrt(2 * Math.PI);
    const one = f64([1]);
    expectClose(st.grads(() => st.gelu(one), [one])[0], [0.8413447460685429 + phi(1)], 1e-14);
  }, 'fallback');
});

test('second derivatives of the smooth activations (gradients of gradients)', () => {
  forEachBackend(() => {
    const x = smoothInput(61);
    const dOf = (f: (t: st.Tensor) => st.Tensor) => (p: st.Tensor): st.Tensor => st.grads(() => f(p), [p])[0];
    for (const f of [st.sigmoid, st.tanh, st.softplus, st.softsign, st.swish, st.gelu, (t: st.Tensor) => st.gelu(t, true),
      st.mish, st.elu, st.selu, (t: st.Tensor) => st.elu(t, 0.4)]) {
      expectGradientsClose(dOf(f), [x]);
    }
  }, 'fallback');
});

test('softmax and logSoftmax: values, stability, any axis', () => {
  forEachBackend(() => {
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const s = e[0] + e[1] + e[2];
    expectClose(st.softmax(f64([[1, 2, 3]])), e.map((v) => v / s), 1e-15);
    expectClose(st.softmax([1000, 1001, 1002]), e.map((v) => v / s));
    expectClose(st.logSoftmax(f64([1, 2, 3])), [1, 2, 3].map((v) => v - Math.log(s)), 1e-14);
    expectClose(st.logSoftmax([-1000, 0]), [-1000, 0]);
    expectClose(st.softmax([[1, 1], [2, 1], [3, 1]], 0), [e[0] / s, 1 / 3, e[1] / s, 1 / 3, e[2] / s, 1 / 3]);
    // Every axis of a rank-3 tensor agrees with exp(x)/sum(exp(x)) along it.
    const x = rand([2, 3, 4], 71);
    for (const axis of [0, 1, 2, -1, -3]) {
      const ref = st.div(st.exp(x), st.sum(st.exp(x), axis, true));
      expectClose(st.softmax(x, axis), ref, 1e-14);
      expectClose(st.logSoftmax(x, axis), st.log(ref), 1e-14);
    }
    assert.equal(st.softmax(st.tensor([1, 2], undefined, 'int32')).dtype, 'float32');
    assert.equal(st.logSoftmax(x).dtype, 'float64');
    expectShape(st.softmax(st.zeros([0, 3])), [0, 3]);
  }, 'fallback');
});

test('softmax and logSoftmax gradients on axis 0, 1 and -1 of a rank-3 tensor', () => {
  forEachBackend(() => {
    const x = rand([2, 3, 4], 81);
    for (const axis of [0, 1, -1]) {
      expectGradientsClose((p) => st.softmax(p, axis), [x]);
      expectGradientsClose((p) => st.logSoftmax(p, axis), [x]);
      expectGradientsClose((p) => st.grads(() => st.softmax(p, axis), [p])[0], [x]);
    }
    const g = st.grads(() => st.softmax(x, 1), [x])[0];
    expectClose(g, st.zeros([2, 3, 4]), 1e-12); // the rows sum to 1 whatever x is
  }, 'fallback');
});

test('activation errors name the op and the bad value', () => {
  forEachBackend(() => {
    const x = st.zeros([2, 3, 4]);
    expectError(() => st.softmax(x, 3), st.ShapeError, 'softmax', 'axis 3 is out of range', 'rank 3');
    expectError(() => st.logSoftmax(x, -4), st.ShapeError, 'logSoftmax', 'axis -4');
    expectError(() => st.softmax(x, 1.5), st.ConfigError, 'softmax: dim must be an integer axis, got 1.5');
    expectError(() => st.softmax(st.scalar(1)), st.ShapeError, 'softmax: logits must have rank ≥ 1');
    expectError(() => st.softmax('x' as unknown as number), st.ConfigError, 'softmax', "argument 'logits'");
    expectError(() => st.relu('abc' as unknown as number), st.ConfigError, 'relu', "argument 'x'");
    expectError(() => st.leakyRelu(x, 'a' as unknown as number), st.ConfigError, 'leakyRelu: alpha must be a finite number');
    expectError(() => st.elu(x, NaN), st.ConfigError, 'elu: alpha must be a finite number, got NaN');
    expectError(() => st.hardSigmoid(x, 'keras4' as 'keras2'), st.ConfigError, "hardSigmoid: form must be 'keras2' or 'keras3'", 'keras4');
    expectError(() => st.gelu(x, 'tanh' as unknown as boolean), st.ConfigError, 'gelu: approximate must be');
    expectError(() => st.prelu(x, st.zeros([3])), st.ShapeError, 'prelu: shapes [2, 3, 4] and [3] cannot broadcast');
  }, 'fallback');
});
