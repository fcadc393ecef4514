/**
 * `loadKerasModel`: a Keras file → the topology and weights Strata's own loader builds from
 * (`modelFromArtifacts`: the same limits, layer checks and name matching as `loadLayersModel`).
 * Reads Keras 3 `.keras` archives, Keras 2 full-model `.h5` files, and `model.to_json()` text
 * with a weights-only `.h5` (Keras 2 `save_weights` or Keras 3 `.weights.h5`).
 */
import { ModelFileError } from '../errors.js';
import { modelFromArtifacts } from '../load.js';
import type { Sequential } from '../../model/sequential.js';
import type { Functional } from '../../model/functional.js';
import type { LoadOptions, ModelArtifacts, ModelTopology, TrainingConfig, WeightSpec } from '../types.js';
import { type Limits, isRecord, parseJson, resolveLimits, show } from '../validate.js';
import { H5Reader, isHdf5 } from './hdf5.js';
import { checkLegacy, fromKeras2Config, fromKeras3Config, trainingFromCompileConfig } from './keras-config.js';
import { kerasVarLayout } from './keras3-vars.js';
import { type KerasSource, readSource, sourceName } from './source.js';
import { isZip, readKerasArchive } from './zip.js';

/** Options of `loadKerasModel`: the limits of `loadLayersModel`, and the weights for a JSON config. */
export interface KerasLoadOptions extends LoadOptions {
  /** With a `model.to_json()` config as the source: the weights-only `.h5` (path, URL or bytes). */
  weights?: KerasSource;
}

/**
 * Loads a Keras model file. `source`: a path, file:// or http(s) URL, ArrayBuffer or Uint8Array
 * holding a Keras 3 `.keras` archive or a Keras 2 full-model `.h5`; or the text (or parsed object)
 * of `model.to_json()` with `opts.weights` naming a weights-only `.h5`. The format is recognised
 * from the bytes, not the name. Limits as `loadLayersModel` (`maxWeightBytes`, default 2 GiB, ...);
 * anything malformed, hostile or unsupported ends in a ModelFileError that says what and where.
 * @example const model = await st.loadKerasModel('./classifier.keras'); model.predict(x);
 * @example const m = await st.loadKerasModel(jsonText, { weights: './weights.h5' });
 */
export async function loadKerasModel(source: KerasSource | Record<string, unknown>, opts: KerasLoadOptions = {}): Promise<Sequential | Functional> {
  const limits = resolveLimits(opts);
  const fileCap = limits.maxWeightBytes + limits.maxJsonBytes + 16 * 2 ** 20;
  const { weights, ...rest } = opts;
  const loadOpts: LoadOptions = { ...rest, ...limits };
  if (weights !== undefined) {
    const topology = await jsonConfig(source, limits, fileCap);
    const where = sourceName(weights);
    const bytes = await readSource(weights, fileCap, where);
    return build(await fromWeightsFile(topology, bytes, where, limits), loadOpts);
  }
  if (isRecord(source) && !(source instanceof URL) && !(source instanceof Uint8Array)) {
    throw new ModelFileError(`loadKerasModel: a model config object needs its weights: loadKerasModel(config, { weights: 'weights.h5' })`);
  }
  const src = source as KerasSource;
  if (typeof src === 'string' && src.trimStart().startsWith('{')) {
    throw new ModelFileError(`loadKerasModel: JSON text needs its weights: loadKerasModel(json, { weights: 'weights.h5' })`);
  }
  const where = sourceName(src);
  const bytes = await readSource(src, fileCap, where);
  if (isZip(bytes)) return build(await fromKerasArchive(bytes, where, limits), loadOpts);
  if (isHdf5(bytes)) return build(await fromFullH5(bytes, where, limits), loadOpts);
  throw new ModelFileError(`${where}: neither a Keras 3 .keras archive (zip) nor a Keras 2 .h5 file (HDF5): it starts with ` +
    `${show([...bytes.subarray(0, 8)])}`);
}

function build(artifacts: ModelArtifacts, opts: LoadOptions): Sequential | Functional {
  return modelFromArtifacts(artifacts, opts) as Sequential | Functional;
}

async function jsonConfig(source: unknown, limits: Limits, fileCap: number): Promise<ModelTopology> {
  let json: unknown;
  if (typeof source === 'string' && source.trimStart().startsWith('{')) json = parseJson(source, 'model JSON', limits);
  else if (isRecord(source) && !(source instanceof URL)) json = source;
  else {
    const where = sourceName(source as KerasSource);
    const bytes = await readSource(source as KerasSource, Math.min(fileCap, limits.maxJsonBytes), where);
    json = parseJson(new TextDecoder().decode(bytes), where, limits);
  }
  if (!isRecord(json)) throw new ModelFileError(`model JSON: expected { class_name, config }, got ${show(json)}`);
  // model.to_json() from Keras 3 has `module` keys; Keras 2's has keras_version / backend.
  if ('module' in json) return fromKeras3Config(json, 'model JSON');
  const topo = fromKeras2Config(json, 'model JSON');
  checkLegacy(topo, str(json.keras_version), str(json.backend), 'model JSON');
  return topo;
}

/** A Keras 3 archive: config.json, then each layer's `vars` by class and position. */
async function fromKerasArchive(bytes: Uint8Array, where: string, limits: Limits): Promise<ModelArtifacts> {
  const zip = readKerasArchive(bytes, where, limits.maxJsonBytes, limits.maxWeightBytes);
  const config = parseJson(new TextDecoder().decode(zip.config), `${where} config.json`, limits);
  const topology = fromKeras3Config(config, `${where} config.json`);
  const h5 = await H5Reader.open(zip.weights, `${where} model.weights.h5`);
  try {
    const artifacts = keras3Weights(topology, h5, limits);
    const tc = trainingFromCompileConfig((config as Record<string, unknown>).compile_config);
    if (tc) artifacts.trainingConfig = tc;
    return artifacts;
  } finally {
    h5.close();
  }
}

/** A Keras 2 full-model .h5: the `model_config` attribute and the `model_weights` group. */
async function fromFullH5(bytes: Uint8Array, where: string, limits: Limits): Promise<ModelArtifacts> {
  const h5 = await H5Reader.open(bytes, where);
  try {
    const text = h5.attr('', 'model_config', limits.maxJsonBytes);
    if (typeof text !== 'string') {
      if (h5.attrNames('').includes('layer_names') || h5.isGroup('layers')) {
        throw new ModelFileError(`${where}: a weights-only file (no model_config); load it with its config: loadKerasModel(json, { weights })`);
      }
      throw new ModelFileError(`${where}: no model_config attribute; this HDF5 file is not a Keras full-model .h5`);
    }
    const topology = fromKeras2Config(parseJson(text, `${where} model_config`, limits), `${where} model_config`);
    const version = attrText(h5, '', 'keras_version') ?? attrText(h5, 'model_weights', 'keras_version');
    checkLegacy(topology, version, attrText(h5, '', 'backend') ?? attrText(h5, 'model_weights', 'backend'), where);
    if (!h5.isGroup('model_weights')) throw new ModelFileError(`${where}: no model_weights group`);
    const artifacts = keras2Weights(topology, h5, 'model_weights', limits);
    const tc = attrText(h5, '', 'training_config', limits.maxJsonBytes);
    if (tc !== undefined) {
      try {
        artifacts.trainingConfig = parseJson(tc, `${where} training_config`, limits) as TrainingConfig;
      } catch {
        // A training config Strata cannot parse only means the model loads uncompiled.
      }
    }
    return artifacts;
  } finally {
    h5.close();
  }
}

/** A topology from JSON and a weights-only file, in Keras 2 (layer_names) or Keras 3 (layers/…/vars) layout. */
async function fromWeightsFile(topology: ModelTopology, bytes: Uint8Array, where: string, limits: Limits): Promise<ModelArtifacts> {
  const h5 = await H5Reader.open(bytes, where);
  try {
    if (h5.attrNames('').includes('layer_names') || h5.attrNames('').includes('layer_names0')) {
      checkLegacy(topology, attrText(h5, '', 'keras_version'), attrText(h5, '', 'backend'), where);
      return keras2Weights(topology, h5, '', limits);
    }
    if (h5.isGroup('model_weights')) return keras2Weights(topology, h5, 'model_weights', limits);
    if (h5.isGroup('layers') || h5.isGroup('_layer_checkpoint_dependencies')) return keras3Weights(topology, h5, limits);
    throw new ModelFileError(`${where}: neither Keras 2 weights (a layer_names attribute) nor Keras 3 weights (a layers group)`);
  } finally {
    h5.close();
  }
}

/** Collects read datasets into the specs and bytes of ModelArtifacts. */
class WeightSink {
  readonly specs: WeightSpec[] = [];
  private readonly chunks: Float32Array[] = [];
  private used = 0;
  constructor(private readonly h5: H5Reader, private readonly budget: number) {}

  add(name: string, path: string): void {
    const { shape, values } = this.h5.readFloat32(path, this.budget - this.used);
    this.used += values.byteLength;
    this.specs.push({ name, shape, dtype: 'float32' });
    this.chunks.push(values);
  }

  artifacts(topology: ModelTopology): ModelArtifacts {
    const data = new Uint8Array(this.used);
    let at = 0;
    for (const c of this.chunks) {
      data.set(new Uint8Array(c.buffer, c.byteOffset, c.byteLength), at);
      at += c.byteLength;
    }
    return { modelTopology: topology, weightSpecs: this.specs, weightData: data.buffer };
  }
}

/**
 * Keras 2 layout: `layer_names` lists the layers with weights (in groups named after them), each
 * group's `weight_names` its weights in order — a layer `conv0` may hold `conv0_5/kernel:0`, so the
 * names are read, not guessed. Specs are named `<layer>/<weight name>` for matchWeights.
 */
function keras2Weights(topology: ModelTopology, h5: H5Reader, root: string, limits: Limits): ModelArtifacts {
  const sink = new WeightSink(h5, limits.maxWeightBytes);
  const at = (p: string): string => (root ? `${root}/${p}` : p);
  for (const layer of splitAttr(h5, root, 'layer_names', limits)) {
    if (!h5.isGroup(at(layer))) throw new ModelFileError(`${h5.where}: layer_names lists '${layer}' but there is no group '${at(layer)}'`);
    for (const w of splitAttr(h5, at(layer), 'weight_names', limits)) {
      if (!h5.isDataset(at(`${layer}/${w}`))) {
        throw new ModelFileError(`${h5.where}: layer '${layer}' lists weight '${w}' but there is no dataset '${at(`${layer}/${w}`)}'`);
      }
      sink.add(`${layer}/${w}`, at(`${layer}/${w}`));
    }
  }
  return sink.artifacts(topology);
}

/**
 * Keras's save_attributes_to_hdf5_group splits lists too long for one HDF5 attribute header into
 * `name0`, `name1`, ...; read the whole list either way.
 */
function splitAttr(h5: H5Reader, path: string, name: string, limits: Limits): string[] {
  const names = h5.attrNames(path);
  const parts: string[] = [];
  if (names.includes(name)) parts.push(name);
  else for (let i = 0; names.includes(`${name}${i}`); i++) parts.push(`${name}${i}`);
  const out: string[] = [];
  for (const p of parts) {
    const v = h5.attr(path, p, limits.maxJsonBytes);
    if (v === undefined) continue;
    out.push(...(Array.isArray(v) ? v : [v]));
  }
  // Keras writes an empty weight_names as a float array; h5wasm reads it as not-text: handled by attr.
  if (out.length > 1_000_000) throw new ModelFileError(`${h5.where}: attribute '${name}' of '${path || '/'}' lists ${out.length} names`);
  return out;
}

/** Keras 3 layout: each leaf layer's variables under the path its class and position give. */
function keras3Weights(topology: ModelTopology, h5: H5Reader, limits: Limits): ModelArtifacts {
  const sink = new WeightSink(h5, limits.maxWeightBytes);
  // Keras 2.13–2.15 archives keep layers under `_layer_checkpoint_dependencies` (as Keras 3 reads them).
  const legacy = !h5.isGroup('layers') && h5.isGroup('_layer_checkpoint_dependencies');
  for (const layer of kerasVarLayout(topology).layers) {
    let k = 0;
    for (const node of layer.nodes) {
      if (!node.holdsVars) continue;
      const path = `${legacy ? node.path.replace(/^layers\//, '_layer_checkpoint_dependencies/') : node.path}/vars`;
      if (!h5.isGroup(path)) continue; // no variables saved: matchWeights says so if the layer needs some
      const keys = h5.keys(path);
      for (let i = 0; i < keys.length; i++) {
        if (!keys.includes(String(i))) {
          throw new ModelFileError(`${h5.where}: '${path}' holds ${show(keys)}; expected variables named 0 to ${keys.length - 1}`);
        }
        sink.add(`${layer.layerName}/vars/${k++}`, `${path}/${i}`);
      }
    }
  }
  return sink.artifacts(topology);
}

function attrText(h5: H5Reader, path: string, name: string, max = 1024): string | undefined {
  if (path && !h5.isGroup(path)) return undefined;
  try {
    const v = h5.attr(path, name, max);
    return typeof v === 'string' ? v : undefined;
  } catch (e) {
    if (e instanceof ModelFileError && max > 1024) throw e;
    return undefined;
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
