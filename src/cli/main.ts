/**
 * Entry of the `strata` command (bin/strata.js imports this file). Quiets the library's backend
 * notice before loading it (stderr is kept for errors), runs the command, and turns every error
 * into one line `strata: error: ...` with exit code 2 (usage) or 1 (failure).
 */
import { readFileSync } from 'node:fs';

if (process.env.STRATA_QUIET === undefined) process.env.STRATA_QUIET = '1';
// `strata ... | head` closes stdout early: stop quietly rather than crash on EPIPE.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

const { run } = await import('./run.js');
const { UsageError } = await import('./args.js');

function version(): string {
  try {
    return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

try {
  process.exitCode = await run(process.argv.slice(2), version());
} catch (e) {
  const err = e as Error & { code?: string; path?: string };
  let message = err?.message ?? String(e);
  // Node's file errors carry the path; say it plainly.
  if (err?.code === 'ENOENT') message = `no such file or folder: ${err.path ?? message}`;
  else if (err?.code === 'EACCES') message = `permission denied: ${err.path ?? message}`;
  process.stderr.write(`strata: error: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  if (process.env.STRATA_DEBUG === '1' && err?.stack) process.stderr.write(`${err.stack}\n`);
  process.exitCode = e instanceof UsageError ? 2 : 1;
}
