import type { Pool3dInfo, PoolKernels } from '../pool-kernels.js';
import type { NativeAddon } from './addon.js';
import { Tensor } from '../../tensor/tensor.js';
import { sizeOf } from '../../tensor/shape.js';
import { poolKernels as js } from '../js/pool.js';
import { writeOnlyFloat32, writeOnlyInt32, zeroedFloat32 } from '../../tensor/write-only.js';

/** The pooling functions of the addon (native/src/bind-pool.cc); geometry = the 17 fields of Pool3dInfo. */
interface PoolAddon {
  maxPool3d(x: Float32Array, geometry: Int32Array, y: Float32Array): void;
  avgPool3d(x: Float32Array, geometry: Int32Array, y: Float32Array): void;
  /** argmax (and y, the maxima, unless null) in one pass. */
  maxPool3dArgmax(x: Float32Array, geometry: Int32Array, y: Float32Array | null, argmax: Int32Array): void;
  /** dx (zeros, x-shaped) += dy shared over each window. */
  avgPool3dBackward(dy: Float32Array, geometry: Int32Array, dx: Float32Array): void;
  gatherFlat(x: Float32Array, indices: Int32Array, out: Float32Array): void;
  /** out += dy at indices (out-of-range indices skipped, as a typed-array write in js). */
  /** Zero-fills out, then out[indices[i]] += dy[i]. */
  scatterAddFlat(dy: Float32Array, indices: Int32Array, out: Float32Array): void;
}

/** Tensors (and flat gathers / scatters) smaller than this stay in js: the call would cost more than the work. */
export const NATIVE_MIN_POOL = 256;

/** The geometry as the addon reads it, or null when a window misses the input (the js kernel decides then). */
function geometryOf(p: Pool3dInfo): Int32Array | null {
  const dims: [number, number, number, number, number][] = [
    [p.inD, p.filterD, p.strideD, p.padFront, p.outD],
    [p.inH, p.filterH, p.strideH, p.padTop, p.outH],
    [p.inW, p.filterW, p.strideW, p.padLeft, p.outW],
  ];
  for (const [inSize, f, s, pad, out] of dims) {
    if (inSize < 1 || f < 1 || s < 1 || pad < 0 || out < 0) return null;
    if (out > 0 && (pad >= f || (out - 1) * s - pad >= inSize)) return null;
  }
  return Int32Array.from([
    p.batch, p.inD, p.inH, p.inW, p.channels, p.filterD, p.filterH, p.filterW,
    p.strideD, p.strideH, p.strideW, p.padFront, p.padTop, p.padLeft, p.outD, p.outH, p.outW,
  ]);
}

/** The geometry as the addon reads it when a float32 input of xSize elements should go native, else null. */
export function nativePoolGeometry(p: Pool3dInfo, xSize: number): Int32Array | null {
  return xSize < NATIVE_MIN_POOL || xSize >= 2 ** 31 ? null : geometryOf(p);
}

function outShapeOf(p: Pool3dInfo): number[] {
  return [p.batch, p.outD, p.outH, p.outW, p.channels];
}

/**
 * Native pooling: float32 tensors run in the addon (vectorised over channels, threaded over output rows
 * when large); other dtypes (float64 gradient checks, int32), tiny tensors and windows that miss the
 * input run the js kernels, which are the reference.
 */
export function nativePoolKernels(addon: NativeAddon): PoolKernels {
  const native = addon as NativeAddon & PoolAddon;

  /** The geometry when x (x-shaped storage) should go native, else null. */
  function nativeGeometry(x: Tensor, p: Pool3dInfo, xSize = x.size): Int32Array | null {
    return x.values instanceof Float32Array ? nativePoolGeometry(p, xSize) : null;
  }

  // The forward kernels write every output element (and argmax entry): their arrays are not zero-filled.
  function maxPool3d(x: Tensor, p: Pool3dInfo): Tensor {
    const g = nativeGeometry(x, p);
    if (!g) return js.maxPool3d(x, p);
    const y = writeOnlyFloat32(sizeOf(outShapeOf(p)));
    native.maxPool3d(x.values as Float32Array, g, y);
    return new Tensor(y, outShapeOf(p));
  }

  function maxPool3dArgmax(x: Tensor, p: Pool3dInfo): Tensor {
    const g = nativeGeometry(x, p);
    if (!g) return js.maxPool3dArgmax(x, p);
    const argmax = writeOnlyInt32(sizeOf(outShapeOf(p)));
    native.maxPool3dArgmax(x.values as Float32Array, g, null, argmax);
    return new Tensor(argmax, outShapeOf(p));
  }

  function maxPool3dWithArgmax(x: Tensor, p: Pool3dInfo): { values: Tensor; argmax: Tensor } {
    const g = nativeGeometry(x, p);
    if (!g) return js.maxPool3dWithArgmax(x, p);
    const size = sizeOf(outShapeOf(p));
    const y = writeOnlyFloat32(size), argmax = writeOnlyInt32(size);
    native.maxPool3dArgmax(x.values as Float32Array, g, y, argmax);
    return { values: new Tensor(y, outShapeOf(p)), argmax: new Tensor(argmax, outShapeOf(p)) };
  }

  function avgPool3d(x: Tensor, p: Pool3dInfo): Tensor {
    const g = nativeGeometry(x, p);
    if (!g) return js.avgPool3d(x, p);
    const y = writeOnlyFloat32(sizeOf(outShapeOf(p))); // every window's mean is written
    native.avgPool3d(x.values as Float32Array, g, y);
    return new Tensor(y, outShapeOf(p));
  }

  function avgPool3dBackward(dy: Tensor, p: Pool3dInfo): Tensor {
    const shape = [p.batch, p.inD, p.inH, p.inW, p.channels];
    const g = nativeGeometry(dy, p, sizeOf(shape));
    if (!g || dy.size !== sizeOf(outShapeOf(p))) return js.avgPool3dBackward(dy, p);
    const dx = zeroedFloat32(sizeOf(shape));
    native.avgPool3dBackward(dy.values as Float32Array, g, dx);
    return new Tensor(dx, shape);
  }

  function gatherFlat(x: Tensor, indices: Tensor): Tensor {
    if (!(x.values instanceof Float32Array) || !(indices.values instanceof Int32Array) || indices.size < NATIVE_MIN_POOL) {
      return js.gatherFlat(x, indices);
    }
    const out = writeOnlyFloat32(indices.size); // every element written (NaN for an index out of range)
    native.gatherFlat(x.values, indices.values, out);
    return new Tensor(out, indices.shape);
  }

  function scatterAddFlat(dy: Tensor, indices: Tensor, shape: readonly number[]): Tensor {
    if (!(dy.values instanceof Float32Array) || !(indices.values instanceof Int32Array) || indices.size < NATIVE_MIN_POOL ||
      dy.size !== indices.size) {
      return js.scatterAddFlat(dy, indices, shape);
    }
    const out = writeOnlyFloat32(sizeOf(shape)); // the kernel zero-fills it (in parallel) before adding
    native.scatterAddFlat(dy.values, indices.values, out);
    return new Tensor(out, shape);
  }

  return { maxPool3d, maxPool3dArgmax, maxPool3dWithArgmax, gatherFlat, scatterAddFlat, avgPool3d, avgPool3dBackward };
}
