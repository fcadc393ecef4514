import type { ConvInfo, ConvKernels } from '../conv-kernels.js';
import type { NativeAddon } from './addon.js';
import { Tensor } from '../../tensor/tensor.js';
import { convKernels as js } from '../js/conv.js';
import type { FusedActivation } from '../elementwise-kernels.js';
import { FUSED_CODE } from './elementwise.js';
import { writeOnlyFloat32, zeroedFloat32 } from '../../tensor/write-only.js';
import type { Pool3dInfo } from '../pool-kernels.js';
import { nativePoolGeometry, nativePoolKernels } from './pool.js';

/** A native conv kernel: reads a and b in place, writes out (see native/src/bind-conv.cc). */
type ConvFn = (geom: Int32Array, a: Float32Array, b: Float32Array, out: Float32Array) => void;

/** The addon's conv functions (native/src/bind-conv.cc). */
export interface ConvAddon {
  conv3d: ConvFn;
  conv3dBackpropInput: ConvFn;
  conv3dBackpropFilter: ConvFn;
  depthwiseConv3d: ConvFn;
  depthwiseConv3dBackpropInput: ConvFn;
  depthwiseConv3dBackpropFilter: ConvFn;
  conv3dBiasActivation(geom: Int32Array, x: Float32Array, w: Float32Array, bias: Float32Array | null, act: number,
    alpha: number, y: Float32Array): void;
  conv3dBiasActivationMaxPool(geom: Int32Array, x: Float32Array, w: Float32Array, bias: Float32Array | null, act: number,
    alpha: number, pool: Int32Array, y: Float32Array): void;
}

/** Convolutions of at most this many multiply-adds run in the js kernel: the call would cost more. */
export const JS_MAX_CONV_WORK = 2048;

/** Filters smaller than this (elements; 64 KiB, the transport's floor) are copied into wasm memory per call rather than kept there. */
const RESIDENT_MIN_FILTER = 1 << 14;

/** ConvInfo as the addon's geometry array. */
function geometry(info: ConvInfo): Int32Array {
  return Int32Array.from([
    info.batch, ...info.inSize, ...info.outSize, info.inChannels, info.outChannels,
    ...info.kernel, ...info.strides, ...info.dilations, ...info.padBefore, info.multiplier,
  ]);
}

/** Multiply-adds of the conv (each kernel does as many): output positions × taps × channels. */
function work(info: ConvInfo, depthwise: boolean): number {
  const positions = info.batch * info.outSize[0] * info.outSize[1] * info.outSize[2];
  const taps = info.kernel[0] * info.kernel[1] * info.kernel[2];
  return positions * taps * (depthwise ? info.outChannels : info.inChannels * info.outChannels);
}

function count(shape: number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** Whether every dimension is an int32 (the geometry array's type) and the sizes are sane. */
function representable(info: ConvInfo): boolean {
  const all = [info.batch, ...info.inSize, ...info.outSize, info.inChannels, info.outChannels,
    ...info.kernel, ...info.strides, ...info.dilations, ...info.padBefore, info.multiplier];
  return all.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 24);
}

/**
 * Native convolutions (native/src/conv.cc, conv-depthwise.cc): float32 inputs run in the addon,
 * which reads their storage in place and writes an output allocated here. Other dtypes (float64
 * gradient checks), tiny problems and geometries the addon refuses run the js kernels.
 */
export function nativeConvKernels(addon: NativeAddon): ConvKernels {
  const conv = addon as NativeAddon & ConvAddon;
  const pools = nativePoolKernels(addon);

  /**
   * Wraps one kernel: the shapes its inputs must have and its output's, from info; `fallback` (the js
   * kernel) takes other dtypes, tiny problems and inputs whose sizes disagree with info.
   */
  function wrap(fn: ConvFn, fallback: (a: Tensor, b: Tensor, info: ConvInfo) => Tensor,
    aShape: (info: ConvInfo) => number[], bShape: (info: ConvInfo) => number[],
    outShape: (info: ConvInfo) => number[], depthwise: boolean, writesAll: boolean) {
    return (a: Tensor, b: Tensor, info: ConvInfo): Tensor => {
      if (!(a.values instanceof Float32Array) || !(b.values instanceof Float32Array) || !representable(info) ||
        work(info, depthwise) <= JS_MAX_CONV_WORK || a.size !== count(aShape(info)) || b.size !== count(bShape(info))) {
        return fallback(a, b, info);
      }
      const shape = outShape(info);
      // A kernel that writes every output element needs no zero-filled array (see writeOnlyFloat32).
      const out = writesAll ? writeOnlyFloat32(count(shape)) : zeroedFloat32(count(shape));
      fn(geometry(info), a.values, b.values, out);
      return new Tensor(out, shape);
    };
  }
  const yShape = (i: ConvInfo) => [i.batch, ...i.outSize, i.outChannels];
  const xShape = (i: ConvInfo) => [i.batch, ...i.inSize, i.inChannels];
  const wShape = (i: ConvInfo) => [...i.kernel, i.inChannels, i.outChannels];
  const dwShape = (i: ConvInfo) => [...i.kernel, i.inChannels, i.multiplier];

  /** The forward conv with bias + activation applied to each block of output rows while it is in cache. */
  function conv3dBiasActivation(x: Tensor, w: Tensor, bias: Tensor | null, act: FusedActivation, alpha: number, info: ConvInfo): Tensor {
    const code = FUSED_CODE.get(act);
    if (!(x.values instanceof Float32Array) || !(w.values instanceof Float32Array) || code === undefined ||
      (bias !== null && !(bias.values instanceof Float32Array && bias.size === info.outChannels)) || !representable(info) ||
      work(info, false) <= JS_MAX_CONV_WORK || x.size !== count(xShape(info)) || w.size !== count(wShape(info))) {
      return js.conv3dBiasActivation(x, w, bias, act, alpha, info);
    }
    const shape = yShape(info);
    // The engine writes every output row in full, so the array need not be zero-filled first.
    const out = writeOnlyFloat32(count(shape));
    conv.conv3dBiasActivation(geometry(info), x.values, w.values, bias ? bias.values as Float32Array : null, code, alpha, out);
    return new Tensor(out, shape);
  }

  /**
   * maxPool(act(conv + bias)) in one addon call (native/src/conv-pool.cc: a few images at a time, the
   * conv's output pooled while in cache). Where either half would not run compiled code, the two
   * kernels of this backend run in turn, so a result never depends on which path ran.
   */
  const filterUses = new WeakMap<Float32Array, number>();

  function conv3dBiasActivationMaxPool(x: Tensor, w: Tensor, bias: Tensor | null, act: FusedActivation, alpha: number,
    info: ConvInfo, pool: Pool3dInfo): Tensor {
    const code = FUSED_CODE.get(act);
    const y = yShape(info);
    const poolGeom = nativePoolGeometry(pool, count(y));
    const takesPool = poolGeom !== null && pool.batch === info.batch && pool.inD === info.outSize[0] && pool.inH === info.outSize[1] &&
      pool.inW === info.outSize[2] && pool.channels === info.outChannels;
    if (!takesPool || !(x.values instanceof Float32Array) || !(w.values instanceof Float32Array) || code === undefined ||
      (bias !== null && !(bias.values instanceof Float32Array && bias.size === info.outChannels)) || !representable(info) ||
      work(info, false) <= JS_MAX_CONV_WORK || x.size !== count(xShape(info)) || w.size !== count(wShape(info))) {
      return pools.maxPool3d(conv3dBiasActivation(x, w, bias, act, alpha, info), pool);
    }
    // The filter is read unchanged call after call (this kernel runs in inference only): from its second
    // call it stays in the wasm backend's memory instead of being copied in each time.
    if (conv.keepResident && w.size >= RESIDENT_MIN_FILTER) {
      const uses = (filterUses.get(w.values) ?? 0) + 1;
      filterUses.set(w.values, uses);
      if (uses === 2) conv.keepResident(w.values);
    }
    const shape = [pool.batch, pool.outD, pool.outH, pool.outW, pool.channels];
    const out = writeOnlyFloat32(count(shape)); // every window's maximum is written
    conv.conv3dBiasActivationMaxPool(geometry(info), x.values, w.values, bias ? bias.values as Float32Array : null, code, alpha,
      poolGeom!, out);
    return new Tensor(out, shape);
  }

  return {
    // These kernels write every output element, so their outputs are not zero-filled first (W6 conv2d
    // forward, 1 × 64 × 64 × 32 → 64: ~1–7% faster, best of 40 interleaved in one process on a shared
    // machine; W3's conv2 input gradient: 1.4 MB a step); the parity harness NaN-fills them to check
    // (WRITE_ONLY in kernels/wasm/transport.ts). The depthwise gradients accumulate into zeros.
    conv3d: wrap(conv.conv3d, js.conv3d, xShape, wShape, yShape, false, true),
    conv3dBiasActivation,
    conv3dBiasActivationMaxPool,
    conv3dBackpropInput: wrap(conv.conv3dBackpropInput, js.conv3dBackpropInput, yShape, wShape, xShape, false, true),
    conv3dBackpropFilter: wrap(conv.conv3dBackpropFilter, js.conv3dBackpropFilter, xShape, yShape, wShape, false, true),
    depthwiseConv3d: wrap(conv.depthwiseConv3d, js.depthwiseConv3d, xShape, dwShape, yShape, true, true),
    depthwiseConv3dBackpropInput: wrap(conv.depthwiseConv3dBackpropInput, js.depthwiseConv3dBackpropInput, yShape, dwShape, xShape, true, false),
    depthwiseConv3dBackpropFilter: wrap(conv.depthwiseConv3dBackpropFilter, js.depthwiseConv3dBackpropFilter, xShape, yShape, dwShape, true, false),
  };
}
