/** `strata train <spec.json | model.json> --data ...`: build or load a model, fit it, save it with strata.json. */
import { mkdirSync } from 'node:fs';
import * as st from '../index.js';
import { CliError, type Flags, UsageError, numberFlag, stringFlag } from './args.js';
import { BUILTIN_DATASETS, type ImageTarget, loadData } from './data.js';
import { defaultsFor, isModelJson, outputSize, readJson, targetOfLoss } from './model-files.js';
import { classNamesOf, looksLikeClasses, prepareInputs, prepareTargets } from './prepare.js';
import { type TargetKind, writeSidecar } from './sidecar.js';
import { delimiterFlag, fillMissingFlag } from './table.js';
import { buildLayers, buildModel, buildOptimizer, parseSpec } from './spec.js';

export async function train(positional: string[], flags: Flags, log: (s: string) => void): Promise<number> {
  const [specPath, ...rest] = positional;
  if (!specPath) throw new UsageError('train: give a model spec (spec.json) or a saved model (model.json); see strata train --help');
  if (rest.length) throw new UsageError(`train: unexpected argument '${rest[0]}'`);
  const source = stringFlag(flags, 'data');
  if (!source) throw new UsageError('train: --data is required (a dataset name, a .csv file, a folder of images or a .tsv file)');
  const task = stringFlag(flags, 'task');
  if (task !== undefined && task !== 'classification' && task !== 'regression') {
    throw new UsageError(`train: --task must be 'classification' or 'regression', got '${task}'`);
  }
  const epochs = numberFlag(flags, 'epochs', 10, 1);
  const batchSize = numberFlag(flags, 'batch-size', 32, 1);
  const validationSplit = numberFlag(flags, 'validation-split', 0, 0, 0.99);
  const verbose = numberFlag(flags, 'verbose', 1, 0, 2) as 0 | 1 | 2;
  const lr = flags.lr === undefined ? undefined : numberFlag(flags, 'lr', 0, Number.MIN_VALUE);
  const out = stringFlag(flags, 'out') ?? 'strata-models/model';
  const json = readJson(specPath, 'model spec');
  const spec = isModelJson(json) ? null : parseSpec(json, specPath);
  // Options are checked before the data is read: a typo should not wait for 60,000 images.
  if (spec) buildLayers(spec, { classes: 2, vocabulary: 2 }, specPath);
  st.setSeed(numberFlag(flags, 'seed', 1, 0));

  if (BUILTIN_DATASETS.includes(source)) log(`loading ${source}…`);
  const skipBad = flags['skip-bad'] === true;
  const data = await loadData(source, { split: 'train', limit: flags.limit as number | undefined, labelColumn: flags['label-column'] as string | undefined,
    image: await imageTarget(spec, specPath), skipBad, log, delimiter: delimiterFlag(flags.delimiter), fillMissing: fillMissingFlag(flags['fill-missing']) });
  const classification = task ? task === 'classification' : data.classification ?? looksLikeClasses(data.labels);
  const classNames = classification ? data.classNames ?? classNamesOf(data.labels) : undefined;
  // fit holds out the last floor(n·split) samples; statistics come from the rows before them.
  const trainRows = data.labels.length - Math.floor(data.labels.length * validationSplit);
  const { x, input } = prepareInputs(data.inputs, undefined, { vocabSize: flags['vocab-size'] as number | undefined, maxLength: flags['max-length'] as number | undefined, trainRows });
  const sample = x.shape.slice(1);
  log(`data: ${x.shape[0]} samples of shape [${sample.join(', ')}]` +
    (classNames ? `, ${classNames.length} classes (${preview(classNames)})` : ', numeric target'));

  let model: st.Sequential | st.Functional;
  let specLoss: string | undefined, metrics: string[] | undefined, optimizer: st.optimizers.Optimizer;
  if (!spec) {
    model = await st.loadLayersModel(specPath);
    optimizer = st.optimizers.adam(lr ?? 0.001);
  } else {
    const vocabulary = input.kind === 'text' ? input.vocabulary.tokens.length : undefined;
    model = buildModel(spec, { classes: classNames?.length, vocabulary }, sample, specPath);
    specLoss = spec.loss;
    metrics = spec.metrics;
    optimizer = buildOptimizer(spec, lr, specPath);
  }
  const target = targetKind(model, sample, classNames, specLoss, specPath);
  const defaults = defaultsFor(target);
  model.compile({ optimizer, loss: specLoss ?? defaults.loss, metrics: metrics ?? defaults.metrics });
  const y = prepareTargets(data.labels, target, classNames, source);

  // --studio: the studio's dashboard watches this run (and can pause, stop or checkpoint it).
  const live = flags.studio === true ? await (await import('../studio/server/cli-run.js')).studioForCliRun(stringFlag(flags, 'studio-folder') ?? 'strata-studio', {
    model, x, labels: data.labels, classNames, input, source, loss: specLoss ?? defaults.loss, metrics: metrics ?? defaults.metrics,
    optimizer: optimizer.className, learningRate: lr ?? 0.001, epochs, batchSize, validationSplit }, log) : null;
  const history = await model.fit(x, y, { epochs, batchSize, validationSplit, verbose, shuffle: true, callbacks: live ? live.run.hooks(y) : undefined });
  await live?.run.finish();
  const last = Object.entries(history.history).map(([k, v]) => `${k} ${fmt(v[v.length - 1])}`).join(' - ');
  log(`trained ${epochs} epoch${epochs === 1 ? '' : 's'}: ${last}`);

  mkdirSync(out, { recursive: true });
  await model.save(out);
  writeSidecar(out, { format: 'strata-cli/1', input, target, classNames, trainedOn: source });
  log(`saved to ${out} (model.json, weights, strata.json)`);
  if (live) await (await import('../studio/server/cli-run.js')).closeWhenDone(live, process.env.STRATA_STUDIO_NO_WAIT !== '1', log);
  return 0;
}

/** The image size a model takes, when the spec or the saved model fixes it (else the data decides). */
async function imageTarget(spec: ReturnType<typeof parseSpec> | null, specPath: string): Promise<ImageTarget | undefined> {
  const shape = spec ? spec.inputShape : ((await st.loadLayersModel(specPath)).inputShapes?.[0] ?? []).slice(1);
  if (!shape || shape.length !== 3 || shape.some((d) => typeof d !== 'number')) return undefined;
  const [height, width, channels] = shape as number[];
  return { height, width, channels: channels === 1 ? 1 : channels === 3 ? 3 : undefined };
}

/** How labels must be shaped for this model: from the loss when given, else from the output size. */
function targetKind(model: st.Model, sample: number[], classNames: string[] | undefined, loss: string | undefined, file: string): TargetKind {
  const size = outputSize(model, sample);
  if (!classNames) {
    if (size !== 1) throw new CliError(`${file}: the target is one number per sample but the model gives ${size} outputs; end with { "type": "dense", "units": 1 } (or use --task classification)`);
    return 'value';
  }
  const fromLoss = targetOfLoss(loss);
  if (fromLoss === 'binary' || (!fromLoss && size === 1 && classNames.length === 2)) {
    if (classNames.length !== 2) throw new CliError(`${file}: loss ${loss} is for 2 classes but the data has ${classNames.length}`);
    if (size !== 1) throw new CliError(`${file}: a binary model ends with 1 output (sigmoid), but this one gives ${size}`);
    return 'binary';
  }
  if (size !== classNames.length) {
    throw new CliError(`${file}: the model gives ${size} outputs per sample but the data has ${classNames.length} classes; ` +
      `end the spec with { "type": "dense", "units": "classes", "activation": "softmax" }`);
  }
  return fromLoss ?? 'sparse';
}

function preview(names: string[]): string {
  return names.length <= 10 ? names.join(', ') : `${names.slice(0, 10).join(', ')}, …`;
}

export function fmt(v: number): string {
  return Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(3) : v.toFixed(4);
}
