/**
 * Reads `--data`: a built-in dataset name, a CSV file, a folder of PNGs in per-class subfolders,
 * or a text file of `label<TAB>text` lines. Gives raw samples and label strings; prepare.ts turns
 * them into tensors.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import * as st from '../index.js';
import { CliError, UsageError } from './args.js';
import { type Csv, featureMatrix, labelColumnIndex, parseCsv } from './csv.js';
import { type PngImage, PngError, decodePng } from './png.js';
import type { InputMeta } from './sidecar.js';

/** Samples before preprocessing. */
export type RawInputs =
  | { kind: 'table'; values: Float32Array; features: number; featureNames: string[] | null; labelColumn: string | number; labelIndex: number; columns: number }
  | { kind: 'image'; images: PngImage[]; files: string[] }
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
}

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
  const data = statSync(source).isDirectory() ? loadImageFolder(source) : loadFile(source, o);
  if (o.limit !== undefined) limitData(data, o.limit);
  return data;
}

function loadFile(file: string, o: DataOptions): LoadedData {
  const ext = extname(file).toLowerCase();
  const text = readFileSync(file, 'utf8');
  if (ext === '.csv') return loadCsv(parseCsv(text, file), o, file);
  if (ext === '.tsv' || ext === '.txt') return loadTextLines(text, file);
  throw new UsageError(`--data '${file}': unknown file type '${ext}'; use a .csv file, a .tsv/.txt file of label<TAB>text lines, or a folder of PNG images`);
}

function loadCsv(csv: Csv, o: DataOptions, file: string): LoadedData {
  const label = labelColumnIndex(csv, o.labelColumn, file);
  const { values, features } = featureMatrix(csv, label, file);
  const featureNames = csv.header ? csv.header.filter((_, j) => j !== label) : null;
  return {
    inputs: { kind: 'table', values, features, featureNames, labelColumn: csv.header ? csv.header[label] : label, labelIndex: label, columns: csv.rows[0].length },
    labels: csv.rows.map((r) => r[label].trim()),
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

/** A folder with one subfolder of PNG images per class (the subfolder names are the class names). */
function loadImageFolder(dir: string): LoadedData {
  const classNames = readdirSync(dir).filter((d) => statSync(join(dir, d)).isDirectory()).sort();
  if (classNames.length === 0) throw new CliError(`${dir}: no class subfolders; put the images of each class in a subfolder named after it`);
  const images: PngImage[] = [], files: string[] = [], labels: string[] = [];
  for (const c of classNames) {
    const pngs = readdirSync(join(dir, c)).filter((f) => extname(f).toLowerCase() === '.png').sort();
    if (pngs.length === 0) throw new CliError(`${join(dir, c)}: class '${c}' has no .png images`);
    for (const f of pngs) {
      const path = join(dir, c, f);
      images.push(readPng(path));
      files.push(path);
      labels.push(c);
    }
  }
  const first = images[0];
  images.forEach((img, i) => {
    if (img.width !== first.width || img.height !== first.height) {
      throw new CliError(`${files[i]}: image is ${img.width}×${img.height} but ${basename(files[0])} is ${first.width}×${first.height}; all images must share one size`);
    }
  });
  return { inputs: { kind: 'image', images, files }, labels, classNames, classification: true };
}

/** Reads and decodes one PNG file; errors name the file. */
export function readPng(path: string): PngImage {
  try {
    return decodePng(readFileSync(path), path);
  } catch (e) {
    if (e instanceof PngError) throw new CliError(e.message);
    throw e;
  }
}

function limitData(d: LoadedData, n: number): void {
  d.labels = d.labels.slice(0, n);
  const r = d.inputs;
  if (r.kind === 'table') r.values = r.values.slice(0, n * r.features);
  else if (r.kind === 'image') { r.images = r.images.slice(0, n); r.files = r.files.slice(0, n); }
  else if (r.kind === 'text') r.texts = r.texts.slice(0, n);
}
