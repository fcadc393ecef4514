import { StrataError } from '../errors.js';

/**
 * A model file that Strata refuses to load or cannot write: malformed model.json, weight paths
 * outside the model folder, shard sizes that disagree with the manifest, unknown dtypes or layer
 * classes, shapes too large to allocate, weights that match no layer.
 * The message starts with what was being read (`model.json`, `group1-shard1of1.bin`, ...).
 */
export class ModelFileError extends StrataError {}
