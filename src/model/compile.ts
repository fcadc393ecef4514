import { ConfigError } from '../errors.js';
import { type LossFn, getLoss } from '../losses/index.js';
import { type Metric, type MetricFn, getMetric } from '../metrics/index.js';
import * as optimizers from '../optimizers/index.js';
import type { Model } from './model.js';
import type { Variable } from '../autograd/variable.js';

type LossId = string | LossFn;
type MetricId = string | Metric | MetricFn;

/** Options of `model.compile`. */
export interface CompileArgs {
  /** An optimizer or its name ('adam', 'sgd', ...); required. */
  optimizer: string | optimizers.Optimizer;
  /** One loss for every output, one per output (list), or by output name (object). */
  loss: LossId | LossId[] | Record<string, LossId>;
  /** Metrics for every output (list), or per output name (object of lists). */
  metrics?: MetricId[] | Record<string, MetricId | MetricId[]>;
  /** Weights of the per-output losses in the total (list or by name; default 1 each). */
  lossWeights?: number[] | Record<string, number>;
}

/** The resolved training configuration of a compiled model. */
export interface Compiled {
  optimizer: optimizers.Optimizer;
  losses: LossFn[];
  lossNames: string[];
  lossWeights: number[];
  /** Metrics per output. */
  metrics: Metric[][];
  /** Log key of each metric per output, as TensorFlow.js names it ('acc', 'ce', '<output>_acc', ...). */
  metricKeys: string[][];
  /** Other keys the same values are readable under (Keras/Strata spellings: 'accuracy' → 'acc'), val_ forms included. */
  logAliases: Record<string, string>;
  /**
   * The variables training updates, fixed when compile ran (Keras: trainable flags are read at
   * compile); null until the first training step when the model was not built yet.
   */
  trainableWeights: Variable[] | null;
  /** Set once the "trainable changed after compile" warning was printed. */
  warnedTrainable?: boolean;
  args: CompileArgs;
}

function perOutput<T>(v: T | T[] | Record<string, T>, names: string[], what: string, where: string, isItem: (x: unknown) => boolean): T[] {
  if (Array.isArray(v)) {
    if (v.length !== names.length) throw new ConfigError(`${where}: ${what} has ${v.length} entries but the model has ${names.length} outputs (${names.join(', ')})`);
    return v;
  }
  if (isItem(v)) return names.map(() => v as T);
  const rec = v as Record<string, T>;
  for (const k of Object.keys(rec)) {
    if (!names.includes(k)) throw new ConfigError(`${where}: ${what} names '${k}', which is not an output (${names.join(', ')})`);
  }
  return names.map((n) => rec[n]);
}

/** Resolves compile arguments against a model's outputs. */
export function resolveCompile(model: Model, args: CompileArgs): Compiled {
  const where = `${model.describe()}.compile`;
  if (!args || typeof args !== 'object') throw new ConfigError(`${where}: expects { optimizer, loss, metrics? }`);
  if (args.optimizer === undefined) throw new ConfigError(`${where}: optimizer is required, e.g. 'adam' or st.optimizers.adam({ learningRate: 1e-3 })`);
  if (args.loss === undefined) throw new ConfigError(`${where}: loss is required, e.g. 'categoricalCrossentropy'`);
  const names = model.outputNames;
  const isLoss = (x: unknown) => typeof x === 'string' || typeof x === 'function';
  const lossIds = perOutput<LossId>(args.loss, names, 'loss', where, isLoss);
  const losses = lossIds.map((id, i) => {
    if (id === undefined) throw new ConfigError(`${where}: no loss for output '${names[i]}'`);
    return getLoss(id, `${where} loss`);
  });
  const lossNames = lossIds.map((id) => (typeof id === 'string' ? id : id.name || 'custom'));
  const lossWeights = args.lossWeights === undefined ? names.map(() => 1)
    : perOutput<number>(args.lossWeights, names, 'lossWeights', where, (x) => typeof x === 'number').map((w) => w ?? 1);
  let metricIds: MetricId[][];
  if (!args.metrics) metricIds = names.map(() => []);
  else if (Array.isArray(args.metrics)) metricIds = names.map(() => args.metrics as MetricId[]);
  else metricIds = perOutput<MetricId | MetricId[]>(args.metrics, names, 'metrics', where, () => false).map((m) => (m === undefined ? [] : Array.isArray(m) ? m : [m]));
  const shapes = outputShapes(model);
  const metrics = metricIds.map((ids, o) => ids.map((id) => getMetric(id, { loss: lossNames[o], outputDim: shapes?.[o]?.[shapes[o].length - 1] ?? null })));
  const prefix = (o: number, name: string) => (names.length > 1 ? `${names[o]}_${name}` : name);
  const metricKeys = metrics.map((ms, o) => ms.map((m, j) => prefix(o, tfjsMetricName(metricIds[o][j], m))));
  const logAliases: Record<string, string> = {};
  metrics.forEach((ms, o) => ms.forEach((m, j) => {
    const id = metricIds[o][j];
    const isAcc = typeof id === 'string' && ['accuracy', 'acc'].includes(id.replace(/_/g, '').toLowerCase());
    const alias = prefix(o, isAcc ? 'accuracy' : m.name);
    const key = metricKeys[o][j];
    if (alias !== key && !metricKeys.flat().includes(alias)) {
      logAliases[alias] = key;
      logAliases[`val_${alias}`] = `val_${key}`;
    }
  }));
  return {
    optimizer: optimizers.get(args.optimizer), losses, lossNames, lossWeights, metrics, metricKeys, logAliases,
    trainableWeights: model.built ? model.trainableWeights : null, args,
  };
}

/**
 * The name TensorFlow.js logs a metric under: 'acc' for 'accuracy'/'acc', 'ce' for
 * 'crossentropy'/'ce', any other string as written, a function or Metric by its name.
 */
function tfjsMetricName(id: MetricId, m: Metric): string {
  if (typeof id !== 'string') return m.name;
  const key = id.replace(/_/g, '').toLowerCase();
  if (key === 'accuracy' || key === 'acc') return 'acc';
  if (key === 'crossentropy' || key === 'ce') return 'ce';
  return id;
}

function outputShapes(model: Model): (number | null)[][] | null {
  const inputs = model.inputShapes;
  if (!inputs) return null;
  try {
    const s = model.computeOutputShape(inputs.length === 1 ? inputs[0] : inputs);
    return Array.isArray(s[0]) ? (s as (number | null)[][]) : [s as (number | null)[]];
  } catch {
    return null;
  }
}

/** Log keys in the order evaluate and trainOnBatch return values: loss, per-output losses, metrics (TF.js `metricsNames`). */
export function logKeys(model: Model, c: Compiled): string[] {
  return ['loss', ...(model.outputNames.length > 1 ? model.outputNames.map((n) => `${n}_loss`) : []), ...c.metricKeys.flat()];
}

/**
 * Warns once when the model's trainable weights are no longer those compile saw (a `trainable`
 * flag changed on the model or one of its layers): training keeps the compile-time set, as Keras.
 */
export function checkTrainableConsistency(model: Model, c: Compiled): void {
  const fixed = c.trainableWeights;
  if (!fixed || c.warnedTrainable) return;
  const now = model.trainableWeights;
  if (now.length === fixed.length && now.every((w, i) => w === fixed[i])) return;
  c.warnedTrainable = true;
  console.warn(`${model.describe()}: trainable flags changed after compile — training keeps updating the ${fixed.length} ` +
    `weight(s) that were trainable when compile ran (now ${now.length} are marked trainable). ` +
    'Call compile() again for the change to take effect (trainable is read at compile, as in Keras).');
}
