/**
 * Whether a model's training step may recycle its large arrays (tensor/buffer-pool.ts): only when
 * every piece of code the step runs is the library's own, so that nothing can keep an activation, a
 * gradient or a scratch array past the step except through a Variable (which `keepBuffer` notes).
 * A custom layer, activation, loss, metric, regularizer, constraint or optimizer subclass could stash
 * a tensor anywhere; then the step allocates as before and the garbage collector reclaims it.
 */
import { Layer } from '../layers/layer.js';
import { Dense } from '../layers/dense.js';
import { Conv1D, Conv2D, Conv3D } from '../layers/conv.js';
import { Conv1DTranspose, Conv2DTranspose, Conv3DTranspose } from '../layers/conv-transpose.js';
import { AveragePooling1D, AveragePooling2D, AveragePooling3D, MaxPooling1D, MaxPooling2D, MaxPooling3D } from '../layers/pooling.js';
import { Flatten, Reshape } from '../layers/reshaping.js';
import { Dropout } from '../layers/dropout.js';
import { Activation, ReLU, Softmax } from '../layers/activation-layer.js';
import { Embedding } from '../layers/embedding.js';
import { GRU, LSTM, SimpleRNN } from '../layers/rnn-layers.js';
import { RecurrentLayer } from '../layers/recurrent.js';
import { type Activation as ActivationFn, isBuiltinActivation } from '../activations/index.js';
import { Adadelta, Adagrad, Adam, Adamax, AdamW, Nadam, RMSprop, SGD } from '../optimizers/index.js';
import { InputLayer } from './input.js';
import type { Model } from './model.js';
import type { Compiled } from './compile.js';

/**
 * Layer classes whose `call` keeps no tensor (checked by reading them: outputs are returned, weights
 * are Variables). Exact classes: a subclass may override `call`.
 */
/** Model classes whose forward pass is the library's (sequential.ts and functional.ts register theirs: they import this module's importer). */
const safeModels = new Set<unknown>();

/** Registers a model class whose own forward pass keeps no tensor (exact class: subclasses are not covered). */
export function registerSafeModelClass(cls: abstract new (...args: never[]) => Model): void {
  safeModels.add(cls);
}

let safe: { layers: Set<unknown>; optimizers: Set<unknown> } | null = null;

/** The sets, made on first use. */
function safeClasses(): NonNullable<typeof safe> {
  safe ??= {
    layers: new Set([
      InputLayer, Dense, Conv1D, Conv2D, Conv3D, Conv1DTranspose, Conv2DTranspose, Conv3DTranspose,
      MaxPooling1D, MaxPooling2D, MaxPooling3D, AveragePooling1D, AveragePooling2D, AveragePooling3D,
      Flatten, Reshape, Dropout, Activation, ReLU, Softmax, Embedding, SimpleRNN, LSTM, GRU,
    ]),
    optimizers: new Set([SGD, Adam, AdamW, Adamax, Nadam, RMSprop, Adagrad, Adadelta]),
  };
  return safe;
}

/** An activation as layers hold it: a plain `{ name, apply }` object. */
function isActivation(v: unknown): v is ActivationFn {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype &&
    typeof (v as ActivationFn).apply === 'function';
}

/** Whether every activation-like field of `o` (and of a recurrent layer's cell settings) is built in. */
function builtinActivations(o: object, depth = 0): boolean {
  for (const v of Object.values(o)) {
    if (isActivation(v)) {
      if (!isBuiltinActivation(v)) return false;
    } else if (depth === 0 && typeof v === 'object' && v !== null && !(v instanceof Layer) && Object.getPrototypeOf(v) === Object.prototype) {
      if (!builtinActivations(v, 1)) return false;
    }
  }
  return true;
}

function safeLayer(layer: Layer): boolean {
  if (!safeClasses().layers.has(layer.constructor) || layer.hasPenaltiesOrConstraints) return false;
  if (layer instanceof RecurrentLayer && layer.stateful) return false;
  return builtinActivations(layer);
}

/** Every leaf of a compile argument (a name, a function, a list or a record of them) is a name. */
function allNames(arg: unknown): boolean {
  if (arg === undefined || arg === null || typeof arg === 'string') return true;
  if (Array.isArray(arg)) return arg.every(allNames);
  if (typeof arg === 'object' && Object.getPrototypeOf(arg) === Object.prototype) return Object.values(arg).every(allNames);
  return false;
}

/** Whether `model`'s forward pass runs only library code (so its intermediate arrays may be recycled). */
export function forwardRecycles(model: Model): boolean {
  return safeModels.has(model.constructor) && model.layers.every(safeLayer);
}

/** Whether `model`'s training step, as compiled in `c`, runs only library code (so its arrays may be recycled). */
export function recyclesStepBuffers(model: Model, c: Compiled): boolean {
  const { optimizers } = safeClasses();
  if (!optimizers.has(c.optimizer.constructor)) return false;
  if (!allNames(c.args.loss) || !allNames(c.args.metrics)) return false;
  return forwardRecycles(model);
}
