/**
 * HDF5 → the topology and weights of ModelArtifacts, for every Keras layout: Keras 2 full-model
 * files (model_config + model_weights), weights-only files (Keras 2 layer_names, Keras 3
 * layers/…/vars) with a given topology, and a .keras archive's model.weights.h5. Platform-neutral;
 * in Node it runs in a worker (h5-worker.ts) so that a hostile file that sends the HDF5 C library
 * into a loop can be stopped.
 */
import { ModelFileError } from '../errors.js';
import type { ModelArtifacts, ModelTopology, TrainingConfig, WeightSpec } from '../types.js';
import { type Limits, parseJson, show } from '../validate.js';
import { H5Reader } from './hdf5.js';
import { checkLegacy, fromKeras2Config } from './keras-config.js';
import { kerasVarLayout } from './keras3-vars.js';

/** What to read: a full-model .h5, a weights-only .h5 for `topology`, or an archive's weights for `topology`. */
export type ExtractJob =
  | { kind: 'full'; bytes: Uint8Array; where: string; limits: Limits }
  | { kind: 'weights' | 'keras3'; bytes: Uint8Array; where: string; limits: Limits; topology: ModelTopology };

/** Runs `job` in this thread. */
export async function extract(job: ExtractJob): Promise<ModelArtifacts> {
  if (job.kind === 'full') return fromFullH5(job.bytes, job.where, job.limits);
  if (job.kind === 'weights') return fromWeightsFile(job.topology, job.bytes, job.where, job.limits);
  const h5 = await H5Reader.open(job.bytes, job.where);
  try {
    return keras3Weights(job.topology, h5, job.limits);
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

