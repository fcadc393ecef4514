/** `strata studio [folder]`: starts the studio on 127.0.0.1 and prints its URL (with the token). */
import { resolve } from 'node:path';
import { type Flags, UsageError, numberFlag } from '../../cli/args.js';
import { startStudio } from './http.js';

export async function studio(positional: string[], flags: Flags, log: (line: string) => void): Promise<number> {
  if (positional.length > 1) throw new UsageError(`studio: one project folder at most, got '${positional.join("' '")}'`);
  const folder = resolve(positional[0] ?? 'strata-studio');
  const port = numberFlag(flags, 'port', 0, 0, 65535);
  const s = await startStudio({ folder, port });
  log(`Strata Studio: project ${folder}`);
  log(`open ${s.url}`);
  log('(only this machine can connect, and only with the token in that URL; Ctrl+C stops the studio)');
  await new Promise<void>((done) => {
    const stop = () => {
      void s.close().then(done);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
