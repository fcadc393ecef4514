import type { ShapeKernels } from '../shape-kernels.js';
import type { NativeAddon } from './addon.js';
import { Tensor } from '../../tensor/tensor.js';
import { sizeOf } from '../../tensor/shape.js';
import { shapeKernels as js } from '../js/shape.js';

/** Gather and its gradient in the addon (native/src/bind-gather.cc), on x viewed as [outer, n, inner]. */
interface GatherAddon {
  /** out [outer, indices.length, inner] = rows of x; false (nothing written) when an index is out of range. */
  gatherRows(x: Float32Array, outer: number, n: number, inner: number, indices: Int32Array, out: Float32Array): boolean;
  /** out [outer, segments, inner] += rows of x [outer, ids.length, inner] at ids (out-of-range ids dropped). */
  segmentSumRows(x: Float32Array, outer: number, inner: number, ids: Int32Array, segments: number, out: Float32Array): void;
}

/** Results smaller than this stay in js: the call would cost more than the copy. */
export const NATIVE_MIN_GATHER = 256;

/**
 * Native gather and unsortedSegmentSum (the embedding lookup and its gradient) for float32 x and int32
 * indices, along any axis; other dtypes, tiny tensors and out-of-range indices go to the js kernels.
 */
export function nativeGatherKernels(addon: NativeAddon): Pick<ShapeKernels, 'gather' | 'unsortedSegmentSum'> {
  const native = addon as NativeAddon & GatherAddon;

  function gather(x: Tensor, indices: Tensor, axis: number): Tensor {
    const outer = sizeOf(x.shape.slice(0, axis)), inner = sizeOf(x.shape.slice(axis + 1));
    const size = outer * indices.size * inner;
    if (!(x.values instanceof Float32Array) || !(indices.values instanceof Int32Array) || size < NATIVE_MIN_GATHER) {
      return js.gather(x, indices, axis);
    }
    const out = new Float32Array(size);
    if (!native.gatherRows(x.values, outer, x.shape[axis], inner, indices.values, out)) return js.gather(x, indices, axis);
    return new Tensor(out, [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)]);
  }

  function unsortedSegmentSum(x: Tensor, segmentIds: Tensor, numSegments: number, axis: number): Tensor {
    const outer = sizeOf(x.shape.slice(0, axis));
    const innerShape = x.shape.slice(axis + segmentIds.rank);
    const inner = sizeOf(innerShape);
    if (!(x.values instanceof Float32Array) || !(segmentIds.values instanceof Int32Array) || x.size < NATIVE_MIN_GATHER ||
      x.size !== outer * segmentIds.size * inner) {
      return js.unsortedSegmentSum(x, segmentIds, numSegments, axis);
    }
    const out = new Float32Array(outer * numSegments * inner);
    native.segmentSumRows(x.values, outer, inner, segmentIds.values, numSegments, out);
    return new Tensor(out, [...x.shape.slice(0, axis), numSegments, ...innerShape]);
  }

  return { gather, unsortedSegmentSum };
}
