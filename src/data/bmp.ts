import { DatasetFormatError } from '../datasets/errors.js';

/** A decoded BMP: 8-bit RGB, row-major, top row first. */
export interface BmpPixels {
  width: number;
  height: number;
  pixels: Uint8Array;
}

// sharp's own default pixel limit (limitInputPixels), so a BMP header cannot ask for more than any other format.
const MAX_PIXELS = 0x3fff * 0x3fff;
// Even RLE runs hold at most ~128 pixels a byte: a header claiming far more than its file holds is refused
// before the decoder allocates the image.
const MAX_PIXELS_PER_BYTE = 1024;

type NsBmp = typeof import('@cwasm/nsbmp');
let nsbmp: Promise<NsBmp> | null = null;

/** Whether the bytes start like a Windows bitmap ("BM"). */
export function isBmp(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

/**
 * Decodes a Windows bitmap (1–32 bits per pixel, palettes, bit fields, RLE4/RLE8) into RGB with NetSurf's
 * libnsbmp (the `@cwasm/nsbmp` WebAssembly build): libvips, which reads every other format for us, has no
 * BMP loader in sharp's prebuilt binaries. Only the header's size is read here, to refuse absurd images.
 */
export async function decodeBmp(bytes: Uint8Array, where: string): Promise<BmpPixels> {
  const fail = (why: string): never => {
    throw new DatasetFormatError(`${where}: cannot read this BMP file: ${why}`);
  };
  if (!isBmp(bytes) || bytes.length < 26) fail('too short or no "BM" signature');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = v.getInt32(18, true), height = Math.abs(v.getInt32(22, true));
  if (width <= 0 || height === 0 || width * height > Math.min(MAX_PIXELS, MAX_PIXELS_PER_BYTE * bytes.length)) {
    fail(`bad size ${width}×${height} for a file of ${bytes.length} bytes`);
  }
  nsbmp ??= import('@cwasm/nsbmp');
  let image;
  try {
    image = (await nsbmp).decode(bytes);
  } catch (e) {
    return fail(`${(e as Error).message.split('\n')[0] || 'malformed file'} (libnsbmp)`);
  }
  if (image.width !== width || image.height !== height) fail(`the decoder returned ${image.width}×${image.height} pixels for a ${width}×${height} header`);
  // RGBA → RGB: BMP alpha is rarely meaningful, and colour modes are applied by libvips afterwards.
  const n = width * height, rgba = image.data, rgb = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    rgb[3 * i] = rgba[4 * i];
    rgb[3 * i + 1] = rgba[4 * i + 1];
    rgb[3 * i + 2] = rgba[4 * i + 2];
  }
  return { width, height, pixels: rgb };
}
