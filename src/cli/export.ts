/** `strata export <model dir> --format onnx [--out FILE]`: a saved model in another engine's format. */
import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { CliError, type Flags, UsageError, stringFlag } from './args.js';
import { loadModel } from './model-files.js';

const FORMATS = ['onnx'];

export async function exportModel(positional: string[], flags: Flags, log: (s: string) => void): Promise<number> {
  const [path, ...rest] = positional;
  if (!path) throw new UsageError('export: give a model folder (or its model.json); see strata export --help');
  if (rest.length) throw new UsageError(`export: unexpected argument '${rest[0]}'`);
  const format = stringFlag(flags, 'format') ?? 'onnx';
  if (!FORMATS.includes(format)) throw new UsageError(`export: --format must be one of ${FORMATS.join(', ')}, got '${format}'`);
  if (!existsSync(path)) throw new UsageError(`'${path}' not found`);
  const dir = statSync(path).isDirectory() ? path : resolve(path, '..');
  const out = stringFlag(flags, 'out') ?? `${basename(resolve(dir))}.${format}`;
  if (!out.endsWith(`.${format}`)) throw new UsageError(`export: --out must end in .${format}, got '${out}'`);
  const model = await loadModel(path);
  try {
    await model.save(out);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  log(`saved ${out} (ONNX, opset 13) from ${path}`);
  return 0;
}
