// Golden values from TensorFlow.js 4.22 (cpu backend) for Strata's LAYERS.
// Run with `node scripts/make-golden-layers.mjs` (from the repository root or anywhere).
//
// Writes test/fixtures/golden-layers/<group>.json, read by test/golden-layers.test.ts. Each file is
//   { "$comment": "...", "generator": "scripts/make-golden-layers.mjs", "tfjs": "4.22.0", "cases": [Case, ...] }
// and each Case (one per line) is
//   {
//     name:       readable and unique, e.g. "Conv2D same strides=2"
//     class_name, config: the layer's entry exactly as a TF.js model.json holds it (taken from
//                 model.toJSON() of a one-layer tf.model, i.e. TF.js's getConfig() passed through its
//                 convertTsToPythonic: snake_case keys and snake_case string values)
//     training:   true when the layer is applied with { training: true } (BatchNormalization)
//     inputs:     [{ shape, dtype: "float32" | "int32", values }], one per layer input; the layer is built
//                 for these shapes with a null batch dimension
//     mask?:      { shape, values } 0/1 mask passed as apply(x, { mask }) (recurrent layers)
//     weights:    [{ name, shape, trainable, values }] in TF.js getWeights() order (Keras order/layout)
//     outputs:    [{ shape, values }] (a list: layers with return_state give several)
//     dy?:        [{ shape, values }] per output; absent for forward-only cases
//     grads?:     { inputs: [{ shape, values } | null], weights: [{ shape, values }] } —
//                 d(Σ_i outputs_i · dy_i) / d(each input) (null for int inputs) and / d(each TRAINABLE
//                 weight, in trainableWeights order)
//     note?:      why a case is forward only, or anything unusual about how the reference was made
//   }
// Forward-only cases (no dy/grads): TF.js 4.22 lacks the gradient (dilated convolutions, Conv3DTranspose),
// or its gradient is wrong and no composition is at hand (3-D pooling 'same' with strides > pool size), or the
// layer is a pure mask producer (Masking). Strata's own layer tests check those gradients by finite
// differences (test/layer-helpers.ts expectLayerGradientsClose); each such case's note says so.
// Composed references (see R below; the case's note says which): where TF.js 4.22 cannot run an option
// (Conv1D 'causal', BatchNormalization training without center/scale), runs it wrongly (DepthwiseConv2D
// ignores dilation_rate; the cpu batchNorm kernel broadcasts wrongly for axis ≠ −1) or differentiates it
// wrongly (avgPool 'same', ResizeNearestNeighbor/ResizeBilinear, Greater in ThresholdedReLU, batchNorm
// without gamma/beta), the reference comes from tf ops over the layer's own weights, checked against the
// layer's forward pass wherever that one is right. One config is patched: TF.js's SeparableConv2D
// getConfig omits depth_multiplier, which Keras writes.
// Values: weights, inputs and dy are rounded to 4 significant digits (then float32) to keep the files small,
// except for cases whose result depends on ties (max pooling, Maximum/Minimum): those keep full float32.
// Every value is written with the fewest digits that read back as the same float32. Data come from a small
// seeded generator, seeded per case from the case name, so adding a case changes no other case.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { f32, hash, log, rng, root, short, size, tf } from './golden-common.mjs';


const t0 = performance.now();
const outDir = join(root, 'test', 'fixtures', 'golden-layers');

// ---------------------------------------------------------------- deterministic data

/**
 * Weight values by the weight's role: small kernels (recurrent ones smaller still, so gates do not
 * saturate), positive scales and variances, PReLU slopes in (0.05, 0.5).
 */
function weightValues(name, shape, r) {
  const n = size(shape);
  const base = name.split('/').pop().replace(/_\d+$/, '');
  const gen = {
    gamma: () => 0.5 + r.next(),
    moving_variance: () => 0.5 + r.next(),
    moving_mean: () => 0.3 * r.normal(),
    beta: () => 0.2 * r.normal(),
    bias: () => 0.2 * r.normal(),
    alpha: () => 0.05 + 0.45 * r.next(),
    recurrent_kernel: () => 0.3 * r.normal(),
    kernel: () => 0.4 * r.normal(),
    embeddings: () => r.normal(),
  }[base] ?? (() => 0.4 * r.normal());
  return Array.from({ length: n }, gen);
}

// ---------------------------------------------------------------- composed references

/**
 * Where TF.js 4.22 cannot run a layer option or differentiate it, the reference (for the gradients, and
 * for the forward pass when the layer itself cannot run) is a composition of tf ops over the layer's own
 * weight variables: spec.ref(inputs, layer, kwargs) → output. Its forward pass is checked against the
 * layer's wherever the layer runs. spec.linear: the layer is linear in its input, so the input gradient
 * is taken column by column from forward passes of unit inputs (the layer's own gradient is wrong).
 */
const FD = " Strata's own layer tests check this gradient by finite differences";
const weightNamed = (layer, name) => layer.weights.find((w) => (w.originalName ?? w.name).split('/').pop() === name)?.read() ?? null;
const R = {
  /** x·[x > θ] with the step taken from the values, off the tape (TF.js has no gradient for Greater). */
  thresholded: (theta) => ({
    ref: ([x]) => tf.mul(x, tf.tensor(Array.from(x.dataSync(), (v) => (v > theta ? 1 : 0)), x.shape)),
    note: 'gradient through x·step(x) with the step taken off the tape (TF.js 4.22 has no gradient for Greater)',
  }),
  /** padding 'causal' = left-pad by kEff − 1, then 'valid' (TF.js 4.22 layers refuse to run causal conv1d). */
  causal: {
    refOnly: true,
    ref: ([x], layer) => {
      const { kernelSize: [k], dilationRate: [d], strides: [s] } = layer;
      const y = tf.conv1d(tf.pad(x, [[0, 0], [(k - 1) * d, 0], [0, 0]]), weightNamed(layer, 'kernel'), s, 'valid', 'NWC', d);
      const b = weightNamed(layer, 'bias');
      return b ? tf.add(y, b) : y;
    },
    note: "reference: tf.pad by (k−1)·dilation before, then tf.conv1d 'valid' plus bias (TF.js 4.22 layers cannot run padding 'causal'; the config is TF.js's own)",
  },
  linear: { linear: true, note: "input gradient from forward passes of unit inputs (the layer is linear; TF.js 4.22's resize gradients are wrong: ResizeBilinear's swaps height and width, ResizeNearestNeighbor's mixes up batch elements after the first)" },
  /** TF.js 4.22's DepthwiseConv2D layer ignores dilation_rate (it passes null): the op with dilations, plus bias. */
  depthwiseDilated: {
    refOnly: true,
    ref: ([x], layer) => {
      const y = tf.depthwiseConv2d(x, weightNamed(layer, 'depthwise_kernel'), layer.strides, layer.padding, 'NHWC', layer.dilationRate);
      const b = weightNamed(layer, 'bias');
      return b ? tf.add(y, b) : y;
    },
    note: "reference: tf.depthwiseConv2d with the dilations plus bias (TF.js 4.22's DepthwiseConv2D layer ignores dilation_rate)",
  },
  /** Batch normalisation spelled out (TF.js 4.22's gradient fails for axis ≠ −1 and without gamma/beta). */
  batchNorm: {
    ref: ([x], layer, kwargs) => {
      const axis = (layer.axis + x.rank) % x.rank;
      const bshape = x.shape.map((n, i) => (i === axis ? n : 1));
      const reduce = [...Array(x.rank).keys()].filter((i) => i !== axis);
      const p = (name) => { const w = weightNamed(layer, name); return w ? tf.reshape(w, bshape) : null; };
      let mean, variance;
      if (kwargs.training) ({ mean, variance } = tf.moments(x, reduce, true));
      else [mean, variance] = [p('moving_mean'), p('moving_variance')];
      let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, layer.epsilon)));
      if (p('gamma')) y = tf.mul(y, p('gamma'));
      if (p('beta')) y = tf.add(y, p('beta'));
      return y;
    },
    note: 'gradient through the normalisation spelled out in tf ops (TF.js 4.22 batchNorm gradient fails for this option)',
  },
  /**
   * Average pooling 'same' as a ratio of two 'valid' poolings of explicitly padded tensors: the sums over
   * the padded input divided by the share of each window that is real input (TF.js 4.22's avgPool gradient
   * divides by the whole window at the border, though its forward pass excludes the padding).
   */
  avgPoolSame: (rank) => ({
    ref: ([x], layer) => {
      const k = [layer.poolSize].flat(), s = [layer.strides].flat();
      const spatial = x.shape.slice(1, 1 + rank);
      const pads = spatial.map((n, i) => {
        const total = Math.max(0, (Math.ceil(n / s[i]) - 1) * s[i] + k[i] - n);
        return [Math.floor(total / 2), total - Math.floor(total / 2)];
      });
      const padAll = [[0, 0], ...pads, [0, 0]];
      const pool = rank === 3 ? tf.avgPool3d : tf.avgPool;
      const lift = rank === 1 ? (t) => tf.expandDims(t, 1) : (t) => t;
      const drop = rank === 1 ? (t) => tf.squeeze(t, [1]) : (t) => t;
      const kk = rank === 1 ? [1, k[0]] : k, ss = rank === 1 ? [1, s[0]] : s;
      const ratio = (t) => pool(lift(tf.pad(t, padAll)), kk, ss, 'valid');
      return drop(tf.div(ratio(x), ratio(tf.onesLike(x))));
    },
    note: "gradient through a ratio of 'valid' avgPools of padded tensors (TF.js 4.22's avgPool gradient divides by the whole window at 'same' borders)",
  }),
  /** The spelled-out batch normalisation as THE reference, where TF.js 4.22's own layer is wrong or cannot run. */
  batchNormOnly: (why) => ({ refOnly: true, ref: (...a) => R.batchNorm.ref(...a), note: `reference: the normalisation spelled out in tf ops (Keras semantics), forward and gradient: ${why}` }),
  layerNorm: {
    ref: ([x], layer) => {
      const axes = layer.axis.map((a) => (a + x.rank) % x.rank);
      const { mean, variance } = tf.moments(x, axes, true);
      let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, layer.epsilon)));
      const g = weightNamed(layer, 'gamma'), b = weightNamed(layer, 'beta');
      if (g) y = tf.mul(y, g);
      if (b) y = tf.add(y, b);
      return y;
    },
    note: 'gradient through the normalisation spelled out in tf ops (TF.js 4.22 gradient fails without gamma/beta)',
  },
};

// ---------------------------------------------------------------- cases

const groups = {};
let current;
function group(name, body) {
  current = groups[name] = [];
  body();
}
/**
 * One case: a TF.js factory (tf.layers[factory]) with TF.js (camelCase) options, and its input shapes
 * (batch first). spec: { inputs?: [shape | { shape, dtype, lo, hi, scale }], training?, grad?: false,
 * note?, exact?: keep full-precision data (ties matter), mask?: [batch, time] 0/1 values, scale? }
 */
function c(name, factory, config, inputs, spec = {}) {
  current.push({ name, factory, config, inputs, ...spec });
}

const ACTIVATIONS = ['relu', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'softplus', 'softsign', 'hardSigmoid',
  'linear', 'relu6', 'swish', 'gelu', 'gelu_new', 'mish', 'logSoftmax'];

group('core', () => {
  for (const a of ACTIVATIONS) c(`Dense activation=${a}`, 'dense', { units: 3, activation: a }, [[2, 4]]);
  c('Dense use_bias=false', 'dense', { units: 3, useBias: false }, [[2, 4]]);
  c('Dense rank-3 input', 'dense', { units: 3, activation: 'tanh' }, [[2, 3, 4]]);
  c('Dense rank-4 input', 'dense', { units: 2 }, [[1, 2, 3, 4]]);
  for (const a of ACTIVATIONS) c(`Activation ${a}`, 'activation', { activation: a }, [[2, 5]], { scale: 2 });
  c('Activation softmax rank 3', 'activation', { activation: 'softmax' }, [[2, 3, 4]], { scale: 2 });
  c('ReLU default', 'reLU', {}, [[2, 6]], { scale: 2 });
  c('ReLU max_value=1', 'reLU', { maxValue: 1 }, [[2, 6]], { scale: 2 });
  c('LeakyReLU default', 'leakyReLU', {}, [[2, 6]], { scale: 2 });
  c('LeakyReLU alpha=0.1', 'leakyReLU', { alpha: 0.1 }, [[2, 6]], { scale: 2 });
  c('PReLU', 'prelu', {}, [[2, 3, 4]], { scale: 2 });
  c('PReLU shared_axes=[1]', 'prelu', { sharedAxes: [1] }, [[2, 3, 4]], { scale: 2 });
  c('PReLU rank 4 shared_axes=[1,2]', 'prelu', { sharedAxes: [1, 2] }, [[2, 3, 3, 2]], { scale: 2 });
  c('ELU default', 'elu', {}, [[2, 6]], { scale: 2 });
  c('ThresholdedReLU default', 'thresholdedReLU', {}, [[2, 6]], { scale: 2, ...R.thresholded(1) });
  c('ThresholdedReLU theta=0.5', 'thresholdedReLU', { theta: 0.5 }, [[2, 6]], { scale: 2, ...R.thresholded(0.5) });
  c('Softmax default', 'softmax', {}, [[2, 5]], { scale: 2 });
  c('Softmax axis=-1 rank 3', 'softmax', { axis: -1 }, [[2, 3, 4]], { scale: 2 });
  c('Flatten', 'flatten', {}, [[2, 3, 2, 2]]);
  c('Reshape target_shape=[3,4]', 'reshape', { targetShape: [3, 4] }, [[2, 12]]);
  c('Reshape target_shape=[-1,2]', 'reshape', { targetShape: [-1, 2] }, [[2, 3, 4]]);
  c('Permute dims=[2,1]', 'permute', { dims: [2, 1] }, [[2, 3, 4]]);
  c('Permute dims=[3,1,2]', 'permute', { dims: [3, 1, 2] }, [[2, 2, 3, 4]]);
  c('RepeatVector n=3', 'repeatVector', { n: 3 }, [[2, 4]]);
  c('Dropout inference', 'dropout', { rate: 0.5 }, [[2, 6]]);
  c('SpatialDropout1D inference', 'spatialDropout1d', { rate: 0.5 }, [[2, 3, 4]]);
  c('GaussianNoise inference', 'gaussianNoise', { stddev: 0.3 }, [[2, 6]]);
  c('GaussianDropout inference', 'gaussianDropout', { rate: 0.3 }, [[2, 6]]);
  c('AlphaDropout inference', 'alphaDropout', { rate: 0.3 }, [[2, 6]]);
  c('Masking forward', 'masking', { maskValue: 0 }, [[2, 4, 3]], {
    grad: false, zeroSteps: [[0, 1], [1, 3]], note: `forward only (the layer is a mask producer); steps [0,1] and [1,3] are all mask_value;${FD}`,
  });
  c('Embedding', 'embedding', { inputDim: 6, outputDim: 3 }, [{ shape: [2, 4], dtype: 'int32', lo: 0, hi: 5 }]);
  c('Embedding mask_zero', 'embedding', { inputDim: 5, outputDim: 2, maskZero: true }, [{ shape: [2, 3], dtype: 'int32', lo: 0, hi: 4 }]);
});

group('conv', () => {
  const conv = (rank, label, cfg, x, spec = {}) => c(`Conv${rank}D ${label}`, `conv${rank}d`, { filters: 3, kernelSize: 3, ...cfg }, [x], spec);
  const noGrad = { grad: false, note: `forward only: TF.js 4.22 has no gradient for dilated convolution;${FD}` };
  conv(1, 'valid', {}, [2, 7, 2]);
  conv(1, 'same', { padding: 'same' }, [2, 7, 2]);
  conv(1, 'valid strides=2', { strides: 2 }, [2, 7, 2]);
  conv(1, 'same strides=2 kernel 2', { padding: 'same', strides: 2, kernelSize: 2 }, [2, 7, 2]);
  conv(1, 'causal', { padding: 'causal' }, [2, 6, 2], R.causal);
  conv(1, 'causal strides=2', { padding: 'causal', strides: 2 }, [2, 7, 2], R.causal);
  conv(1, 'causal dilation=2', { padding: 'causal', dilationRate: 2 }, [2, 7, 2], { ...R.causal, ...noGrad, note: `${R.causal.note}; ${noGrad.note}` });
  conv(1, 'valid dilation=2', { dilationRate: 2 }, [2, 7, 2], noGrad);
  conv(1, 'relu use_bias=false', { activation: 'relu', useBias: false }, [2, 6, 2]);
  conv(2, 'valid', {}, [2, 5, 4, 2]);
  conv(2, 'same', { padding: 'same' }, [2, 5, 4, 2]);
  conv(2, 'valid strides=2', { strides: 2 }, [2, 5, 5, 2]);
  conv(2, 'same strides=2', { padding: 'same', strides: 2 }, [2, 5, 4, 2]);
  conv(2, 'same strides=[1,2] kernel [2,3]', { padding: 'same', strides: [1, 2], kernelSize: [2, 3] }, [1, 4, 5, 2]);
  conv(2, 'valid dilation=2', { dilationRate: 2 }, [1, 6, 5, 2], noGrad);
  conv(2, 'same dilation=[2,1]', { padding: 'same', dilationRate: [2, 1] }, [1, 5, 4, 2], noGrad);
  conv(2, 'tanh use_bias=false', { activation: 'tanh', useBias: false }, [2, 4, 4, 2]);
  conv(2, 'sigmoid filters=2', { activation: 'sigmoid', filters: 2 }, [1, 4, 4, 3]);
  conv(3, 'valid', { kernelSize: 2 }, [1, 3, 4, 3, 2]);
  conv(3, 'same', { kernelSize: 2, padding: 'same' }, [1, 3, 4, 3, 2]);
  conv(3, 'valid strides=2', { strides: 2 }, [1, 5, 4, 5, 1]);
  conv(3, 'same strides=2', { padding: 'same', strides: 2 }, [1, 4, 3, 4, 2]);
  conv(3, 'valid dilation=2', { kernelSize: 2, dilationRate: 2 }, [1, 4, 4, 4, 1], noGrad);
  conv(3, 'relu use_bias=false', { kernelSize: 2, activation: 'relu', useBias: false }, [2, 3, 3, 3, 1]);

  const dw = (label, cfg, x = [2, 4, 5, 2], spec = {}) => c(`DepthwiseConv2D ${label}`, 'depthwiseConv2d', { kernelSize: 3, ...cfg }, [x], spec);
  dw('valid multiplier 1', {});
  dw('same multiplier 2', { padding: 'same', depthMultiplier: 2 });
  dw('valid strides=2 multiplier 2', { strides: 2, depthMultiplier: 2 }, [1, 5, 5, 2]);
  dw('same relu use_bias=false', { padding: 'same', activation: 'relu', useBias: false });
  dw('same dilation=2', { padding: 'same', dilationRate: 2 }, [1, 5, 5, 2], R.depthwiseDilated);
  dw('valid dilation=[1,2] multiplier 2', { dilationRate: [1, 2], depthMultiplier: 2 }, [1, 4, 6, 2], R.depthwiseDilated);

  const sep = (label, cfg, x = [2, 4, 5, 2], spec = {}) => c(`SeparableConv2D ${label}`, 'separableConv2d', { filters: 3, kernelSize: 3, ...cfg }, [x], spec);
  sep('valid', {});
  sep('same multiplier 2', { padding: 'same', depthMultiplier: 2 }, undefined, {
    configPatch: { depth_multiplier: 2 }, note: "config: depth_multiplier added (TF.js 4.22's SeparableConv2D.getConfig omits it; Keras writes it)",
  });
  sep('same strides=2 relu', { padding: 'same', strides: 2, activation: 'relu' }, [1, 5, 5, 2]);
  sep('valid use_bias=false', { useBias: false });
  sep('same dilation=2', { padding: 'same', dilationRate: 2 }, [1, 5, 5, 2], noGrad);

  for (const k of [3, 4]) {
    for (const s of [1, 2]) {
      for (const padding of ['valid', 'same']) {
        c(`Conv2DTranspose ${padding} strides=${s} kernel ${k}`, 'conv2dTranspose', { filters: 2, kernelSize: k, strides: s, padding }, [[2, 3, 2, 3]]);
      }
    }
  }
  c('Conv2DTranspose same strides=[2,1] kernel [3,2] relu', 'conv2dTranspose', { filters: 2, kernelSize: [3, 2], strides: [2, 1], padding: 'same', activation: 'relu' }, [[1, 3, 4, 2]]);
  c('Conv2DTranspose valid use_bias=false', 'conv2dTranspose', { filters: 3, kernelSize: 2, strides: 2, useBias: false }, [[1, 2, 3, 2]]);
  const c3t = { grad: false, note: `forward only: TF.js 4.22 has no gradient for Conv3DTranspose (Conv3DBackpropInputV2);${FD}` };
  for (const [k, s, padding] of [[3, 1, 'valid'], [3, 2, 'same'], [2, 2, 'valid'], [4, 2, 'same']]) {
    c(`Conv3DTranspose ${padding} strides=${s} kernel ${k}`, 'conv3dTranspose', { filters: 2, kernelSize: k, strides: s, padding }, [[1, 2, 3, 2, 2]], c3t);
  }
});

group('pool', () => {
  const avgSame = (rank) => ({ ...R.avgPoolSame(rank) });
  const same3d = { grad: false, note: `forward only: TF.js 4.22's 3-D pooling gradient is wrong for 'same' with strides > pool size;${FD}` };
  for (const kind of ['max', 'average']) {
    const K = kind === 'max' ? 'Max' : 'Average';
    const ex = kind === 'max' ? { exact: true } : {};
    const p = (rank, label, cfg, x, spec = {}) => c(`${K}Pooling${rank}D ${label}`, `${kind}Pooling${rank}d`, cfg, [x],
      { ...ex, ...(kind === 'average' && cfg.padding === 'same' ? avgSame(rank) : {}), ...spec });
    p(1, 'default', {}, [2, 7, 2]);
    p(1, 'pool 3 strides 1 valid', { poolSize: 3, strides: 1 }, [2, 6, 2]);
    p(1, 'pool 3 strides 2 same', { poolSize: 3, strides: 2, padding: 'same' }, [2, 7, 2]);
    p(2, 'default', {}, [2, 4, 5, 2]);
    p(2, 'pool 3 strides 1 same', { poolSize: 3, strides: 1, padding: 'same' }, [1, 4, 4, 2]);
    p(2, 'pool [2,3] strides [1,2] valid', { poolSize: [2, 3], strides: [1, 2] }, [1, 4, 6, 2]);
    p(2, 'pool 3 strides 2 same', { poolSize: 3, strides: 2, padding: 'same' }, [1, 5, 5, 1]);
    p(3, 'default', {}, [1, 4, 4, 4, 1]);
    p(3, 'pool 2 strides 1 valid', { poolSize: 2, strides: 1 }, [1, 3, 3, 3, 2]);
    p(3, 'pool 3 strides 2 same', { poolSize: 3, strides: 2, padding: 'same' }, [1, 3, 4, 3, 1]);
    p(3, 'pool 2 strides 3 same', { poolSize: 2, strides: 3, padding: 'same' }, [1, 4, 5, 4, 1], same3d);
  }
  for (const kind of ['Max', 'Average']) {
    const ex = kind === 'Max' ? { exact: true } : {};
    c(`Global${kind}Pooling1D`, `global${kind}Pooling1d`, {}, [[2, 5, 3]], ex);
    c(`Global${kind}Pooling2D`, `global${kind}Pooling2d`, {}, [[2, 3, 4, 3]], ex);
  }
  c('UpSampling2D default', 'upSampling2d', {}, [[2, 2, 3, 2]], R.linear);
  c('UpSampling2D size=[2,3]', 'upSampling2d', { size: [2, 3] }, [[1, 2, 2, 2]]);
  c('UpSampling2D bilinear', 'upSampling2d', { size: [2, 2], interpolation: 'bilinear' }, [[1, 3, 2, 2]], R.linear);
  c('UpSampling2D bilinear size=[1,3]', 'upSampling2d', { size: [1, 3], interpolation: 'bilinear' }, [[1, 2, 2, 1]], R.linear);
  c('ZeroPadding2D default', 'zeroPadding2d', {}, [[1, 2, 3, 2]]);
  c('ZeroPadding2D padding=[2,1]', 'zeroPadding2d', { padding: [2, 1] }, [[1, 2, 3, 2]]);
  c('ZeroPadding2D padding=[[1,0],[0,2]]', 'zeroPadding2d', { padding: [[1, 0], [0, 2]] }, [[1, 2, 3, 2]]);
  c('Cropping2D cropping=1', 'cropping2D', { cropping: 1 }, [[1, 4, 4, 2]]);
  c('Cropping2D cropping=[[1,0],[0,2]]', 'cropping2D', { cropping: [[1, 0], [0, 2]] }, [[1, 4, 5, 2]]);
});

group('normalization', () => {
  const noBeta = 'TF.js 4.22 cannot run BatchNormalization in training mode without center and scale (it reads the absent beta/gamma)';
  const bn = (label, cfg, x, training, spec = {}) => c(`BatchNormalization ${label}${training ? ' training' : ''}`, 'batchNormalization', cfg, [x], { training, ...spec });
  for (const training of [false, true]) {
    bn('default', {}, [4, 3], training);
    bn('rank 4', {}, [2, 3, 2, 3], training);
    bn('axis=1 rank 3', { axis: 1 }, [3, 2, 4], training, R.batchNormOnly(
      "TF.js 4.22's cpu batchNorm kernel broadcasts mean/variance/gamma/beta by flat index modulo their size, wrong for axis ≠ −1"));
    bn('center=false', { center: false }, [4, 3], training, training ? R.batchNormOnly(noBeta) : R.batchNorm);
    bn('center=false scale=false epsilon=0.01', { center: false, scale: false, epsilon: 0.01 }, [4, 3], training, training ? R.batchNormOnly(noBeta) : R.batchNorm);
  }
  bn('momentum=0.9 scale=false', { momentum: 0.9, scale: false }, [3, 2, 3], false, R.batchNorm);
  c('LayerNormalization default', 'layerNormalization', {}, [[3, 4]]);
  c('LayerNormalization rank 3', 'layerNormalization', {}, [[2, 3, 4]]);
  c('LayerNormalization axis=[1,2]', 'layerNormalization', { axis: [1, 2] }, [[2, 3, 4]]);
  c('LayerNormalization center=false scale=false', 'layerNormalization', { center: false, scale: false, epsilon: 0.01 }, [[2, 3, 4]], R.layerNorm);
  c('LayerNormalization center=false', 'layerNormalization', { center: false }, [[2, 3, 4]], R.layerNorm);
  c('LayerNormalization axis=1 rank 3', 'layerNormalization', { axis: 1 }, [[2, 3, 4]]);
});

group('recurrent', () => {
  const x = [2, 4, 3];
  const rnn = (cls, factory) => (label, cfg, spec = {}) => c(`${cls} ${label}`, factory, { units: 3, ...cfg }, [spec.x ?? x], spec);
  const simple = rnn('SimpleRNN', 'simpleRNN');
  simple('default', {});
  simple('return_sequences', { returnSequences: true });
  simple('go_backwards return_sequences', { goBackwards: true, returnSequences: true });
  simple('relu use_bias=false', { activation: 'relu', useBias: false });
  simple('return_state', { returnState: true });
  const lstm = rnn('LSTM', 'lstm');
  lstm('default', {});
  lstm('return_sequences', { returnSequences: true });
  lstm('go_backwards', { goBackwards: true });
  lstm('recurrent_activation=sigmoid activation=relu', { recurrentActivation: 'sigmoid', activation: 'relu', returnSequences: true });
  lstm('recurrent_activation=hard_sigmoid', { recurrentActivation: 'hardSigmoid' });
  lstm('unit_forget_bias=false use_bias=false', { unitForgetBias: false, useBias: false, returnSequences: true });
  lstm('return_state', { returnState: true, returnSequences: true });
  lstm('with mask', { returnSequences: true }, { mask: [[1, 1, 1, 0], [1, 1, 0, 0]], note: 'applied with apply(x, { mask })' });
  const gru = rnn('GRU', 'gru');
  gru('default', {});
  gru('return_sequences', { returnSequences: true });
  gru('go_backwards return_sequences', { goBackwards: true, returnSequences: true });
  gru('recurrent_activation=sigmoid', { recurrentActivation: 'sigmoid' });
  gru('recurrent_activation=hard_sigmoid activation=relu', { recurrentActivation: 'hardSigmoid', activation: 'relu' });
  gru('use_bias=false', { useBias: false, returnSequences: true });
  gru('return_state', { returnState: true });
  for (const mergeMode of ['concat', 'sum', 'mul', 'ave']) {
    c(`Bidirectional LSTM merge_mode=${mergeMode}`, 'bidirectional', { mergeMode, layer: (name) => tf.layers.lstm({ name, units: 2, returnSequences: true, recurrentActivation: 'sigmoid' }) }, [[2, 3, 3]]);
  }
  c('Bidirectional GRU merge_mode=concat', 'bidirectional', { mergeMode: 'concat', layer: (name) => tf.layers.gru({ name, units: 2 }) }, [[2, 3, 3]]);
  c('Bidirectional SimpleRNN merge_mode=sum', 'bidirectional', { mergeMode: 'sum', layer: (name) => tf.layers.simpleRNN({ name, units: 2, returnSequences: true }) }, [[2, 3, 3]]);
  c('TimeDistributed Dense', 'timeDistributed', { layer: (name) => tf.layers.dense({ name, units: 2, activation: 'tanh' }) }, [[2, 3, 4]]);
  c('TimeDistributed Conv2D', 'timeDistributed', { layer: (name) => tf.layers.conv2d({ name, filters: 2, kernelSize: 2 }) }, [[1, 2, 3, 3, 1]]);
});

group('merge', () => {
  const two = [[2, 3], [2, 3]];
  c('Add', 'add', {}, two);
  c('Add three inputs', 'add', {}, [[2, 3], [2, 3], [2, 3]]);
  c('Multiply', 'multiply', {}, two);
  c('Average', 'average', {}, two);
  c('Maximum', 'maximum', {}, two, { exact: true });
  c('Minimum', 'minimum', {}, [[2, 2, 3], [2, 2, 3]], { exact: true });
  c('Concatenate default axis', 'concatenate', {}, [[2, 3], [2, 2]]);
  c('Concatenate axis=1 rank 3', 'concatenate', { axis: 1 }, [[2, 2, 3], [2, 1, 3]]);
  c('Concatenate three inputs', 'concatenate', { axis: -1 }, [[2, 2, 1], [2, 2, 2], [2, 2, 3]]);
  c('Dot axes=1', 'dot', { axes: 1 }, [[2, 4], [2, 4]]);
  c('Dot axes=-1 normalize', 'dot', { axes: -1, normalize: true }, [[2, 4], [2, 4]]);
  c('Dot rank 3 axes=[2,2]', 'dot', { axes: [2, 2] }, [[2, 3, 4], [2, 2, 4]]);
  c('Dot rank 3 axes=[1,1]', 'dot', { axes: [1, 1] }, [[2, 3, 4], [2, 3, 2]]);
});

// ---------------------------------------------------------------- evaluation

const storeT = (t) => ({ shape: t.shape, values: Array.from(t.dataSync(), (v) => (t.dtype === 'float32' ? short(v) : v)) });
let varCount = 0;

/** The layer's entry in a model.json: a one-layer functional model's toJSON(), as TF.js writes files. */
function modelJsonEntry(layer, inputSpecs) {
  const symbolic = inputSpecs.map((s) => tf.input({ shape: s.shape.slice(1), dtype: s.dtype }));
  const out = layer.apply(symbolic.length === 1 ? symbolic[0] : symbolic);
  const model = tf.model({ inputs: symbolic, outputs: out });
  const json = model.toJSON(null, false);
  const entry = json.config.layers.find((l) => l.name === layer.name);
  if (!entry) throw new Error(`layer ${layer.name} missing from model.toJSON()`);
  return { class_name: entry.class_name, config: entry.config };
}

function slug(name) {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
}

function evaluate(spec) {
  const r = rng(hash(spec.name));
  const q = spec.exact ? (v) => f32(v) : (v) => f32(Number(v.toPrecision(4)));
  const cfg = { ...spec.config, name: slug(spec.name) };
  if (typeof cfg.layer === 'function') cfg.layer = cfg.layer(`${cfg.name}_inner`);
  const layer = tf.layers[spec.factory](cfg);

  const inputs = spec.inputs.map((s) => {
    const o = Array.isArray(s) ? { shape: s, dtype: 'float32' } : s;
    const values = o.dtype === 'int32'
      ? Array.from({ length: size(o.shape) }, () => o.lo + Math.floor(r.next() * (o.hi - o.lo + 1)))
      : Array.from({ length: size(o.shape) }, () => q(r.normal() * (spec.scale ?? 1)));
    return { shape: o.shape, dtype: o.dtype, values };
  });
  if (spec.zeroSteps) {
    const [, T, C] = inputs[0].shape;
    for (const [b, t] of spec.zeroSteps) for (let k = 0; k < C; k++) inputs[0].values[(b * T + t) * C + k] = spec.config.maskValue ?? 0;
  }
  const { class_name, config } = modelJsonEntry(layer, inputs);
  Object.assign(config, spec.configPatch);

  // Deterministic weights, in getWeights() order.
  const weights = layer.weights.map((w) => {
    const values = weightValues(w.originalName ?? w.name, w.shape, r).map(q);
    return { name: w.originalName ?? w.name, shape: w.shape, trainable: w.trainable, values };
  });
  layer.setWeights(weights.map((w) => tf.tensor(w.values, w.shape)));

  const out = { name: spec.name, class_name, config };
  if (spec.training) out.training = true;
  if (spec.note) out.note = spec.note;
  out.inputs = inputs.map((x) => ({ shape: x.shape, dtype: x.dtype, values: x.values.map((v) => (x.dtype === 'float32' ? short(v) : v)) }));
  const kwargs = { training: !!spec.training };
  if (spec.mask) {
    out.mask = { shape: [spec.mask.length, spec.mask[0].length], values: spec.mask.flat() };
    kwargs.mask = tf.cast(tf.tensor2d(spec.mask), 'bool');
  }
  out.weights = weights.map((w) => ({ ...w, values: w.values.map(short) }));

  const xs = inputs.map((x) => tf.tensor(x.values, x.shape, x.dtype));
  const layerCall = (ins) => [layer.apply(ins.length === 1 ? ins[0] : ins, kwargs)].flat();
  const call = spec.ref ? (ins) => [spec.ref(ins, layer, kwargs)].flat() : layerCall;
  const ys = call(xs);
  if (spec.ref && !spec.refOnly) {
    const own = layerCall(xs);
    own.forEach((y, i) => {
      const gap = tf.max(tf.abs(tf.sub(y, ys[i]))).dataSync()[0];
      if (!(gap <= 1e-5 * (1 + tf.max(tf.abs(y)).dataSync()[0]))) throw new Error(`composed reference differs from the layer by ${gap}`);
    });
  }
  out.outputs = ys.map(storeT);
  if (spec.grad === false) return out;
  if (spec.linear) {
    // Column j of the Jacobian is the output for the unit input e_j; the gradient is its dot with dy.
    const dy = tf.tensor(Array.from({ length: ys[0].size }, () => q(r.normal())), ys[0].shape);
    const n = xs[0].size;
    const g = Array.from({ length: n }, (_, j) => {
      const e = tf.tensor(Array.from({ length: n }, (_, k) => (k === j ? 1 : 0)), xs[0].shape);
      return f32(tf.sum(tf.mul(layerCall([e])[0], dy)).dataSync()[0]);
    });
    out.dy = [storeT(dy)];
    out.grads = { inputs: [{ shape: xs[0].shape, values: g.map(short) }], weights: [] };
    return out;
  }

  const dys = ys.map((y) => tf.tensor(Array.from({ length: y.size }, () => q(r.normal())), y.shape));
  // The inputs become variables so that one tf.variableGrads gives every gradient.
  const xVars = xs.map((x) => (x.dtype === 'float32' ? tf.variable(x, true, `golden_input_${varCount++}`) : null));
  const wVars = layer.trainableWeights.map((w) => w.read());
  const f = () => tf.addN(call(xs.map((x, i) => xVars[i] ?? x)).map((y, i) => tf.sum(tf.mul(y, dys[i]))));
  try {
    const { grads } = tf.variableGrads(f, [...xVars.filter(Boolean), ...wVars]);
    const pick = (v) => {
      const g = grads[v.name];
      if (!g) throw new Error(`no gradient for ${v.name}`);
      return storeT(g);
    };
    out.dy = dys.map(storeT);
    out.grads = { inputs: xVars.map((v) => (v ? pick(v) : null)), weights: wVars.map(pick) };
  } catch (e) {
    const why = `forward only: no TF.js gradient (${e.message.split('\n')[0]})`;
    out.note = out.note ? `${out.note}; ${why}` : why;
  }
  return out;
}

mkdirSync(outDir, { recursive: true });
const names = new Set();
let total = 0, bytes = 0;
const FORMAT = 'One case per line. Case = { name, class_name + config (the layer entry of a TF.js model.json, snake_case), '
  + 'training? (apply with training=true), inputs: [{shape, dtype, values}] (build with batch dim null), mask?: {shape, values} (0/1, apply(x, {mask})), '
  + 'weights: [{name, shape, trainable, values}] (TF.js getWeights() order), outputs: [{shape, values}], '
  + 'dy?: [{shape, values}] per output, grads?: { inputs: [{shape, values} | null (int input)], weights: [{shape, values}] per TRAINABLE weight } '
  + '= d(Σ outputs·dy)/d(.), note?: why forward only (TF.js 4.22 lacks the gradient or has a wrong one: Strata checks those by finite differences in its own layer tests). '
  + 'Regenerate: node scripts/make-golden-layers.mjs.';
for (const [name, specs] of Object.entries(groups)) {
  const cases = [];
  for (const s of specs) {
    if (names.has(s.name)) throw new Error(`duplicate case name ${s.name}`);
    names.add(s.name);
    try {
      cases.push(evaluate(s));
    } catch (e) {
      throw new Error(`${s.name}: ${e.message}`);
    }
  }
  const head = { $comment: FORMAT, generator: 'scripts/make-golden-layers.mjs', tfjs: tf.version.tfjs, backend: tf.getBackend() };
  const text = `${JSON.stringify(head).slice(0, -1)},\n"cases": [\n${cases.map((k) => JSON.stringify(k)).join(',\n')}\n]}\n`;
  writeFileSync(join(outDir, `${name}.json`), text);
  total += cases.length;
  bytes += Buffer.byteLength(text);
  const fwd = cases.filter((k) => !k.grads).map((k) => k.name);
  log(`${name}.json: ${cases.length} cases, ${(Buffer.byteLength(text) / 1024).toFixed(1)} KiB${fwd.length ? `; forward only: ${fwd.join(', ')}` : ''}`);
}
log(`${total} cases, ${(bytes / 1024).toFixed(1)} KiB in ${outDir}, ${((performance.now() - t0) / 1000).toFixed(2)} s`);
