import { DatasetFormatError } from '../datasets/errors.js';

/** A decoded BMP: 8-bit RGB, row-major, top row first. */
export interface BmpPixels {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/** Whether the bytes start like a Windows bitmap ("BM"). */
export function isBmp(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

/**
 * Reads an uncompressed Windows bitmap (BI_RGB or BI_BITFIELDS; 1, 4, 8, 16, 24 or 32 bits per
 * pixel) into RGB. libvips, which reads every other format for us, has no BMP loader in sharp's
 * prebuilt binaries, and these bitmaps are only a header over raw rows. RLE-compressed files are
 * refused with a message.
 */
export function decodeBmp(bytes: Uint8Array, where: string): BmpPixels {
  const fail = (why: string): never => {
    throw new DatasetFormatError(`${where}: cannot read this BMP file: ${why}`);
  };
  if (!isBmp(bytes) || bytes.length < 26) fail('too short or no "BM" signature');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataOffset = v.getUint32(10, true);
  const headerSize = v.getUint32(14, true);
  if (headerSize < 40 || bytes.length < 14 + headerSize) fail(`unsupported header of ${headerSize} bytes (OS/2 bitmaps are not read)`);
  const width = v.getInt32(18, true), rawHeight = v.getInt32(22, true);
  const bpp = v.getUint16(28, true), compression = v.getUint32(30, true);
  const height = Math.abs(rawHeight), topDown = rawHeight < 0;
  if (width <= 0 || height === 0 || width * height > 1 << 28) fail(`bad size ${width}×${height}`);
  if (compression !== 0 && compression !== 3) fail(`compression ${compression} (RLE or embedded JPEG/PNG) is not supported; save it uncompressed or as PNG`);
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) fail(`${bpp} bits per pixel`);
  // Channel masks: given after a 40-byte header with BI_BITFIELDS, or inside V4/V5 headers; else the defaults.
  let masks = bpp === 16 ? [0x7c00, 0x03e0, 0x001f] : [0xff0000, 0x00ff00, 0x0000ff];
  if (compression === 3) {
    if (bytes.length < 54 + 12) fail('truncated bit-field masks');
    masks = [v.getUint32(54, true), v.getUint32(58, true), v.getUint32(62, true)];
  }
  const colors = v.getUint32(46, true) || (bpp <= 8 ? 1 << bpp : 0);
  const paletteAt = 14 + headerSize + (compression === 3 && headerSize === 40 ? 12 : 0);
  const stride = Math.ceil((width * bpp) / 32) * 4;
  if (dataOffset + stride * height > bytes.length) fail(`truncated: ${height} rows of ${stride} bytes need ${dataOffset + stride * height} bytes, the file has ${bytes.length}`);
  if (bpp <= 8 && paletteAt + colors * 4 > dataOffset) fail('truncated palette');
  const channel = (px: number, mask: number): number => {
    if (mask === 0) return 0;
    const shift = 31 - Math.clz32(mask & -mask);
    const max = mask >>> shift;
    return Math.round((((px & mask) >>> shift) * 255) / max);
  };
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      if (bpp <= 8) {
        const bit = x * bpp;
        const index = (bytes[row + (bit >> 3)] >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        if (index >= colors) fail(`pixel (${x}, ${y}) uses palette entry ${index} of ${colors}`);
        const p = paletteAt + index * 4; // palette entries are B, G, R, 0
        out[o] = bytes[p + 2]; out[o + 1] = bytes[p + 1]; out[o + 2] = bytes[p];
      } else if (bpp === 24) {
        const p = row + x * 3;
        out[o] = bytes[p + 2]; out[o + 1] = bytes[p + 1]; out[o + 2] = bytes[p];
      } else {
        const px = bpp === 16 ? v.getUint16(row + x * 2, true) : v.getUint32(row + x * 4, true);
        out[o] = channel(px, masks[0]); out[o + 1] = channel(px, masks[1]); out[o + 2] = channel(px, masks[2]);
      }
    }
  }
  return { width, height, pixels: out };
}
