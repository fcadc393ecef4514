/**
 * Where models are stored: a folder on disk (atomic save), an http(s) URL (load), memory, or a
 * custom save function. Each turns ModelArtifacts into model.json + shards, or back, checking every
 * size and path before reading or allocating.
 */
import { mkdir, readFile, rename, rm, stat, writeFile, open } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { pathFromFileUrl } from './file-url.js';
import { randomBytes } from 'node:crypto';
import { ModelFileError } from './errors.js';
import type { IOHandler, LoadOptions, ModelArtifacts, ModelJSON, SaveResult, WeightGroup, WeightSpec } from './types.js';
import { type Limits, checkDepth, checkManifest, isRecord, parseJson, resolveLimits, show } from './validate.js';
import { concatBytes, shardNames, splitShards } from './weights.js';

/** Reads `path` (relative to the model) expecting at most `maxBytes`; returns its bytes. */
type ShardReader = (path: string, maxBytes: number) => Promise<Uint8Array>;

/**
 * Turns parsed model.json into artifacts: validates the manifest (paths, dtypes, shapes, byte
 * total within the cap), then reads each group's shards, checking their sizes before reading.
 */
export async function artifactsFromModelJson(json: unknown, read: ShardReader, limits: Limits, where = 'model.json'): Promise<ModelArtifacts> {
  if (!isRecord(json)) throw new ModelFileError(`${where}: expected a JSON object with modelTopology and weightsManifest, got ${show(json)}`);
  if (json.format !== undefined && json.format !== null && json.format !== 'layers-model') {
    throw new ModelFileError(`${where}: format is ${show(json.format)}; Strata loads 'layers-model' files (a graph model cannot be loaded as layers)`);
  }
  if (!isRecord(json.modelTopology)) throw new ModelFileError(`${where}: modelTopology is missing or not an object`);
  const manifest = checkManifest(json.weightsManifest ?? [], `${where} weightsManifest`, limits);
  const optRaw = json.strataOptimizer;
  if (optRaw !== undefined && !isRecord(optRaw)) throw new ModelFileError(`${where}: strataOptimizer must be an object, got ${show(optRaw)}`);
  const opt = optRaw ? checkManifest(optRaw.weightsManifest, `${where} strataOptimizer.weightsManifest`, limits, manifest.total) : null;
  const readGroups = async (groups: WeightGroup[], bytes: number[]): Promise<{ specs: WeightSpec[]; data: ArrayBuffer }> => {
    const chunks: Uint8Array[] = [];
    for (let g = 0; g < groups.length; g++) {
      let got = 0;
      for (const p of groups[g].paths) {
        const chunk = await read(p, bytes[g] - got);
        got += chunk.byteLength;
        chunks.push(chunk);
      }
      if (got !== bytes[g]) {
        throw new ModelFileError(`${where}: the shards of weight group ${g} (${groups[g].paths.join(', ')}) hold ${got} bytes, ` +
          `but the manifest describes ${bytes[g]}`);
      }
    }
    return { specs: groups.flatMap((g) => g.weights), data: concatBytes(chunks) };
  };
  const weights = await readGroups(manifest.groups, manifest.bytes);
  const artifacts: ModelArtifacts = {
    modelTopology: json.modelTopology as ModelArtifacts['modelTopology'],
    format: typeof json.format === 'string' ? json.format : undefined,
    generatedBy: typeof json.generatedBy === 'string' ? json.generatedBy : undefined,
    convertedBy: typeof json.convertedBy === 'string' ? json.convertedBy : null,
    trainingConfig: json.trainingConfig as ModelArtifacts['trainingConfig'],
    weightSpecs: weights.specs,
    weightData: weights.data,
  };
  if (opt) {
    const o = await readGroups(opt.groups, opt.bytes);
    artifacts.optimizerSpecs = o.specs;
    artifacts.optimizerData = o.data;
  }
  if (isRecord(json.userDefinedMetadata)) artifacts.userDefinedMetadata = json.userDefinedMetadata;
  return artifacts;
}

/** model.json content and shard files for artifacts: model weights in 'group1', optimizer state in 'optimizer'. */
export function modelJsonFromArtifacts(a: ModelArtifacts): { json: ModelJSON; files: [string, Uint8Array][] } {
  const files: [string, Uint8Array][] = [];
  const group = (prefix: string, specs: WeightSpec[], data: ArrayBuffer): WeightGroup => {
    const shards = splitShards(data);
    const names = shardNames(prefix, shards.length);
    names.forEach((n, i) => files.push([n, shards[i]]));
    return { paths: names, weights: specs };
  };
  const json: ModelJSON = {
    format: a.format ?? 'layers-model',
    generatedBy: a.generatedBy,
    convertedBy: a.convertedBy ?? null,
    modelTopology: a.modelTopology,
    weightsManifest: [group('group1', a.weightSpecs ?? [], a.weightData ?? new ArrayBuffer(0))],
  };
  if (a.trainingConfig) json.trainingConfig = a.trainingConfig;
  if (a.optimizerSpecs && a.optimizerData) json.strataOptimizer = { weightsManifest: [group('optimizer', a.optimizerSpecs, a.optimizerData)] };
  if (a.userDefinedMetadata) json.userDefinedMetadata = a.userDefinedMetadata;
  return { json, files };
}

/** Test hook: called at each step of an atomic save; throwing from it simulates a crash there. */
export const saveHooks: { onStep: ((step: 'written' | 'old-moved-aside') => void) | null } = { onStep: null };

/** A path or file:// URL as an absolute path (see pathFromFileUrl). */
const toPath = pathFromFileUrl;

/**
 * A folder on disk. `save` writes model.json and shards into a temporary folder beside the target,
 * then renames it over the target (the old folder is moved aside first and restored if the rename
 * fails, so a crash leaves either the old or the new model). `load` takes the folder or its model.json.
 */
export function fileSystem(target: string, opts: LoadOptions = {}): IOHandler {
  const path = toPath(target);
  return {
    async save(artifacts: ModelArtifacts): Promise<SaveResult> {
      const { json, files } = modelJsonFromArtifacts(artifacts);
      const dir = path.endsWith('.json') ? dirname(path) : path;
      const parent = dirname(dir);
      const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
      const tmp = join(parent, `.${basename(dir)}.saving-${tag}`);
      const old = join(parent, `.${basename(dir)}.old-${tag}`);
      const text = JSON.stringify(json);
      let movedAside = false;
      try {
        await mkdir(parent, { recursive: true });
        const existing = await stat(dir).catch(() => null);
        if (existing && !existing.isDirectory()) throw new ModelFileError(`save: ${dir} exists and is not a folder`);
        await mkdir(tmp);
        await writeSynced(join(tmp, 'model.json'), Buffer.from(text));
        for (const [name, bytes] of files) await writeSynced(join(tmp, name), bytes);
        saveHooks.onStep?.('written');
        if (existing) {
          await rename(dir, old);
          movedAside = true;
          saveHooks.onStep?.('old-moved-aside');
        }
        await rename(tmp, dir);
        movedAside = false;
      } catch (e) {
        if (movedAside) await rename(old, dir).catch(() => undefined);
        await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
        if (e instanceof ModelFileError) throw e;
        throw new ModelFileError(`save: could not write the model to ${dir}: ${(e as Error).message}`);
      }
      await rm(old, { recursive: true, force: true }).catch(() => undefined);
      return { location: dir, modelJsonBytes: text.length, weightDataBytes: files.reduce((n, [, b]) => n + b.byteLength, 0) };
    },
    async load(): Promise<ModelArtifacts> {
      const limits = resolveLimits(opts);
      let jsonPath = path;
      const st = await stat(path).catch(() => null);
      if (!st) throw new ModelFileError(`loadLayersModel: ${path} does not exist`);
      if (st.isDirectory()) jsonPath = join(path, 'model.json');
      const dir = dirname(jsonPath);
      const jst = await stat(jsonPath).catch(() => null);
      if (!jst || !jst.isFile()) throw new ModelFileError(`loadLayersModel: no model.json at ${jsonPath}`);
      if (jst.size > limits.maxJsonBytes) throw new ModelFileError(`model.json: ${jst.size} bytes is over the limit of ${limits.maxJsonBytes} (option maxJsonBytes)`);
      const json = parseJson(await readFile(jsonPath, 'utf8'), 'model.json', limits);
      return artifactsFromModelJson(json, async (p, maxBytes) => {
        const file = resolve(dir, p);
        const rel = relative(dir, file);
        if (rel.startsWith('..') || isAbsolute(rel)) throw new ModelFileError(`model.json: weight path ${show(p)} leaves the model folder`);
        const s = await stat(file).catch(() => null);
        if (!s || !s.isFile()) throw new ModelFileError(`model.json: weight shard '${p}' is missing from ${dir}`);
        if (s.size > maxBytes) throw new ModelFileError(`${p}: the shard has ${s.size} bytes, more than the ${maxBytes} the manifest has left for it`);
        return new Uint8Array(await readFile(file));
      }, limits);
    },
  };
}

async function writeSynced(file: string, bytes: Uint8Array): Promise<void> {
  const fh = await open(file, 'w');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * An http(s) model.json URL, loaded with fetch. Weight paths resolve relative to model.json and must
 * stay on the same origin and under its folder; sizes are checked against Content-Length first.
 */
export function http(url: string, opts: LoadOptions & { fetch?: typeof fetch; requestInit?: RequestInit } = {}): IOHandler {
  const doFetch = opts.fetch ?? globalThis.fetch;
  return {
    async load(): Promise<ModelArtifacts> {
      const limits = resolveLimits(opts);
      const base = new URL(url);
      const folder = base.pathname.slice(0, base.pathname.lastIndexOf('/') + 1);
      const get = async (u: URL, maxBytes: number, what: string): Promise<Uint8Array> => {
        let res: Response;
        try {
          res = await doFetch(u.href, opts.requestInit);
        } catch (e) {
          throw new ModelFileError(`${what}: could not fetch ${u.href}: ${(e as Error).message}`);
        }
        if (!res.ok) throw new ModelFileError(`${what}: ${u.href} answered ${res.status} ${res.statusText}`);
        const len = Number(res.headers.get('content-length') ?? NaN);
        if (Number.isFinite(len) && len > maxBytes) throw new ModelFileError(`${what}: ${len} bytes, more than the ${maxBytes} expected`);
        const bytes = new Uint8Array(await res.arrayBuffer());
        if (bytes.byteLength > maxBytes) throw new ModelFileError(`${what}: ${bytes.byteLength} bytes, more than the ${maxBytes} expected`);
        return bytes;
      };
      const text = new TextDecoder().decode(await get(base, limits.maxJsonBytes, 'model.json'));
      const json = parseJson(text, 'model.json', limits);
      return artifactsFromModelJson(json, async (p, maxBytes) => {
        const u = new URL(p, base);
        if (u.origin !== base.origin || !u.pathname.startsWith(folder)) {
          throw new ModelFileError(`model.json: weight path ${show(p)} leaves the model's folder (${base.origin}${folder})`);
        }
        return get(u, maxBytes, p);
      }, limits);
    },
  };
}

/**
 * A model held in memory: model.json content (with `weightsManifest`) and the weights' bytes, either
 * one buffer (all groups concatenated) or a map from shard path to bytes; or ModelArtifacts with
 * `weightSpecs` and `weightData`.
 * @example const model = await st.loadLayersModel(st.io.fromMemory(json, { 'group1-shard1of1.bin': bytes }));
 */
export function fromMemory(modelJson: unknown, weightData?: ArrayBuffer | Uint8Array | Record<string, ArrayBuffer | Uint8Array>, opts: LoadOptions = {}): IOHandler {
  return {
    async load(): Promise<ModelArtifacts> {
      const limits = resolveLimits(opts);
      checkDepth(modelJson, 'model.json', limits);
      if (isRecord(modelJson) && modelJson.weightsManifest === undefined && (modelJson.weightSpecs !== undefined || weightData === undefined)) {
        // ModelArtifacts form: turn it into the model.json form with one group.
        const data = asBytes((weightData ?? modelJson.weightData) as ArrayBuffer | undefined);
        const json = { ...modelJson, weightsManifest: [{ paths: data ? ['weights.bin'] : [], weights: modelJson.weightSpecs ?? [] }] };
        delete (json as Record<string, unknown>).weightSpecs;
        delete (json as Record<string, unknown>).weightData;
        return artifactsFromModelJson(json, async (_p, max) => take(data ?? new Uint8Array(0), max, 'weights'), limits);
      }
      if (weightData === undefined || weightData instanceof ArrayBuffer || ArrayBuffer.isView(weightData)) {
        const all = asBytes(weightData as ArrayBuffer | Uint8Array | undefined) ?? new Uint8Array(0);
        let off = 0;
        const artifacts = await artifactsFromModelJson(modelJson, async (_p, max) => {
          const chunk = all.subarray(off, off + max);
          off += chunk.byteLength;
          return chunk;
        }, limits);
        if (off !== all.byteLength) throw new ModelFileError(`fromMemory: the weight data has ${all.byteLength} bytes but the manifest describes ${off}`);
        return artifacts;
      }
      const map = weightData as Record<string, ArrayBuffer | Uint8Array>;
      if (!isRecord(map)) throw new ModelFileError(`fromMemory: weightData must be bytes or { [path]: bytes }`);
      return artifactsFromModelJson(modelJson, async (p, max) => {
        if (!Object.prototype.hasOwnProperty.call(map, p)) throw new ModelFileError(`model.json: weight shard '${p}' is missing`);
        return take(asBytes(map[p]) ?? new Uint8Array(0), max, p);
      }, limits);
    },
  };
}

function asBytes(d: ArrayBuffer | Uint8Array | ArrayBufferView | undefined): Uint8Array | undefined {
  if (d === undefined || d === null) return undefined;
  if (d instanceof ArrayBuffer) return new Uint8Array(d);
  if (ArrayBuffer.isView(d)) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  throw new ModelFileError(`fromMemory: weight data must be an ArrayBuffer or a Uint8Array, got ${show(d)}`);
}

function take(bytes: Uint8Array, max: number, what: string): Uint8Array {
  if (bytes.byteLength > max) throw new ModelFileError(`${what}: ${bytes.byteLength} bytes, more than the ${max} the manifest describes`);
  return bytes;
}

/**
 * A save handler that hands the artifacts (topology, weight specs and bytes, training config,
 * optimizer state) to your function, for custom storage.
 * @example await model.save(st.io.withSaveHandler(async (a) => { await db.put(a); return {}; }))
 */
export function withSaveHandler(save: (artifacts: ModelArtifacts) => Promise<SaveResult | void> | SaveResult | void): IOHandler {
  if (typeof save !== 'function') throw new ModelFileError('withSaveHandler: expects a function (artifacts) => result');
  return { save: async (a) => (await save(a)) ?? {} };
}
