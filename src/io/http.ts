/** Models loaded over http(s) with fetch (Node 18+ and browsers). */
import { artifactsFromModelJson } from './artifacts.js';
import { ModelFileError } from './errors.js';
import { fetchBytes } from './fetch-bytes.js';
import type { IOHandler, LoadOptions, ModelArtifacts } from './types.js';
import { parseJson, resolveLimits, show } from './validate.js';

/**
 * An http(s) model.json URL, loaded with fetch. Weight paths resolve relative to model.json and must
 * stay on the same origin and under its folder; sizes are checked against Content-Length first.
 */
export function http(url: string, opts: LoadOptions & { fetch?: typeof fetch; requestInit?: RequestInit } = {}): IOHandler {
  return {
    async load(): Promise<ModelArtifacts> {
      const limits = resolveLimits(opts);
      const base = new URL(url);
      const folder = base.pathname.slice(0, base.pathname.lastIndexOf('/') + 1);
      const get = (u: URL, maxBytes: number, what: string, limitSource: string): Promise<Uint8Array> =>
        fetchBytes(u.href, maxBytes, what, { fetch: opts.fetch, requestInit: opts.requestInit, limitSource });
      const text = new TextDecoder().decode(await get(base, limits.maxJsonBytes, 'model.json', 'allowed (option maxJsonBytes)'));
      const json = parseJson(text, 'model.json', limits);
      return artifactsFromModelJson(json, async (p, maxBytes) => {
        const u = new URL(p, base);
        if (u.origin !== base.origin || !u.pathname.startsWith(folder)) {
          throw new ModelFileError(`model.json: weight path ${show(p)} leaves the model's folder (${base.origin}${folder})`);
        }
        return get(u, maxBytes, p, 'the manifest describes');
      }, limits);
    },
  };
}
