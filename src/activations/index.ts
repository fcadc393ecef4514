import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import * as ops from '../ops/index.js';
import { type FusedActivation, biasActivation } from '../ops/bias-activation.js';
import { type DenseActivation, denseForward } from '../ops/dense.js';
import { isRecording } from '../autograd/tape.js';
import type { RnnActivation } from '../kernels/rnn-kernels.js';

/** An activation: its Keras name (written to model files) and the function. */
export interface Activation {
  readonly name: string;
  apply(x: Tensor): Tensor;
}

type Fn = (x: Tensor) => Tensor;

// Keras names, as model files write them; each also answers to its camelCase spelling.
const TABLE: Record<string, Fn> = {
  linear: (x) => x,
  relu: ops.relu,
  relu6: ops.relu6,
  elu: (x) => ops.elu(x),
  selu: ops.selu,
  leaky_relu: (x) => ops.leakyRelu(x, 0.2),
  sigmoid: ops.sigmoid,
  // Files written by TensorFlow.js and Keras 2 mean clip(0.2x + 0.5); Keras 3's form has its own name here.
  hard_sigmoid: (x) => ops.hardSigmoid(x, 'keras2'),
  hard_sigmoid_keras3: (x) => ops.hardSigmoid(x, 'keras3'),
  tanh: ops.tanh,
  softplus: ops.softplus,
  softsign: ops.softsign,
  swish: ops.swish,
  silu: ops.swish,
  gelu: (x) => ops.gelu(x, false),
  // TensorFlow.js' name for the tanh approximation.
  gelu_new: (x) => ops.gelu(x, true),
  mish: ops.mish,
  softmax: (x) => ops.softmax(x, -1),
  log_softmax: (x) => ops.logSoftmax(x, -1),
  exponential: ops.exp,
};

const ALIASES: Record<string, string> = { leakyrelu: 'leaky_relu', hardsigmoid: 'hard_sigmoid', hardsigmoidkeras3: 'hard_sigmoid_keras3',
  logsoftmax: 'log_softmax', geluapproximate: 'gelu_new', gelutanh: 'gelu_new', exp: 'exponential', none: 'linear' };

/** Names accepted by `getActivation` (Keras spelling). */
export const ACTIVATION_NAMES = Object.keys(TABLE);

/**
 * Resolves an activation by name ('relu', 'leakyRelu', 'leaky_relu', 'hardSigmoid', ...), an
 * Activation object, or a plain function (which cannot be saved to a model file by name).
 */
export function getActivation(id: string | Activation | Fn | null | undefined, where = 'activation'): Activation {
  if (id === undefined || id === null) return { name: 'linear', apply: TABLE.linear };
  if (typeof id === 'function') return { name: id.name || 'custom', apply: id };
  if (typeof id === 'object' && typeof id.apply === 'function') return id;
  if (typeof id === 'string') {
    const key = id.replace(/_/g, '').toLowerCase();
    const name = ALIASES[key] ?? ACTIVATION_NAMES.find((n) => n.replace(/_/g, '') === key);
    if (name) return { name, apply: TABLE[name] };
  }
  throw new ConfigError(`${where}: unknown activation ${JSON.stringify(id)}; use one of ${ACTIVATION_NAMES.join(', ')} or a function`);
}

// Activations the layers fuse with their bias add (src/ops/bias-activation.ts), by Keras name.
const FUSED: Record<string, FusedActivation> = { linear: 'linear', relu: 'relu', sigmoid: 'sigmoid', tanh: 'tanh', elu: 'elu', selu: 'selu' };

/**
 * activation(x + bias) for a dense or convolution layer (bias [C] along the last axis, or null).
 * Built-in activations whose derivative follows from their output run as one fused op; others
 * (and custom functions) as a broadcast add, then the activation.
 */
export function applyBiasActivation(x: Tensor, bias: Tensor | null, activation: Activation): Tensor {
  const kind = fusedActivationOf(activation);
  if (bias && kind) return biasActivation(x, bias, kind, 1);
  return activation.apply(bias ? ops.add(x, bias) : x);
}

/**
 * activation(x · kernel + bias) for a dense layer (kernel [inDim, units], its weights). Outside a
 * gradient tape (predict, evaluate) float32 layers with a built-in fused activation or softmax run as
 * one fused op, the kernel packed once for the GEMM while it is unchanged; while a tape records
 * (training), and otherwise, as matmul then applyBiasActivation, the ops the gradient is recorded through.
 */
export function applyDense(x: Tensor, kernel: Tensor, bias: Tensor | null, activation: Activation): Tensor {
  const kind = isRecording() ? null : denseActivationOf(activation);
  if (kind && x.dtype === 'float32' && kernel.dtype === 'float32' && (!bias || bias.dtype === 'float32') && x.rank >= 2 && kernel.rank === 2) {
    return denseForward(x, kernel, bias, kind, true);
  }
  return applyBiasActivation(ops.matmul(x, kernel), bias, activation);
}

/** The dense fused op's name for a built-in activation (softmax included), or null. */
function denseActivationOf(activation: Activation): DenseActivation | null {
  if (activation.name === 'softmax' && activation.apply === TABLE.softmax) return 'softmax';
  return fusedActivationOf(activation);
}

/** Whether `activation` is one of the library's own (not a user function), under its own name. */
export function isBuiltinActivation(activation: Activation): boolean {
  return activation.apply === TABLE[activation.name];
}

/** The fused kernels' name for a built-in activation, or null (a user function, or one they lack). */
export function fusedActivationOf(activation: Activation): FusedActivation | null {
  const kind = FUSED[activation.name];
  return kind !== undefined && activation.apply === TABLE[activation.name] ? kind : null;
}

// Activations the fused recurrent kernels apply themselves, by Keras name.
const RNN_FUSED: Record<string, RnnActivation> = {
  linear: 'linear', tanh: 'tanh', sigmoid: 'sigmoid', hard_sigmoid: 'hardSigmoid', hard_sigmoid_keras3: 'hardSigmoidKeras3', relu: 'relu',
};

/**
 * The fused recurrent kernels' name for a built-in activation they apply themselves, or null (a
 * user function, or one they do not have: the layer then runs its per-step path).
 */
export function fusedRnnActivation(act: Activation): RnnActivation | null {
  const name = RNN_FUSED[act.name];
  return name !== undefined && act.apply === TABLE[act.name] ? name : null;
}
