/** Paths from the `file://` strings TF.js programs pass (`file://./model`, `file:///abs/model`). */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A path or file:// URL as an absolute path. As tfjs-node, `file://` followed by a relative path
 * (`file://./model`, `file://out/model`) is that path from the working directory (Node's
 * fileURLToPath rejects it: '.' would be a host); a standard file URL (`file:///abs/path`,
 * `file://localhost/...`) is decoded as one.
 * @example pathFromFileUrl('file://./abalone.csv') // → '/cwd/abalone.csv'
 */
export function pathFromFileUrl(target: string): string {
  if (!/^file:\/\//i.test(target)) return resolve(target);
  const rest = target.slice('file://'.length);
  return resolve(rest.startsWith('/') || rest.startsWith('localhost/') ? fileURLToPath(target) : rest);
}
