/** `strata summary <model dir | spec.json>`: the layer table of a saved model or of a spec. */
import { existsSync, statSync } from 'node:fs';
import { CliError, type Flags, UsageError, stringFlag } from './args.js';
import { isModelJson, loadModel, readJson } from './model-files.js';
import { readSidecar } from './sidecar.js';
import { buildModel, parseSpec } from './spec.js';
import { describeInput } from './prepare.js';

export async function summary(positional: string[], flags: Flags, log: (s: string) => void): Promise<number> {
  const [path, ...rest] = positional;
  if (!path) throw new UsageError('summary: give a model folder or a spec.json; see strata summary --help');
  if (rest.length) throw new UsageError(`summary: unexpected argument '${rest[0]}'`);
  if (!existsSync(path)) throw new UsageError(`'${path}' not found`);
  if (statSync(path).isDirectory() || isModelJson(readJson(path, 'spec'))) {
    const model = await loadModel(path);
    model.summary(98, log);
    const side = statSync(path).isDirectory() ? readSidecar(path) : null;
    if (side) {
      log(`Input: ${describeInput(side.input)}${side.classNames ? ` · classes: ${side.classNames.join(', ')}` : ''} · trained on ${side.trainedOn}`);
    }
    return 0;
  }
  const spec = parseSpec(readJson(path, 'spec'), path);
  const shapeFlag = stringFlag(flags, 'input-shape');
  const inputShape = shapeFlag?.split(',').map(Number);
  if (inputShape && inputShape.some((d) => !Number.isInteger(d) || d < 1)) throw new UsageError(`summary: --input-shape must be positive integers like 28,28,1, got '${shapeFlag}'`);
  if (!spec.inputShape && !inputShape) throw new CliError(`${path}: the spec has no "inputShape"; add one or pass --input-shape 28,28,1`);
  const model = buildModel(spec, { classes: flags.classes as number | undefined, vocabulary: flags.vocabulary as number | undefined }, inputShape, path);
  model.summary(98, log);
  return 0;
}
