/**
 * Datasets for the studio, read exactly as the CLI reads `--data` (src/cli/data.ts, prepare.ts): a
 * built-in name, or a CSV file, image folder or text-lines file inside the project folder. The last
 * few are kept in memory, so previews and runs do not decode the data again.
 */
import * as st from '../../index.js';
import { BUILTIN_DATASETS, loadData } from '../../cli/data.js';
import { classNamesOf, looksLikeClasses, prepareInputs, prepareTargets } from '../../cli/prepare.js';
import type { InputMeta, TargetKind } from '../../cli/sidecar.js';
import { HttpError, insideProject } from './security.js';

export interface StudioData {
  source: string;
  x: st.Tensor;
  /** Labels as text, one per sample. */
  labels: string[];
  classNames?: string[];
  input: InputMeta;
  /** Shape of one sample. */
  sampleShape: number[];
}

export interface DataRequest {
  dataset: string;
  limit?: number;
  labelColumn?: string;
}

const cache = new Map<string, Promise<StudioData>>();
const KEEP = 3;

/** The dataset a request names (the names in BUILTIN_DATASETS, or a path inside `root`). */
export function loadStudioData(root: string, req: DataRequest): Promise<StudioData> {
  if (typeof req.dataset !== 'string' || req.dataset === '') throw new HttpError(400, `dataset: give a built-in name (${BUILTIN_DATASETS.join(', ')}) or a file or folder inside the project`);
  const limit = req.limit === undefined ? 2000 : req.limit;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100000) throw new HttpError(400, `limit must be an integer from 1 to 100000, got ${JSON.stringify(req.limit)}`);
  const source = BUILTIN_DATASETS.includes(req.dataset) ? req.dataset : insideProject(root, req.dataset, 'dataset');
  const key = JSON.stringify([source, limit, req.labelColumn ?? null]);
  let p = cache.get(key);
  if (!p) {
    p = read(source, limit, req.labelColumn);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
    while (cache.size > KEEP) cache.delete(cache.keys().next().value!);
  }
  return p;
}

async function read(source: string, limit: number, labelColumn: string | undefined): Promise<StudioData> {
  let data;
  try {
    data = await loadData(source, { split: 'train', limit, labelColumn });
  } catch (e) {
    throw new HttpError(400, `dataset '${source}': ${(e as Error).message}`);
  }
  const classification = data.classification ?? looksLikeClasses(data.labels);
  const classNames = classification ? data.classNames ?? classNamesOf(data.labels) : undefined;
  const { x, input } = prepareInputs(data.inputs, undefined, {});
  return { source, x, labels: data.labels, classNames, input, sampleShape: x.shape.slice(1) };
}

/** The targets for a loss: class indices, one-hot rows, one 0/1 column or numbers. */
export function targetsFor(d: StudioData, loss: string): { y: st.Tensor; kind: TargetKind } {
  const key = loss.replace(/[_-]/g, '').toLowerCase();
  const kind: TargetKind = !d.classNames ? 'value'
    : key === 'categoricalcrossentropy' ? 'onehot'
    : key === 'binarycrossentropy' ? 'binary'
    : key === 'sparsecategoricalcrossentropy' ? 'sparse'
    : 'value';
  if (kind === 'value' && d.classNames) throw new HttpError(400, `loss ${loss} predicts numbers, but '${d.source}' has classes; use sparseCategoricalCrossentropy`);
  try {
    return { y: prepareTargets(d.labels, kind, d.classNames, d.source), kind };
  } catch (e) {
    throw new HttpError(400, (e as Error).message);
  }
}

/** One sample (index `i`) as a batch of one. */
export function sampleAt(d: StudioData, i: number): st.Tensor {
  const n = d.x.shape[0];
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new HttpError(400, `sample must be an integer from 0 to ${n - 1}, got ${JSON.stringify(i)}`);
  return st.slice(d.x, [i, ...d.sampleShape.map(() => 0)], [1, ...d.sampleShape]);
}
