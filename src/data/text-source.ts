import { DatasetFormatError } from '../datasets/errors.js';

/** Where a CSV comes from: a file path or file:// URL (Node), or an http(s) URL / Request (fetch). */
export type TextSource = string | URL | Request;

/**
 * Reads a local file (path or file:// URL) as text chunks; set by the Node entry
 * (data/register-node.ts), null in the browser build, whose sources are URLs.
 */
export const localText: { reader: ((path: string, where: string, chunkBytes: number) => AsyncIterable<string>) | null } = { reader: null };

function urlOf(source: TextSource): string {
  if (typeof source === 'string') return source;
  if (source instanceof URL) return source.href;
  return source.url;
}

/**
 * The text of a source as it arrives, in chunks (UTF-8 decoded, multi-byte characters never split).
 * Node reads files with a stream; elsewhere (and for http(s) in Node) the body of a fetch is read
 * chunk by chunk. Files are read by the reader the Node entry installs, so browser builds hold no `node:` import.
 */
export async function* textChunks(source: TextSource, where: string, chunkBytes = 64 * 1024): AsyncGenerator<string> {
  const url = urlOf(source);
  const local = typeof source === 'string' || source instanceof URL;
  // Without a file reader (browser) a string is a URL, relative ones resolved against the page.
  if (local && localText.reader && !/^(https?|blob|data):/i.test(url)) {
    yield* localText.reader(url, where, chunkBytes);
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
