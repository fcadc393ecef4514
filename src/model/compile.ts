import { ConfigError } from '../errors.js';
import { type LossFn, getLoss } from '../losses/index.js';
import { type Metric, type MetricFn, getMetric } from '../metrics/index.js';
import * as optimizers from '../optimizers/index.js';
import type { Model } from './model.js';

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
  return { optimizer: optimizers.get(args.optimizer), losses, lossNames, lossWeights, metrics, args };
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

/** Log key of a metric: 'accuracy' for one output, '<output>_accuracy' for several. */
export function metricKey(model: Model, output: number, name: string): string {
  return model.outputNames.length > 1 ? `${model.outputNames[output]}_${name}` : name;
}
