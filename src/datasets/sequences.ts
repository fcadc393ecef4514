import { ConfigError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { alloc } from '../tensor/dtype.js';

/** Options of `padSequences` (Keras' `pad_sequences`). */
export interface PadSequencesOptions {
  /** Length of every row (default: the longest sequence). */
  maxLen?: number;
  /** Where the padding goes: `'pre'` (default, as Keras) or `'post'`. */
  padding?: 'pre' | 'post';
  /** Which end of a longer sequence is cut: `'pre'` (default: keeps the end) or `'post'`. */
  truncating?: 'pre' | 'post';
  /** The padding value (default 0, the PAD id). */
  value?: number;
  /** `'int32'` (default) or `'float32'`. */
  dtype?: 'int32' | 'float32';
}

/**
 * Pads or truncates sequences of ids to one length and stacks them into a [n, maxLen] tensor, as
 * Keras' `pad_sequences` does (defaults: pad and truncate at the start, value 0, int32).
 * @example
 * st.datasets.padSequences([[1, 2], [3, 4, 5, 6]], { maxLen: 3 }).arraySync() // [[0, 1, 2], [4, 5, 6]]
 * st.datasets.padSequences([[1, 2]], { maxLen: 3, padding: 'post' }).arraySync() // [[1, 2, 0]]
 */
export function padSequences(seqs: readonly ArrayLike<number>[], opts: PadSequencesOptions = {}): Tensor {
  const { padding = 'pre', truncating = 'pre', value = 0, dtype = 'int32' } = opts;
  if (!Array.isArray(seqs)) throw new ConfigError(`padSequences: seqs must be an array of sequences, got ${typeof seqs}`);
  for (const [name, v] of [['padding', padding], ['truncating', truncating]] as const) {
    if (v !== 'pre' && v !== 'post') throw new ConfigError(`padSequences: ${name} must be 'pre' or 'post', got ${JSON.stringify(v)}`);
  }
  if (dtype !== 'int32' && dtype !== 'float32') throw new ConfigError(`padSequences: dtype must be 'int32' or 'float32', got ${JSON.stringify(dtype)}`);
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ConfigError(`padSequences: value must be a finite number, got ${value}`);
  const maxLen = opts.maxLen ?? seqs.reduce((m, s) => Math.max(m, s.length), 0);
  if (!Number.isInteger(maxLen) || maxLen < 0) throw new ConfigError(`padSequences: maxLen must be a non-negative integer, got ${maxLen}`);
  const out = alloc(dtype, seqs.length * maxLen);
  if (value !== 0) out.fill(value);
  seqs.forEach((s, i) => {
    if (s === null || typeof s !== 'object' || typeof s.length !== 'number') {
      throw new ConfigError(`padSequences: sequence ${i} is not an array of numbers`);
    }
    const n = Math.min(s.length, maxLen);
    const from = truncating === 'pre' ? s.length - n : 0;
    const at = i * maxLen + (padding === 'pre' ? maxLen - n : 0);
    for (let k = 0; k < n; k++) {
      const v = s[from + k];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(`padSequences: sequence ${i} holds ${String(v)} at ${from + k}; ids must be numbers`);
      out[at + k] = v;
    }
  });
  return new Tensor(out, [seqs.length, maxLen]);
}
