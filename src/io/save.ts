import { ConfigError } from '../errors.js';
import type { Model } from '../model/model.js';

/** Options of `model.save`. */
export interface SaveOptions {
  /** Also save the optimizer state, so training resumes exactly (default false). */
  includeOptimizer?: boolean;
}

/** Saves a model in the TensorFlow.js layers format (implemented in the io issue work). */
export async function saveModel(model: Model, _target: unknown, _opts: SaveOptions = {}): Promise<unknown> {
  throw new ConfigError(`${model.describe()}.save: not implemented yet`);
}
