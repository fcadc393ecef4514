/**
 * CSV tables for the CLI: read through papaparse (st.data's csvRows: RFC 4180 quotes, any
 * delimiter, auto-detected unless --delimiter says), then encoded for the model the same way in
 * train, evaluate and predict: categorical columns one-hot with the training vocabulary, numeric
 * columns standardised with statistics of the training split, missing values refused or filled.
 */
import type * as st from '../index.js';
import { csvRows } from '../data/csv-rows.js';
import { CliError, UsageError } from './args.js';

export interface Csv {
  /** Column names, or null when the file has no header row. */
  header: string[] | null;
  rows: string[][];
}

/** How missing (empty) feature values are handled: refused when absent. */
export type FillMissing = 'mean' | 'zero' | 'mode' | 'drop';
export const FILL_MISSING: FillMissing[] = ['mean', 'zero', 'mode', 'drop'];

/** How one feature column becomes model inputs (kept in strata.json). */
export type ColumnEncoding =
  /** One input; `mean` and `mode` of the training split fill missing values. */
  | { kind: 'numeric'; mean: number; mode: number }
  /** One input per category (one-hot); `mode` fills missing values. */
  | { kind: 'categorical'; categories: string[]; mode: string };

/** `--delimiter` → the character: 'tab' and '\t' are a tab; absent: null (detect). */
export function delimiterFlag(v: unknown): string | null {
  if (v === undefined) return null;
  const s = String(v);
  if (s === 'tab' || s === '\\t') return '\t';
  if (s.length !== 1 || s === '"' || s === '\n' || s === '\r') throw new UsageError(`--delimiter must be one character (or 'tab'), got '${s}'`);
  return s;
}

/** `--fill-missing` → its value (absent: undefined, missing values refused). */
export function fillMissingFlag(v: unknown): FillMissing | undefined {
  if (v === undefined) return undefined;
  if (!FILL_MISSING.includes(v as FillMissing)) throw new UsageError(`--fill-missing must be one of ${FILL_MISSING.join(', ')}, got '${String(v)}'`);
  return v as FillMissing;
}

/** Parses CSV text; every row must have the first row's number of fields. Header detected as before. */
export async function readCsv(text: string, file: string, delimiter: string | null): Promise<Csv> {
  text = text.replace(/^\uFEFF/, '');
  // papaparse's guess looks at the first rows for the candidate that splits them evenly (a blank
  // line, such as the one after the final line break, would make every candidate look uneven).
  // Loaded here, not at the top: importing papaparse slows training steps (see data/csv-rows.ts).
  const Papa = (await import('papaparse')).default;
  const delim = delimiter ?? (Papa.parse(text.slice(0, 20000), { preview: 20, skipEmptyLines: true }).meta.delimiter || ',');
  const rows: string[][] = [];
  try {
    for await (const r of csvRows((async function* () { yield text; })(), { delimiter: delim, where: file })) rows.push(r);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  if (rows.length === 0) throw new CliError(`${file}: the CSV file is empty`);
  // A header names columns that hold numbers below it; a text label column alone is no evidence.
  const header = rows.length > 1 && rows[0].some((f, j) => f.trim() !== '' && !isNumber(f) && isNumber(rows[1][j] ?? '')) ? rows[0] : null;
  const width = rows[0].length;
  rows.forEach((r, i) => {
    if (r.length !== width) {
      const shown = delim === '\t' ? 'tab' : `'${delim}'`;
      throw new CliError(`${file}: row ${i + 1} has ${r.length} fields, expected ${width} like the first (delimiter ${shown}; set it with --delimiter)`);
    }
  });
  return { header: header?.map((h) => h.trim()) ?? null, rows: header ? rows.slice(1) : rows };
}

export function isNumber(s: string): boolean {
  return s.trim() !== '' && Number.isFinite(Number(s));
}

const isMissing = (s: string) => s.trim() === '';

/**
 * The index of the label column: a header name, or a 0-based index (negative counts from the end).
 * A column that is not there is a UsageError listing the columns.
 */
export function labelColumnIndex(csv: Csv, spec: string | number | undefined, file: string): number {
  const width = csv.header?.length ?? csv.rows[0].length;
  const names = csv.header ? csv.header.map((h, i) => `${i}: ${h}`).join(', ') : `0–${width - 1} (the file has no header row)`;
  if (spec === undefined) return width - 1;
  const s = String(spec);
  if (csv.header) {
    const i = csv.header.indexOf(s);
    if (i >= 0) return i;
  }
  if (/^-?\d+$/.test(s)) {
    const n = Number(s), i = n < 0 ? width + n : n;
    if (i >= 0 && i < width) return i;
  }
  throw new UsageError(`${file}: --label-column '${s}' is not a column; the columns are ${names}`);
}

/**
 * Rows of feature cells (the label column left out), checked for missing values: without `fill`
 * the first empty cell is an error naming its row and column; with 'drop' such rows are left out.
 * Returns the kept cells and their 1-based data row numbers.
 */
export function featureCells(csv: Csv, label: number | null, fill: FillMissing | undefined, file: string): { cells: string[][]; rowNumbers: number[]; dropped: number } {
  const cells: string[][] = [], rowNumbers: number[] = [];
  let dropped = 0;
  csv.rows.forEach((r, i) => {
    const missing = r.findIndex((f, j) => j !== label && isMissing(f));
    if (missing >= 0 && fill === 'drop') { dropped++; return; }
    if (missing >= 0 && !fill) {
      throw new CliError(`${file}: row ${i + 1}, column ${columnName(csv, missing)} is empty (a missing value); fill it, or pass --fill-missing mean|zero|mode|drop`);
    }
    cells.push(r.filter((_, j) => j !== label).map((f) => f.trim()));
    rowNumbers.push(i + 1);
  });
  if (cells.length === 0) throw new CliError(`${file}: no rows left${dropped ? ` after dropping ${dropped} with missing values` : ''}`);
  return { cells, rowNumbers, dropped };
}

function columnName(csv: Csv, j: number): string {
  return csv.header ? `'${csv.header[j]}'` : `${j}`;
}

/**
 * Fits the encoding of feature columns: a column with any non-number is categorical (its sorted
 * distinct values from all rows are its vocabulary); fill values and the numeric mean/std come from
 * the first `trainRows` rows only, so the validation split tells the model nothing.
 */
export function fitTableEncoding(cells: string[][], trainRows: number): { encoding: ColumnEncoding[]; normalization: st.datasets.NormalizationStats } {
  const width = cells[0].length;
  const train = cells.slice(0, Math.max(1, trainRows));
  const encoding: ColumnEncoding[] = [];
  const mean: number[] = [], std: number[] = [];
  for (let j = 0; j < width; j++) {
    const present = (rows: string[][]) => rows.map((r) => r[j]).filter((f) => !isMissing(f));
    if (present(cells).some((f) => !isNumber(f))) {
      const categories = [...new Set(present(cells))].sort();
      encoding.push({ kind: 'categorical', categories, mode: modeOf(present(train)) ?? categories[0] });
      for (let k = 0; k < categories.length; k++) { mean.push(0); std.push(1); } // one-hot columns stay 0/1
    } else {
      const v = present(train).map(Number);
      const m = v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0;
      const s = v.length ? Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length) : 1;
      encoding.push({ kind: 'numeric', mean: m, mode: Number(modeOf(v.map(String)) ?? m) });
      mean.push(m);
      std.push(s > 0 ? s : 1);
    }
  }
  return { encoding, normalization: { method: 'standardize', axis: -1, mean, std } };
}

/** The most frequent value (the first seen among ties), or undefined for none. */
function modeOf(values: string[]): string | undefined {
  const counts = new Map<string, number>();
  let best: string | undefined, top = 0;
  for (const v of values) {
    const c = (counts.get(v) ?? 0) + 1;
    counts.set(v, c);
    if (c > top) { top = c; best = v; }
  }
  return best;
}

/** The number of model inputs of an encoding. */
export function encodedWidth(encoding: ColumnEncoding[]): number {
  return encoding.reduce((n, c) => n + (c.kind === 'categorical' ? c.categories.length : 1), 0);
}

/**
 * Feature cells → the un-normalised input matrix: numbers as they are, categories one-hot.
 * Missing cells (left in by fill 'mean', 'zero' or 'mode') take the column's training mean or mode
 * (categorical columns take the mode for 'mean'), or 0 (all-zero one-hot for 'zero'). A category
 * not in the training vocabulary is an error: silently zeroing it would hide a typo or a new kind
 * of sample the model never saw.
 */
export function encodeTable(cells: string[][], rowNumbers: number[], encoding: ColumnEncoding[], fill: FillMissing | undefined, names: string[] | null, file: string): Float32Array {
  const width = encodedWidth(encoding);
  const out = new Float32Array(cells.length * width);
  const col = (j: number) => (names ? `'${names[j]}'` : `${j}`);
  cells.forEach((r, i) => {
    let k = i * width;
    encoding.forEach((c, j) => {
      let f = r[j];
      if (isMissing(f)) {
        if (!fill || fill === 'drop') {
          throw new CliError(`${file}: row ${rowNumbers[i]}, column ${col(j)} is empty (a missing value); fill it, or pass --fill-missing mean|zero|mode|drop`);
        }
        if (fill === 'zero') f = c.kind === 'numeric' ? '0' : '';
        else if (c.kind === 'numeric') f = String(fill === 'mean' ? c.mean : c.mode);
        else f = c.mode;
      }
      if (c.kind === 'numeric') {
        if (!isNumber(f)) throw new CliError(`${file}: row ${rowNumbers[i]}, column ${col(j)}: '${f}' is not a number (the model was trained on numbers in this column)`);
        out[k++] = Number(f);
      } else {
        const at = c.categories.indexOf(f);
        if (at < 0 && f !== '') {
          throw new CliError(`${file}: row ${rowNumbers[i]}, column ${col(j)}: '${f}' is not a category seen in training (${c.categories.join(', ')})`);
        }
        if (at >= 0) out[k + at] = 1;
        k += c.categories.length;
      }
    });
  });
  return out;
}
