import { DatasetFormatError } from './errors.js';
import { missingFile } from './resolve.js';

/** The header of an IDX file (the MNIST format): big-endian dimensions after a 4-byte magic number. */
export interface IdxHeader {
  /** Dimensions, outermost first: [60000, 28, 28] for the MNIST training images. */
  dims: number[];
  /** Bytes before the data: 4 + 4 · rank. */
  headerBytes: number;
}

/**
 * Parses an IDX header (magic 0x00 0x00 <type> <rank>, then `rank` big-endian uint32 sizes) and
 * checks it: unsigned-byte data (type 0x08), the expected rank and trailing dimensions, and a
 * file length that matches header + data exactly, so truncated or padded files are refused.
 */
export function parseIdxHeader(what: string, head: Uint8Array, fileBytes: number, expectDims: (number | null)[]): IdxHeader {
  if (head.length < 4) throw new DatasetFormatError(`${what}: file is ${head.length} bytes, too short for an IDX header`);
  if (head[0] !== 0 || head[1] !== 0) {
    throw new DatasetFormatError(`${what}: not an IDX file (magic number starts 0x${hex(head[0])} 0x${hex(head[1])}, expected 0x00 0x00)` +
      (head[0] === 0x1f && head[1] === 0x8b ? ' — it is gzipped; gunzip it first' : ''));
  }
  if (head[2] !== 0x08) throw new DatasetFormatError(`${what}: IDX data type 0x${hex(head[2])} is not supported, expected 0x08 (unsigned byte)`);
  const rank = head[3];
  if (rank !== expectDims.length) throw new DatasetFormatError(`${what}: IDX rank is ${rank}, expected ${expectDims.length}`);
  const headerBytes = 4 + 4 * rank;
  if (head.length < headerBytes) throw new DatasetFormatError(`${what}: file is ${head.length} bytes, too short for its ${rank}-D IDX header`);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < rank; d++) dims.push(view.getUint32(4 + 4 * d, false));
  dims.forEach((n, d) => {
    const want = expectDims[d];
    if (want !== null && n !== want) throw new DatasetFormatError(`${what}: IDX dimension ${d} is ${n}, expected ${want} (dims [${dims.join(', ')}])`);
  });
  const expected = headerBytes + dims.reduce((a, b) => a * b, 1);
  if (fileBytes !== expected) {
    throw new DatasetFormatError(`${what}: file is ${fileBytes} bytes but its header [${dims.join(', ')}] needs ${expected}` +
      (fileBytes < expected ? ' — the file is truncated' : ' — the file has trailing bytes'));
  }
  return { dims, headerBytes };
}

/**
 * Reads an IDX file of unsigned bytes: the header, then only the first `count` items (all when
 * count is Infinity), so a small `limit` reads a few kilobytes instead of the whole file.
 */
export async function readIdx(what: string, path: string, expectDims: (number | null)[], count: number): Promise<{ dims: number[]; data: Uint8Array }> {
  const { open } = await import('node:fs/promises');
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw missingFile(what, path, e);
  }
  try {
    const { size } = await fh.stat();
    const headLen = Math.min(size, 4 + 4 * 255);
    const head = new Uint8Array(headLen);
    await fh.read(head, 0, headLen, 0);
    const { dims, headerBytes } = parseIdxHeader(what, head, size, expectDims);
    const n = Math.min(dims[0], count);
    const itemBytes = dims.slice(1).reduce((a, b) => a * b, 1);
    const data = new Uint8Array(n * itemBytes);
    let got = 0;
    while (got < data.length) {
      const { bytesRead } = await fh.read(data, got, data.length - got, headerBytes + got);
      if (bytesRead === 0) throw new DatasetFormatError(`${what}: file ended early at byte ${headerBytes + got}`);
      got += bytesRead;
    }
    return { dims: [n, ...dims.slice(1)], data };
  } finally {
    await fh.close();
  }
}

function hex(b: number | undefined): string {
  return (b ?? 0).toString(16).padStart(2, '0');
}
