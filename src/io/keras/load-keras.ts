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
import { type ExtractJob, extract } from './keras-extract.js';
import { type KerasSource, readSource, sourceName } from './source.js';
import { isZip, readKerasArchive } from './zip.js';

/** Options of `loadKerasModel`: the limits of `loadLayersModel`, and the weights for a JSON config. */
export interface KerasLoadOptions extends LoadOptions {
  /** With a `model.to_json()` config as the source: the weights-only `.h5` (path, URL or bytes). */
  weights?: KerasSource;
  /**
   * Most milliseconds HDF5 may spend reading the file (default 120000). In Node, HDF5 runs in a
   * worker thread that is stopped past this, so that a corrupt file that loops the HDF5 C library
   * is refused instead of hanging the program. (In browsers it runs in the calling thread.)
   */
  parseTimeoutMs?: number;
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
  const { weights, parseTimeoutMs, ...rest } = opts;
  const timeout = parseTimeoutMs ?? 120_000;
  if (!(timeout > 0)) throw new ModelFileError(`loadKerasModel: parseTimeoutMs must be a positive number, got ${String(parseTimeoutMs)}`);
  const loadOpts: LoadOptions = { ...rest, ...limits };
  if (weights !== undefined) {
    const topology = await jsonConfig(source, limits, fileCap);
    const where = sourceName(weights);
    const bytes = await readSource(weights, fileCap, where);
    return build(await extractGuarded({ kind: 'weights', bytes, where, limits, topology }, timeout), loadOpts);
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
  if (isZip(bytes)) return build(await fromKerasArchive(bytes, where, limits, timeout), loadOpts);
  if (isHdf5(bytes)) return build(await extractGuarded({ kind: 'full', bytes, where, limits }, timeout), loadOpts);
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
async function fromKerasArchive(bytes: Uint8Array, where: string, limits: Limits, timeout: number): Promise<ModelArtifacts> {
  const zip = readKerasArchive(bytes, where, limits.maxJsonBytes, limits.maxWeightBytes);
  const config = parseJson(new TextDecoder().decode(zip.config), `${where} config.json`, limits);
  const topology = fromKeras3Config(config, `${where} config.json`);
  const artifacts = await extractGuarded({ kind: 'keras3', bytes: zip.weights, where: `${where} model.weights.h5`, limits, topology }, timeout);
  const tc = trainingFromCompileConfig((config as Record<string, unknown>).compile_config);
  if (tc) artifacts.trainingConfig = tc;
  return artifacts;
}

type WorkerReply = { ok?: ModelArtifacts; err?: { refusal: boolean; name: string; message: string; stack?: string } };
type NodeWorker = import('node:worker_threads').Worker;
let idleWorker: NodeWorker | null = null;

/**
 * Runs an HDF5 job in a Node worker thread, stopped after `timeout` ms (the HDF5 C library can
 * loop on a corrupt file, and synchronous WebAssembly cannot be interrupted otherwise); elsewhere
 * in this thread. A worker that finished is kept, unreferenced, for the next job.
 */
async function extractGuarded(job: ExtractJob, timeout: number): Promise<ModelArtifacts> {
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (!isNode) return extract(job);
  const { Worker } = await import('node:worker_threads');
  const worker = idleWorker ?? new Worker(new URL('./h5-worker.js', import.meta.url));
  idleWorker = null;
  worker.ref();
  return new Promise<ModelArtifacts>((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      worker.removeAllListeners('message');
      worker.removeAllListeners('error');
    };
    const timer = setTimeout(() => {
      done();
      void worker.terminate();
      reject(new ModelFileError(`${job.where}: HDF5 did not finish reading the file within ${timeout} ms; it is corrupt or hostile ` +
        `(option parseTimeoutMs)`));
    }, timeout);
    worker.once('message', (m: WorkerReply) => {
      done();
      worker.unref();
      if (idleWorker) void worker.terminate();
      else idleWorker = worker;
      if (m.ok) resolve(m.ok);
      else if (m.err!.refusal) reject(new ModelFileError(m.err!.message));
      else reject(Object.assign(new Error(`${m.err!.name}: ${m.err!.message}`), { stack: m.err!.stack }));
    });
    worker.once('error', (e) => {
      done();
      void worker.terminate();
      reject(e);
    });
    worker.postMessage(job);
  });
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
