/**
 * The file-system side of TensorBoard logging, and the only module of it that imports `node:`
 * builtins. summary-writer.ts loads it with a dynamic import, so the library's static module graph
 * gains no `node:` import from TensorBoard support.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { access, appendFile, mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** TensorFlow's event-file name: `<logdir>/events.out.tfevents.<10-digit seconds>.<host><suffix>`. */
export function eventFilePath(logdir: string, seconds: number, suffix: string): string {
  return join(logdir, `events.out.tfevents.${String(Math.floor(seconds)).padStart(10, '0')}.${hostname()}${suffix}`);
}

/** Creates `dir` (and parents) if needed. */
export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}

/** Whether `file` is still there (someone may delete a log folder while the program runs). */
export async function exists(file: string): Promise<boolean> {
  return access(file).then(() => true, () => false);
}

/** Appends whole records in one write, so a reader never meets half a record from us mid-run. */
export async function appendBytes(file: string, bytes: Uint8Array): Promise<void> {
  await appendFile(file, bytes);
}

/** The same, synchronously: for process exit, when no asynchronous work can finish. */
export function appendBytesSync(dir: string, file: string, bytes: Uint8Array): void {
  mkdirSync(dir, { recursive: true });
  appendFileSync(file, bytes);
}
