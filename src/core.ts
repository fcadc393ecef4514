/**
 * The platform-neutral core of Strata: everything both builds export. The entries add what is
 * theirs — index.ts (Node: native backend, files, st.node, dataset loaders) and index.browser.ts
 * (browser storages, st.browser) — and their own `io`, `callbacks`, `data` and `datasets`
 * namespaces. Nothing reachable from here may import a `node:` module (a test bundles the browser
 * entry with esbuild for the browser platform to check it).
 */
import { setGradientAdder } from './autograd/tape.js';
import { add } from './ops/arithmetic.js';
// http(s):// model loads, on every platform.
import './io/register-http.js';
// Installs the chained methods (t.reshape(...), t.mul(2), ...) on Tensor and so on Variable.
import './compat/tensor-methods.js';

setGradientAdder(add);

export { Tensor, type NestedArray } from './tensor/tensor.js';
export { type DType, type TypedArray } from './tensor/dtype.js';
export {
  tensor, scalar, fill, zeros, ones, zerosLike, onesLike, range, eye,
  randomNormal, randomUniform, truncatedNormal, toTensor,
  type TensorLike, type RandomNormalOptions, type RandomUniformOptions,
} from './tensor/create.js';
export { setSeed, Random } from './tensor/random.js';
export { Variable, variable, type VariableOptions } from './autograd/variable.js';
export { noGrad, type ValueAndGrads } from './autograd/tape.js';
export { valueAndGrads, grads, grad, valueAndGrad, variableGrads, type NamedGradients } from './autograd/gradient-functions.js';
export { getBackend, setBackend, listBackends, registerBackend, BACKEND_PRIORITY, setThreads, getThreads } from './kernels/registry.js';
export type { Backend } from './kernels/backend.js';
export { StrataError, ShapeError, DTypeError, ConfigError, GradientError } from './errors.js';
export * from './ops/index.js';
export * as testing from './testing/index.js';
export * as initializers from './initializers/index.js';
export * as layers from './layers/index.js';
export * as activations from './activations/index.js';
export * as regularizers from './regularizers/index.js';
export * as constraints from './constraints/index.js';
export * as losses from './losses/index.js';
export * as metrics from './metrics/index.js';
export { Model, type SummaryRow, type EvaluateOptions } from './model/model.js';
// TF.js's name for the same class (`m instanceof tf.LayersModel`, as the cart-pole example checks).
export { Model as LayersModel } from './model/model.js';
export { Sequential, sequential, type SequentialOptions } from './model/sequential.js';
export { Functional, model, type FunctionalOptions } from './model/functional.js';
export { InputLayer, input, type InputOptions } from './model/input.js';
export { SymbolicTensor, type InputSpec } from './layers/symbolic.js';
export type { CompileArgs } from './model/compile.js';
export type { FitOptions, YieldEvery } from './model/fit.js';
export type { FitDatasetOptions, EvaluateDatasetOptions, DatasetLike, IteratorLike } from './model/fit-dataset.js';
export type { TensorOrList, Batch, BatchSource } from './model/data.js';
export * as optimizers from './optimizers/index.js';
export { loadLayersModel } from './io/load.js';
export { loadOnnxModel, type OnnxLoadOptions } from './io/onnx/import.js';
// Keras .keras / .h5 files; HDF5 runs in the worker each entry installs (io/keras/h5-runner.ts).
export { loadKerasModel, type KerasLoadOptions, type KerasSource } from './io/keras/load-keras.js';
export { ModelFileError } from './io/errors.js';
// TensorFlow.js surface (`import * as tf from 'strata'`): thin aliases over the above.
export * as train from './compat/train.js';
export { tensor1d, tensor2d, tensor3d, tensor4d, tensor5d, tensor6d } from './compat/tensor-nd.js';
export { TensorBuffer, buffer } from './compat/buffer.js';
export * as util from './compat/util.js';
export { tidy, dispose, keep, memory, nextFrame, ready, type MemoryInfo } from './compat/engine.js';
export { multinomial } from './compat/multinomial.js';
export * as serialization from './compat/serialization.js';
export * as models from './compat/models.js';
