/**
 * The bytes of a single-file model (Keras .keras / .h5, ONNX) from wherever it is: bytes in memory,
 * a Blob or File (an `<input type="file">`), an http(s) URL (fetch, in Node and browsers), or a
 * path / file:// URL, read by the reader the Node entry installs (io/local-files.ts). Without that
 * reader (the browser build) a string is a URL, relative ones resolved against the page, as
 * TensorFlow.js does. Sizes are checked against `maxBytes` before anything is read.
 */
import { ModelFileError } from './errors.js';
import { fetchBytes } from './fetch-bytes.js';
import { hasLocalFileReader, readLocalFile } from './local-files.js';
import { show } from './validate.js';

/** Where a model file comes from. */
export type ModelSource = string | URL | ArrayBuffer | Uint8Array | Blob;

const isBlob = (s: unknown): s is Blob => typeof Blob !== 'undefined' && s instanceof Blob;

/** A short name for messages: the file's base name, or what kind of source it was. */
export function sourceName(src: ModelSource): string {
  if (typeof src === 'string' || src instanceof URL) {
    const s = src instanceof URL ? src.href : src;
    return s.split(/[\\/]/).filter(Boolean).pop() ?? s;
  }
  if (isBlob(src)) return typeof (src as File).name === 'string' && (src as File).name ? (src as File).name : 'the given Blob';
  return src instanceof Uint8Array ? 'the given bytes' : 'the given ArrayBuffer';
}

/** True for the kinds of value `readModelSource` takes. */
export function isModelSource(src: unknown): src is ModelSource {
  return typeof src === 'string' || src instanceof URL || src instanceof ArrayBuffer || src instanceof Uint8Array || isBlob(src);
}

/** Reads `src` expecting at most `maxBytes`; `where` names it in errors. */
export async function readModelSource(src: ModelSource, maxBytes: number, where: string): Promise<Uint8Array> {
  if (src instanceof Uint8Array) return checkSize(src, maxBytes, where);
  if (src instanceof ArrayBuffer) return checkSize(new Uint8Array(src), maxBytes, where);
  if (isBlob(src)) {
    checkSize(src.size, maxBytes, where);
    return new Uint8Array(await src.arrayBuffer());
  }
  const s = src instanceof URL ? src.href : src;
  if (typeof s !== 'string') {
    throw new ModelFileError(`${where}: expected a path, a URL, a File/Blob, an ArrayBuffer or a Uint8Array, got ${show(src)}`);
  }
  if (/^https?:\/\//i.test(s) || (!hasLocalFileReader() && !/^file:\/\//i.test(s))) return fetchBytes(s, maxBytes, where);
  return readLocalFile(s, maxBytes, where);
}

function checkSize<T extends Uint8Array | number>(bytes: T, maxBytes: number, where: string): T {
  const n = typeof bytes === 'number' ? bytes : bytes.byteLength;
  if (n > maxBytes) throw new ModelFileError(`${where}: ${n} bytes, more than the ${maxBytes} allowed (option maxWeightBytes)`);
  return bytes;
}
