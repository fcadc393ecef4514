/**
 * CSV reading for the CLI: comma-separated rows (double-quoted fields may hold commas and ""),
 * blank lines skipped, a header row detected when its fields are not all numbers.
 */
import { CliError, UsageError } from './args.js';

export interface Csv {
  /** Column names, or null when the file has no header row. */
  header: string[] | null;
  rows: string[][];
  /** The file's line number of each row, for error messages. */
  lines: number[];
}

/** Parses CSV text; every row must have the header's (or the first row's) number of fields. */
export function parseCsv(text: string, file: string): Csv {
  const lines = text.split(/\r?\n/);
  const rows: string[][] = [];
  const lineOf: number[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    rows.push(splitLine(line, file, i + 1));
    lineOf.push(i + 1);
  });
  if (rows.length === 0) throw new CliError(`${file}: the CSV file is empty`);
  // A header names columns that hold numbers below it; a text label column alone is no evidence.
  const header = rows.length > 1 && rows[0].some((f, j) => f.trim() !== '' && !isNumber(f) && isNumber(rows[1][j] ?? '')) ? rows[0] : null;
  const width = rows[0].length;
  rows.forEach((r, i) => {
    if (r.length !== width) throw new CliError(`${file}: line ${lineOf[i]} has ${r.length} fields, expected ${width} like the first line`);
  });
  return { header: header?.map((h) => h.trim()) ?? null, rows: header ? rows.slice(1) : rows, lines: header ? lineOf.slice(1) : lineOf };
}

function splitLine(line: string, file: string, lineNo: number): string[] {
  const out: string[] = [];
  let field = '', quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field.trim() === '') { quoted = true; field = ''; }
    else if (ch === ',') { out.push(field); field = ''; }
    else field += ch;
  }
  if (quoted) throw new CliError(`${file}: line ${lineNo} has an unclosed quote`);
  out.push(field);
  return out;
}

export function isNumber(s: string): boolean {
  return s.trim() !== '' && Number.isFinite(Number(s));
}

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

/** The numbers of the columns other than `label`, row by row (a non-number is an error naming line and column). */
export function featureMatrix(csv: Csv, label: number | null, file: string): { values: Float32Array; features: number } {
  const width = csv.rows[0]?.length ?? 0;
  const features = label === null ? width : width - 1;
  const values = new Float32Array(csv.rows.length * features);
  csv.rows.forEach((r, i) => {
    let k = 0;
    r.forEach((f, j) => {
      if (j === label) return;
      if (!isNumber(f)) {
        const col = csv.header ? `'${csv.header[j]}'` : `${j}`;
        throw new CliError(`${file}: line ${csv.lines[i]}, column ${col}: '${f}' is not a number (features must be numeric)`);
      }
      values[i * features + k++] = Number(f);
    });
  });
  return { values, features };
}
