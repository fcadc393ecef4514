/**
 * ONNX's RNN, LSTM and GRU ops → Strata's SimpleRNN, LSTM and GRU (in a Bidirectional wrapper for
 * direction 'bidirectional'). ONNX stores per direction W [gates·H, in], R [gates·H, H] and
 * B [Wb; Rb], LSTM gates in the order i, o, f, c and GRU gates z, r, h; Keras stores kernel
 * [in, gates·H], recurrent kernel [H, gates·H], LSTM gates i, f, c, o, and one bias (Wb + Rb),
 * except GRU with linear_before_reset = 1 (Keras resetAfter), whose bias is [2, 3H] = [Wb; Rb].
 * ONNX is time-major: the view records that, so PyTorch's batch_first Transposes cost nothing.
 */
import { Bidirectional } from '../../layers/bidirectional.js';
import type { Layer } from '../../layers/layer.js';
import { Concatenate } from '../../layers/merge.js';
import { Reshape } from '../../layers/reshaping.js';
import { GRU, LSTM, SimpleRNN } from '../../layers/rnn-layers.js';
import type { SymbolicTensor } from '../../layers/symbolic.js';
import type { ImportContext, OpHandler, Stored, Sym } from './import-context.js';

/** For each Keras gate block, the ONNX block it comes from. */
const KERAS_FROM_ONNX = { RNN: [0], LSTM: [0, 2, 3, 1], GRU: [0, 1, 2] };
const ACTIVATIONS: Record<string, string> = { Sigmoid: 'sigmoid', Tanh: 'tanh', Relu: 'relu' };
const DEFAULT_ACTS = { RNN: ['Tanh'], LSTM: ['Sigmoid', 'Tanh', 'Tanh'], GRU: ['Sigmoid', 'Tanh'] };

type Weight = { data: Float32Array; shape: number[] };

/** Keras weights of direction `d` from ONNX's W, R, B. */
function kerasWeights(op: 'RNN' | 'LSTM' | 'GRU', d: number, W: Float32Array, R: Float32Array, B: Float32Array | null, I: number, H: number, resetAfter: boolean): Weight[] {
  const order = KERAS_FROM_ONNX[op], G = order.length;
  const matrix = (src: Float32Array, inDim: number): Float32Array => {
    const out = new Float32Array(inDim * G * H), base = d * G * H * inDim;
    order.forEach((og, kg) => {
      for (let j = 0; j < H; j++) for (let i = 0; i < inDim; i++) out[i * G * H + kg * H + j] = src[base + (og * H + j) * inDim + i];
    });
    return out;
  };
  const gateVector = (offset: number): Float32Array => {
    const out = new Float32Array(G * H);
    if (B) order.forEach((og, kg) => out.set(B.subarray(offset + og * H, offset + (og + 1) * H), kg * H));
    return out;
  };
  const wb = gateVector(d * 2 * G * H), rb = gateVector(d * 2 * G * H + G * H);
  const bias: Weight = resetAfter ? { data: Float32Array.of(...wb, ...rb), shape: [2, G * H] } : { data: wb.map((x, i) => x + rb[i]), shape: [G * H] };
  return [{ data: matrix(W, I), shape: [I, G * H] }, { data: matrix(R, H), shape: [H, G * H] }, bias];
}

const recurrent = (op: 'RNN' | 'LSTM' | 'GRU'): OpHandler => (cx, node) => {
  if (cx.has(node, 4)) cx.fail(node, 'has sequence_lens (per-sample lengths); Strata runs every step of every sample');
  for (const i of op === 'LSTM' ? [5, 6] : [5]) {
    if (!cx.has(node, i)) continue;
    const s = cx.const(node, i, i === 5 ? 'initial_h' : 'initial_c');
    const zero = s.fill !== undefined ? s.fill === 0 : (s.floats ?? s.ints ?? []).every((x) => x === 0);
    if (!zero) cx.fail(node, 'starts from a non-zero initial state; Strata reads zero initial states (PyTorch\'s default)');
  }
  if (op === 'LSTM' && cx.has(node, 7)) cx.fail(node, 'has peephole weights (P), which Keras\'s LSTM lacks');
  if (cx.attrInt(node, 'layout', 0) !== 0) cx.fail(node, 'has layout = 1 (batch-major); Strata reads the default time-major layout');
  if (node.attrs.clip !== undefined) cx.fail(node, 'clips its cell state (clip)');
  if (cx.attrInt(node, 'input_forget', 0) !== 0) cx.fail(node, 'couples the input and forget gates (input_forget)');
  const direction = cx.attrStr(node, 'direction', 'forward');
  if (!['forward', 'reverse', 'bidirectional'].includes(direction)) cx.fail(node, `has direction '${direction}'`);
  const D = direction === 'bidirectional' ? 2 : 1, G = KERAS_FROM_ONNX[op].length, H = cx.attrInt(node, 'hidden_size', 0);
  const Wc = cx.const(node, 1, 'W'), Rc = cx.const(node, 2, 'R');
  const I = Wc.dims[2];
  if (!(H > 0) || Wc.dims.join() !== [D, G * H, I].join() || Rc.dims.join() !== [D, G * H, H].join()) {
    cx.fail(node, `has W [${Wc.dims.join(', ')}] and R [${Rc.dims.join(', ')}], not [${D}, ${G * H}, in] and [${D}, ${G * H}, ${H}] for hidden_size ${H}`);
  }
  const B = cx.has(node, 3) ? cx.floats(node, 3, 'B') : null;
  if (B && B.length !== D * 2 * G * H) cx.fail(node, `has B of ${B.length} values, not ${D * 2 * G * H}`);
  const acts = (node.attrs.activations as string[] | undefined) ?? [...DEFAULT_ACTS[op], ...(D === 2 ? DEFAULT_ACTS[op] : [])];
  const per = DEFAULT_ACTS[op].length;
  if (!Array.isArray(acts) || acts.length !== per * D || acts.slice(per).some((a, i) => a !== acts[i])) cx.fail(node, `has activations ${JSON.stringify(acts)}; Strata reads the same ${per} per direction`);
  if (node.attrs.activation_alpha !== undefined || node.attrs.activation_beta !== undefined) cx.fail(node, 'has activation_alpha/beta');
  const names = acts.slice(0, per).map((a) => ACTIVATIONS[a] ?? cx.fail(node, `uses activation '${a}'; Strata reads ${Object.keys(ACTIVATIONS).join(', ')}`));
  if (op === 'LSTM' && names[1] !== names[2]) cx.fail(node, 'uses different cell and output activations, which Keras\'s LSTM shares');
  const resetAfter = op === 'GRU' && cx.attrInt(node, 'linear_before_reset', 0) === 1;

  const x = cx.arrange(node, cx.sym(node, 0), [1, 0, 2]); // ONNX [T, N, in] → Strata [N, T, in]
  if (x.shape[2] !== I) cx.fail(node, `gets ${x.shape[2]} input features, W expects ${I}`);
  const opts = {
    units: H, returnSequences: true, returnState: true, useBias: true,
    activation: op === 'RNN' ? names[0] : names[1], ...(op !== 'RNN' ? { recurrentActivation: names[0] } : {}),
    ...(op === 'GRU' ? { resetAfter } : {}),
  };
  const goBackwards = direction === 'reverse';
  const make = (): Layer => (op === 'LSTM' ? new LSTM({ ...opts, goBackwards }) : op === 'GRU' ? new GRU({ ...opts, goBackwards }) : new SimpleRNN({ ...opts, goBackwards }));
  const weights = Array.from({ length: D }, (_, d) => kerasWeights(op, d, cx.floats(node, 1, 'W'), cx.floats(node, 2, 'R'), B, I, H, resetAfter)).flat();
  const layer = D === 2 ? new Bidirectional({ layer: make(), mergeMode: 'concat' }) : make();
  const outs = cx.apply(node, layer, x, weights);
  const nStates = op === 'LSTM' ? 2 : 1;
  const T = x.shape[1];
  const used = (i: number): boolean => i < node.outputs.length && node.outputs[i] !== '' && cx.consumers.has(node.outputs[i]);
  const result: (Stored | undefined)[] = [];
  // Y: [T, D, N, H]. Bidirectional concatenates forward then backward features: split as [T, 2, H].
  if (used(0)) {
    result[0] = D === 1 ? { kind: 'sym', t: outs[0], axes: [1, -1, 0, 2] }
      : { kind: 'sym', t: cx.apply(node, new Reshape({ targetShape: [T ?? -1, 2, H] }), outs[0])[0], axes: [1, 2, 0, 3] };
  }
  if (goBackwards && result[0]) result[0] = { kind: 'reversed', inner: result[0] as Sym, axis: 0 };
  // Y_h, Y_c: [D, N, H] from the forward (and backward) final states.
  for (let s = 0; s < nStates; s++) {
    if (!used(s + 1)) continue;
    const states: SymbolicTensor[] = D === 1 ? [outs[1 + s]] : [outs[1 + s], outs[1 + nStates + s]];
    result[s + 1] = D === 1 ? { kind: 'sym', t: states[0], axes: [-1, 0, 1] } : {
      kind: 'sym', axes: [1, 0, 2],
      t: cx.apply(node, new Reshape({ targetShape: [2, H] }), cx.apply(node, new Concatenate({ axis: -1 }), states)[0])[0],
    };
  }
  return result;
};

/** Handlers of this file, by ONNX op type. */
export const RECURRENT_OPS: Record<string, OpHandler> = { RNN: recurrent('RNN'), LSTM: recurrent('LSTM'), GRU: recurrent('GRU') };
