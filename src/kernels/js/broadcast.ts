import { stridesOf } from '../../tensor/shape.js';

/**
 * For each element of the broadcast output, the flat index of the input element it reads.
 * Computed once per call with an odometer, so the per-op loops stay closure-free.
 */
export function broadcastIndex(inShape: readonly number[], outShape: readonly number[], outSize: number): Int32Array {
  const rank = outShape.length;
  const offset = rank - inShape.length;
  const inStrides = stridesOf(inShape);
  // Stride of the input along each output axis; 0 where the input is broadcast.
  const step = new Array<number>(rank).fill(0);
  for (let i = 0; i < inShape.length; i++) step[i + offset] = inShape[i] === 1 ? 0 : inStrides[i];
  const idx = new Int32Array(outSize);
  const counter = new Array<number>(rank).fill(0);
  let pos = 0;
  for (let i = 0; i < outSize; i++) {
    idx[i] = pos;
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      pos += step[d];
      if (counter[d] < outShape[d]) break;
      pos -= step[d] * counter[d];
      counter[d] = 0;
    }
  }
  return idx;
}
