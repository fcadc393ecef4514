/** Keras activations (Strata's built-in table, by name) as ONNX opset-13 nodes. */
import { ModelFileError } from '../errors.js';
import type { OnnxGraph } from './graph-builder.js';

const SELU_ALPHA = 1.6732632423543772, SELU_SCALE = 1.0507009873554805;

/**
 * Appends `activation` (a Keras name) applied to `x`; returns the output name. `where` names the
 * layer for the error when the activation has no ONNX form here (a user function, say).
 */
export function emitActivation(g: OnnxGraph, name: string, x: string, where: string): string {
  switch (name) {
    case 'linear': return x;
    case 'relu': return g.op('Relu', [x]);
    case 'relu6': return g.op('Clip', [x, g.floats('zero', [0], []), g.floats('six', [6], [])]);
    case 'elu': return g.op('Elu', [x], { alpha: { f: 1 } });
    case 'selu': return g.op('Selu', [x], { alpha: { f: SELU_ALPHA }, gamma: { f: SELU_SCALE } });
    case 'leaky_relu': return g.op('LeakyRelu', [x], { alpha: { f: 0.2 } });
    case 'sigmoid': return g.op('Sigmoid', [x]);
    case 'hard_sigmoid': return g.op('HardSigmoid', [x], { alpha: { f: 0.2 }, beta: { f: 0.5 } });
    case 'hard_sigmoid_keras3': return g.op('HardSigmoid', [x], { alpha: { f: 1 / 6 }, beta: { f: 0.5 } });
    case 'tanh': return g.op('Tanh', [x]);
    case 'softplus': return g.op('Softplus', [x]);
    case 'softsign': return g.op('Softsign', [x]);
    case 'swish': case 'silu': return g.op('Mul', [x, g.op('Sigmoid', [x])]);
    case 'mish': return g.op('Mul', [x, g.op('Tanh', [g.op('Softplus', [x])])]);
    case 'softmax': return g.op('Softmax', [x], { axis: -1 });
    case 'log_softmax': return g.op('LogSoftmax', [x], { axis: -1 });
    case 'exponential': return g.op('Exp', [x]);
    case 'gelu': { // 0.5·x·(1 + erf(x/√2)); Gelu itself is opset 20
      const e = g.op('Erf', [g.op('Mul', [x, g.floats('inv_sqrt2', [Math.SQRT1_2], [])])]);
      return g.op('Mul', [g.op('Mul', [x, g.floats('half', [0.5], [])]), g.op('Add', [e, g.floats('one', [1], [])])]);
    }
    case 'gelu_new': { // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
      const x3 = g.op('Mul', [g.op('Mul', [x, x]), x]);
      const inner = g.op('Add', [x, g.op('Mul', [x3, g.floats('c', [0.044715], [])])]);
      const t = g.op('Tanh', [g.op('Mul', [inner, g.floats('sqrt_2_pi', [Math.sqrt(2 / Math.PI)], [])])]);
      return g.op('Mul', [g.op('Mul', [x, g.floats('half', [0.5], [])]), g.op('Add', [t, g.floats('one', [1], [])])]);
    }
    default:
      throw new ModelFileError(`exportOnnx: ${where} uses activation '${name}', which cannot be exported to ONNX yet ` +
        `(a custom function, or one without an ONNX form here); use a built-in activation such as 'relu' or 'tanh'`);
  }
}
