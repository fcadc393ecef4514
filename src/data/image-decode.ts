import { ConfigError } from '../errors.js';
import { DatasetFormatError } from '../datasets/errors.js';
import { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/create.js';
import { decodeBmp, isBmp } from './bmp.js';
import { describe } from './iterator.js';

/** Resampling used when an image is resized (Keras' names; each maps to a libvips kernel). */
export type Interpolation = 'bilinear' | 'nearest' | 'bicubic' | 'mitchellcubic' | 'lanczos3';

/** The colour mode of decoded images: 1, 3 or 4 channels. */
export type ColorMode = 'grayscale' | 'rgb' | 'rgba';

const KERNELS: Record<Interpolation, string> = {
  bilinear: 'linear', nearest: 'nearest', bicubic: 'cubic', mitchellcubic: 'mitchell', lanczos3: 'lanczos3',
};
const CHANNELS: Record<ColorMode, 1 | 3 | 4> = { grayscale: 1, rgb: 3, rgba: 4 };

/** Options of `data.readImage`. */
export interface ReadImageOptions {
  /** Resize to [height, width]; omitted: the image's own size. */
  imageSize?: [number, number] | number;
  /** 'grayscale' (1 channel), 'rgb' (3, default) or 'rgba' (4). Alpha is dropped for the first two. */
  colorMode?: ColorMode;
  /** Resampling when resizing (default 'bilinear'). */
  interpolation?: Interpolation;
  /** Crop the largest centred window of the target aspect ratio before resizing, so nothing is stretched. */
  cropToAspectRatio?: boolean;
}

/** Checked reading options, as the decoder takes them. */
export interface DecodeSpec {
  size: [number, number] | null;
  channels: 1 | 3 | 4;
  kernel: string;
  crop: boolean;
}

/** A decoded image: float32 samples in 0–255 (16-bit images keep their precision), row-major HWC. */
export interface DecodedImage {
  height: number;
  width: number;
  channels: number;
  pixels: Float32Array;
}

/** Validates reading options; `where` names the calling function in errors. */
export function decodeSpec(o: ReadImageOptions, where: string, defaultSize: [number, number] | null): DecodeSpec {
  let size = o.imageSize === undefined ? defaultSize : typeof o.imageSize === 'number' ? [o.imageSize, o.imageSize] as [number, number] : o.imageSize;
  if (size !== null && (!Array.isArray(size) || size.length !== 2 || !size.every((d) => Number.isInteger(d) && d > 0))) {
    throw new ConfigError(`${where}: imageSize must be [height, width] of positive integers, got ${describe(o.imageSize)}`);
  }
  const colorMode = o.colorMode ?? 'rgb';
  if (!(colorMode in CHANNELS)) throw new ConfigError(`${where}: colorMode must be 'grayscale', 'rgb' or 'rgba', got ${describe(colorMode)}`);
  const interpolation = (o.interpolation ?? 'bilinear').toLowerCase() as Interpolation;
  if (!(interpolation in KERNELS)) {
    throw new ConfigError(`${where}: interpolation must be one of ${Object.keys(KERNELS).join(', ')}, got ${describe(o.interpolation)}` +
      ' (Keras\' area, gaussian and lanczos5 have no libvips kernel)');
  }
  size = size === null ? null : [size[0], size[1]];
  return { size, channels: CHANNELS[colorMode], kernel: KERNELS[interpolation], crop: !!o.cropToAspectRatio };
}

type SharpFn = typeof import('sharp').default;
let sharpModule: Promise<SharpFn> | null = null;

/** sharp (libvips), imported on first use so browser builds never see it. */
export function loadSharp(where: string): Promise<SharpFn> {
  if (typeof process === 'undefined' || typeof process.versions?.node !== 'string') {
    return Promise.reject(new ConfigError(`${where}: reading image files needs Node.js (sharp); in browsers decode images with the page's own APIs`));
  }
  sharpModule ??= import('sharp').then((m) => m.default).catch((e) => {
    sharpModule = null;
    throw new ConfigError(`${where}: cannot load the image decoder 'sharp' (${(e as Error).message}); run npm install sharp`);
  });
  return sharpModule;
}

/**
 * Decodes the bytes of one JPEG, PNG (any bit depth, interlaced or not), WebP, GIF (first frame),
 * TIFF or BMP image, converts it to the requested channels and resizes it. Errors name `where`
 * (the file) and say why the image cannot be read.
 */
export async function decodeImageBytes(bytes: Uint8Array, spec: DecodeSpec, where: string): Promise<DecodedImage> {
  const sharp = await loadSharp(where);
  try {
    let img;
    let deep = false;
    if (isBmp(bytes)) {
      const bmp = await decodeBmp(bytes, where);
      img = sharp(bmp.pixels, { raw: { width: bmp.width, height: bmp.height, channels: 3 } });
    } else {
      img = sharp(bytes, { pages: 1 });
      const meta = await img.metadata();
      deep = meta.depth === 'ushort';
    }
    // 16-bit sources stay 16-bit through libvips and are scaled to 0–255 floats at the end.
    if (spec.channels === 4) img = img.ensureAlpha();
    else img = img.removeAlpha();
    img = img.toColourspace(spec.channels === 1 ? (deep ? 'grey16' : 'b-w') : deep ? 'rgb16' : 'srgb');
    if (spec.size) {
      img = img.resize({ width: spec.size[1], height: spec.size[0], fit: spec.crop ? 'cover' : 'fill', position: 'centre', kernel: spec.kernel as 'linear' });
    }
    const { data, info } = await img.raw({ depth: deep ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== spec.channels) throw new Error(`decoded to ${info.channels} channels instead of ${spec.channels}`);
    const n = info.width * info.height * info.channels;
    const pixels = new Float32Array(n);
    if (deep) {
      const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
      for (let i = 0; i < n; i++) pixels[i] = v.getUint16(2 * i, true) / 257;
    } else pixels.set(data.subarray(0, n));
    return { height: info.height, width: info.width, channels: info.channels, pixels };
  } catch (e) {
    if (e instanceof DatasetFormatError) throw e;
    throw new DatasetFormatError(`${where}: cannot decode this image (${(e as Error).message.split('\n')[0]}); is it a complete JPEG, PNG, WebP, GIF or BMP file?`);
  }
}

/** Reads and decodes one image file (Node). */
export async function decodeImageFile(path: string, spec: DecodeSpec): Promise<DecodedImage> {
  const { readFile } = await import('node:fs/promises');
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new DatasetFormatError(`${path}: cannot read the file (${(e as Error).message})`);
  }
  return decodeImageBytes(bytes, spec, path);
}

/**
 * Reads an image file (JPEG, PNG of any bit depth, WebP, GIF, BMP, TIFF) into a float32 tensor
 * [height, width, channels] of values in 0–255, as keras.utils.load_img + img_to_array. Node only.
 * @example const x = await st.data.readImage('cat.jpg', { imageSize: [224, 224] }); // [224, 224, 3]
 */
export async function readImage(source: string | Uint8Array, options: ReadImageOptions = {}): Promise<Tensor> {
  const spec = decodeSpec(options, 'data.readImage', null);
  const img = typeof source === 'string' ? await decodeImageFile(source, spec)
    : source instanceof Uint8Array ? await decodeImageBytes(source, spec, 'data.readImage')
      : (() => { throw new ConfigError(`data.readImage: expected a file path or the file's bytes (Uint8Array), got ${describe(source)}`); })();
  return tensor(img.pixels, [img.height, img.width, img.channels]);
}
