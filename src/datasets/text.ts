import { ConfigError } from '../errors.js';

/** Options of `tokenize` (and of word vocabularies). */
export interface TokenizeOptions {
  /** Lower-case the text first (default true). */
  lowerCase?: boolean;
}

// Letters and digits, with inner apostrophes kept ("don't", "o'clock"), as Keras' Tokenizer keeps them.
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;

/**
 * Splits text into words: lower-cased (unless `lowerCase: false`), runs of letters and digits with
 * inner apostrophes; punctuation and white space separate words and are dropped.
 * @example st.datasets.tokenize("Don't panic! It's 42.") // ["don't", 'panic', "it's", '42']
 */
export function tokenize(text: string, opts: TokenizeOptions = {}): string[] {
  if (typeof text !== 'string') throw new ConfigError(`tokenize: text must be a string, got ${typeof text}`);
  const s = opts.lowerCase === false ? text : text.toLowerCase();
  return s.match(WORD) ?? [];
}

/**
 * Replaces HTML line breaks (`<br />`, as in the IMDB reviews) with spaces and removes other tags.
 * @example st.datasets.stripHtml('Great.<br /><br />Really.') // 'Great.  Really.'
 */
export function stripHtml(text: string): string {
  return text.replace(/<br\s*\/?>/gi, ' ').replace(/<\/?[a-z][^<>]{0,40}>/gi, '');
}

/** Splits text into characters (Unicode code points, so an emoji is one character). */
export function characters(text: string): string[] {
  return Array.from(text);
}
