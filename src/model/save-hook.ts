/**
 * How `model.save` reaches storage without model/ importing io/ (which sits above it and imports
 * models to build them from files): io/save.ts installs the saver when it loads — both entries
 * load it — as TensorFlow.js's layers reach its core io.
 */
import { ConfigError } from '../errors.js';
import type { Model } from './model.js';

/** Options of `model.save`. */
export interface SaveOptions {
  /**
   * Also save the training configuration (loss, metrics, optimizer config) and the optimizer state,
   * so that `loadLayersModel` returns a compiled model whose training continues exactly (default
   * false). The state goes to model.json's `strataOptimizer` manifest (shards `optimizer-shard*.bin`),
   * which TensorFlow.js ignores. Skipped when the model is not compiled, as TensorFlow.js does.
   */
  includeOptimizer?: boolean;
}

type Saver = (model: Model, target: unknown, opts: SaveOptions) => Promise<unknown>;
let saver: Saver | null = null;

/** Installs the function behind `model.save` (io/save.ts does, when it loads). */
export function setModelSaver(s: Saver): void {
  saver = s;
}

/** Runs the installed saver. */
export function saveWithHook(model: Model, target: unknown, opts: SaveOptions): Promise<unknown> {
  if (!saver) throw new ConfigError(`${model.describe()}.save: no model storage is loaded; import Strata from 'strata' (its entry loads st.io)`);
  return saver(model, target, opts);
}
