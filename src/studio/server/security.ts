/**
 * The studio's request rules: the token printed at start, the Host and Origin of a page served from
 * this server (so another web page, or a DNS-rebound name, cannot drive it), and paths that stay
 * inside the project folder.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { IncomingMessage } from 'node:http';

/** A refusal with the HTTP status it is answered with. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'HttpError';
  }
}

/** A fresh random token (24 bytes, URL-safe base64). */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** The token a request carries: the X-Studio-Token header, or ?token= (page loads, EventSource). */
export function requestToken(req: IncomingMessage, url: URL): string | null {
  const h = req.headers['x-studio-token'];
  if (typeof h === 'string') return h;
  return url.searchParams.get('token');
}

function sameToken(given: string | null, token: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given), b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Throws a 403 unless the request is to this server by its own name (Host 127.0.0.1:PORT or
 * localhost:PORT), from no page or a page of this server (Origin), and carries the token.
 */
export function checkRequest(req: IncomingMessage, url: URL, port: number, token: string): void {
  const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  const host = req.headers.host;
  if (!host || !allowedHosts.includes(host.toLowerCase())) {
    throw new HttpError(403, `forbidden: Host '${host ?? ''}' is not this studio (${allowedHosts.join(' or ')})`);
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedHosts.map((h) => `http://${h}`).includes(origin.toLowerCase())) {
    throw new HttpError(403, `forbidden: requests from the page at '${origin}' are refused; open the studio's own URL`);
  }
  if (!sameToken(requestToken(req, url), token)) {
    throw new HttpError(403, 'forbidden: missing or wrong token; open the URL the studio printed at start (it carries ?token=...)');
  }
}

/**
 * `rel` resolved inside `root`, or a 400 when it leaves it: absolute paths, `..` and symbolic links
 * out of the folder are refused. The file itself need not exist.
 */
export function insideProject(root: string, rel: unknown, what = 'path'): string {
  if (typeof rel !== 'string' || rel.trim() === '') throw new HttpError(400, `${what} must be a path inside the project folder, got ${JSON.stringify(rel)}`);
  if (rel.includes('\0')) throw new HttpError(400, `${what} contains a NUL character`);
  const rootReal = realpathSync(root);
  const full = resolve(rootReal, rel);
  if (!within(rootReal, full)) throw new HttpError(400, `${what} '${rel}' is outside the project folder ${rootReal}; give a path inside it`);
  // The deepest part that exists must resolve (symbolic links followed) inside the folder too.
  let probe = full;
  while (!existsSync(probe) && probe !== dirname(probe)) probe = dirname(probe);
  if (!within(rootReal, realpathSync(probe))) throw new HttpError(400, `${what} '${rel}' leads outside the project folder through a link`);
  return full;
}

function within(root: string, p: string): boolean {
  if (p === root) return true;
  const r = relative(root, p);
  return r !== '' && !r.startsWith(`..${sep}`) && r !== '..' && !isAbsolute(r);
}
