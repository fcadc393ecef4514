import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor, tensor } from '../tensor/create.js';
import { add, sub, mul } from './arithmetic.js';
import { gather } from './gather.js';
import { cast } from './cast.js';
import { reshape } from './reshape.js';

/** Blends, along `axis`, the two source rows around each output position (TF.js's sampling grid). */
function lerpAxis(x: Tensor, axis: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): Tensor {
  const inSize = x.shape[axis];
  const ratio = (alignCorners && outSize > 1 ? inSize - 1 : inSize) / (alignCorners && outSize > 1 ? outSize - 1 : outSize);
  const lo = new Int32Array(outSize), hi = new Int32Array(outSize), frac = new Float32Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const src = halfPixelCenters ? ratio * (i + 0.5) - 0.5 : ratio * i;
    lo[i] = Math.max(0, Math.floor(src));
    hi[i] = Math.min(inSize - 1, Math.ceil(src));
    frac[i] = src - lo[i];
  }
  const a = gather(x, tensor(lo, [outSize], 'int32'), axis);
  const b = gather(x, tensor(hi, [outSize], 'int32'), axis);
  const w = tensor(frac, x.shape.map((_, d) => (d === axis ? outSize : 1)));
  return add(a, mul(sub(b, a), w));
}

/**
 * Resizes images [batch, height, width, channels] (or one image [height, width, channels]) to
 * size [newHeight, newWidth] by bilinear interpolation, as tf.image.resizeBilinear; float32 result.
 * Built from gathers and blends, so gradients flow to the input.
 * Options: alignCorners (default false) maps corner pixels onto corner pixels; halfPixelCenters
 * (default false) samples at pixel centres (the TF2 / Keras `resizing` behaviour).
 * @example st.image.resizeBilinear(photo, [224, 224]) // MobileNet's input size
 */
export function resizeBilinear(images: TensorLike, size: [number, number], alignCorners = false, halfPixelCenters = false): Tensor {
  const x = toTensor(images, 'resizeBilinear', 'images');
  if (x.rank !== 3 && x.rank !== 4) {
    throw new ShapeError(`resizeBilinear: images must be [batch, height, width, channels] or [height, width, channels], got shape ${fmtShape(x.shape)}`);
  }
  if (!Array.isArray(size) || size.length !== 2 || size.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new ConfigError(`resizeBilinear: size must be [newHeight, newWidth] of positive integers, got ${JSON.stringify(size)}`);
  }
  if (alignCorners && halfPixelCenters) {
    throw new ConfigError('resizeBilinear: alignCorners and halfPixelCenters cannot both be true (as TF.js); pick one');
  }
  const x4 = x.rank === 3 ? reshape(x, [1, ...x.shape]) : x;
  const f = x4.dtype === 'float32' || x4.dtype === 'float64' ? x4 : cast(x4, 'float32');
  // Columns first, then rows: the order TF.js's kernel blends in, so rounding matches.
  const y = lerpAxis(lerpAxis(f, 2, size[1], alignCorners, halfPixelCenters), 1, size[0], alignCorners, halfPixelCenters);
  return x.rank === 3 ? reshape(y, y.shape.slice(1)) : y;
}

/** TF.js's `tf.image` namespace: the image ops Strata has. */
export const image = { resizeBilinear };
