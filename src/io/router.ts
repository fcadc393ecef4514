/**
 * Which storage handles a model URL, as TensorFlow.js's IORouterRegistry: a router looks at a
 * URL-like string (scheme, file extension) and returns an IOHandler or null. `model.save(url)` and
 * `st.loadLayersModel(url)` take the first handler of the highest priority. Each platform entry
 * registers its own routers (Node: paths and file://, `.onnx` saves; browser: indexeddb://,
 * localstorage://, downloads://), and http(s):// loads are registered everywhere.
 */
import { ModelFileError } from './errors.js';
import type { IOHandler, LoadOptions } from './types.js';

/** Maps a URL-like string to the handler for it, or null when the router does not handle it. */
export type IORouter = (url: string, opts?: LoadOptions) => IOHandler | null;

/** Options of registerSaveRouter / registerLoadRouter. */
export interface RouterOptions {
  /**
   * Routers of higher priority are asked first (default 0). A router by file extension (`.onnx`,
   * `.keras`) takes `ROUTER_PRIORITY.extension`, above the plain file-path router, which also
   * matches such paths.
   */
  priority?: number;
  /** What the router handles, for error messages ('indexeddb://name', 'a folder path or file://'). */
  label?: string;
}

/** Priorities used by Strata's own routers. */
export const ROUTER_PRIORITY = { scheme: 0, filePath: 0, extension: 10 } as const;

interface Entry { router: IORouter; priority: number; label: string; order: number }
const routers: { save: Entry[]; load: Entry[] } = { save: [], load: [] };
let order = 0;

function register(kind: 'save' | 'load', router: IORouter, opts: RouterOptions): void {
  if (typeof router !== 'function') throw new ModelFileError(`register${kind === 'save' ? 'Save' : 'Load'}Router: expects a function (url) => IOHandler | null, got ${typeof router}`);
  const list = routers[kind];
  list.push({ router, priority: opts.priority ?? 0, label: opts.label ?? '', order: order++ });
  list.sort((a, b) => b.priority - a.priority || a.order - b.order);
}

/**
 * Registers a router for `model.save(url)`. It returns an IOHandler with `save` for the URLs it
 * handles, null for the others.
 * @example
 * st.io.registerSaveRouter((url) => url.startsWith('mydb://') ? st.io.withSaveHandler((a) => put(url, a)) : null,
 *   { label: 'mydb://key' });
 */
export function registerSaveRouter(router: IORouter, opts: RouterOptions = {}): void {
  register('save', router, opts);
}

/**
 * Registers a router for `st.loadLayersModel(url)` (and the other loaders that take URLs). It
 * returns an IOHandler with `load` for the URLs it handles, null for the others; `opts` are the
 * load options (size limits) the handler must honour.
 * @example st.io.registerLoadRouter((url, opts) => url.startsWith('mydb://') ? st.io.fromMemory(get(url), undefined, opts) : null)
 */
export function registerLoadRouter(router: IORouter, opts: RouterOptions = {}): void {
  register('load', router, opts);
}

function handlersFor(kind: 'save' | 'load', url: string, opts?: LoadOptions): IOHandler[] {
  const out: IOHandler[] = [];
  for (const { router } of routers[kind]) {
    const h = router(url, opts);
    if (h) out.push(h);
  }
  return out;
}

/**
 * The save handlers for a URL, in the order they are tried (highest priority first).
 * @example st.io.getSaveHandlers('indexeddb://my-model') // [handler] in a browser, [] in Node
 */
export function getSaveHandlers(url: string): IOHandler[] {
  return handlersFor('save', url);
}

/**
 * The load handlers for a URL, in the order they are tried (highest priority first).
 * @example st.io.getLoadHandlers('https://example.com/model.json')
 */
export function getLoadHandlers(url: string, opts?: LoadOptions): IOHandler[] {
  return handlersFor('load', url, opts);
}

// Schemes one platform has and the other does not: named in the refusal, so the fix is clear.
const BROWSER_ONLY = /^(indexeddb|localstorage|downloads):\/\//i;

/**
 * The first handler for `url`, or a ModelFileError naming what is registered (and, for a scheme of
 * the other build, that build).
 */
export function routeOrThrow(kind: 'save' | 'load', url: string, where: string, opts?: LoadOptions): IOHandler {
  const [h] = handlersFor(kind, url, opts);
  if (h) return h;
  const known = routers[kind].map((e) => e.label).filter(Boolean).join('; ');
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  let hint = '';
  if (BROWSER_ONLY.test(url) && isNode) hint = ` — ${url.split('://')[0]}:// is a browser storage; it works in the browser build of Strata`;
  else if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^file:\/\//i.test(url)) {
    if (!isNode) hint = ' — paths on disk are Node-only; in a browser use indexeddb://, localstorage://, downloads:// or st.io.browserFiles';
  }
  throw new ModelFileError(`${where}: no ${kind} handler for '${url}'${hint} (registered: ${known || 'none'})`);
}
