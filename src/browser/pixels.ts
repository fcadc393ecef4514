/**
 * Images in and out of tensors in a browser, with TensorFlow.js's semantics: `fromPixels` gives an
 * int32 [height, width, channels] tensor of 0–255 values, `toPixels` writes RGBA bytes (and a canvas).
 * Elements are drawn on a 2D canvas (OffscreenCanvas in workers) and read back with getImageData.
 */
import { ConfigError, DTypeError, ShapeError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { type TensorLike, tensor, toTensor } from '../tensor/create.js';
import { cast } from '../ops/cast.js';

/** Raw RGBA pixels: 4 bytes a pixel, row-major (TensorFlow.js's PixelData). */
export interface PixelData {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** What fromPixels reads. */
export type PixelSource = PixelData | ImageData | HTMLImageElement | HTMLCanvasElement | HTMLVideoElement | ImageBitmap | OffscreenCanvas;

type Context2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;
let scratch: Context2D | null = null;

/** A 2D context kept for drawing elements (willReadFrequently: the pixels are read back every time). */
function scratchContext(): Context2D {
  if (scratch) return scratch;
  let ctx: Context2D | null = null;
  if (typeof document !== 'undefined') ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
  else if (typeof OffscreenCanvas !== 'undefined') ctx = new OffscreenCanvas(1, 1).getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new ConfigError('browser.fromPixels: this environment has no 2D canvas (document or OffscreenCanvas) to draw the image on');
  return (scratch = ctx);
}

const has = (name: string): boolean => typeof (globalThis as Record<string, unknown>)[name] === 'function';

/** RGBA bytes and size of any supported source. */
function rgba(pixels: PixelSource): { data: Uint8Array | Uint8ClampedArray; width: number; height: number } {
  if ((pixels as PixelData).data instanceof Uint8Array || (pixels as PixelData).data instanceof Uint8ClampedArray) {
    const p = pixels as PixelData;
    if (!Number.isInteger(p.width) || !Number.isInteger(p.height) || p.width < 0 || p.height < 0 || p.data.length !== p.width * p.height * 4) {
      throw new ShapeError(`browser.fromPixels: a {data, width, height} object needs width·height·4 bytes of RGBA (${p.width}·${p.height}·4), got ${p.data.length}`);
    }
    return p;
  }
  const video = has('HTMLVideoElement') && pixels instanceof HTMLVideoElement;
  const element = video || (has('HTMLImageElement') && pixels instanceof HTMLImageElement) || (has('ImageBitmap') && pixels instanceof ImageBitmap);
  const canvasLike = typeof (pixels as HTMLCanvasElement).getContext === 'function';
  if (!element && !canvasLike) {
    const what = (pixels as object)?.constructor?.name ?? typeof pixels;
    throw new ConfigError('browser.fromPixels: pixels must be an HTMLImageElement, HTMLCanvasElement, HTMLVideoElement, ImageData, ' +
      `ImageBitmap, OffscreenCanvas or {data: Uint8Array, width, height}, got ${what}`);
  }
  const width = video ? (pixels as HTMLVideoElement).videoWidth : (pixels as HTMLImageElement).width;
  const height = video ? (pixels as HTMLVideoElement).videoHeight : (pixels as HTMLImageElement).height;
  if (canvasLike && !element) {
    const ctx = (pixels as HTMLCanvasElement).getContext('2d') as Context2D | null;
    if (!ctx) throw new ConfigError('browser.fromPixels: the canvas has a webgl/bitmaprenderer context, not a 2d one; draw it on a 2d canvas first');
    return { data: ctx.getImageData(0, 0, width, height).data, width, height };
  }
  const ctx = scratchContext();
  ctx.canvas.width = width;
  ctx.canvas.height = height;
  ctx.drawImage(pixels as CanvasImageSource, 0, 0, width, height);
  return { data: ctx.getImageData(0, 0, width, height).data, width, height };
}

/**
 * An image as an int32 tensor [height, width, numChannels] of 0–255 values: from an <img>, a
 * <canvas>, a <video> (its current frame), ImageData, an ImageBitmap, an OffscreenCanvas or
 * {data, width, height} RGBA bytes. numChannels (default 3) keeps the first 1 (red), 3 (RGB) or 4 (RGBA).
 * @example const x = st.browser.fromPixels(document.querySelector('img'), 3); // [h, w, 3] int32
 */
export function fromPixels(pixels: PixelSource, numChannels = 3): Tensor {
  if (!Number.isInteger(numChannels) || numChannels < 1 || numChannels > 4) {
    throw new ConfigError(`browser.fromPixels: numChannels must be 1, 2, 3 or 4, got ${numChannels}`);
  }
  if (pixels === null || pixels === undefined) throw new ConfigError(`browser.fromPixels: pixels is ${pixels}; pass an image, canvas, video or ImageData`);
  const { data, width, height } = rgba(pixels);
  const n = width * height;
  const values = new Int32Array(n * numChannels);
  if (numChannels === 4) values.set(data);
  else for (let i = 0; i < n; i++) for (let c = 0; c < numChannels; c++) values[i * numChannels + c] = data[i * 4 + c];
  return tensor(values, [height, width, numChannels], 'int32');
}

/**
 * A [height, width] or [height, width, 1 | 3 | 4] tensor as RGBA bytes, drawn on `canvas` when
 * given (resized to the image). float32 values must lie in [0, 1], int32 values in [0, 255]; one
 * channel is grey, three get alpha 255. An array is taken as int32, as TensorFlow.js does.
 * @example await st.browser.toPixels(st.div(x, 255), document.querySelector('canvas'));
 */
export async function toPixels(img: Tensor | TensorLike, canvas?: HTMLCanvasElement | OffscreenCanvas): Promise<Uint8ClampedArray> {
  const t = img instanceof Tensor ? img : cast(toTensor(img as TensorLike, 'browser.toPixels', 'img'), 'int32');
  if (t.rank !== 2 && t.rank !== 3) throw new ShapeError(`browser.toPixels: expected a tensor of rank 2 or 3 ([h, w] or [h, w, c]), got shape [${t.shape.join(', ')}]`);
  const depth = t.rank === 2 ? 1 : t.shape[2];
  if (depth !== 1 && depth !== 3 && depth !== 4) throw new ShapeError(`browser.toPixels: expected 1, 3 or 4 channels, got ${depth} (shape [${t.shape.join(', ')}])`);
  if (t.dtype !== 'float32' && t.dtype !== 'int32') throw new DTypeError(`browser.toPixels: expected a float32 or int32 tensor, got ${t.dtype}`);
  const [height, width] = t.shape;
  const data = await t.data();
  const float = t.dtype === 'float32';
  const scale = float ? 255 : 1;
  const bytes = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const j = i * 4;
    bytes[j + 3] = 255;
    for (let d = 0; d < depth; d++) {
      const v = data[i * depth + d];
      if (float ? !(v >= 0 && v <= 1) : !(v >= 0 && v <= 255)) {
        throw new ConfigError(`browser.toPixels: ${t.dtype} values must lie in ${float ? '[0, 1]' : '[0, 255]'}, got ${v} at pixel ${i} channel ${d}` +
          (float ? ' — divide 0–255 data by 255, or cast it to int32' : ''));
      }
      const b = Math.round(v * scale);
      if (depth === 1) bytes[j] = bytes[j + 1] = bytes[j + 2] = b;
      else bytes[j + d] = b;
    }
  }
  if (canvas) {
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d') as Context2D | null;
    if (!ctx) throw new ConfigError('browser.toPixels: the canvas has no 2d context (it already has a webgl or bitmaprenderer one)');
    ctx.putImageData(new ImageData(bytes, width, height), 0, 0);
  }
  return bytes;
}
