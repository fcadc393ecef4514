import { ConfigError } from '../errors.js';
import { DatasetFormatError } from '../datasets/errors.js';
import { Tensor } from '../tensor/tensor.js';
import { describe } from './iterator.js';
import { array } from './sources.js';
import { mapStage, rowsStage } from './stages.js';
import { type DirectoryOptions, DirectoryDataset, type FileSubset, checkDirectoryOptions, indexDirectory, splitIndex } from './directory-index.js';
import { labelTensor } from './image-directory.js';

/** Options of `data.textDatasetFromDirectory` (Keras 3's text_dataset_from_directory). */
export interface TextDirectoryOptions extends DirectoryOptions {
  /** Keep at most this many characters of each text (default: all). */
  maxLength?: number;
}

/** A batch of texts (`xs` a string array, or one string when batchSize is null), with labels unless labelMode is null. */
export type TextElement = { xs: string[] | string; ys: Tensor } | string[] | string;

function subsetDataset(sub: FileSubset, o: ReturnType<typeof checkDirectoryOptions>, maxLength: number | undefined,
  classNames: string[] | null, shuffle: boolean): DirectoryDataset<TextElement> {
  const n = sub.paths.length, bs = o.batchSize;
  let rows = array(Array.from({ length: n }, (_, i) => i));
  if (shuffle) rows = rows.shuffle(bs === null ? 1024 : bs * 8, o.seed);
  const read = async (i: number): Promise<string> => {
    const { readFile } = await import('node:fs/promises');
    let text: string;
    try {
      text = await readFile(sub.paths[i], 'utf8');
    } catch (e) {
      throw new DatasetFormatError(`${sub.paths[i]}: cannot read the file (${(e as Error).message})`);
    }
    return maxLength === undefined ? text : text.slice(0, maxLength);
  };
  const element = async (ids: number[]): Promise<TextElement> => {
    const texts = await Promise.all(ids.map(read));
    const xs = bs === null ? texts[0] : texts;
    if (o.labelMode === null) return xs;
    return { xs, ys: labelTensor(Int32Array.from(ids, (i) => sub.labels![i]), o.labelMode, classNames!.length, bs !== null) };
  };
  return new DirectoryDataset(async () => {
    const it = await rows.iterator();
    return mapStage(bs === null ? mapStage(it, (i) => [i]) : rowsStage(it, bs, true), element);
  }, bs === null ? n : Math.ceil(n / bs), classNames, sub.paths);
}

/**
 * A dataset of the .txt files in a folder with one sub-folder per class, as Keras 3's
 * `text_dataset_from_directory`: batches `{ xs: string[], ys }` read lazily, with `.classNames`
 * and `.filePaths`. The options (batchSize, validationSplit, subset, seed, shuffle, labelMode,
 * classNames) and the split rule are those of imageDatasetFromDirectory; maxLength cuts each text
 * to that many characters. Turn texts into numbers with st.datasets.Vocabulary. Node only.
 * @example
 * const ds = await st.data.textDatasetFromDirectory('aclImdb/train', { batchSize: 64, classNames: ['neg', 'pos'] });
 */
export async function textDatasetFromDirectory(dir: string, options: TextDirectoryOptions & { subset: 'both' }): Promise<[DirectoryDataset<TextElement>, DirectoryDataset<TextElement>]>;
export async function textDatasetFromDirectory(dir: string, options?: TextDirectoryOptions): Promise<DirectoryDataset<TextElement>>;
export async function textDatasetFromDirectory(dir: string, options: TextDirectoryOptions = {}):
  Promise<DirectoryDataset<TextElement> | [DirectoryDataset<TextElement>, DirectoryDataset<TextElement>]> {
  const where = 'data.textDatasetFromDirectory';
  if (typeof dir !== 'string') throw new ConfigError(`${where}: expected a folder path, got ${typeof dir}`);
  const o = checkDirectoryOptions(options, where);
  const maxLength = options.maxLength;
  if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength <= 0)) throw new ConfigError(`${where}: maxLength must be a positive integer, got ${describe(maxLength)}`);
  const index = await indexDirectory(dir, ['.txt'], o.labelMode !== null, options.classNames, where);
  if (o.labelMode === 'binary' && index.classNames!.length !== 2) {
    throw new ConfigError(`${where}: labelMode 'binary' needs exactly 2 classes, found ${index.classNames!.length} (${index.classNames!.join(', ')})`);
  }
  if (index.paths.length === 0) throw new ConfigError(`${where}: no .txt files in '${dir}'`);
  const subsets = splitIndex(index.paths, index.labels, o, where, dir);
  if (o.subset === 'both') {
    return [subsetDataset(subsets[0], o, maxLength, index.classNames, o.shuffle), subsetDataset(subsets[1], o, maxLength, index.classNames, false)];
  }
  return subsetDataset(subsets[0], o, maxLength, index.classNames, o.shuffle);
}
