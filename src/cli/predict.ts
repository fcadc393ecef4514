/**
 * `strata predict <model dir> <input>`: runs a trained model on an image (any size, JPEG, PNG,
 * WebP, GIF or BMP), a CSV file, a JSON array, a text file (one sample per line) or a line of text,
 * preprocessed as in training.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import * as st from '../index.js';
import { CliError, type Flags, UsageError, numberFlag } from './args.js';
import { IMAGE_EXTENSIONS, decodeImage } from './data.js';
import { loadModel } from './model-files.js';
import { describeInput, imagesToTensor, prepareInputs } from './prepare.js';
import { type InputMeta, type Sidecar, readSidecar } from './sidecar.js';
import { type FillMissing, delimiterFlag, featureCells, fillMissingFlag, readCsv } from './table.js';

export async function predict(positional: string[], flags: Flags, log: (s: string) => void): Promise<number> {
  const [dir, inputArg, ...rest] = positional;
  if (!dir || inputArg === undefined) throw new UsageError('predict: give the model folder and an input; see strata predict --help');
  if (rest.length) throw new UsageError(`predict: unexpected argument '${rest[0]}' (quote a text input: "like this")`);
  const top = numberFlag(flags, 'top', 1, 1);
  const model = await loadModel(dir);
  const sidecar = readSidecar(dir);
  const sample = (model.inputShapes?.[0] ?? []).slice(1) as (number | null)[];
  const meta: InputMeta = sidecar?.input ?? guessInput(sample);
  const csvOpts = { delimiter: delimiterFlag(flags.delimiter), fill: fillMissingFlag(flags['fill-missing']), log };
  const { x, names } = await readInput(inputArg, meta, sample, csvOpts);
  const out = model.predict(x) as st.Tensor | st.Tensor[];
  const y = Array.isArray(out) ? out[0] : out;
  const width = y.size / y.shape[0], v = y.dataSync();
  for (let i = 0; i < y.shape[0]; i++) {
    const row = Array.from(v.subarray(i * width, (i + 1) * width));
    log(`${names[i]}: ${answer(row, sidecar, top)}`);
  }
  return 0;
}

/** What a model without strata.json takes: images for rank-3 samples, else numbers as they are. */
function guessInput(sample: (number | null)[]): InputMeta {
  if (sample.length === 3 && sample.every((d) => d !== null) && (sample[2] === 1 || sample[2] === 3)) {
    return { kind: 'image', height: sample[0]!, width: sample[1]!, channels: sample[2] as 1 | 3 };
  }
  return { kind: 'tensor', shape: sample.map((d) => d ?? 1) };
}

interface CsvOptions { delimiter: string | null; fill: FillMissing | undefined; log: (s: string) => void }

async function readInput(arg: string, meta: InputMeta, sample: (number | null)[], csvOpts: CsvOptions): Promise<{ x: st.Tensor; names: string[] }> {
  const isFile = existsSync(arg) && statSync(arg).isFile();
  const ext = extname(arg).toLowerCase();
  if (!isFile) {
    if (meta.kind === 'text' && ![...IMAGE_EXTENSIONS, '.csv', '.json', '.txt', '.tsv'].includes(ext)) return texts([arg], meta, ['text']);
    throw new UsageError(`input file '${arg}' not found`);
  }
  if (IMAGE_EXTENSIONS.includes(ext)) {
    if (meta.kind !== 'image') throw new CliError(`${arg}: the model takes ${describeInput(meta)}, not images`);
    // Any size: resized to the model's input, as training resized its images.
    let img;
    try {
      img = await decodeImage(arg, meta, meta.channels);
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    return { x: imagesToTensor([img], [arg], meta), names: [basename(arg)] };
  }
  if (ext === '.csv') return csvRows(arg, meta, csvOpts);
  if (ext === '.json') return jsonInput(arg, meta, sample);
  if (meta.kind === 'text') {
    const lines = readFileSync(arg, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
    if (lines.length === 0) throw new CliError(`${arg}: no text lines`);
    // A 'label<TAB>text' line (the training format) is read for its text.
    const bodies = lines.map((l) => (l.includes('\t') ? l.slice(l.indexOf('\t') + 1) : l));
    return texts(bodies, meta, bodies.map((_, i) => `line ${i + 1}`));
  }
  throw new CliError(`${arg}: the model takes ${describeInput(meta)}; give a ${meta.kind === 'image' ? `${IMAGE_EXTENSIONS.join(' ')} image` : '.csv or .json file'}`);
}

function texts(list: string[], meta: Extract<InputMeta, { kind: 'text' }>, names: string[]): { x: st.Tensor; names: string[] } {
  return { x: prepareInputs({ kind: 'text', texts: list }, meta).x, names };
}

/** CSV rows: with or without the label column the model was trained with. */
async function csvRows(file: string, meta: InputMeta, o: CsvOptions): Promise<{ x: st.Tensor; names: string[] }> {
  if (meta.kind !== 'table') throw new CliError(`${file}: the model takes ${describeInput(meta)}, not a CSV table`);
  const csv = await readCsv(readFileSync(file, 'utf8'), file, o.delimiter);
  const width = csv.rows[0].length;
  let label: number | null = null;
  if (width === meta.columns && width !== meta.features) {
    // By name when this file has a header with it, else at the training file's position.
    const byName = typeof meta.labelColumn === 'string' && csv.header ? csv.header.indexOf(meta.labelColumn) : -1;
    label = byName >= 0 ? byName : meta.labelIndex;
  } else if (width !== meta.features) {
    throw new CliError(`${file}: rows have ${width} fields but the model takes ${meta.features} features (or ${meta.columns} columns with the label)`);
  }
  const fill = o.fill ?? meta.fillMissing;
  const { cells, rowNumbers, dropped } = featureCells(csv, label, fill, file);
  if (dropped) o.log(`note: dropped ${dropped} row${dropped === 1 ? '' : 's'} with missing values (--fill-missing drop)`);
  const raw = { kind: 'table' as const, cells, rowNumbers, fill, featureNames: null, labelColumn: meta.labelColumn, labelIndex: label ?? -1, columns: width, file };
  return { x: prepareInputs(raw, meta).x, names: rowNumbers.map((n) => `row ${n}`) };
}

/** A JSON array: one sample, or a list of samples (table rows are normalised like training). */
function jsonInput(file: string, meta: InputMeta, sample: (number | null)[]): { x: st.Tensor; names: string[] } {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const flat = (a: unknown): number[] => (Array.isArray(a) ? a.flatMap(flat) : [a as number]);
  if (!Array.isArray(v)) throw new CliError(`${file}: expected a JSON array of numbers (one sample) or of samples`);
  const values = flat(v);
  if (values.some((n) => typeof n !== 'number' || !Number.isFinite(n))) throw new CliError(`${file}: every entry must be a finite number`);
  if (meta.kind === 'table' && meta.encoding?.some((c) => c.kind === 'categorical')) {
    throw new CliError(`${file}: the model has categorical columns; give the rows as a .csv file so they are one-hot encoded as in training`);
  }
  const shape = meta.kind === 'table' ? [meta.features] : sample.map((d) => d ?? 1) as number[];
  const per = shape.reduce((a, b) => a * b, 1);
  if (values.length === 0 || values.length % per !== 0) {
    throw new CliError(`${file}: ${values.length} numbers do not make samples of shape [${shape.join(', ')}] (${per} numbers each)`);
  }
  const n = values.length / per;
  let x = st.tensor(Float32Array.from(values), [n, ...shape]);
  if (meta.kind === 'table') x = st.datasets.applyNormalization(x, meta.normalization);
  return { x, names: Array.from({ length: n }, (_, i) => `sample ${i + 1}`) };
}

/** The answer for one output row: top classes with probabilities, or the numbers. */
function answer(row: number[], sidecar: Sidecar | null, top: number): string {
  const names = sidecar?.classNames;
  if (!names || sidecar.target === 'value') return row.map((v) => +v.toPrecision(6)).join(', ');
  const probs = sidecar.target === 'binary' ? [1 - row[0], row[0]] : row;
  const order = probs.map((p, i) => [p, i]).sort((a, b) => b[0] - a[0]).slice(0, top);
  return order.map(([p, i]) => `${names[i]} (${p.toFixed(4)})`).join(', ');
}
