/**
 * Strata: neural networks in TypeScript with Keras/TensorFlow.js conventions. This is the Node
 * entry (package.json `exports` condition `node`, and `main`); index.browser.ts is the browser one,
 * and both re-export the platform-neutral core (core.ts).
 * @example
 * import * as st from 'strata';
 * const w = st.variable(st.randomNormal([3, 1], { seed: 1 }));
 * const { grads: [dw] } = st.valueAndGrads(() => st.sum(st.square(st.matmul(x, w))), [w]);
 */
// Registers the native backend (the default, by priority) where it was built and loads.
import './kernels/native/register.js';
// Model files on disk (folders, file://, *.onnx, *.keras), Keras HDF5 reads in a worker thread, and local files for st.data.csv.
import './io/register-node.js';
import './io/keras/h5-run-node.js';
import './data/register-node.js';

export * from './core.js';
export * as callbacks from './callbacks/index.js';
export * as node from './node/index.js';
export * as io from './io/index.js';
export * as datasets from './datasets/index.js';
export * as data from './data/index.js';
