/**
 * `strata example NAME` and `strata example --list`: the examples are the compiled files of
 * dist/examples (each exports `example: Example`, see examples/example.ts), found by listing the
 * folder, so a new example needs no registry. STRATA_EXAMPLES_DIR points elsewhere (tests).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CliError, type Flags, UsageError, numberFlag, stringFlag } from './args.js';

// The shapes of examples/example.ts, restated: cli/ compiles without the examples folder.
interface Figure { name: string; value: number; floor?: number; lowerIsBetter?: boolean }
interface Result { figures: Figure[]; seconds: number; modelDir: string; notes: string[] }
interface Example {
  name: string;
  description: string;
  flagsHelp?: string[];
  run(o: {
    fast: boolean; epochs?: number; out: string; flags: Record<string, string | boolean>;
    log: (line: string) => void; verbose: 0 | 1 | 2; seed: number;
  }): Promise<Result>;
}
interface Helpers { formatFigures(r: Result): string[]; meetsFloors(r: Result): boolean }

const DEFAULT_DIR = fileURLToPath(new URL('../examples/', import.meta.url));

function examplesDir(): string {
  return resolve(process.env.STRATA_EXAMPLES_DIR || DEFAULT_DIR);
}

/**
 * Every example in the folder, by name (files that export no `example` are skipped); files that
 * fail to load are listed in `broken` rather than failing every other example.
 */
export async function listExamples(): Promise<{ examples: Map<string, Example>; broken: string[] }> {
  const dir = examplesDir();
  const examples = new Map<string, Example>(), broken: string[] = [];
  if (!existsSync(dir)) return { examples, broken };
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.js') && f !== 'example.js').sort()) {
    let mod: { example?: Example };
    try {
      mod = (await import(pathToFileURL(join(dir, f)).href)) as { example?: Example };
    } catch (e) {
      broken.push(`${f}: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    const ex = mod.example;
    if (ex && typeof ex.name === 'string' && typeof ex.run === 'function') examples.set(ex.name, ex);
  }
  return { examples, broken };
}

async function helpers(): Promise<Helpers> {
  for (const dir of [examplesDir(), DEFAULT_DIR]) {
    const file = join(dir, 'example.js');
    if (existsSync(file)) return (await import(pathToFileURL(file).href)) as Helpers;
  }
  throw new CliError(`no example.js in ${examplesDir()}; run 'npm run build' to compile the examples`);
}

export async function example(positional: string[], flags: Flags, extra: Record<string, string | boolean>, log: (s: string) => void): Promise<number> {
  const { examples: all, broken } = await listExamples();
  if (flags.list) {
    if (all.size === 0) log(`no examples in ${examplesDir()}`);
    const width = Math.max(0, ...[...all.keys()].map((n) => n.length));
    for (const ex of all.values()) log(`${ex.name.padEnd(width)}  ${ex.description}`);
    for (const b of broken) log(`(not loaded: ${b})`);
    return 0;
  }
  const [name, ...rest] = positional;
  if (!name) throw new UsageError('example: give an example name, or --list to see them; see strata example --help');
  if (rest.length) throw new UsageError(`example: unexpected argument '${rest[0]}'`);
  const ex = all.get(name);
  if (!ex) throw new UsageError(`example: no example '${name}'; known: ${[...all.keys()].join(', ') || '(none built)'} (strata example --list)`);
  if (flags.help) {
    log(`strata example ${ex.name} — ${ex.description}`);
    log('');
    log('Flags of this example:');
    for (const line of ex.flagsHelp ?? ['(none)']) log(`  ${line}`);
    return 0;
  }
  const fast = flags.fast === true;
  const epochs = flags.epochs === undefined ? undefined : numberFlag(flags, 'epochs', 1, 1);
  const out = stringFlag(flags, 'out') ?? join('strata-models', ex.name);
  const t0 = performance.now();
  const result = await ex.run({
    fast, epochs, out, flags: extra, log, seed: numberFlag(flags, 'seed', 1, 0),
    verbose: numberFlag(flags, 'verbose', 1, 0, 2) as 0 | 1 | 2,
  });
  const h = await helpers();
  log('');
  for (const line of h.formatFigures(result)) log(line);
  for (const note of result.notes) log(note);
  log(`run time ${((performance.now() - t0) / 1000).toFixed(1)} s · model saved to ${result.modelDir}`);
  if (!h.meetsFloors(result)) {
    throw new CliError(`example ${ex.name}: a figure did not reach its ${fast ? 'fast ' : ''}floor (see above)`);
  }
  return 0;
}
