import { ConfigError } from '../errors.js';
import { DatasetFormatError } from '../datasets/errors.js';
import { Dataset } from './dataset.js';
import { DataIterator, describe } from './iterator.js';
import { csvRows } from './csv-rows.js';
import { type TextSource, textChunks } from './text-source.js';

/** How one CSV column is read (tf.data's ColumnConfig). */
export interface ColumnConfig {
  /** An empty field is an error (labels are always required). */
  required?: boolean;
  /** 'int32' floors numbers; 'bool' maps '1'/'true' to 1 and anything else to 0. Default: numbers as read. */
  dtype?: 'float32' | 'int32' | 'bool' | 'string';
  /** The value of an empty field. */
  default?: unknown;
  /** The column goes to `ys` (the element becomes { xs: {...}, ys: {...} }). */
  isLabel?: boolean;
}

/** Options of `data.csv` (tf.data's CSVConfig). */
export interface CSVConfig {
  /** The first record names the columns (default true). */
  hasHeader?: boolean;
  /** Column names; required without a header, and must match its length with one. */
  columnNames?: string[];
  /** Per-column settings, by column name. */
  columnConfigs?: Record<string, ColumnConfig>;
  /** Only the columns named in columnConfigs appear in the elements (default false). */
  configuredColumnsOnly?: boolean;
  /** The field separator (default ','). */
  delimiter?: string;
  /** Fields are separated by runs of spaces (not with `delimiter`). */
  delimWhitespace?: boolean;
}

/** A record: column name → number (or string, or undefined when empty). */
export type CSVRecord = Record<string, unknown>;

/**
 * The records of a CSV file as a dataset, as TensorFlow.js's CSVDataset: each element is an object
 * from column name to value (numbers where the field is numeric), or `{ xs: {...}, ys: {...} }`
 * when some column is a label. The file is streamed (parsed by papaparse), never held whole.
 */
export class CSVDataset extends Dataset<CSVRecord> {
  private readonly hasHeader: boolean;
  private names: string[] | null;
  private readonly configs: Record<string, ColumnConfig>;
  private readonly onlyConfigured: boolean;
  private readonly delimiter: string;
  private readonly collapse: boolean;
  private checked = false;
  private readonly where = 'data.csv';

  constructor(private readonly source: TextSource, config: CSVConfig = {}) {
    super();
    const where = this.where;
    if (typeof source !== 'string' && !(source instanceof URL) && !(typeof Request !== 'undefined' && source instanceof Request)) {
      throw new ConfigError(`${where}: expected a file path or URL string, got ${describe(source)}`);
    }
    this.hasHeader = config.hasHeader !== false;
    this.names = config.columnNames ? [...config.columnNames] : null;
    this.configs = config.columnConfigs ?? {};
    this.onlyConfigured = config.configuredColumnsOnly ?? false;
    if (config.delimWhitespace && config.delimiter !== undefined) {
      throw new ConfigError(`${where}: give either delimiter or delimWhitespace, not both`);
    }
    this.collapse = !!config.delimWhitespace;
    this.delimiter = config.delimWhitespace ? ' ' : config.delimiter ?? ',';
    if (typeof this.delimiter !== 'string' || this.delimiter.length === 0 || /["\r\n]/.test(this.delimiter)) {
      throw new ConfigError(`${where}: delimiter must be a non-empty string without quotes or line breaks, got ${describe(config.delimiter)}`);
    }
  }

  /** The record stream of one pass over the source. */
  private rows(): AsyncGenerator<string[]> {
    return csvRows(textChunks(this.source, this.where), { delimiter: this.delimiter, collapse: this.collapse, where: this.where });
  }

  /** Reads the header (when there is one) and checks the names against the options. */
  private async checkColumns(): Promise<void> {
    if (this.checked) return;
    let header: string[] | null = null;
    if (this.hasHeader) {
      const rows = this.rows();
      const first = await rows.next();
      await rows.return(undefined); // closes the file
      if (first.done) throw new DatasetFormatError(`${this.where}: no data in ${String(this.source)}`);
      header = first.value;
    }
    if (!this.names && !header) throw new ConfigError(`${this.where}: without a header line (hasHeader: false), give columnNames`);
    if (this.names && header && this.names.length !== header.length) {
      throw new ConfigError(`${this.where}: columnNames has ${this.names.length} names but the header line has ${header.length} (${header.join(', ')})`);
    }
    const names = this.names ?? header!;
    const dup = names.filter((n, i) => names.indexOf(n) !== i);
    if (dup.length) throw new DatasetFormatError(`${this.where}: duplicate column names: ${[...new Set(dup)].join(', ')}`);
    for (const key of Object.keys(this.configs)) {
      if (!names.includes(key)) throw new ConfigError(`${this.where}: columnConfigs has '${key}', which is not a column (columns: ${names.join(', ')})`);
    }
    this.names = names;
    this.checked = true;
  }

  /** The column names: all of them, or only the configured ones with configuredColumnsOnly. */
  async columnNames(): Promise<string[]> {
    await this.checkColumns();
    return this.onlyConfigured ? Object.keys(this.configs) : [...this.names!];
  }

  async iterator(): Promise<DataIterator<CSVRecord>> {
    await this.checkColumns();
    const rows = this.rows();
    const self = this;
    return new DataIterator((async function* () {
      let index = 0;
      for await (const fields of rows) {
        if (index++ === 0 && self.hasHeader) continue;
        yield self.record(fields, index);
      }
    })());
  }

  private record(fields: string[], index: number): CSVRecord {
    const names = this.names!;
    if (fields.length !== names.length) {
      throw new DatasetFormatError(`${this.where}: row ${index} has ${fields.length} fields but there are ${names.length} columns ` +
        `(${names.join(', ')}): ${JSON.stringify(fields)}`);
    }
    const xs: CSVRecord = {};
    const ys: CSVRecord = {};
    let labels = 0;
    names.forEach((key, i) => {
      const config = this.configs[key] as ColumnConfig | undefined;
      if (this.onlyConfigured && !config) return;
      const value = this.parse(fields[i], key, config, index);
      if (config?.isLabel) {
        ys[key] = value;
        labels++;
      } else xs[key] = value;
    });
    return labels ? { xs, ys } : xs;
  }

  /** One field, converted as TensorFlow.js does. */
  private parse(field: string, key: string, config: ColumnConfig | undefined, index: number): unknown {
    if (field === '') {
      if (config && config.default !== undefined) return config.default;
      if (config && (config.required || config.isLabel)) {
        throw new DatasetFormatError(`${this.where}: required column '${key}' is empty in row ${index}; give it a default in columnConfigs`);
      }
      return undefined;
    }
    const asBool = (): number => (field === '1' || field.toLowerCase() === 'true' ? 1 : 0);
    const n = Number(field);
    if (Number.isNaN(n)) return config?.dtype === 'bool' ? asBool() : field;
    switch (config?.dtype) {
      case 'int32': return Math.floor(n);
      case 'bool': return asBool();
      default: return n;
    }
  }
}

/**
 * A dataset of the records of a CSV file: in Node a file path or file:// URL, in browsers (or
 * for http(s) URLs) a URL fetched and streamed. See CSVConfig for the options.
 * @example
 * const ds = st.data.csv('file://./iris.csv', { columnConfigs: { species: { isLabel: true } } });
 * const batches = ds.map(({ xs, ys }) => ({ xs: Object.values(xs), ys: [ys.species] })).batch(16);
 */
export function csv(source: TextSource, config: CSVConfig = {}): CSVDataset {
  return new CSVDataset(source, config);
}
