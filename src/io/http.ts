/** Models loaded over http(s) with fetch (Node 18+ and browsers). */
import { artifactsFromModelJson } from './artifacts.js';
import { ModelFileError } from './errors.js';
import type { IOHandler, LoadOptions, ModelArtifacts } from './types.js';
import { parseJson, resolveLimits, show } from './validate.js';

/**
 * An http(s) model.json URL, loaded with fetch. Weight paths resolve relative to model.json and must
 * stay on the same origin and under its folder; sizes are checked against Content-Length first.
 */
export function http(url: string, opts: LoadOptions & { fetch?: typeof fetch; requestInit?: RequestInit } = {}): IOHandler {
  const doFetch = opts.fetch ?? globalThis.fetch;
  return {
    async load(): Promise<ModelArtifacts> {
      const limits = resolveLimits(opts);
      const base = new URL(url);
      const folder = base.pathname.slice(0, base.pathname.lastIndexOf('/') + 1);
      const get = async (u: URL, maxBytes: number, what: string): Promise<Uint8Array> => {
        let res: Response;
        try {
          res = await doFetch(u.href, opts.requestInit);
        } catch (e) {
          throw new ModelFileError(`${what}: could not fetch ${u.href}: ${(e as Error).message}`);
        }
        if (!res.ok) throw new ModelFileError(`${what}: ${u.href} answered ${res.status} ${res.statusText}`);
        const len = Number(res.headers.get('content-length') ?? NaN);
        if (Number.isFinite(len) && len > maxBytes) throw new ModelFileError(`${what}: ${len} bytes, more than the ${maxBytes} expected`);
        const bytes = new Uint8Array(await res.arrayBuffer());
        if (bytes.byteLength > maxBytes) throw new ModelFileError(`${what}: ${bytes.byteLength} bytes, more than the ${maxBytes} expected`);
        return bytes;
      };
      const text = new TextDecoder().decode(await get(base, limits.maxJsonBytes, 'model.json'));
      const json = parseJson(text, 'model.json', limits);
      return artifactsFromModelJson(json, async (p, maxBytes) => {
        const u = new URL(p, base);
        if (u.origin !== base.origin || !u.pathname.startsWith(folder)) {
          throw new ModelFileError(`model.json: weight path ${show(p)} leaves the model's folder (${base.origin}${folder})`);
        }
        return get(u, maxBytes, p);
      }, limits);
    },
  };
}
