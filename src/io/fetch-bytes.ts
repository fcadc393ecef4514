/** The body of an http(s) response as bytes, refused as soon as it exceeds its size limit. */
import { ModelFileError } from './errors.js';

/** How to fetch: another fetch (tests, proxies), its RequestInit, and where the limit comes from. */
export interface FetchBytesOptions {
  fetch?: typeof fetch;
  requestInit?: RequestInit;
  /**
   * Ends the size refusal "more than the N bytes …", so that users know what to raise or check;
   * default "allowed (option maxWeightBytes)".
   */
  limitSource?: string;
}

/**
 * Fetches `url`, expecting at most `maxBytes`; `where` names the file in errors. A declared
 * Content-Length over the limit is refused before the body is read, and a body that grows past it
 * is cancelled at that point, so a hostile server cannot make the caller hold more than the limit.
 */
export async function fetchBytes(url: string, maxBytes: number, where: string, opts: FetchBytesOptions = {}): Promise<Uint8Array> {
  const doFetch = opts.fetch ?? (typeof fetch === 'function' ? fetch : null);
  if (!doFetch) throw new ModelFileError(`${where}: no fetch() in this environment to read ${url}`);
  const limit = `the ${maxBytes} bytes ${opts.limitSource ?? 'allowed (option maxWeightBytes)'}`;
  const tooBig = (what: string) => new ModelFileError(`${where}: ${url} ${what} more than ${limit}`);
  let res: Response;
  try {
    res = await doFetch(url, opts.requestInit);
  } catch (e) {
    throw new ModelFileError(`${where}: could not fetch ${url} (${(e as Error).message})`);
  }
  if (!res.ok) throw new ModelFileError(`${where}: fetching ${url} answered ${res.status} ${res.statusText}`);
  const declared = Number(res.headers.get('content-length'));
  if (declared > maxBytes) throw tooBig(`is ${declared} bytes,`);
  if (!res.body) {
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.byteLength > maxBytes) throw tooBig(`is ${bytes.byteLength} bytes,`);
    return bytes;
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooBig('sends');
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
