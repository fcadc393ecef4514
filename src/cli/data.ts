/**
 * Reads `--data`: a built-in dataset name, a CSV file, a folder of images (JPEG, PNG, WebP, GIF,
 * BMP) in per-class subfolders, or a text file of `label<TAB>text` lines. Gives raw samples and
 * label strings; prepare.ts turns them into tensors.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, sep } from 'node:path';
import * as st from '../index.js';
import { CliError, UsageError } from './args.js';
import { type Csv, type FillMissing, featureCells, labelColumnIndex, readCsv } from './table.js';
import type { InputMeta } from './sidecar.js';

/** Samples before preprocessing. */
export type RawInputs =
  | { kind: 'table'; cells: string[][]; rowNumbers: number[]; fill?: FillMissing; featureNames: string[] | null; labelColumn: string | number; labelIndex: number; columns: number; file: string }
  | { kind: 'image'; images: DecodedImage[]; files: string[] }
  | { kind: 'text'; texts: string[] }
  | { kind: 'ready'; x: st.Tensor; input: InputMeta };

export interface LoadedData {
  inputs: RawInputs;
  /** One label per sample, as text (a class name or a number). */
  labels: string[];
  /** The class names in index order, when the source fixes them (built-in datasets, image folders). */
  classNames?: string[];
  /** Whether the labels are classes rather than numbers to regress, when the source decides it. */
  classification?: boolean;
}

export interface DataOptions {
  split: 'train' | 'test';
  limit?: number;
  /** --label-column, or the column saved at training. */
  labelColumn?: string | number;
  /** Images: the size and channels to decode to (the model's); absent: the first image's size. */
  image?: ImageTarget;
  /** Images: files that cannot be decoded are reported and left out instead of failing the run. */
  skipBad?: boolean;
  /** Where skipped files are reported. */
  log?: (line: string) => void;
  /** CSV: the field delimiter (null or absent: detected). */
  delimiter?: string | null;
  /** CSV: how missing feature values are handled (absent: refused). */
  fillMissing?: FillMissing;
}

/** A decoded image: samples 0–255 as floats, row-major, 1 (grey) or 3 (RGB) channels. */
export interface DecodedImage {
  width: number;
  height: number;
  channels: 1 | 3;
  pixels: Float32Array;
}

/** The image size a model takes. */
export interface ImageTarget {
  height: number;
  width: number;
  channels?: 1 | 3;
}

/** The extensions read as images, in folders and by predict. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.gif', '.bmp'];

/** Built-in datasets: name → loader of one split. */
const BUILTIN: Record<string, (o: DataOptions) => Promise<LoadedData>> = {
  mnist: (o) => builtinImages(st.datasets.mnist, o, Array.from({ length: 10 }, (_, i) => String(i))),
  'fashion-mnist': (o) => builtinImages(st.datasets.fashionMnist, o, [...st.datasets.FASHION_MNIST_CLASSES]),
  imdb: async (o) => {
    const d = await st.datasets.imdb({ limit: o.limit === undefined ? undefined : o.limit * 2 });
    return builtinTexts(d[o.split], o, ['negative', 'positive']);
  },
  'spam-assassin': async (o) => {
    const d = await st.datasets.spamAssassin();
    const cut = Math.floor(d.texts.length * 0.8); // the seeded order's first 80% train, the rest test
    const pick = o.split === 'train' ? { texts: d.texts.slice(0, cut), labels: d.labels.slice(0, cut) } : { texts: d.texts.slice(cut), labels: d.labels.slice(cut) };
    return builtinTexts(pick, o, ['ham', 'spam']);
  },
};

/** The names `--data` accepts besides paths. */
export const BUILTIN_DATASETS = Object.keys(BUILTIN);

type ImageLoader = (o: st.datasets.ImageLoadOptions) => Promise<st.datasets.ImageDataset>;

async function builtinImages(load: ImageLoader, o: DataOptions, classNames: string[]): Promise<LoadedData> {
  const d = (await load(o.limit === undefined ? {} : { limit: o.limit }))[o.split];
  const labels = Array.from(d.labels.dataSync(), (i) => classNames[i]);
  const [, h, w] = d.images.shape;
  return { inputs: { kind: 'ready', x: d.images, input: { kind: 'image', height: h, width: w, channels: 1 } }, labels, classNames, classification: true };
}

function builtinTexts(d: { texts: string[]; labels: number[] }, o: DataOptions, classNames: string[]): LoadedData {
  const n = o.limit === undefined ? d.texts.length : Math.min(o.limit, d.texts.length);
  return { inputs: { kind: 'text', texts: d.texts.slice(0, n) }, labels: d.labels.slice(0, n).map((l) => classNames[l]), classNames, classification: true };
}

/** Loads `--data` (see the file comment). Errors name the file, line or column at fault. */
export async function loadData(source: string, o: DataOptions): Promise<LoadedData> {
  if (BUILTIN[source]) return BUILTIN[source](o);
  if (!existsSync(source)) {
    throw new UsageError(`--data '${source}' is neither a file, a folder nor a built-in dataset (${BUILTIN_DATASETS.join(', ')})`);
  }
  const data = statSync(source).isDirectory() ? await loadImageFolder(source, o) : await loadFile(source, o);
  if (o.limit !== undefined) limitData(data, o.limit);
  return data;
}

async function loadFile(file: string, o: DataOptions): Promise<LoadedData> {
  const ext = extname(file).toLowerCase();
  const text = readFileSync(file, 'utf8');
  if (ext === '.csv') return loadCsv(await readCsv(text, file, o.delimiter ?? null), o, file);
  if (ext === '.tsv' || ext === '.txt') return loadTextLines(text, file);
  throw new UsageError(`--data '${file}': unknown file type '${ext}'; use a .csv file, a .tsv/.txt file of label<TAB>text lines, or a folder of images`);
}

function loadCsv(csv: Csv, o: DataOptions, file: string): LoadedData {
  const label = labelColumnIndex(csv, o.labelColumn, file);
  const { cells, rowNumbers, dropped } = featureCells(csv, label, o.fillMissing, file);
  const labels = rowNumbers.map((n) => csv.rows[n - 1][label].trim());
  const empty = labels.findIndex((l) => l === '');
  if (empty >= 0) throw new CliError(`${file}: row ${rowNumbers[empty]} has no label (column ${csv.header ? `'${csv.header[label]}'` : label}); labels are never filled`);
  if (dropped) o.log?.(`note: dropped ${dropped} row${dropped === 1 ? '' : 's'} with missing values (--fill-missing drop)`);
  const featureNames = csv.header ? csv.header.filter((_, j) => j !== label) : null;
  return {
    inputs: { kind: 'table', cells, rowNumbers, fill: o.fillMissing, featureNames, labelColumn: csv.header ? csv.header[label] : label, labelIndex: label, columns: csv.rows[0].length, file },
    labels,
  };
}

function loadTextLines(text: string, file: string): LoadedData {
  const texts: string[] = [], labels: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const tab = line.indexOf('\t');
    if (tab < 0) throw new CliError(`${file}: line ${i + 1} has no tab; text data is one 'label<TAB>text' per line`);
    labels.push(line.slice(0, tab).trim());
    texts.push(line.slice(tab + 1));
  });
  if (texts.length === 0) throw new CliError(`${file}: no 'label<TAB>text' lines`);
  return { inputs: { kind: 'text', texts }, labels, classification: true };
}

/**
 * A folder with one subfolder of images per class (the subfolder names are the class names), indexed
 * by st.data.imageDatasetFromDirectory's rules and decoded by st.data.readImage (sharp), each image
 * resized to the model's size (or, for a new model, the first image's). Bad files stop the run with
 * their path, or with skipBad are reported, left out and counted.
 */
async function loadImageFolder(dir: string, o: DataOptions): Promise<LoadedData> {
  let index: st.data.DirectoryDataset<unknown>;
  try {
    index = await st.data.imageDatasetFromDirectory(dir, { shuffle: false, batchSize: null });
  } catch (e) {
    throw new CliError(`${(e as Error).message.replace(/^data\.imageDatasetFromDirectory: /, '')}; --data FOLDER takes images (${IMAGE_EXTENSIONS.join(' ')}) in one subfolder per class`);
  }
  const classNames = index.classNames!;
  const all = o.limit === undefined ? index.filePaths : index.filePaths.slice(0, o.limit);
  const classOf = (f: string) => classNames.find((c) => f.startsWith(join(dir, c) + sep))!;
  const images: DecodedImage[] = [], files: string[] = [], labels: string[] = [], bad: string[] = [];
  let target = o.image;
  for (const file of all) {
    let img: DecodedImage;
    try {
      if (!target) {
        const first = await decodeImage(file, undefined, 3);
        target = { height: first.height, width: first.width };
      }
      img = await decodeImage(file, target, target.channels);
    } catch (e) {
      if (!o.skipBad) throw new CliError(`${(e as Error).message}; remove the file or pass --skip-bad to leave such files out`);
      bad.push(file);
      o.log?.(`skipping ${(e as Error).message}`);
      continue;
    }
    images.push(img);
    files.push(file);
    labels.push(classOf(file));
  }
  if (bad.length) o.log?.(`skipped ${bad.length} unreadable image${bad.length === 1 ? '' : 's'} (--skip-bad)`);
  if (images.length === 0) throw new CliError(`${dir}: no readable images`);
  return { inputs: { kind: 'image', images, files }, labels, classNames, classification: true };
}

/**
 * Decodes one image file at `size` (its own when absent): grey-scale or RGB as `channels` says,
 * or, when it says nothing, grey-scale for images whose three channels agree everywhere.
 */
export async function decodeImage(path: string, size: ImageTarget | undefined, channels: 1 | 3 | undefined): Promise<DecodedImage> {
  const x = await st.data.readImage(path, { imageSize: size ? [size.height, size.width] : undefined, colorMode: channels === 1 ? 'grayscale' : 'rgb' });
  const [height, width, c] = x.shape;
  const pixels = x.dataSync() as Float32Array;
  if (c === 1 || channels === 3) return { width, height, channels: c as 1 | 3, pixels };
  const n = width * height;
  for (let k = 0; k < n; k++) if (pixels[3 * k] !== pixels[3 * k + 1] || pixels[3 * k] !== pixels[3 * k + 2]) return { width, height, channels: 3, pixels };
  return { width, height, channels: 1, pixels: Float32Array.from({ length: n }, (_, k) => pixels[3 * k]) };
}

function limitData(d: LoadedData, n: number): void {
  d.labels = d.labels.slice(0, n);
  const r = d.inputs;
  if (r.kind === 'table') { r.cells = r.cells.slice(0, n); r.rowNumbers = r.rowNumbers.slice(0, n); }
  else if (r.kind === 'image') { r.images = r.images.slice(0, n); r.files = r.files.slice(0, n); }
  else if (r.kind === 'text') r.texts = r.texts.slice(0, n);
}
