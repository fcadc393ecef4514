/**
 * The file-system side of TensorBoard logging, and the only module of it that imports `node:`
 * builtins. summary-writer.ts loads it with a dynamic import, so the library's static module graph
 * gains no `node:` import from TensorBoard support.
 */
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** TensorFlow's event-file name: `<logdir>/events.out.tfevents.<10-digit seconds>.<host><suffix>`. */
export function eventFilePath(logdir: string, seconds: number, suffix: string): string {
  return join(logdir, `events.out.tfevents.${String(Math.floor(seconds)).padStart(10, '0')}.${hostname()}${suffix}`);
}

/** Whether `file` is still there (someone may delete a log folder while the program runs). */
export function fileExists(file: string): boolean {
  return existsSync(file);
}

/** Creates `dir` (and parents) if needed. */
export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
}

/**
 * Appends whole records in one write. Synchronous on purpose: a write happens once per batch of
 * records (a few microseconds), and nothing is ever in flight when the process exits or crashes.
 */
export function appendBytes(file: string, bytes: Uint8Array): void {
  appendFileSync(file, bytes);
}
