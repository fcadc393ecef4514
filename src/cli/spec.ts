/**
 * The JSON model spec of `strata train spec.json`: a Sequential model written as data.
 *
 *   { "inputShape": [28, 28, 1],            optional: taken from the data when absent
 *     "layers": [ { "type": "conv", "rank": 2, "filters": 32, "kernelSize": 3, "activation": "relu",
 *                   "pooling": { "type": "max", "poolSize": 2 }, "dropout": 0.25 },
 *                 { "type": "flatten" },
 *                 { "type": "dense", "units": "classes", "activation": "softmax" } ],
 *     "loss": "sparseCategoricalCrossentropy",   optional: chosen from the data
 *     "optimizer": "adam" | { "type": "adam", "learningRate": 0.001 },   optional (adam)
 *     "metrics": ["accuracy"] }                  optional: chosen from the data
 *
 * `type` is a factory of st.layers (dense, conv, conv2d, convTranspose, lstm, recurrent, ...) or a
 * Keras class name (Dense, Conv2D, ...); the other keys are that factory's options, camelCase, as
 * in TensorFlow.js. `"units": "classes"` and `"inputDim": "vocabulary"` are filled in from the data.
 */
import * as st from '../index.js';
import { CliError } from './args.js';

/** One layer of a spec: its type and the factory's options. */
export interface LayerSpec {
  type: string;
  [option: string]: unknown;
}

export interface ModelSpec {
  inputShape?: number[];
  layers: LayerSpec[];
  loss?: string;
  optimizer?: string | { type: string; [option: string]: unknown };
  metrics?: string[];
}

/** Values the data supplies for the placeholders `"classes"` and `"vocabulary"`. */
export interface SpecContext {
  classes?: number;
  vocabulary?: number;
}

const TOP_KEYS = ['inputShape', 'layers', 'loss', 'optimizer', 'metrics', 'description'];
// st.layers functions that are not layer factories, or not usable in a Sequential stack.
const NOT_FACTORIES = new Set(['deserialize', 'serialize', 'registerLayer', 'registeredLayers', 'canonicalClassName', 'nestedLayer',
  'add', 'average', 'concatenate', 'dot', 'maximum', 'minimum', 'multiply', 'subtract']);
// Options every layer takes besides its config keys.
const BASE_KEYS = ['name', 'trainable', 'inputShape', 'batchInputShape', 'batchSize', 'dtype', 'activityRegularizer', 'inputDim', 'inputLength'];
// Options a factory takes that its layer's config does not echo.
const FACTORY_KEYS: Record<string, string[]> = {
  conv: ['rank'], convTranspose: ['rank'], recurrent: ['cell'], dense: ['dropoutSeed'],
};

type Factory = (opts: Record<string, unknown>) => st.layers.Layer;

/** The layer factories a spec's `type` may name, by name. */
export function layerFactories(): Map<string, Factory> {
  const out = new Map<string, Factory>();
  for (const [name, f] of Object.entries(st.layers)) {
    if (typeof f === 'function' && /^[a-z]/.test(name) && !NOT_FACTORIES.has(name)) out.set(name, f as Factory);
  }
  return out;
}

/** Checks a parsed spec file's structure (not yet the layers' options: `buildLayers` does). */
export function parseSpec(json: unknown, file: string): ModelSpec {
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new CliError(`${file}: a model spec must be an object { "inputShape"?, "layers": [...], "loss"?, "optimizer"?, "metrics"? }`);
  }
  const o = json as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!TOP_KEYS.includes(k)) throw new CliError(`${file}: unknown key '${k}'; a spec has ${TOP_KEYS.join(', ')}`);
  }
  if (!Array.isArray(o.layers) || o.layers.length === 0) throw new CliError(`${file}: "layers" must be a non-empty list of { "type": ..., options }`);
  o.layers.forEach((l, i) => {
    if (!l || typeof l !== 'object' || Array.isArray(l) || typeof (l as LayerSpec).type !== 'string') {
      throw new CliError(`${file}: layer ${i} must be an object with a "type", e.g. { "type": "dense", "units": 10 }`);
    }
  });
  if (o.inputShape !== undefined && (!Array.isArray(o.inputShape) || o.inputShape.some((d) => !Number.isInteger(d) || d < 1))) {
    throw new CliError(`${file}: "inputShape" must be a list of positive integers (one sample, no batch dimension), got ${JSON.stringify(o.inputShape)}`);
  }
  if (o.loss !== undefined && typeof o.loss !== 'string') throw new CliError(`${file}: "loss" must be a loss name such as "meanSquaredError"`);
  if (o.metrics !== undefined && (!Array.isArray(o.metrics) || o.metrics.some((m) => typeof m !== 'string'))) {
    throw new CliError(`${file}: "metrics" must be a list of metric names such as ["accuracy"]`);
  }
  const opt = o.optimizer;
  if (opt !== undefined && typeof opt !== 'string' && (!opt || typeof opt !== 'object' || typeof (opt as { type?: unknown }).type !== 'string')) {
    throw new CliError(`${file}: "optimizer" must be a name ("adam") or { "type": "adam", "learningRate": 0.001 }`);
  }
  return o as unknown as ModelSpec;
}

/** Resolves a spec's `type`: a factory name (any case) or a Keras class name. */
function resolveType(type: string, factories: Map<string, Factory>): { factory?: string; className?: string } {
  if (factories.has(type)) return { factory: type };
  const className = st.layers.canonicalClassName(type);
  if (className) return { className };
  const lower = type.toLowerCase();
  for (const name of factories.keys()) if (name.toLowerCase() === lower) return { factory: name };
  return {};
}

/** Builds the layers of a spec, filling placeholders from `ctx`; errors name the layer index and the bad key. */
export function buildLayers(spec: ModelSpec, ctx: SpecContext, file: string): st.layers.Layer[] {
  const factories = layerFactories();
  return spec.layers.map((l, i) => buildLayer(l, `${file}: layer ${i}`, factories, ctx));
}

function buildLayer(l: LayerSpec, where: string, factories: Map<string, Factory>, ctx: SpecContext): st.layers.Layer {
  const { type, ...raw } = l;
  const { factory, className } = resolveType(type, factories);
  if (!factory && !className) {
    throw new CliError(`${where}: unknown layer type '${type}'; known types: ${[...factories.keys()].sort().join(', ')}`);
  }
  const opts = fillPlaceholders(raw, ctx, `${where} (${type})`);
  if (opts.layer && typeof opts.layer === 'object' && typeof (opts.layer as LayerSpec).type === 'string') {
    opts.layer = buildLayer(opts.layer as LayerSpec, `${where} (${type}) inner layer`, factories, ctx);
  }
  let layer: st.layers.Layer;
  try {
    layer = factory ? factories.get(factory)!(opts) : st.layers.deserialize({ class_name: className!, config: opts });
  } catch (e) {
    throw new CliError(`${where} (${type}): ${(e as Error).message}`);
  }
  const allowed = new Set([...Object.keys(layer.getConfig()), ...BASE_KEYS, ...(FACTORY_KEYS[factory ?? ''] ?? [])]);
  for (const k of Object.keys(raw)) {
    if (!allowed.has(k)) throw new CliError(`${where} (${type}): unknown option '${k}'; allowed: ${[...allowed].sort().join(', ')}`);
  }
  return layer;
}

function fillPlaceholders(raw: Record<string, unknown>, ctx: SpecContext, where: string): Record<string, unknown> {
  const out = { ...raw };
  for (const [k, v] of Object.entries(out)) {
    if (v === 'classes') {
      if (ctx.classes === undefined) throw new CliError(`${where}: ${k} is "classes" but the data has no classes (it is a regression target)`);
      out[k] = ctx.classes;
    } else if (v === 'vocabulary') {
      if (ctx.vocabulary === undefined) throw new CliError(`${where}: ${k} is "vocabulary" but the data is not text`);
      out[k] = ctx.vocabulary;
    }
  }
  return out;
}

/** The Sequential model of a spec for samples of `inputShape` (the spec's own inputShape wins). */
export function buildModel(spec: ModelSpec, ctx: SpecContext, inputShape: number[] | undefined, file: string): st.Sequential {
  const layers = buildLayers(spec, ctx, file);
  const shape = spec.inputShape ?? inputShape;
  try {
    const model = st.sequential();
    // The first layer learns the sample shape from an input layer, so specs need not repeat it.
    if (shape && !(layers[0] as { batchInputShape?: unknown }).batchInputShape) model.add(new st.InputLayer({ shape }));
    for (const layer of layers) model.add(layer);
    return model;
  } catch (e) {
    throw new CliError(`${file}: ${(e as Error).message}`);
  }
}

/** The optimizer of a spec (default adam), with `learningRate` from --lr when given. */
export function buildOptimizer(spec: ModelSpec, lr: number | undefined, file: string): st.optimizers.Optimizer {
  const o = spec.optimizer ?? 'adam';
  const { type, ...config } = typeof o === 'string' ? { type: o } : o;
  if (lr !== undefined) config.learningRate = lr;
  try {
    return st.optimizers.deserialize({ class_name: type, config: config as never }, `${file}: optimizer`);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}
