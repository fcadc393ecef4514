/**
 * The bytes of a Keras file from wherever it is: bytes in memory, an http(s) URL (fetch, available
 * in Node and browsers), or a path / file:// URL (Node only: node:fs is imported on first use, so
 * this module stays loadable in a browser). Sizes are checked against `maxBytes` before reading.
 */
import { ModelFileError } from '../errors.js';
import { show } from '../validate.js';

/** Where a Keras file comes from. */
export type KerasSource = string | URL | ArrayBuffer | Uint8Array;

/** A short name for messages: the file's base name, or what kind of source it was. */
export function sourceName(src: KerasSource): string {
  if (typeof src === 'string' || src instanceof URL) {
    const s = src instanceof URL ? src.href : src;
    return s.split(/[\\/]/).filter(Boolean).pop() ?? s;
  }
  return src instanceof Uint8Array ? 'the given bytes' : 'the given ArrayBuffer';
}

/** Reads `src` expecting at most `maxBytes`. */
export async function readSource(src: KerasSource, maxBytes: number, where: string): Promise<Uint8Array> {
  if (src instanceof Uint8Array) return checkSize(src, maxBytes, where);
  if (src instanceof ArrayBuffer) return checkSize(new Uint8Array(src), maxBytes, where);
  const s = src instanceof URL ? src.href : src;
  if (typeof s !== 'string') throw new ModelFileError(`${where}: expected a path, a URL, an ArrayBuffer or a Uint8Array, got ${show(src)}`);
  if (/^https?:\/\//i.test(s)) return readHttp(s, maxBytes, where);
  return readFileNode(s, maxBytes, where);
}

function checkSize(bytes: Uint8Array, maxBytes: number, where: string): Uint8Array {
  if (bytes.byteLength > maxBytes) throw new ModelFileError(`${where}: ${bytes.byteLength} bytes, more than the ${maxBytes} allowed (option maxWeightBytes)`);
  return bytes;
}

async function readHttp(url: string, maxBytes: number, where: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new ModelFileError(`${where}: could not fetch ${url} (${(e as Error).message})`);
  }
  if (!res.ok) throw new ModelFileError(`${where}: fetching ${url} answered ${res.status} ${res.statusText}`);
  const declared = Number(res.headers.get('content-length'));
  if (declared > maxBytes) throw new ModelFileError(`${where}: ${url} is ${declared} bytes, more than the ${maxBytes} allowed (option maxWeightBytes)`);
  if (!res.body) return checkSize(new Uint8Array(await res.arrayBuffer()), maxBytes, where);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new ModelFileError(`${where}: ${url} sends more than the ${maxBytes} bytes allowed (option maxWeightBytes)`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

async function readFileNode(path: string, maxBytes: number, where: string): Promise<Uint8Array> {
  const { pathFromFileUrl } = await import('../file-url.js');
  const { stat, readFile } = await import('node:fs/promises');
  const file = pathFromFileUrl(path);
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new ModelFileError(`${where}: ${file} is not a file`);
    size = st.size;
  } catch (e) {
    if (e instanceof ModelFileError) throw e;
    throw new ModelFileError(`${where}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (size > maxBytes) throw new ModelFileError(`${where}: ${file} is ${size} bytes, more than the ${maxBytes} allowed (option maxWeightBytes)`);
  return new Uint8Array(await readFile(file));
}
