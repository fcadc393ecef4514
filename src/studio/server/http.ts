/**
 * The studio's HTTP server (node:http, 127.0.0.1 only): the page's files and the JSON API. Every
 * request passes `checkRequest` (token, Host, Origin) first; every failure is answered with a
 * status and a one-line message, and nothing a request sends can stop the server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { StrataError } from '../../errors.js';
import { ModelFileError } from '../../io/errors.js';
import { CliError, UsageError } from '../../cli/args.js';
import { HttpError, checkRequest, newToken } from './security.js';
import { Studio } from './studio.js';

export interface StudioServerOptions {
  /** The project folder (created when missing). */
  folder: string;
  /** Port to listen on (0: any free one). */
  port?: number;
  /** The token (default: a fresh random one). */
  token?: string;
  /** Where the page's built files are (default: dist/studio/page beside this file). */
  pageDir?: string;
}

export interface StudioServer {
  server: Server;
  studio: Studio;
  port: number;
  token: string;
  /** The URL to open, token included. */
  url: string;
  close(): Promise<void>;
}

const MAX_BODY = 8 * 1024 * 1024;
const PAGE_FILES: Record<string, string> = {
  '/app.js': 'text/javascript; charset=utf-8',
  '/app.css': 'text/css; charset=utf-8',
};

/**
 * Starts the studio on 127.0.0.1.
 * @example const s = await startStudio({ folder: 'my-project' }); console.log(s.url);
 */
export async function startStudio(opts: StudioServerOptions): Promise<StudioServer> {
  const token = opts.token ?? newToken();
  const studio = new Studio(opts.folder);
  const pageDir = opts.pageDir ?? fileURLToPath(new URL('../page/', import.meta.url));
  let port = 0;
  const server = createServer((req, res) => {
    handle(req, res).catch((e) => fail(res, e));
  });
  // A request Node cannot parse is answered 400, never thrown.
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    checkRequest(req, url, port, token);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('cache-control', 'no-store');
    if (req.method === 'GET' && (url.pathname === '/' || url.pathname === '/index.html')) return page(res, token, pageDir);
    if (req.method === 'GET' && PAGE_FILES[url.pathname]) return asset(res, pageDir, url.pathname);
    if (!url.pathname.startsWith('/api/')) throw new HttpError(404, `no such page: ${url.pathname}`);
    if (url.pathname === '/api/events') {
      if (req.method !== 'GET') throw new HttpError(405, '/api/events takes GET');
      return studio.events(res);
    }
    const body = req.method === 'POST' || req.method === 'PUT' ? await readJson(req) : undefined;
    const result = await studio.api(req.method ?? 'GET', url.pathname.slice('/api/'.length), body, url.searchParams);
    send(res, 200, result);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as { port: number }).port;
  return {
    server, studio, port, token,
    url: `http://127.0.0.1:${port}/?token=${token}`,
    close: async () => {
      studio.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value ?? null);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(text);
}

/** Any error as a response: HttpError with its status, the library's own errors as 400, the rest 500. */
function fail(res: ServerResponse, e: unknown): void {
  const err = e as Error;
  const status = e instanceof HttpError ? e.status : e instanceof StrataError || e instanceof ModelFileError || e instanceof CliError || e instanceof UsageError ? 400 : 500;
  if (res.headersSent) {
    res.end();
    return;
  }
  send(res, status, { error: err?.message ?? String(e) });
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(type)) {
      reject(new HttpError(415, `send JSON (content-type application/json), got '${type}'`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, `request body over ${MAX_BODY} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('error', reject);
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (e) {
        reject(new HttpError(400, `malformed JSON: ${(e as Error).message}`));
      }
    });
  });
}

function page(res: ServerResponse, token: string, dir: string): void {
  const file = `${dir}/index.html`;
  if (!existsSync(file)) throw new HttpError(500, `the studio page is not built (${file} is missing); run npm run build`);
  // The token rides on the page's asset URLs; the page's script reads it from its own URL.
  const html = readFileSync(file, 'utf8').replaceAll('__TOKEN__', encodeURIComponent(token));
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
    'referrer-policy': 'no-referrer',
  });
  res.end(html);
}

function asset(res: ServerResponse, dir: string, name: string): void {
  const file = `${dir}${name}`;
  if (!existsSync(file)) throw new HttpError(404, `${name} is not built; run npm run build`);
  res.writeHead(200, { 'content-type': PAGE_FILES[name] });
  res.end(readFileSync(file));
}
