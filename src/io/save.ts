/**
 * `model.save`: a model → ModelArtifacts (Keras topology, weights as float32/int32 little-endian
 * bytes, and with `includeOptimizer` the training config and optimizer state) → a storage handler.
 */
import { ConfigError } from '../errors.js';
import type { Model } from '../model/model.js';
import { LOSS_NAMES, getLoss } from '../losses/index.js';
import * as optimizers from '../optimizers/index.js';
import { toSnakeCase } from '../utils/case.js';
import { ModelFileError } from './errors.js';
import { routeOrThrow } from './router.js';
import { STRATA_VERSION, modelToTopology, namedModelWeights } from '../model/topology.js';
import type { IOHandler, ModelArtifacts, SaveResult, TrainingConfig } from './types.js';
import { type SaveOptions, setModelSaver } from '../model/save-hook.js';
import { encodeWeights } from './weights.js';

export type { SaveOptions } from '../model/save-hook.js';

/**
 * Saves a model. `target`: a URL-like string routed by the registered save routers (see
 * `st.io.registerSaveRouter`) — in Node a folder path or file:// URL (TensorFlow.js layers format,
 * written atomically) or a path ending in `.onnx` (see `st.io.exportOnnx`); in a browser
 * 'indexeddb://name', 'localstorage://name' or 'downloads://name' — or an IO handler such as
 * `st.io.withSaveHandler(fn)`.
 * @example await saveModel(model, './my-model', { includeOptimizer: true })
 */
export async function saveModel(model: Model, target: unknown, opts: SaveOptions = {}): Promise<SaveResult> {
  let handler: IOHandler;
  if (target instanceof URL) target = target.href;
  if (typeof target === 'string') handler = routeOrThrow('save', target, `${model.describe()}.save`);
  else if (target && typeof (target as IOHandler).save === 'function') handler = target as IOHandler;
  else throw new ConfigError(`${model.describe()}.save: expected a path or URL string (e.g. './my-model', 'indexeddb://my-model') or an IO handler with save(), got ${typeof target}`);
  return handler.save!(modelArtifacts(model, opts), { model });
}

/** The artifacts `save` writes, in memory. */
export function modelArtifacts(model: Model, opts: SaveOptions = {}): ModelArtifacts {
  if (!model.built || model.inputShapes === null) {
    throw new ConfigError(`${model.describe()}.save: the model is not built yet; give the first layer an inputShape or run it once before saving`);
  }
  const named = namedModelWeights(model).map(({ name, variable }) => ({ name, tensor: variable }));
  const { specs, data } = encodeWeights(named);
  const artifacts: ModelArtifacts = {
    modelTopology: modelToTopology(model),
    format: 'layers-model',
    generatedBy: `strata ${STRATA_VERSION}`,
    convertedBy: null,
    weightSpecs: specs,
    weightData: data,
  };
  const compiled = model.compileConfig;
  if (opts.includeOptimizer && compiled) {
    artifacts.trainingConfig = trainingConfig(model);
    const state = encodeWeights(compiled.optimizer.getNamedWeights());
    artifacts.optimizerSpecs = state.specs;
    artifacts.optimizerData = state.data;
  }
  return artifacts;
}

// TensorFlow.js spells some optimizer classes differently; Strata reads both.
const TFJS_OPTIMIZER_NAMES: Record<string, string> = { RMSprop: 'RMSProp' };

/** Keras training config (snake_case loss names, as TensorFlow.js writes and reads them). */
function trainingConfig(model: Model): TrainingConfig {
  const c = model.compileConfig!;
  const lossName = (id: unknown, where: string): string => {
    if (typeof id !== 'string') {
      throw new ModelFileError(`${model.describe()}.save: includeOptimizer needs losses given by name; ${where} is a function`);
    }
    const fn = getLoss(id);
    const canonical = LOSS_NAMES.find((n) => getLoss(n) === fn);
    return toSnakeCase(canonical ?? id);
  };
  const args = c.args;
  let loss: TrainingConfig['loss'];
  if (Array.isArray(args.loss)) loss = args.loss.map((l, i) => lossName(l, `loss ${i}`));
  else if (typeof args.loss === 'object' && typeof args.loss !== 'function') {
    loss = Object.fromEntries(Object.entries(args.loss).map(([k, l]) => [k, lossName(l, `loss '${k}'`)]));
  } else loss = lossName(args.loss, 'the loss');
  const names = (ms: unknown): string[] => (Array.isArray(ms) ? ms : [ms]).filter((m): m is string => typeof m === 'string');
  let metrics: TrainingConfig['metrics'];
  if (Array.isArray(args.metrics)) metrics = names(args.metrics);
  else if (args.metrics) metrics = Object.fromEntries(Object.entries(args.metrics).map(([k, m]) => [k, names(m)]));
  const opt = optimizers.serialize(c.optimizer);
  const config: TrainingConfig = {
    loss,
    metrics: metrics ?? [],
    optimizer_config: { class_name: TFJS_OPTIMIZER_NAMES[opt.class_name] ?? opt.class_name, config: opt.config },
  };
  // TensorFlow.js refuses files with loss_weights, so they are written only when they matter.
  if (c.lossWeights.some((w) => w !== 1)) config.loss_weights = c.lossWeights;
  return config;
}

// model.save goes through here (model/ does not import io/).
setModelSaver(saveModel);
