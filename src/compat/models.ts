/**
 * `tf.models`: building a model from its JSON description.
 */
import { ConfigError } from '../errors.js';
import type { Model } from '../model/model.js';
import { topologyToModel } from '../model/topology.js';
import { registerClass, type SerializableConstructor } from './serialization.js';

/**
 * Builds a model (fresh weights) from a model.json object `{ modelTopology, ... }` or from a Keras
 * topology `{ class_name, config }` (a Keras `model_config` wrapper too), as `tf.models.modelFromJSON`.
 * `customObjects` maps class names to custom layer classes, registered as by
 * `serialization.registerClass` (they stay registered). Weights named by a `weightsManifest` are not
 * fetched here: load the model file with `st.loadLayersModel` for that.
 * @example const m = await st.models.modelFromJSON(JSON.parse(text)); m.summary();
 */
export async function modelFromJSON(modelAndWeightsConfig: Record<string, unknown>,
  customObjects?: Record<string, SerializableConstructor>): Promise<Model> {
  if (modelAndWeightsConfig === null || typeof modelAndWeightsConfig !== 'object') {
    throw new ConfigError(`models.modelFromJSON: expected a model.json object or a topology, got ${typeof modelAndWeightsConfig}`);
  }
  for (const [name, cls] of Object.entries(customObjects ?? {})) registerClass(cls, undefined, name);
  const hasTopology = 'modelTopology' in modelAndWeightsConfig;
  const topology = hasTopology ? modelAndWeightsConfig.modelTopology : modelAndWeightsConfig;
  if (hasTopology && modelAndWeightsConfig.weightsManifest !== undefined && modelAndWeightsConfig.weightsManifest !== null) {
    throw new ConfigError('models.modelFromJSON: this model.json names weight files (weightsManifest); load it with ' +
      'st.loadLayersModel(pathOrUrl) to read them, or drop weightsManifest to build the model with fresh weights');
  }
  return topologyToModel(topology);
}
