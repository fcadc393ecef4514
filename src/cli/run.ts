/** Dispatches `strata <command> ...` to its command; returns the exit code (errors are thrown). */
import { UsageError, parseArgs } from './args.js';
import { COMMANDS, commandHelp, mainHelp } from './commands.js';

export async function run(argv: string[], version: string, log: (line: string) => void = console.log): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const cmd = first === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    (cmd ? commandHelp(cmd) : mainHelp(version)).forEach((l) => log(l));
    return 0;
  }
  if (first === '--version' || first === '-v') {
    log(version);
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === first);
  if (!cmd) {
    throw new UsageError(`unknown command '${first}'; the commands are ${COMMANDS.map((c) => c.name).join(', ')} (strata --help)`);
  }
  const { positional, flags, extra } = parseArgs(rest, cmd.flags, cmd.name, cmd.passThrough);
  if (positional.includes('--help')) flags.help = true;
  // `strata example NAME --help` shows that example's own flags.
  if (flags.help && !(cmd.name === 'example' && positional.length > 0)) {
    commandHelp(cmd).forEach((l) => log(l));
    return 0;
  }
  return cmd.run(positional, flags, extra, log);
}
