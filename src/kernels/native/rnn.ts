import type { NativeAddon } from './addon.js';
import { Tensor } from '../../tensor/tensor.js';
import type { TypedArray } from '../../tensor/dtype.js';
import {
  type RnnActivation, type RnnCell, type RnnForward, type RnnGradients, type RnnInfo, type RnnInputs,
  type RnnKernels, type RnnOutputGradients, type RnnSaved, RNN_GATES,
} from '../rnn-kernels.js';
import { rnnKernels as js } from '../js/rnn.js';

/** The addon functions of native/src/bind-rnn.cc ("?" arguments may be null). */
interface RnnAddon {
  rnnForward(
    config: Int32Array, xp: Float32Array, kernel: Float32Array, bias: Float32Array | null, mask: Int32Array | null,
    recMask: Float32Array | null, h: Float32Array, c: Float32Array | null, gates: Float32Array, extra: Float32Array | null,
    hRec: Float32Array | null, sequence: Float32Array | null,
  ): void;
  rnnBackward(
    config: Int32Array, kernel: Float32Array, mask: Int32Array | null, recMask: Float32Array | null, h: Float32Array,
    c: Float32Array | null, gates: Float32Array, extra: Float32Array | null, hRec: Float32Array | null,
    dSequence: Float32Array | null, dh: Float32Array, dc: Float32Array | null, dxp: Float32Array, dKernel: Float32Array,
    dBias: Float32Array | null,
  ): void;
}

// The codes of native/src/rnn.h and rnn-math.h.
const CELL_CODE: Record<RnnCell, number> = { rnn: 0, lstm: 1, gru: 2 };
const ACT_CODE: Record<RnnActivation, number> = { linear: 0, tanh: 1, sigmoid: 2, hardSigmoid: 3, hardSigmoidKeras3: 4, relu: 5 };

function config(info: RnnInfo, save: boolean): Int32Array {
  return Int32Array.of(CELL_CODE[info.cell], info.batch, info.time, info.units, ACT_CODE[info.activation],
    ACT_CODE[info.recurrentActivation], info.resetAfter ? 1 : 0, info.goBackwards ? 1 : 0, save ? 1 : 0);
}

const f32 = (t: Tensor | null | undefined): Float32Array | null => (t ? (t.values as Float32Array) : null);
const isF32 = (t: Tensor | null | undefined): boolean => !t || t.values instanceof Float32Array;

/** The mask as the addon reads it: int32, non-zero = real step. */
function maskOf(mask: Tensor | null): Int32Array | null {
  if (!mask) return null;
  if (mask.values instanceof Int32Array) return mask.values;
  return Int32Array.from(mask.values as TypedArray, (v) => (v !== 0 ? 1 : 0));
}

/**
 * Native fused recurrent sequences: float32 runs in the addon (the batch split across threads when
 * the sequence is large), float64 (gradient checks) in the js reference, which gives the same
 * results up to float32 rounding.
 */
export function nativeRnnKernels(addon: NativeAddon): RnnKernels {
  const a = addon as NativeAddon & RnnAddon;

  function rnnSequence(inputs: RnnInputs, info: RnnInfo): RnnForward {
    const { xp, recurrentKernel, recurrentBias, h0, c0, recurrentMask } = inputs;
    if (![xp, recurrentKernel, recurrentBias, h0, c0, recurrentMask].every(isF32)) return js.rnnSequence(inputs, info);
    const { batch: B, time: T, units: u, save } = info;
    const G = RNN_GATES[info.cell] * u, steps = save ? T : 1;
    const h = new Float32Array((T + 1) * B * u);
    h.set(h0.values);
    const c = info.cell === 'lstm' ? new Float32Array((T + 1) * B * u) : null;
    if (c) c.set(c0!.values);
    const gates = new Float32Array(steps * B * G);
    const extra = info.cell === 'rnn' ? null : new Float32Array(steps * B * u);
    const hRec = recurrentMask ? new Float32Array(steps * B * u) : null;
    const sequence = info.returnSequences ? new Float32Array(B * T * u) : null;
    a.rnnForward(config(info, save), f32(xp)!, f32(recurrentKernel)!, f32(recurrentBias), maskOf(inputs.mask),
      f32(recurrentMask), h, c, gates, extra, hRec, sequence);
    const saved: RnnSaved | null = save ? {
      h: new Tensor(h, [T + 1, B, u]), c: c ? new Tensor(c, [T + 1, B, u]) : null, gates: new Tensor(gates, [T, B, G]),
      extra: extra ? new Tensor(extra, [T, B, u]) : null, hRec: hRec ? new Tensor(hRec, [T, B, u]) : null,
    } : null;
    return {
      sequence: sequence ? new Tensor(sequence, [B, T, u]) : null,
      h: new Tensor(h.slice(T * B * u), [B, u]),
      c: c ? new Tensor(c.slice(T * B * u), [B, u]) : null,
      saved,
    };
  }

  function rnnSequenceBackward(inputs: RnnInputs, saved: RnnSaved, dy: RnnOutputGradients, info: RnnInfo): RnnGradients {
    const tensors = [inputs.recurrentKernel, inputs.recurrentMask, saved.h, saved.c, saved.gates, saved.extra, saved.hRec,
      dy.sequence, dy.h, dy.c];
    if (!tensors.every(isF32)) return js.rnnSequenceBackward(inputs, saved, dy, info);
    const { batch: B, time: T, units: u } = info;
    const G = RNN_GATES[info.cell] * u;
    const dh = new Float32Array(B * u);
    if (dy.h) dh.set(dy.h.values);
    const dc = info.cell === 'lstm' ? new Float32Array(B * u) : null;
    if (dc && dy.c) dc.set(dy.c.values);
    const dxp = new Float32Array(B * T * G), dKernel = new Float32Array(u * G);
    const dBias = inputs.recurrentBias ? new Float32Array(G) : null;
    a.rnnBackward(config(info, true), f32(inputs.recurrentKernel)!, maskOf(inputs.mask), f32(inputs.recurrentMask),
      f32(saved.h)!, f32(saved.c), f32(saved.gates)!, f32(saved.extra), f32(saved.hRec), f32(dy.sequence), dh, dc, dxp,
      dKernel, dBias);
    return {
      xp: new Tensor(dxp, [B, T, G]), recurrentKernel: new Tensor(dKernel, [u, G]),
      recurrentBias: dBias ? new Tensor(dBias, [G]) : null, h0: new Tensor(dh, [B, u]), c0: dc ? new Tensor(dc, [B, u]) : null,
    };
  }

  return { rnnSequence, rnnSequenceBackward };
}
