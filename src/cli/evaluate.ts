/** `strata evaluate <model dir> --data ...`: loss and metrics of a trained model on labelled data. */
import * as st from '../index.js';
import { CliError, type Flags, UsageError, numberFlag, stringFlag } from './args.js';
import { BUILTIN_DATASETS, loadData } from './data.js';
import { defaultsFor, loadModel, metricNames } from './model-files.js';
import { prepareInputs, prepareTargets } from './prepare.js';
import { readSidecar } from './sidecar.js';
import { delimiterFlag, fillMissingFlag } from './table.js';
import { fmt } from './train.js';

export async function evaluate(positional: string[], flags: Flags, log: (s: string) => void): Promise<number> {
  const [dir, ...rest] = positional;
  if (!dir) throw new UsageError('evaluate: give the model folder; see strata evaluate --help');
  if (rest.length) throw new UsageError(`evaluate: unexpected argument '${rest[0]}'`);
  const source = stringFlag(flags, 'data');
  if (!source) throw new UsageError('evaluate: --data is required (a dataset name, a .csv file, a folder of images or a .tsv file)');
  const model = await loadModel(dir);
  const meta = readSidecar(dir);
  if (!meta) throw new CliError(`${dir}: no strata.json beside model.json; evaluate needs a model saved by 'strata train' (it knows how to read the data)`);
  const labelColumn = (flags['label-column'] as string | undefined) ?? (meta.input.kind === 'table' ? meta.input.labelColumn : undefined);
  if (BUILTIN_DATASETS.includes(source)) log(`loading ${source}…`);
  const image = meta.input.kind === 'image' ? meta.input : undefined;
  const data = await loadData(source, { split: 'test', limit: flags.limit as number | undefined, labelColumn, image, skipBad: flags['skip-bad'] === true, log,
    delimiter: delimiterFlag(flags.delimiter),     // Missing values are filled as in training unless --fill-missing says otherwise.
    fillMissing: fillMissingFlag(flags['fill-missing']) ?? (meta.input.kind === 'table' ? meta.input.fillMissing : undefined) });
  const { x } = prepareInputs(data.inputs, meta.input);
  const y = prepareTargets(data.labels, meta.target, meta.classNames, source);
  if (!model.compileConfig) {
    const d = defaultsFor(meta.target);
    model.compile({ optimizer: 'adam', loss: d.loss, metrics: d.metrics });
  }
  const result = model.evaluate(x, y, { batchSize: numberFlag(flags, 'batch-size', 32, 1) });
  const values = (Array.isArray(result) ? result : [result]).map((t: st.Tensor) => t.dataSync()[0]);
  const names = metricNames(model);
  log(`evaluated on ${x.shape[0]} samples of ${source}`);
  values.forEach((v, i) => log(`${(names[i] ?? `metric ${i}`).padEnd(10)} ${fmt(v)}`));
  return 0;
}
