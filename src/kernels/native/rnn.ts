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
    config: Int32Array, x: Float32Array, inputKernel: Float32Array, inputBias: Float32Array | null, kernel: Float32Array,
    bias: Float32Array | null, mask: Int32Array | null, recMask: Float32Array | null, h: Float32Array, c: Float32Array | null,
    gates: Float32Array, extra: Float32Array | null, hRec: Float32Array | null, sequence: Float32Array | null,
  ): void;
  /** dParams receives [dInputKernel | dKernel | dInputBias | dBias]. */
  rnnBackward(
    config: Int32Array, x: Float32Array, inputKernel: Float32Array, kernel: Float32Array, mask: Int32Array | null,
    recMask: Float32Array | null, h: Float32Array, c: Float32Array | null, gates: Float32Array, extra: Float32Array | null,
    hRec: Float32Array | null, dSequence: Float32Array | null, dh: Float32Array, dc: Float32Array | null, dx: Float32Array,
    dParams: Float32Array,
  ): void;
}

// The codes of native/src/rnn.h and rnn-math.h.
const CELL_CODE: Record<RnnCell, number> = { rnn: 0, lstm: 1, gru: 2 };
const ACT_CODE: Record<RnnActivation, number> = { linear: 0, tanh: 1, sigmoid: 2, hardSigmoid: 3, hardSigmoidKeras3: 4, relu: 5 };

function config(info: RnnInfo, save: boolean): Int32Array {
  return Int32Array.of(CELL_CODE[info.cell], info.batch, info.time, info.features, info.units, ACT_CODE[info.activation],
    ACT_CODE[info.recurrentActivation], info.resetAfter ? 1 : 0, info.goBackwards ? 1 : 0, save ? 1 : 0);
}

const f32 = (t: Tensor | null | undefined): Float32Array | null => (t ? (t.values as Float32Array) : null);
const isF32 = (t: Tensor | null | undefined): boolean => !t || t.values instanceof Float32Array;

/**
 * Buffers the forward pass saves for the backward pass, recycled once the backward pass has read
 * them: fresh multi-megabyte arrays cost a page fault per 4 KiB at every step of training, which
 * here is as slow as the recurrence itself. At most a few arrays of each size are kept.
 */
const pool = new Map<number, Float32Array[]>();
const POOL_PER_SIZE = 4;

function acquire(n: number): Float32Array {
  return pool.get(n)?.pop() ?? new Float32Array(n);
}

function release(...arrays: (Tensor | null)[]): void {
  for (const t of arrays) {
    if (!t || !(t.values instanceof Float32Array)) continue;
    const list = pool.get(t.values.length) ?? [];
    if (list.length < POOL_PER_SIZE && !list.includes(t.values)) list.push(t.values);
    pool.set(t.values.length, list);
  }
}

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
    const { x, kernel, bias, recurrentKernel, recurrentBias, h0, c0, recurrentMask } = inputs;
    // An empty batch has nothing to run: the js kernel returns the empty results.
    if (info.batch === 0 || ![x, kernel, bias, recurrentKernel, recurrentBias, h0, c0, recurrentMask].every(isF32)) return js.rnnSequence(inputs, info);
    const { batch: B, time: T, units: u, save } = info;
    const G = RNN_GATES[info.cell] * u, steps = save ? T : 1;
    // Every element of these is written before it is read (masked rows of gates are never read).
    const h = acquire((T + 1) * B * u);
    h.set(h0.values);
    const c = info.cell === 'lstm' ? acquire((T + 1) * B * u) : null;
    if (c) c.set(c0!.values);
    const gates = acquire(steps * B * G);
    const extra = info.cell === 'rnn' ? null : acquire(steps * B * u);
    const hRec = recurrentMask ? acquire(steps * B * u) : null;
    const sequence = info.returnSequences ? new Float32Array(B * T * u) : null;
    a.rnnForward(config(info, save), f32(x)!, f32(kernel)!, f32(bias), f32(recurrentKernel)!, f32(recurrentBias),
      maskOf(inputs.mask), f32(recurrentMask), h, c, gates, extra, hRec, sequence);
    const out: RnnForward = {
      sequence: sequence ? new Tensor(sequence, [B, T, u]) : null,
      h: new Tensor(h.slice(T * B * u), [B, u]),
      c: c ? new Tensor(c.slice(T * B * u), [B, u]) : null,
      saved: {
        h: new Tensor(h, [T + 1, B, u]), c: c ? new Tensor(c, [T + 1, B, u]) : null, gates: new Tensor(gates, [steps, B, G]),
        extra: extra ? new Tensor(extra, [steps, B, u]) : null, hRec: hRec ? new Tensor(hRec, [steps, B, u]) : null,
      },
    };
    if (save) return out;
    release(...Object.values(out.saved!));
    return { ...out, saved: null };
  }

  function rnnSequenceBackward(inputs: RnnInputs, saved: RnnSaved, dy: RnnOutputGradients, info: RnnInfo): RnnGradients {
    const tensors = [inputs.x, inputs.kernel, inputs.recurrentKernel, inputs.recurrentMask, saved.h, saved.c, saved.gates,
      saved.extra, saved.hRec, dy.sequence, dy.h, dy.c];
    if (info.batch === 0 || !tensors.every(isF32)) return js.rnnSequenceBackward(inputs, saved, dy, info);
    const { batch: B, time: T, features: F, units: u } = info;
    const G = RNN_GATES[info.cell] * u;
    const dh = new Float32Array(B * u);
    if (dy.h) dh.set(dy.h.values);
    const dc = info.cell === 'lstm' ? new Float32Array(B * u) : null;
    if (dc && dy.c) dc.set(dy.c.values);
    const dx = new Float32Array(B * T * F), params = new Float32Array(F * G + u * G + 2 * G);
    a.rnnBackward(config(info, true), f32(inputs.x)!, f32(inputs.kernel)!, f32(inputs.recurrentKernel)!, maskOf(inputs.mask),
      f32(inputs.recurrentMask), f32(saved.h)!, f32(saved.c), f32(saved.gates)!, f32(saved.extra), f32(saved.hRec),
      f32(dy.sequence), dh, dc, dx, params);
    release(saved.h, saved.c, saved.gates, saved.extra, saved.hRec);
    const part = (from: number, n: number, shape: number[]) => new Tensor(params.subarray(from, from + n), shape);
    return {
      x: new Tensor(dx, [B, T, F]), kernel: part(0, F * G, [F, G]),
      bias: inputs.bias ? part(F * G + u * G, G, [G]) : null,
      recurrentKernel: part(F * G, u * G, [u, G]),
      recurrentBias: inputs.recurrentBias ? part(F * G + u * G + G, G, [G]) : null,
      h0: new Tensor(dh, [B, u]), c0: dc ? new Tensor(dc, [B, u]) : null,
    };
  }

  return { rnnSequence, rnnSequenceBackward };
}
