/**
 * Command-line parsing for `strata`: positional arguments and `--flag value` / `--flag=value` /
 * `--switch`, checked against each command's declared flags. Also the two errors the CLI exits with.
 */

/** The command line is wrong (unknown command or flag, missing argument, missing file): exit code 2. */
export class UsageError extends Error {}

/** The work failed (bad file contents, runtime failure, a floor not met): exit code 1. */
export class CliError extends Error {}

/** One flag a command accepts. */
export interface FlagSpec {
  name: string;
  /** 'switch' takes no value; the others take one. */
  type: 'string' | 'int' | 'number' | 'switch';
  /** Placeholder for the value in --help, e.g. 'N' or 'DIR'. */
  value?: string;
  help: string;
}

export type Flags = Record<string, string | number | boolean>;

export interface Parsed {
  positional: string[];
  flags: Flags;
  /** Flags no spec named (only kept when `passThrough`), values as given or true. */
  extra: Record<string, string | boolean>;
}

/**
 * Splits argv into positional arguments and flags. An unknown flag is a UsageError naming the known
 * ones, unless `passThrough` (for `strata example NAME --cell gru`), where it is kept in `extra`.
 */
export function parseArgs(argv: string[], specs: FlagSpec[], command: string, passThrough = false): Parsed {
  const positional: string[] = [], flags: Flags = {}, extra: Record<string, string | boolean> = {};
  const byName = new Map(specs.map((s) => [s.name, s]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--') || arg === '--') {
      if (arg === '--') positional.push(...argv.slice(i + 1));
      else if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg) && arg !== '-h') {
        throw new UsageError(`${command}: unknown option '${arg}'; options start with -- (see strata ${command} --help)`);
      } else positional.push(arg === '-h' ? '--help' : arg);
      if (arg === '--') break;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    const spec = byName.get(name);
    const next = (): string | undefined => {
      if (inline !== undefined) return inline;
      const v = argv[i + 1];
      if (v === undefined || (v.startsWith('--') && v.length > 2)) return undefined;
      i++;
      return v;
    };
    if (!spec) {
      if (!passThrough) {
        const known = specs.map((s) => `--${s.name}`).join(', ');
        throw new UsageError(`${command}: unknown option '--${name}'; known: ${known}`);
      }
      extra[name] = next() ?? true;
      continue;
    }
    if (spec.type === 'switch') {
      if (inline !== undefined && inline !== 'true' && inline !== 'false') throw new UsageError(`${command}: --${name} takes no value, got '${inline}'`);
      flags[name] = inline !== 'false';
      continue;
    }
    const v = next();
    if (v === undefined) throw new UsageError(`${command}: --${name} needs a value (${spec.value ?? spec.type})`);
    flags[name] = spec.type === 'string' ? v : readNumber(command, name, v, spec.type === 'int');
  }
  return { positional, flags, extra };
}

function readNumber(command: string, name: string, v: string, integer: boolean): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${command}: --${name} must be ${integer ? 'an integer' : 'a number'}, got '${v}'`);
  }
  return n;
}

/** A flag's value as a number within [min, max], or the default. */
export function numberFlag(flags: Flags, name: string, fallback: number, min: number, max = Infinity): number {
  const v = flags[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || v < min || v > max) {
    throw new UsageError(`--${name} must be between ${min} and ${max === Infinity ? '∞' : max}, got ${v}`);
  }
  return v;
}

/** A flag's string value, or undefined. */
export function stringFlag(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}
