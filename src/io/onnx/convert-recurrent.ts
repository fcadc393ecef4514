/**
 * SimpleRNN, LSTM and GRU as ONNX's RNN, LSTM and GRU ops (sequence-first layout, one direction).
 * Keras stores LSTM gates i, f, c, o and ONNX wants i, o, f, c; GRU gates are z, r, h in both, and
 * Keras 3's resetAfter is ONNX's linear_before_reset. Kernels are transposed to ONNX's [gates·u, in].
 */
import type { Layer } from '../../layers/layer.js';
import { type Converter, refuse, weightData } from './convert-core.js';
import type { OnnxGraph } from './graph-builder.js';

// ONNX's activation names for the Keras activations its recurrent ops apply themselves. ONNX's
// HardSigmoid defaults (alpha 0.2, beta 0.5) are Keras 2's hard_sigmoid.
const RNN_ACTIVATIONS: Record<string, string> = {
  sigmoid: 'Sigmoid', tanh: 'Tanh', relu: 'Relu', hard_sigmoid: 'HardSigmoid', softsign: 'Softsign', softplus: 'Softplus',
};

const INT64_MIN = -(2 ** 63);

/** [in, gates·u] with Keras gate blocks `order` (indices into Keras's blocks) → ONNX [gates·u, in]. */
function gateRows(kernel: Float32Array, inDim: number, u: number, order: number[]): Float32Array {
  const g = order.length, out = new Float32Array(g * u * inDim);
  order.forEach((kg, og) => {
    for (let j = 0; j < u; j++) for (let i = 0; i < inDim; i++) out[(og * u + j) * inDim + i] = kernel[i * g * u + kg * u + j];
  });
  return out;
}

function gateVector(bias: Float32Array, u: number, order: number[]): Float32Array {
  const out = new Float32Array(order.length * u);
  order.forEach((kg, og) => out.set(bias.subarray(kg * u, (kg + 1) * u), og * u));
  return out;
}

const recurrent = (opType: 'RNN' | 'LSTM' | 'GRU', order: number[]): Converter => ({ g, layer, config, inputs, where }) => {
  if (inputs.length > 1) refuse(where, 'is given initial states as inputs');
  if (config.stateful) refuse(where, 'is stateful');
  const u = Number(config.units);
  const acts = opType === 'RNN' ? [config.activation] : opType === 'GRU'
    ? [config.recurrentActivation, config.activation] : [config.recurrentActivation, config.activation, config.activation];
  const activations = acts.map((a) => RNN_ACTIVATIONS[String(a)] ?? refuse(where, `uses activation '${String(a)}' inside the recurrence`));
  const ws = weightData(layer);
  const kShape = layer.getWeights()[0].shape, inDim = kShape[0];
  const gates = order.length;
  const W = g.floats(`${layer.name}/W`, gateRows(ws[0], inDim, u, order), [1, gates * u, inDim]);
  const R = g.floats(`${layer.name}/R`, gateRows(ws[1], u, u, order), [1, gates * u, u]);
  const ins = [g.op('Transpose', [inputs[0]], { perm: [1, 0, 2] }), W, R];
  if (config.useBias !== false && ws[2]) {
    // ONNX adds an input bias Wb and a recurrent bias Rb; Keras has one bias except GRU resetAfter's [2, 3u].
    const B = new Float32Array(2 * gates * u);
    const twoRows = ws[2].length === 2 * gates * u;
    B.set(gateVector(ws[2].subarray(0, gates * u), u, order), 0);
    if (twoRows) B.set(gateVector(ws[2].subarray(gates * u), u, order), gates * u);
    ins.push(g.floats(`${layer.name}/B`, B, [1, 2 * gates * u]));
  }
  const attrs: Record<string, number | string | number[] | { strings: string[] }> = {
    hidden_size: u, activations: { strings: activations }, direction: config.goBackwards ? 'reverse' : 'forward',
  };
  if (opType === 'GRU') attrs.linear_before_reset = config.resetAfter ? 1 : 0;
  const outs = g.node(opType, ins, attrs, opType === 'LSTM' ? 3 : 2, layer.name);
  let y: string;
  if (config.returnSequences) {
    let seq = g.op('Squeeze', [outs[0], g.ints('axis1', [1])]); // [seq, batch, u]
    // ONNX's reverse direction aligns outputs with the input steps; Keras returns them in processing order.
    if (config.goBackwards) seq = reverseTime(g, seq, 0);
    y = g.op('Transpose', [seq], { perm: [1, 0, 2] });
  } else y = g.op('Squeeze', [outs[1], g.ints('axis0', [0])]);
  if (!config.returnState) return [y];
  return [y, ...outs.slice(1).map((s) => g.op('Squeeze', [s, g.ints('axis0', [0])]))];
};

/** `x` reversed along `axis` (a Slice with step −1). */
function reverseTime(g: OnnxGraph, x: string, axis: number): string {
  return g.op('Slice', [x, g.ints('starts', [-1]), g.ints('ends', [INT64_MIN]), g.ints('axes', [axis]), g.ints('steps', [-1])]);
}

const CELLS: Record<string, Converter> = {
  SimpleRNN: recurrent('RNN', [0]), LSTM: recurrent('LSTM', [0, 3, 1, 2]), GRU: recurrent('GRU', [0, 1, 2]),
};

/**
 * Bidirectional: the forward and backward layers as two one-direction ops, the backward sequence
 * put back in input time order (as the layer does), then merged; states follow, forward first.
 */
const bidirectional: Converter = (a) => {
  const { g, layer, where } = a;
  const bi = layer as Layer & { forwardLayer: Layer; backwardLayer: Layer; mergeMode: string | null };
  const run = (l: Layer): string[] => {
    const convert = CELLS[l.className] ?? refuse(where, `wraps ${l.describe()}`);
    return convert({ ...a, layer: l, config: l.getConfig(), where: `${where} (${l.describe()})` });
  };
  const [y, ...fStates] = run(bi.forwardLayer);
  let [yRev, ...bStates] = run(bi.backwardLayer);
  const sequences = Boolean((bi.forwardLayer.getConfig()).returnSequences);
  if (sequences) yRev = reverseTime(g, yRev, 1);
  let merged: string[];
  switch (bi.mergeMode) {
    case 'concat': merged = [g.op('Concat', [y, yRev], { axis: -1 }, layer.name)]; break;
    case 'sum': merged = [g.op('Add', [y, yRev], {}, layer.name)]; break;
    case 'mul': merged = [g.op('Mul', [y, yRev], {}, layer.name)]; break;
    case 'ave': merged = [g.op('Mean', [y, yRev], {}, layer.name)]; break;
    default: merged = [y, yRev];
  }
  return [...merged, ...fStates, ...bStates];
};

/** Converters of this file, by Keras class name. */
export const RECURRENT_CONVERTERS: Record<string, Converter> = { ...CELLS, Bidirectional: bidirectional };
