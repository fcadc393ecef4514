import { ConfigError } from '../errors.js';
import { characters, tokenize } from './text.js';

/** Index of the padding token in every vocabulary. */
export const PAD = 0;
/** Index of the out-of-vocabulary token in every vocabulary. */
export const OOV = 1;

/** Options of `wordVocabulary` and `charVocabulary`. */
export interface VocabularyOptions {
  /** Most tokens kept, the reserved ones included (like Keras' `max_tokens`); the most frequent win. Default: all. */
  maxSize?: number;
  /** Keep only tokens seen at least this often (default 1). */
  minCount?: number;
  /** Lower-case before counting and encoding (default: true for words, false for characters). */
  lowerCase?: boolean;
  /** Extra reserved tokens after PAD and OOV, e.g. `['<start>', '<end>']` for sequence-to-sequence (ids 2, 3, …). */
  specials?: string[];
  /** Names of the PAD and OOV tokens (default `'<pad>'`, `'<oov>'`). */
  padToken?: string;
  oovToken?: string;
}

/** A saved vocabulary: `Vocabulary.fromJSON(vocab.toJSON())` gives it back. */
export interface VocabularyJSON {
  level: 'word' | 'char';
  lowerCase: boolean;
  tokens: string[];
}

/**
 * Maps tokens (words or characters) to integer ids and back. Id 0 is PAD, id 1 is OOV (any token
 * not in the vocabulary), then the `specials`, then tokens by decreasing count (ties: first seen first).
 * Build one with `wordVocabulary` or `charVocabulary`.
 */
export class Vocabulary {
  /** Tokens by id. */
  readonly tokens: readonly string[];
  private readonly ids: Map<string, number>;

  constructor(readonly level: 'word' | 'char', tokens: readonly string[], readonly lowerCase: boolean) {
    if (tokens.length < 2) throw new ConfigError(`Vocabulary: needs at least the PAD and OOV tokens, got ${tokens.length} tokens`);
    this.tokens = tokens.slice();
    this.ids = new Map();
    tokens.forEach((t, i) => {
      if (this.ids.has(t)) throw new ConfigError(`Vocabulary: token ${JSON.stringify(t)} appears twice (ids ${this.ids.get(t)} and ${i})`);
      this.ids.set(t, i);
    });
  }

  /** Number of ids, the reserved ones included: the `inputDim` of an embedding layer. */
  get size(): number {
    return this.tokens.length;
  }

  /** The id of one token, OOV (1) when unknown. */
  id(token: string): number {
    return this.ids.get(this.lowerCase ? token.toLowerCase() : token) ?? OOV;
  }

  /** The token of an id. */
  token(id: number): string {
    const t = this.tokens[id];
    if (t === undefined) throw new ConfigError(`Vocabulary: id ${id} is outside 0–${this.size - 1}`);
    return t;
  }

  /** Splits text the way this vocabulary counts it: words (`tokenize`) or characters. */
  split(text: string): string[] {
    return this.level === 'word' ? tokenize(text, { lowerCase: this.lowerCase }) : characters(this.lowerCase ? text.toLowerCase() : text);
  }

  /**
   * Text (or an already split list of tokens) → ids.
   * @example vocab.encode('the cat sat') // [2, 5, 1] when 'sat' is not in the vocabulary
   */
  encode(text: string | readonly string[]): number[] {
    const toks = typeof text === 'string' ? this.split(text) : text;
    return toks.map((t) => this.id(t));
  }

  /** Ids → text: words joined by spaces, characters joined directly. PAD ids are dropped unless `keepPad`. */
  decode(ids: ArrayLike<number>, opts: { keepPad?: boolean } = {}): string {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i++) if (ids[i] !== PAD || opts.keepPad) out.push(this.token(ids[i]));
    return out.join(this.level === 'word' ? ' ' : '');
  }

  toJSON(): VocabularyJSON {
    return { level: this.level, lowerCase: this.lowerCase, tokens: this.tokens.slice() };
  }

  static fromJSON(json: VocabularyJSON): Vocabulary {
    if (!json || (json.level !== 'word' && json.level !== 'char') || !Array.isArray(json.tokens)) {
      throw new ConfigError(`Vocabulary.fromJSON: expected { level: 'word' | 'char', lowerCase, tokens: string[] }`);
    }
    return new Vocabulary(json.level, json.tokens, !!json.lowerCase);
  }
}

/**
 * Builds a word vocabulary from texts (split by `tokenize`, lower-cased by default).
 * Options: `maxSize` (reserved tokens included), `minCount` (default 1), `lowerCase` (default true),
 * `specials`, `padToken` / `oovToken`.
 * @example
 * const vocab = st.datasets.wordVocabulary(['the cat', 'the dog'], { maxSize: 4 });
 * vocab.tokens // ['<pad>', '<oov>', 'the', 'cat']
 * vocab.encode('the dog') // [2, 1]
 */
export function wordVocabulary(texts: Iterable<string>, opts: VocabularyOptions = {}): Vocabulary {
  return build('word', texts, opts, opts.lowerCase ?? true);
}

/**
 * Builds a character vocabulary from texts (Unicode code points; case kept by default).
 * @example
 * const vocab = st.datasets.charVocabulary(['abba']);
 * vocab.tokens // ['<pad>', '<oov>', 'a', 'b']
 * vocab.decode(vocab.encode('baa')) // 'baa'
 */
export function charVocabulary(texts: Iterable<string>, opts: VocabularyOptions = {}): Vocabulary {
  return build('char', texts, opts, opts.lowerCase ?? false);
}

function build(level: 'word' | 'char', texts: Iterable<string>, opts: VocabularyOptions, lowerCase: boolean): Vocabulary {
  const where = level === 'word' ? 'wordVocabulary' : 'charVocabulary';
  const { maxSize, minCount = 1 } = opts;
  const reserved = [opts.padToken ?? '<pad>', opts.oovToken ?? '<oov>', ...(opts.specials ?? [])];
  if (maxSize !== undefined && (!Number.isInteger(maxSize) || maxSize < reserved.length)) {
    throw new ConfigError(`${where}: maxSize must be an integer ≥ ${reserved.length} (the reserved tokens count), got ${maxSize}`);
  }
  if (!Number.isInteger(minCount) || minCount < 1) throw new ConfigError(`${where}: minCount must be a positive integer, got ${minCount}`);
  if (typeof texts === 'string') throw new ConfigError(`${where}: texts must be a list of strings, not one string — wrap it: [text]`);
  const probe = new Vocabulary(level, ['\u0000pad', '\u0000oov'], lowerCase);
  const counts = new Map<string, number>();
  for (const text of texts) {
    if (typeof text !== 'string') throw new ConfigError(`${where}: texts must be strings, got ${typeof text}`);
    for (const t of probe.split(text)) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  const taken = new Set(reserved);
  // Map iteration is insertion order, and Array.prototype.sort is stable: ties stay first-seen first.
  const ranked = [...counts].filter(([t, c]) => c >= minCount && !taken.has(t)).sort((a, b) => b[1] - a[1]);
  const room = maxSize === undefined ? ranked.length : maxSize - reserved.length;
  return new Vocabulary(level, [...reserved, ...ranked.slice(0, room).map(([t]) => t)], lowerCase);
}
