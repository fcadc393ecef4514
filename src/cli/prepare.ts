/**
 * Raw samples → model tensors, the same way in train, evaluate and predict: tables standardised
 * with the training statistics, images scaled to [0, 1] with the training channel count, texts
 * encoded with the training vocabulary and padded to its length.
 */
import * as st from '../index.js';
import { CliError } from './args.js';
import type { DecodedImage, RawInputs } from './data.js';
import type { InputMeta, TargetKind } from './sidecar.js';
import { type ColumnEncoding, encodeTable, encodedWidth, fitTableEncoding } from './table.js';

export interface PrepareOptions {
  /** Text: most words kept in the vocabulary (default 10,000). */
  vocabSize?: number;
  /** Text: tokens per sample (default the longest training text, at most 200). */
  maxLength?: number;
  /** Tables: rows before the validation split, the only ones statistics are fitted on (default all). */
  trainRows?: number;
}

/** Turns raw inputs into the model's input tensor; with no `meta` (training) it fits the statistics and returns them. */
export function prepareInputs(raw: RawInputs, meta: InputMeta | undefined, opts: PrepareOptions = {}): { x: st.Tensor; input: InputMeta } {
  if (raw.kind === 'ready') {
    if (meta && (meta.kind !== raw.input.kind || describeInput(meta) !== describeInput(raw.input))) {
      throw new CliError(`the model takes ${describeInput(meta)}, but this dataset has ${describeInput(raw.input)}`);
    }
    return { x: raw.x, input: raw.input };
  }
  if (raw.kind === 'table') {
    if (meta && meta.kind !== 'table') throw new CliError(`the model takes ${describeInput(meta)}, not a table`);
    const width = raw.cells[0].length;
    if (meta && meta.features !== width) throw new CliError(`${raw.file}: the data has ${width} feature columns but the model was trained on ${meta.features}`);
    // Training fits on the rows before the validation split only (fit holds out the last ones).
    const fitted = meta ? null : fitTableEncoding(raw.cells, opts.trainRows ?? raw.cells.length);
    const encoding = meta ? meta.encoding ?? Array.from({ length: width }, (_, j): ColumnEncoding => ({ kind: 'numeric', mean: meta.normalization.mean?.[j] ?? 0, mode: meta.normalization.mean?.[j] ?? 0 })) : fitted!.encoding;
    const normalization = meta ? meta.normalization : fitted!.normalization;
    const fill = raw.fill ?? (meta ? meta.fillMissing : undefined);
    const values = encodeTable(raw.cells, raw.rowNumbers, encoding, fill, meta ? meta.featureNames : raw.featureNames, raw.file);
    const x = st.tensor(values, [raw.cells.length, encodedWidth(encoding)]);
    const input: InputMeta = meta ?? { kind: 'table', features: width, featureNames: raw.featureNames, labelColumn: raw.labelColumn, labelIndex: raw.labelIndex, columns: raw.columns, normalization, encoding, ...(raw.fill ? { fillMissing: raw.fill } : {}) };
    return { x: st.datasets.applyNormalization(x, normalization), input };
  }
  if (raw.kind === 'image') {
    if (meta && meta.kind !== 'image') throw new CliError(`the model takes ${describeInput(meta)}, not images`);
    const first = raw.images[0];
    const channels = meta?.channels ?? (raw.images.every((im) => im.channels <= 2) ? 1 : 3);
    const input: InputMeta = meta ?? { kind: 'image', height: first.height, width: first.width, channels };
    return { x: imagesToTensor(raw.images, raw.files, input), input };
  }
  if (meta && meta.kind !== 'text') throw new CliError(`the model takes ${describeInput(meta)}, not text`);
  const vocab = meta ? st.datasets.Vocabulary.fromJSON(meta.vocabulary) : st.datasets.wordVocabulary(raw.texts, { maxSize: opts.vocabSize ?? 10000 });
  const ids = raw.texts.map((t) => vocab.encode(t));
  const maxLength = meta?.maxLength ?? opts.maxLength ?? Math.max(1, Math.min(200, ids.reduce((m, s) => Math.max(m, s.length), 0)));
  const x = st.datasets.padSequences(ids, { maxLen: maxLength, dtype: 'float32' });
  return { x, input: meta ?? { kind: 'text', vocabulary: vocab.toJSON(), maxLength } };
}

/** Decoded images (checked against the model's size) → float32 [n, height, width, channels] in [0, 1]. */
export function imagesToTensor(images: DecodedImage[], files: string[], meta: Extract<InputMeta, { kind: 'image' }>): st.Tensor {
  const { height, width, channels } = meta;
  const out = new Float32Array(images.length * height * width * channels);
  images.forEach((img, i) => {
    if (img.width !== width || img.height !== height) {
      throw new CliError(`${files[i]}: image is ${img.width}×${img.height} but the model takes ${width}×${height} images`);
    }
    const base = i * height * width * channels, c = img.channels, p = img.pixels;
    for (let k = 0; k < height * width; k++) {
      // Grey becomes RGB by repetition, RGB becomes grey by luma.
      const r = p[k * c], g = c >= 3 ? p[k * c + 1] : r, b = c >= 3 ? p[k * c + 2] : r;
      if (channels === 1) out[base + k] = (c >= 3 ? 0.299 * r + 0.587 * g + 0.114 * b : r) / 255;
      else { out[base + 3 * k] = r / 255; out[base + 3 * k + 1] = g / 255; out[base + 3 * k + 2] = b / 255; }
    }
  });
  return st.tensor(out, [images.length, height, width, channels]);
}

/** One phrase for error messages: "28×28 images", "text", "rows of 4 numbers". */
export function describeInput(m: InputMeta): string {
  if (m.kind === 'image') return `${m.width}×${m.height} ${m.channels === 1 ? 'grey-scale' : 'RGB'} images`;
  if (m.kind === 'text') return 'text';
  if (m.kind === 'table') return `rows of ${m.features} ${m.encoding?.some((c) => c.kind === 'categorical') ? 'columns' : 'numbers'}`;
  return `tensors of shape [${m.shape.join(', ')}]`;
}

/** Class names of classification labels: numeric ones in numeric order, others alphabetically. */
export function classNamesOf(labels: string[]): string[] {
  const names = [...new Set(labels)];
  return names.every((l) => Number.isFinite(Number(l)) && l !== '') ? names.sort((a, b) => Number(a) - Number(b)) : names.sort();
}

/** Whether CSV labels look like classes: any non-number, or at most 20 distinct integers. */
export function looksLikeClasses(labels: string[]): boolean {
  if (labels.some((l) => !Number.isFinite(Number(l)) || l === '')) return true;
  return labels.every((l) => Number.isInteger(Number(l))) && new Set(labels).size <= 20;
}

/** Labels → the target tensor a loss of this kind expects. */
export function prepareTargets(labels: string[], kind: TargetKind, classNames: string[] | undefined, what: string): st.Tensor {
  const n = labels.length;
  if (kind === 'value') {
    const v = Float32Array.from(labels, (l, i) => {
      const x = Number(l);
      if (l === '' || !Number.isFinite(x)) throw new CliError(`${what}: label ${i} is '${l}', not a number; the model predicts numbers`);
      return x;
    });
    return st.tensor(v, [n, 1]);
  }
  const index = new Map(classNames!.map((c, i) => [c, i]));
  const ids = Int32Array.from(labels, (l) => {
    const i = index.get(l);
    if (i === undefined) throw new CliError(`${what}: label '${l}' is not one of the model's classes (${classNames!.join(', ')})`);
    return i;
  });
  if (kind === 'sparse') return st.tensor(ids, [n]);
  if (kind === 'binary') return st.tensor(Float32Array.from(ids), [n, 1]);
  return st.datasets.oneHot(ids, classNames!.length);
}
