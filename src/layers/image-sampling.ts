import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/create.js';
import { add, cast, gather, mul, reshape, sum } from '../ops/index.js';
import type { Layer, LayerShape } from './layer.js';

// Sampling helpers of the image preprocessing and augmentation layers. Every output pixel is a
// weighted sum of input pixels picked by `gather`, so autograd carries gradients back to the image
// (the sampling positions themselves are constants). Semantics follow TensorFlow's kernels, which
// Keras 3's TensorFlow backend calls: resize with half-pixel centers, ImageProjectiveTransformV3.

export type Interpolation = 'bilinear' | 'nearest';
export type FillMode = 'reflect' | 'wrap' | 'constant' | 'nearest';
export const INTERPOLATIONS: readonly Interpolation[] = ['bilinear', 'nearest'];
export const FILL_MODES: readonly FillMode[] = ['reflect', 'wrap', 'constant', 'nearest'];

/** Checks a string option against its allowed values, naming the layer and the option. */
export function oneOf<T extends string>(layer: Layer, option: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === null) return fallback;
  if (!allowed.includes(value as T)) {
    throw new ConfigError(`${layer.describe()}: ${option} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

/** Rejects data formats other than channels-last (the only layout Strata's tensors use). */
export function channelsLast(layer: Layer, dataFormat: unknown): void {
  if (dataFormat !== undefined && dataFormat !== null && dataFormat !== 'channels_last') {
    throw new ConfigError(`${layer.describe()}: dataFormat must be 'channels_last', got ${JSON.stringify(dataFormat)}; ` +
      `transpose channels-first images with st.transpose(x, [0, 2, 3, 1])`);
  }
}

/** Checks an image shape: [batch, height, width, channels] or one image [height, width, channels]. */
export function checkImageShape(layer: Layer, shape: LayerShape | readonly number[]): void {
  if (shape.length !== 3 && shape.length !== 4) {
    throw new ShapeError(`${layer.describe()}: expected images [batch, height, width, channels] or one image ` +
      `[height, width, channels], got shape ${fmtShape(shape)}`);
  }
}

/** A float batch of images [b, h, w, c] from x, and how to give the result x's rank back. */
export function asImageBatch(layer: Layer, x: Tensor): { images: Tensor; restore: (y: Tensor) => Tensor } {
  checkImageShape(layer, x.shape);
  const f = x.dtype === 'int32' ? cast(x, 'float32') : x;
  if (x.rank === 4) return { images: f, restore: (y) => y };
  return { images: reshape(f, [1, ...x.shape]), restore: (y) => reshape(y, y.shape.slice(1)) };
}

/**
 * Resizes one axis of x to `outLen` as tf.image.resize does (half-pixel centers, no antialiasing):
 * output cell o reads source position (o + 0.5)·in/out − 0.5 (bilinear: the two neighbours, edge
 * clamped) or floor((o + 0.5)·in/out) (nearest).
 */
export function resizeAxis(x: Tensor, axis: number, outLen: number, interpolation: Interpolation): Tensor {
  const n = x.shape[axis];
  if (n === outLen) return x;
  const scale = n / outLen;
  if (interpolation === 'nearest') {
    const idx = new Int32Array(outLen);
    for (let o = 0; o < outLen; o++) idx[o] = Math.min(Math.floor((o + 0.5) * scale), n - 1);
    return gather(x, tensor(idx, [outLen], 'int32'), axis);
  }
  const lo = new Int32Array(outLen), hi = new Int32Array(outLen), w = new Float64Array(outLen);
  for (let o = 0; o < outLen; o++) {
    const src = (o + 0.5) * scale - 0.5;
    const fl = Math.floor(src);
    lo[o] = Math.max(fl, 0);
    hi[o] = Math.min(Math.ceil(src), n - 1);
    w[o] = src - fl;
  }
  const wShape = [outLen, ...new Array<number>(x.rank - axis - 1).fill(1)];
  const wHi = tensor(w, wShape, x.dtype);
  const wLo = tensor(w.map((v) => 1 - v), wShape, x.dtype);
  return add(mul(gather(x, tensor(lo, [outLen], 'int32'), axis), wLo), mul(gather(x, tensor(hi, [outLen], 'int32'), axis), wHi));
}

/** Resizes images [b, h, w, c] to [b, height, width, c]. */
export function resizeImages(images: Tensor, height: number, width: number, interpolation: Interpolation): Tensor {
  return resizeAxis(resizeAxis(images, 1, height, interpolation), 2, width, interpolation);
}

/**
 * The centred window of [b, h, w, c] images with the aspect ratio height:width, as Keras'
 * crop_to_aspect_ratio (and CenterCrop's smart resize) choose it, before resizing.
 */
export function cropToAspect(images: Tensor, height: number, width: number): Tensor {
  const [, h, w] = images.shape;
  const cropH = Math.max(Math.min(h, Math.trunc((w * height) / width)), 1);
  const cropW = Math.max(Math.min(w, Math.trunc((h * width) / height)), 1);
  const top = Math.trunc((h - cropH) / 2), left = Math.trunc((w - cropW) / 2);
  if (cropH === h && cropW === w) return images;
  return sliceImages(images, top, left, cropH, cropW);
}

/** images[:, top:top+h, left:left+w, :] as a gather of rows then columns (differentiable). */
export function sliceImages(images: Tensor, top: number, left: number, h: number, w: number): Tensor {
  const rows = Int32Array.from({ length: h }, (_, i) => top + i);
  const cols = Int32Array.from({ length: w }, (_, i) => left + i);
  return gather(gather(images, tensor(rows, [h], 'int32'), 1), tensor(cols, [w], 'int32'), 2);
}

/** Maps a source coordinate outside [0, len − 1] inside it, as TensorFlow's fill modes do. */
export function mapCoordinate(coord: number, len: number, mode: FillMode): number {
  let c = coord;
  if (mode === 'constant') return c;
  if (mode === 'reflect') {
    // (d c b a | a b c d | d c b a): period 2·len, mirrored about the pixel edges.
    if (c < 0) {
      if (len <= 1) c = 0;
      else {
        const sz2 = 2 * len;
        c = sz2 * Math.trunc(-c / sz2) + c;
        c = c < -len ? c + sz2 : -c - 1;
      }
    } else if (c > len - 1) {
      if (len <= 1) c = 0;
      else {
        const sz2 = 2 * len;
        c -= sz2 * Math.trunc(c / sz2);
        if (c >= len) c = sz2 - c - 1;
      }
    }
  } else if (mode === 'wrap') {
    // (a b c d | a b c d | a b c d), with TensorFlow's arithmetic.
    if (c < 0) {
      if (len <= 1) c = 0;
      else c += len * (Math.trunc(-c / (len - 1)) + 1);
    } else if (c > len - 1) {
      if (len <= 1) c = 0;
      else c -= len * Math.trunc(c / (len - 1));
    }
  }
  // 'nearest' clamps; the others clamp too, so that rounding 3.5 cannot reach pixel 4 of 4.
  return Math.min(Math.max(c, 0), len - 1);
}

/** std::round: halves away from zero (Math.round sends −0.5 to 0). */
function roundHalfAway(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/**
 * Applies one projective transform per image to [b, h, w, c] images, as TensorFlow's
 * ImageProjectiveTransformV3 (Keras' `ops.image.affine_transform`): output pixel (x, y) of image i
 * reads input position ((a0·x + a1·y + a2)/k, (b0·x + b1·y + b2)/k) with k = c0·x + c1·y + 1, where
 * transforms[8i..8i+7] = [a0, a1, a2, b0, b1, b2, c0, c1]. Positions outside the image follow
 * `fillMode`; neighbours outside it read `fillValue`.
 */
export function affineTransform(images: Tensor, transforms: ArrayLike<number>, interpolation: Interpolation,
  fillMode: FillMode, fillValue: number): Tensor {
  const [b, h, w, c] = images.shape;
  const n = b * h * w;
  const taps = interpolation === 'bilinear' ? 4 : 1;
  const idx = new Int32Array(taps * n);
  const wt = new Float64Array(taps * n);
  const fillWeight = new Float64Array(n);
  // Tap k of pixel p sits at k·n + p, so the gathered rows reshape to [taps, n, c] and sum over taps.
  const put = (k: number, p: number, img: number, y: number, x: number, weight: number): void => {
    if (weight === 0) return;
    if (y >= 0 && y < h && x >= 0 && x < w) {
      idx[k * n + p] = (img * h + y) * w + x;
      wt[k * n + p] = weight;
    } else fillWeight[p] += weight;
  };
  for (let i = 0; i < b; i++) {
    const t = Array.from({ length: 8 }, (_, j) => transforms[i * 8 + j]);
    for (let oy = 0; oy < h; oy++) {
      for (let ox = 0; ox < w; ox++) {
        const p = (i * h + oy) * w + ox;
        const k = t[6] * ox + t[7] * oy + 1;
        if (k === 0) {
          fillWeight[p] = 1;
          continue;
        }
        const x = mapCoordinate((t[0] * ox + t[1] * oy + t[2]) / k, w, fillMode);
        const y = mapCoordinate((t[3] * ox + t[4] * oy + t[5]) / k, h, fillMode);
        if (interpolation === 'nearest') {
          put(0, p, i, roundHalfAway(y), roundHalfAway(x), 1);
          continue;
        }
        const y0 = Math.floor(y), x0 = Math.floor(x);
        const fy = y - y0, fx = x - x0;
        put(0, p, i, y0, x0, (1 - fy) * (1 - fx));
        put(1, p, i, y0, x0 + 1, (1 - fy) * fx);
        put(2, p, i, y0 + 1, x0, fy * (1 - fx));
        put(3, p, i, y0 + 1, x0 + 1, fy * fx);
      }
    }
  }
  const flat = reshape(images, [n, c]);
  const picked = mul(gather(flat, tensor(idx, [taps * n], 'int32'), 0), tensor(wt, [taps * n, 1], images.dtype));
  let out = sum(reshape(picked, [taps, n, c]), 0);
  if (fillValue !== 0 && fillWeight.some((v) => v !== 0)) {
    out = add(out, tensor(fillWeight.map((v) => v * fillValue), [n, 1], images.dtype));
  }
  return reshape(out, [b, h, w, c]);
}
