/**
 * The file index behind imageDatasetFromDirectory and textDatasetFromDirectory, with Keras 3's
 * rules (keras/src/utils/dataset_utils.py): classes are the sorted sub-folder names (hidden ones
 * skipped); files are found recursively, sorted by folder then name, kept by extension (case
 * ignored); the list is shuffled once with the seed, then the last floor(split·n) files are the
 * validation subset and the rest the training subset — so two calls with one seed split alike.
 */
import { ConfigError } from '../errors.js';
import { DatasetFormatError } from '../datasets/errors.js';
import { Random, randomFor } from '../tensor/random.js';
import { Dataset } from './dataset.js';
import { DataIterator, describe } from './iterator.js';

/** How labels are given: class indices, one-hot rows, 0/1 floats (two classes), or none. */
export type LabelMode = 'int' | 'categorical' | 'binary' | null;
/** Which part of a split to read. */
export type Subset = 'training' | 'validation' | 'both';

/** Options shared by the directory datasets. */
export interface DirectoryOptions {
  batchSize?: number | null;
  validationSplit?: number;
  subset?: Subset;
  seed?: number;
  shuffle?: boolean;
  labelMode?: LabelMode;
  classNames?: string[];
}

/** The files of one subset, with their class indices. */
export interface FileSubset {
  paths: string[];
  labels: Int32Array | null;
}

/** A dataset read from a folder: `classNames` (null without labels) and `filePaths` in index order. */
export class DirectoryDataset<T> extends Dataset<T> {
  override readonly size: number;
  constructor(private readonly open: () => Promise<AsyncIterator<T>>, size: number,
    readonly classNames: string[] | null, readonly filePaths: string[]) {
    super();
    this.size = size;
  }
  async iterator(): Promise<DataIterator<T>> {
    return new DataIterator(await this.open());
  }
}

/** Checks the options Keras checks (check_validation_split_arg and friends); returns them resolved. */
export function checkDirectoryOptions(o: DirectoryOptions, where: string) {
  const batchSize = o.batchSize === undefined ? 32 : o.batchSize;
  if (batchSize !== null && (!Number.isInteger(batchSize) || batchSize <= 0)) throw new ConfigError(`${where}: batchSize must be a positive integer or null (no batching), got ${describe(batchSize)}`);
  const split = o.validationSplit;
  if (split !== undefined && split !== 0 && !(typeof split === 'number' && split > 0 && split < 1)) {
    throw new ConfigError(`${where}: validationSplit must be between 0 and 1 (exclusive), got ${describe(split)}`);
  }
  if (!!split !== (o.subset !== undefined)) throw new ConfigError(`${where}: give validationSplit and subset together (subset: 'training', 'validation' or 'both'), or neither`);
  if (o.subset !== undefined && !['training', 'validation', 'both'].includes(o.subset)) {
    throw new ConfigError(`${where}: subset must be 'training', 'validation' or 'both', got ${describe(o.subset)}`);
  }
  const shuffle = o.shuffle ?? true;
  if (split && shuffle && o.seed === undefined) {
    throw new ConfigError(`${where}: with validationSplit and shuffling, give a seed, so the training and validation calls draw the same order and never overlap`);
  }
  if (o.seed !== undefined && !Number.isInteger(o.seed)) throw new ConfigError(`${where}: seed must be an integer, got ${describe(o.seed)}`);
  const labelMode = o.labelMode === undefined ? 'int' : o.labelMode;
  if (labelMode !== null && !['int', 'categorical', 'binary'].includes(labelMode)) {
    throw new ConfigError(`${where}: labelMode must be 'int', 'categorical', 'binary' or null, got ${describe(labelMode)}`);
  }
  if (labelMode === null && o.classNames) throw new ConfigError(`${where}: classNames needs labels; drop it or set labelMode`);
  return { batchSize, split: split || 0, subset: o.subset ?? null, shuffle, seed: o.seed, labelMode };
}

/** Lists the files (see the file comment). Without labels every file below `dir` is indexed. */
export async function indexDirectory(dir: string, formats: readonly string[], labelled: boolean, classNames: string[] | undefined,
  where: string): Promise<{ paths: string[]; labels: Int32Array | null; classNames: string[] | null }> {
  const fs = await import('node:fs/promises');
  const { join } = await import('node:path');
  let top: string[];
  try {
    top = (await fs.readdir(dir)).sort();
  } catch (e) {
    throw new DatasetFormatError(`${where}: cannot read the folder '${dir}' (${(e as Error).message})`);
  }
  const isDir = async (p: string) => (await fs.stat(p).catch(() => null))?.isDirectory() ?? false;
  let classes: string[] = [''];
  if (labelled) {
    const subdirs: string[] = [];
    for (const d of top) if (!d.startsWith('.') && (await isDir(join(dir, d)))) subdirs.push(d);
    if (classNames !== undefined) {
      const missing = classNames.filter((c) => !subdirs.includes(c));
      if (!Array.isArray(classNames) || missing.length) {
        throw new ConfigError(`${where}: classNames must name sub-folders of '${dir}' (${subdirs.join(', ') || 'none'}); not found: ${missing.join(', ')}`);
      }
      classes = [...classNames];
    } else classes = subdirs;
    if (classes.length === 0) throw new DatasetFormatError(`${where}: '${dir}' has no sub-folders; put the files of each class in a sub-folder named after it`);
  }
  const paths: string[] = [], labels: number[] = [];
  for (let c = 0; c < classes.length; c++) {
    const found: [string, string][] = [];
    await walk(join(dir, classes[c]), found, formats, fs, join);
    found.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    for (const [root, name] of found) {
      paths.push(join(root, name));
      labels.push(c);
    }
  }
  return { paths, labels: labelled ? Int32Array.from(labels) : null, classNames: labelled ? classes : null };
}

/** Files below `root` (symbolic links to folders are not followed, as os.walk's default). */
async function walk(root: string, out: [string, string][], formats: readonly string[],
  fs: typeof import('node:fs/promises'), join: (...p: string[]) => string): Promise<void> {
  for (const e of await fs.readdir(root, { withFileTypes: true })) {
    if (e.isDirectory()) await walk(join(root, e.name), out, formats, fs, join);
    else if ((e.isFile() || (e.isSymbolicLink() && (await fs.stat(join(root, e.name)).catch(() => null))?.isFile()))
      && formats.some((f) => e.name.toLowerCase().endsWith(f))) out.push([root, e.name]);
  }
}

/**
 * Shuffles the index once (seeded) and cuts the subsets: validation is the last floor(split·n)
 * files of the shuffled list, training the rest.
 */
export function splitIndex(paths: string[], labels: Int32Array | null, o: { split: number; subset: Subset | null; shuffle: boolean; seed?: number },
  where: string, dir: string): FileSubset[] {
  const n = paths.length;
  const order = Array.from({ length: n }, (_, i) => i);
  if (o.shuffle) {
    const rng = o.seed === undefined ? new Random(randomFor().nextUint32()) : new Random(o.seed);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
  }
  const pick = (ids: number[]): FileSubset => ({ paths: ids.map((i) => paths[i]), labels: labels ? Int32Array.from(ids, (i) => labels[i]) : null });
  if (!o.split) return [pick(order)];
  const nVal = Math.floor(o.split * n);
  if (nVal === 0 || nVal === n) {
    throw new ConfigError(`${where}: validationSplit ${o.split} of the ${n} files in '${dir}' leaves ${nVal === 0 ? 'no validation' : 'no training'} files; use a ${nVal === 0 ? 'larger' : 'smaller'} split`);
  }
  const training = pick(order.slice(0, n - nVal)), validation = pick(order.slice(n - nVal));
  return o.subset === 'both' ? [training, validation] : [o.subset === 'validation' ? validation : training];
}
