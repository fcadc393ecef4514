/**
 * `strata.json`, saved beside model.json by `strata train`: how raw inputs become the model's input
 * (table normalisation, image size, text vocabulary) and what its outputs mean (class names), so
 * `evaluate` and `predict` preprocess exactly as training did.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as st from '../index.js';
import { CliError } from './args.js';
import type { ColumnEncoding, FillMissing } from './table.js';

/** How raw samples become model input. */
export type InputMeta =
  | {
      kind: 'table';
      /** Feature columns of the CSV (the label left out). */
      features: number;
      /** Column names of the features (null without a header row). */
      featureNames: string[] | null;
      /** The label column as given in training (a name, or a 0-based index). */
      labelColumn: string | number;
      /** Its 0-based position among the training file's columns. */
      labelIndex: number;
      /** Number of columns of the training file, label included. */
      columns: number;
      /** Per model input (after one-hot): mean/std of the training split; one-hot inputs 0/1. */
      normalization: st.datasets.NormalizationStats;
      /** Per feature column: numeric or categorical with its vocabulary; absent in older files (all numeric). */
      encoding?: ColumnEncoding[];
      /** --fill-missing at training, the default for evaluate and predict. */
      fillMissing?: FillMissing;
    }
  | { kind: 'image'; height: number; width: number; channels: 1 | 3 }
  | { kind: 'text'; vocabulary: st.datasets.VocabularyJSON; maxLength: number }
  /** Built-in tensors without a raw form (predict takes JSON). */
  | { kind: 'tensor'; shape: number[] };

/** How labels become targets: class indices, one-hot rows, one 0/1 column, or numbers. */
export type TargetKind = 'sparse' | 'onehot' | 'binary' | 'value';

export interface Sidecar {
  format: 'strata-cli/1';
  input: InputMeta;
  target: TargetKind;
  /** Class names by index (classification), for labels in evaluate and answers in predict. */
  classNames?: string[];
  /** The --data the model was trained on. */
  trainedOn: string;
}

export const SIDECAR = 'strata.json';

export function writeSidecar(dir: string, s: Sidecar): void {
  writeFileSync(join(dir, SIDECAR), JSON.stringify(s, null, 1) + '\n');
}

/** The sidecar of a model folder, or null for a model not trained by the CLI. */
export function readSidecar(dir: string): Sidecar | null {
  const file = join(dir, SIDECAR);
  if (!existsSync(file)) return null;
  let s: Sidecar;
  try {
    s = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (s?.format !== 'strata-cli/1' || !s.input || typeof s.input.kind !== 'string') {
    throw new CliError(`${file}: not a strata.json written by 'strata train' (format 'strata-cli/1')`);
  }
  return s;
}
