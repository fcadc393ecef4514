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
import type { LoadOptions, ModelArtifacts, ModelTopology } from '../types.js';
import { type Limits, isRecord, parseJson, resolveLimits, show } from '../validate.js';
import { isHdf5 } from './hdf5.js';
import { checkLegacy, fromKeras2Config, fromKeras3Config, trainingFromCompileConfig } from './keras-config.js';
import { type ModelSource, isModelSource, readModelSource, sourceName } from '../model-source.js';
import { runHdf5Job } from './h5-runner.js';
import { isZip, readKerasArchive } from './zip.js';

/** Where a Keras file comes from: a path or URL, a File or Blob, or its bytes. */
export type KerasSource = ModelSource;

/** Options of `loadKerasModel`: the limits of `loadLayersModel`, and the weights for a JSON config. */
export interface KerasLoadOptions extends LoadOptions {
  /** With a `model.to_json()` config as the source: the weights-only `.h5` (path, URL, File or bytes). */
  weights?: KerasSource;
  /**
   * Most milliseconds HDF5 may spend reading the file (default 120000). HDF5 runs in a worker (a
   * worker thread in Node, a Web Worker in browsers) that is stopped past this, so that a corrupt
   * file that loops the HDF5 C library is refused instead of hanging the program or the page.
   */
  parseTimeoutMs?: number;
}

/**
 * Loads a Keras model file. `source`: a path or file:// URL (Node), an http(s) URL (a relative one
 * in a browser), a File or Blob, an ArrayBuffer or Uint8Array holding a Keras 3 `.keras` archive or
 * a Keras 2 full-model `.h5`; or the text, parsed object or file of `model.to_json()` with
 * `opts.weights` naming a weights-only `.h5`; or the files of an `<input type="file" multiple>`
 * (one `.keras` / `.h5`, or a `.json` config and its weights `.h5`). The format is recognised
 * from the bytes, not the name. Limits as `loadLayersModel` (`maxWeightBytes`, default 2 GiB, ...);
 * anything malformed, hostile or unsupported ends in a ModelFileError that says what and where.
 * @example const model = await st.loadKerasModel('./classifier.keras'); model.predict(x);
 * @example const m = await st.loadKerasModel(jsonText, { weights: './weights.h5' });
 * @example const m = await st.loadKerasModel(input.files); // in a page: model.keras, or model.json + weights.h5
 */
export async function loadKerasModel(source: KerasSource | Record<string, unknown> | ArrayLike<Blob>, opts: KerasLoadOptions = {}): Promise<Sequential | Functional> {
  if (isFileList(source)) {
    const picked = pickFiles(source, opts.weights);
    source = picked.source;
    opts = { ...opts, weights: picked.weights };
  }
  const limits = resolveLimits(opts);
  const fileCap = limits.maxWeightBytes + limits.maxJsonBytes + 16 * 2 ** 20;
  const { weights, parseTimeoutMs, ...rest } = opts;
  const timeout = parseTimeoutMs ?? 120_000;
  if (!(timeout > 0)) throw new ModelFileError(`loadKerasModel: parseTimeoutMs must be a positive number, got ${String(parseTimeoutMs)}`);
  const loadOpts: LoadOptions = { ...rest, ...limits };
  if (weights !== undefined) {
    const topology = await jsonConfig(source, limits, fileCap);
    const where = sourceName(weights);
    const bytes = await readModelSource(weights, fileCap, where);
    return build(await runHdf5Job({ kind: 'weights', bytes, where, limits, topology }, timeout), loadOpts);
  }
  if (isRecord(source) && !isModelSource(source)) {
    throw new ModelFileError(`loadKerasModel: a model config object needs its weights: loadKerasModel(config, { weights: 'weights.h5' })`);
  }
  const src = source as KerasSource;
  if (typeof src === 'string' && src.trimStart().startsWith('{')) {
    throw new ModelFileError(`loadKerasModel: JSON text needs its weights: loadKerasModel(json, { weights: 'weights.h5' })`);
  }
  const where = sourceName(src);
  const bytes = await readModelSource(src, fileCap, where);
  if (isZip(bytes)) return build(await fromKerasArchive(bytes, where, limits, timeout), loadOpts);
  if (isHdf5(bytes)) return build(await runHdf5Job({ kind: 'full', bytes, where, limits }, timeout), loadOpts);
  if (bytes[0] === 0x7b) throw new ModelFileError(`${where}: a JSON config needs its weights: loadKerasModel(config, { weights: 'weights.h5' })`);
  throw new ModelFileError(`${where}: neither a Keras 3 .keras archive (zip) nor a Keras 2 .h5 file (HDF5): it starts with ` +
    `${show([...bytes.subarray(0, 8)])}`);
}

const isBlob = (v: unknown): v is Blob => typeof Blob !== 'undefined' && v instanceof Blob;

/** A FileList or an array of Files / Blobs (not bytes, not a config object). */
function isFileList(v: unknown): v is ArrayLike<Blob> {
  if (typeof v !== 'object' || v === null || isModelSource(v)) return false;
  if (Array.isArray(v)) return v.length > 0 && v.every(isBlob);
  return typeof FileList !== 'undefined' && v instanceof FileList;
}

/** One file is the model; two are a `.json` config and its weights. */
function pickFiles(list: ArrayLike<Blob>, weights: KerasSource | undefined): { source: KerasSource; weights?: KerasSource } {
  const files = Array.from(list);
  const names = files.map((f) => (f as File).name ?? 'a Blob');
  if (files.length === 1) return { source: files[0], weights };
  const json = files.filter((f) => /\.json$/i.test((f as File).name ?? ''));
  if (files.length === 2 && json.length === 1 && weights === undefined) return { source: json[0], weights: files.find((f) => f !== json[0]) };
  throw new ModelFileError(`loadKerasModel: expected one .keras / .h5 file, or a .json config (model.to_json()) and its weights .h5, ` +
    `got ${show(names)}`);
}

function build(artifacts: ModelArtifacts, opts: LoadOptions): Sequential | Functional {
  return modelFromArtifacts(artifacts, opts) as Sequential | Functional;
}

async function jsonConfig(source: unknown, limits: Limits, fileCap: number): Promise<ModelTopology> {
  let json: unknown;
  if (typeof source === 'string' && source.trimStart().startsWith('{')) json = parseJson(source, 'model JSON', limits);
  else if (isRecord(source) && !isModelSource(source)) json = source;
  else {
    const where = sourceName(source as KerasSource);
    const bytes = await readModelSource(source as KerasSource, Math.min(fileCap, limits.maxJsonBytes), where);
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
async function fromKerasArchive(bytes: Uint8Array, where: string, limits: Limits, timeout: number): Promise<ModelArtifacts> {
  const zip = readKerasArchive(bytes, where, limits.maxJsonBytes, limits.maxWeightBytes);
  const config = parseJson(new TextDecoder().decode(zip.config), `${where} config.json`, limits);
  const topology = fromKeras3Config(config, `${where} config.json`);
  const artifacts = await runHdf5Job({ kind: 'keras3', bytes: zip.weights, where: `${where} model.weights.h5`, limits, topology }, timeout);
  const tc = trainingFromCompileConfig((config as Record<string, unknown>).compile_config);
  if (tc) artifacts.trainingConfig = tc;
  return artifacts;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
