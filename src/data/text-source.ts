import { DatasetFormatError } from '../datasets/errors.js';

/** Where a CSV comes from: a file path or file:// URL (Node), or an http(s) URL / Request (fetch). */
export type TextSource = string | URL | Request;

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

function urlOf(source: TextSource): string {
  if (typeof source === 'string') return source;
  if (source instanceof URL) return source.href;
  return source.url;
}

/**
 * The text of a source as it arrives, in chunks (UTF-8 decoded, multi-byte characters never split).
 * Node reads files with a stream; elsewhere (and for http(s) in Node) the body of a fetch is read
 * chunk by chunk. `node:` modules are imported only inside the Node branch, so browser builds load.
 */
export async function* textChunks(source: TextSource, where: string, chunkBytes = 64 * 1024): AsyncGenerator<string> {
  const url = urlOf(source);
  const local = typeof source === 'string' || source instanceof URL;
  if (isNode() && local && !/^https?:\/\//i.test(url)) {
    const fs = await import('node:fs');
    // file://./data.csv (tfjs-node style) is a relative path, which fileURLToPath rejects.
    const { pathFromFileUrl } = await import('../io/file-url.js');
    const path = pathFromFileUrl(url);
    const stream = fs.createReadStream(path, { encoding: 'utf8', highWaterMark: chunkBytes });
    try {
      for await (const chunk of stream) yield chunk as string;
    } catch (e) {
      throw new DatasetFormatError(`${where}: cannot read '${path}': ${(e as Error).message} — pass an existing file path or file:// URL`);
    } finally {
      stream.destroy();
    }
    return;
  }
  if (typeof fetch !== 'function') throw new DatasetFormatError(`${where}: no fetch() in this environment to read ${url}`);
  let response: Response;
  try {
    response = await fetch(source);
  } catch (e) {
    throw new DatasetFormatError(`${where}: cannot fetch ${url}: ${(e as Error).message}`);
  }
  if (!response.ok) throw new DatasetFormatError(`${where}: fetching ${url} answered ${response.status} ${response.statusText}`);
  if (!response.body) {
    yield await response.text();
    return;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      yield decoder.decode(value, { stream: true });
    }
    const rest = decoder.decode();
    if (rest) yield rest;
  } finally {
    // Stops the download when the reader leaves early (take(n), an error downstream).
    await reader.cancel().catch(() => undefined);
  }
}
