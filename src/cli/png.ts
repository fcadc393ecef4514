/**
 * A small PNG codec over node:zlib, enough for the CLI's image folders and `predict image.png`.
 * Decodes grey-scale, grey + alpha, RGB, RGBA and palette images of bit depth 1–16 (16-bit samples
 * keep their high byte); refuses interlaced (Adam7) images. Encodes 8-bit grey, grey + alpha, RGB,
 * RGBA and palette images with one chosen row filter.
 */
import { deflateSync, inflateSync } from 'node:zlib';

/** A decoded image: 8-bit samples, row-major, `channels` per pixel (1 grey, 2 grey + alpha, 3 RGB, 4 RGBA). */
export interface PngImage {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  pixels: Uint8Array;
}

/** A PNG that cannot be read: the message says why. */
export class PngError extends Error {}

const SIGNATURE = Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10);
const CHANNELS_OF: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Decodes a PNG file's bytes. `what` names the file in error messages. */
export function decodePng(bytes: Uint8Array, what = 'PNG'): PngImage {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw new PngError(`${what}: not a PNG file (bad signature)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0, height = 0, depth = 0, colorType = -1;
  let palette: Uint8Array | null = null, alpha: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  for (let p = 8; ; ) {
    if (p + 12 > bytes.length) throw new PngError(`${what}: truncated (no IEND chunk)`);
    const len = view.getUint32(p);
    const type = String.fromCharCode(...bytes.subarray(p + 4, p + 8));
    if (p + 12 + len > bytes.length) throw new PngError(`${what}: truncated in chunk ${type}`);
    const data = bytes.subarray(p + 8, p + 8 + len);
    if (view.getUint32(p + 8 + len) !== crc32(bytes.subarray(p + 4, p + 8 + len))) throw new PngError(`${what}: chunk ${type} fails its CRC check; the file is corrupt`);
    p += 12 + len;
    if (type === 'IHDR') {
      const h = new DataView(data.buffer, data.byteOffset, data.byteLength);
      width = h.getUint32(0); height = h.getUint32(4); depth = data[8]; colorType = data[9];
      if (data[12] !== 0) throw new PngError(`${what}: interlaced (Adam7) PNGs are not supported; save it without interlacing`);
      if (!(colorType in CHANNELS_OF)) throw new PngError(`${what}: unknown PNG color type ${colorType}`);
      const depths = colorType === 0 ? [1, 2, 4, 8, 16] : colorType === 3 ? [1, 2, 4, 8] : [8, 16];
      if (!depths.includes(depth)) throw new PngError(`${what}: bit depth ${depth} is invalid for color type ${colorType}`);
      if (width === 0 || height === 0 || width * height > 1 << 28) throw new PngError(`${what}: unsupported size ${width}×${height}`);
    } else if (type === 'PLTE') palette = data;
    else if (type === 'tRNS') alpha = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
  }
  if (colorType < 0) throw new PngError(`${what}: no IHDR chunk`);
  if (colorType === 3 && !palette) throw new PngError(`${what}: palette image without a PLTE chunk`);
  const samples = CHANNELS_OF[colorType];
  const bitsPerPixel = samples * depth;
  const stride = Math.ceil((width * bitsPerPixel) / 8);
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch {
    throw new PngError(`${what}: the image data does not decompress; the file is corrupt`);
  }
  if (raw.length < (stride + 1) * height) throw new PngError(`${what}: image data is ${raw.length} bytes, expected ${(stride + 1) * height}`);
  const rows = unfilter(raw, stride, height, Math.max(1, bitsPerPixel >> 3), what);
  return expand(rows, { width, height, depth, colorType, stride, palette, alpha });
}

/** Undoes the per-row filters (None, Sub, Up, Average, Paeth) in place of a fresh buffer. */
function unfilter(raw: Uint8Array, stride: number, height: number, bpp: number, what: string): Uint8Array {
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const o = y * stride, up = o - stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? out[o + i - bpp] : 0, b = y > 0 ? out[up + i] : 0, c = y > 0 && i >= bpp ? out[up + i - bpp] : 0;
      let pred: number;
      if (f === 0) pred = 0;
      else if (f === 1) pred = a;
      else if (f === 2) pred = b;
      else if (f === 3) pred = (a + b) >> 1;
      else if (f === 4) pred = paeth(a, b, c);
      else throw new PngError(`${what}: unknown row filter ${f} in row ${y}`);
      out[o + i] = (src[i] + pred) & 255;
    }
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

interface Header {
  width: number; height: number; depth: number; colorType: number; stride: number;
  palette: Uint8Array | null; alpha: Uint8Array | null;
}

/** Unpacked rows → 8-bit samples; palette indices become RGB(A), low bit depths are scaled to 0–255. */
function expand(rows: Uint8Array, h: Header): PngImage {
  const { width, height, depth, colorType, stride } = h;
  const samples = CHANNELS_OF[colorType];
  const sample = (y: number, k: number): number => {
    // k-th sample of row y, as an integer of `depth` bits.
    if (depth === 8) return rows[y * stride + k];
    if (depth === 16) return rows[y * stride + 2 * k];
    const bit = k * depth;
    return (rows[y * stride + (bit >> 3)] >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
  };
  if (colorType === 3) {
    const pal = h.palette!, trns = h.alpha;
    const channels = trns ? 4 : 3;
    const pixels = new Uint8Array(width * height * channels);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const idx = sample(y, x), o = (y * width + x) * channels;
        if (3 * idx + 2 >= pal.length) throw new PngError(`PNG: palette index ${idx} is outside the ${pal.length / 3}-entry palette`);
        pixels[o] = pal[3 * idx]; pixels[o + 1] = pal[3 * idx + 1]; pixels[o + 2] = pal[3 * idx + 2];
        if (trns) pixels[o + 3] = idx < trns.length ? trns[idx] : 255;
      }
    }
    return { width, height, channels, pixels };
  }
  const scale = depth < 8 ? 255 / ((1 << depth) - 1) : 1;
  const pixels = new Uint8Array(width * height * samples);
  for (let y = 0; y < height; y++) {
    for (let k = 0; k < width * samples; k++) pixels[y * width * samples + k] = Math.round(sample(y, k) * scale);
  }
  return { width, height, channels: samples as PngImage['channels'], pixels };
}

/** Options of `encodePng`. */
export interface EncodeOptions {
  /** Row filter used for every row: 0 None, 1 Sub, 2 Up, 3 Average, 4 Paeth (default 4). */
  filter?: 0 | 1 | 2 | 3 | 4;
  /** Write a palette image (color type 3): the image's RGB or RGBA colours become palette entries (at most 256). */
  palette?: boolean;
}

/** Encodes 8-bit pixels as a PNG (grey, grey + alpha, RGB, RGBA by `channels`, or a palette image). */
export function encodePng(img: PngImage, opts: EncodeOptions = {}): Uint8Array {
  const { width, height, channels, pixels } = img;
  if (pixels.length !== width * height * channels) {
    throw new PngError(`encodePng: ${pixels.length} samples for a ${width}×${height} image of ${channels} channels (expected ${width * height * channels})`);
  }
  let colorType = [0, 0, 4, 2, 6][channels], data = pixels, bpp = channels;
  const chunks: [string, Uint8Array][] = [];
  if (opts.palette) {
    if (channels < 3) throw new PngError('encodePng: a palette image needs RGB or RGBA pixels');
    const index = new Map<number, number>(), colors: number[] = [];
    data = new Uint8Array(width * height);
    for (let i = 0; i < width * height; i++) {
      let key = 0;
      for (let c = 0; c < channels; c++) key = key * 256 + pixels[i * channels + c];
      let id = index.get(key);
      if (id === undefined) {
        if (colors.length === 256) throw new PngError('encodePng: more than 256 colours do not fit a palette');
        index.set(key, (id = colors.length));
        colors.push(i);
      }
      data[i] = id;
    }
    chunks.push(['PLTE', Uint8Array.from(colors.flatMap((i) => [pixels[i * channels], pixels[i * channels + 1], pixels[i * channels + 2]]))]);
    if (channels === 4) chunks.push(['tRNS', Uint8Array.from(colors.map((i) => pixels[i * channels + 3]))]);
    colorType = 3; bpp = 1;
  }
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, width); hv.setUint32(4, height);
  header[8] = 8; header[9] = colorType;
  const filtered = filterRows(data, width * bpp, height, bpp, opts.filter ?? 4);
  const parts = [SIGNATURE, chunk('IHDR', header), ...chunks.map(([t, d]) => chunk(t, d)), chunk('IDAT', deflateSync(filtered)), chunk('IEND', new Uint8Array(0))];
  return Buffer.concat(parts);
}

function filterRows(data: Uint8Array, stride: number, height: number, bpp: number, f: number): Uint8Array {
  const out = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    out[y * (stride + 1)] = f;
    const o = y * stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? data[o + i - bpp] : 0, b = y > 0 ? data[o - stride + i] : 0, c = y > 0 && i >= bpp ? data[o - stride + i - bpp] : 0;
      const pred = f === 0 ? 0 : f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 : paeth(a, b, c);
      out[y * (stride + 1) + 1 + i] = (data[o + i] - pred) & 255;
    }
  }
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  v.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

let crcTable: Uint32Array | null = null;

/** CRC-32 (ISO 3309), as PNG chunks carry it. */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
