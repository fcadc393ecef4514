/** Reading models and specs named on the command line, with errors that say which file and why. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as st from '../index.js';
import { CliError, UsageError } from './args.js';
import { type TargetKind } from './sidecar.js';

/** Loads a saved model from its folder (or its model.json); a path that is not there is a UsageError. */
export async function loadModel(path: string): Promise<st.Sequential | st.Functional> {
  if (!existsSync(path)) throw new UsageError(`model '${path}' not found; give the folder 'strata train --out' wrote (it holds model.json)`);
  const file = statSync(path).isDirectory() ? join(path, 'model.json') : path;
  if (!existsSync(file)) throw new UsageError(`${path}: no model.json in this folder; give the folder 'strata train --out' wrote`);
  return st.loadLayersModel(file);
}

/** Reads and parses a JSON file named on the command line. */
export function readJson(path: string, what: string): unknown {
  if (!existsSync(path)) throw new UsageError(`${what} '${path}' not found`);
  if (statSync(path).isDirectory()) throw new UsageError(`${what} '${path}' is a folder; give a .json file`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CliError(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

/** Whether parsed JSON is a TensorFlow.js model.json rather than a Strata spec. */
export function isModelJson(json: unknown): boolean {
  return !!json && typeof json === 'object' && 'modelTopology' in json;
}

/** The size of the model's output for one sample (probed with one zero input). */
export function outputSize(model: st.Model, sample: number[]): number {
  const y = model.predict(st.zeros([1, ...sample])) as st.Tensor | st.Tensor[];
  const t = Array.isArray(y) ? y[0] : y;
  return t.size;
}

/** Default loss and metrics for a target kind. */
export function defaultsFor(kind: TargetKind): { loss: string; metrics: string[] } {
  if (kind === 'value') return { loss: 'meanSquaredError', metrics: ['mae'] };
  if (kind === 'binary') return { loss: 'binaryCrossentropy', metrics: ['accuracy'] };
  if (kind === 'onehot') return { loss: 'categoricalCrossentropy', metrics: ['accuracy'] };
  return { loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] };
}

/** The target kind a loss name implies (undefined: decide from the output size). */
export function targetOfLoss(loss: string | undefined): TargetKind | undefined {
  const key = loss?.replace(/[_-]/g, '').toLowerCase();
  if (key === 'sparsecategoricalcrossentropy') return 'sparse';
  if (key === 'categoricalcrossentropy' || key === 'categoricalhinge' || key === 'kld' || key === 'kullbackleiblerdivergence') return 'onehot';
  if (key === 'binarycrossentropy' || key === 'hinge' || key === 'squaredhinge') return 'binary';
  return undefined;
}

/** "loss 0.1234 - accuracy 0.9500" for evaluate's results. */
export function metricNames(model: st.Model): string[] {
  const c = model.compileConfig;
  return ['loss', ...(c ? c.metrics.flat().map((m) => m.name) : [])];
}
