/**
 * Where models are stored: a folder on disk (atomic save), an http(s) URL (load), memory, or a
 * custom save function. Each turns ModelArtifacts into model.json + shards, or back, checking every
 * size and path before reading or allocating.
 */
import { mkdir, readFile, readdir, rename, rm, stat, open } from 'node:fs/promises';
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

/**
 * model.json content and shard files for artifacts: model weights in 'group1', optimizer state in
 * 'optimizer'; with a tag, shard names carry it (`group1-<tag>-shard1of1.bin`), unique to one save.
 */
export function modelJsonFromArtifacts(a: ModelArtifacts, tag?: string): { json: ModelJSON; files: [string, Uint8Array][] } {
  const files: [string, Uint8Array][] = [];
  const group = (prefix: string, specs: WeightSpec[], data: ArrayBuffer): WeightGroup => {
    const shards = splitShards(data);
    const names = shardNames(tag ? `${prefix}-${tag}` : prefix, shards.length);
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

/**
 * Test hook: called at each step of an atomic save; throwing from it simulates a crash there.
 * 'shards-written': the new shards are beside the old model, which is untouched; 'json-written': the
 * new model.json is written under a temporary name; 'json-replaced': the new model is in place and the
 * old shards are not yet removed.
 */
export const saveHooks: { onStep: ((step: SaveStep) => void) | null } = { onStep: null };
export type SaveStep = 'shards-written' | 'json-written' | 'json-replaced';

/** A path or file:// URL as an absolute path (see pathFromFileUrl). */
const toPath = pathFromFileUrl;

/**
 * A folder on disk. `save` never leaves the folder without a whole model, whenever the process dies
 * (SIGKILL, power loss): the new weight shards are written beside the old ones under names unique to
 * this save, then model.json is replaced by renaming a synced temporary file over it (atomic), then
 * the shards no model.json refers to any more are removed. A save killed midway leaves the old model
 * plus leftovers (unreferenced shards, a `.model.json.saving-*` file) that the next save removes.
 * A new folder gets TF.js's shard names (`group1-shard1of1.bin`); a save over a model that uses them
 * takes names unique to it (`group1-<pid>-<hex>-shard1of1.bin`), and the next save the plain ones
 * again. Saves into one folder from two processes at the same moment are not supported.
 * `load` takes the folder or its model.json.
 */
export function fileSystem(target: string, opts: LoadOptions = {}): IOHandler {
  const path = toPath(target);
  return {
    async save(artifacts: ModelArtifacts): Promise<SaveResult> {
      const dir = path.endsWith('.json') ? dirname(path) : path;
      const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
      // TF.js's shard names where the model in the folder does not use them (a new folder: the layout
      // TF.js writes), else names unique to this save, so the old model's shards stay whole until
      // the new model.json is in place.
      const inUse = new Set(referencedPaths(await readJson(join(dir, 'model.json'))));
      const plain = modelJsonFromArtifacts(artifacts);
      const { json, files } = plain.files.some(([n]) => inUse.has(n)) ? modelJsonFromArtifacts(artifacts, tag) : plain;
      const text = JSON.stringify(json);
      const tmpJson = join(dir, `${SAVING_PREFIX}${tag}`);
      const written: string[] = [];
      let replaced = false;
      savesInFlight.add(tag);
      try {
        const existing = await stat(dir).catch(() => null);
        if (existing && !existing.isDirectory()) throw new ModelFileError(`save: ${dir} exists and is not a folder`);
        await mkdir(dir, { recursive: true });
        for (const [name, bytes] of files) {
          written.push(join(dir, name));
          await writeSynced(join(dir, name), bytes);
        }
        saveHooks.onStep?.('shards-written');
        written.push(tmpJson);
        await writeSynced(tmpJson, Buffer.from(text));
        saveHooks.onStep?.('json-written');
        await rename(tmpJson, join(dir, 'model.json'));
        replaced = true;
        await syncFolder(dir);
        saveHooks.onStep?.('json-replaced');
      } catch (e) {
        if (!replaced) for (const f of written) await rm(f, { force: true }).catch(() => undefined);
        savesInFlight.delete(tag);
        if (e instanceof ModelFileError) throw e;
        throw new ModelFileError(replaced
          ? `save: the new model is in place in ${dir}, but finishing failed: ${(e as Error).message}`
          : `save: could not write the model to ${dir} (the previous model is unchanged): ${(e as Error).message}`);
      }
      savesInFlight.delete(tag);
      await removeStaleFiles(dir, new Set(files.map(([n]) => n))).catch(() => undefined);
      return { location: dir, modelJsonBytes: text.length, weightDataBytes: files.reduce((n, [, b]) => n + b.byteLength, 0) };
    },
    async load(): Promise<ModelArtifacts> {
      const limits = resolveLimits(opts);
      let jsonPath = path;
      const st = await stat(path).catch(() => null);
      if (!st) throw new ModelFileError(`loadLayersModel: ${path} does not exist${await interruptedSave(path)}`);
      if (st.isDirectory()) jsonPath = join(path, 'model.json');
      const dir = dirname(jsonPath);
      const jst = await stat(jsonPath).catch(() => null);
      if (!jst || !jst.isFile()) throw new ModelFileError(`loadLayersModel: no model.json at ${jsonPath}${await interruptedSave(dir)}`);
      if (jst.size > limits.maxJsonBytes) throw new ModelFileError(`model.json: ${jst.size} bytes is over the limit of ${limits.maxJsonBytes} (option maxJsonBytes)`);
      const json = parseJson(await readFile(jsonPath, 'utf8').catch(ioError(jsonPath)), 'model.json', limits);
      return artifactsFromModelJson(json, async (p, maxBytes) => {
        const file = resolve(dir, p);
        const rel = relative(dir, file);
        if (rel.startsWith('..') || isAbsolute(rel)) throw new ModelFileError(`model.json: weight path ${show(p)} leaves the model folder`);
        const s = await stat(file).catch(() => null);
        if (!s || !s.isFile()) throw new ModelFileError(`model.json: weight shard '${p}' is missing from ${dir}`);
        if (s.size > maxBytes) throw new ModelFileError(`${p}: the shard has ${s.size} bytes, more than the ${maxBytes} the manifest has left for it`);
        return new Uint8Array(await readFile(file).catch(ioError(file)));
      }, limits);
    },
  };
}

/** A read that failed (permissions, a folder where a file should be) as a refusal naming the file. */
function ioError(file: string): (e: unknown) => never {
  return (e) => {
    throw new ModelFileError(`loadLayersModel: could not read ${file}: ${(e as Error).message}`);
  };
}

/** Name of a model.json being written (followed by the save's tag, `<pid>-<hex>`). */
const SAVING_PREFIX = '.model.json.saving-';
/** Shard files a save writes: `<group>-<pid>-<hex>-shardIofN.bin`, or untagged as TF.js names them. */
const SHARD_FILE = /^(?:group\d+|optimizer)-(?:(\d+)-[0-9a-f]+-)?shard\d+of\d+\.bin$/;
const SAVING_FILE = /^\.model\.json\.saving-(\d+)-([0-9a-f]+)$/;
/** Tags of this process's saves under way: their files are not leftovers. */
const savesInFlight = new Set<string>();

/** Whether a file that a save with this pid and tag wrote may still be needed by that save. */
function maybeInFlight(pid: number, tag: string): boolean {
  if (pid === process.pid) return savesInFlight.has(tag);
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

/**
 * Removes the shards no model.json refers to (the old model's, and those of saves killed midway)
 * and temporary model.json files of dead saves. Files of saves still running are kept.
 */
async function removeStaleFiles(dir: string, keep: Set<string>): Promise<void> {
  for (const p of referencedPaths(await readJson(join(dir, 'model.json')))) keep.add(p);
  for (const name of await readdir(dir)) {
    if (keep.has(name)) continue;
    const shard = SHARD_FILE.exec(name), saving = SAVING_FILE.exec(name);
    if (!shard && !saving) continue;
    const m = /^(?:group\d+|optimizer)-(\d+)-([0-9a-f]+)-shard/.exec(name) ?? saving;
    if (m && maybeInFlight(Number(m[1]), `${m[1]}-${m[2]}`)) continue;
    await rm(join(dir, name), { force: true });
  }
}

/** A JSON file's content, or null when it is missing or unreadable. */
function readJson(file: string): Promise<unknown> {
  return readFile(file, 'utf8').then((t) => JSON.parse(t) as unknown).catch(() => null);
}

/** The shard paths a parsed model.json refers to (model weights and optimizer state). */
function referencedPaths(json: unknown): string[] {
  if (!isRecord(json)) return [];
  const groups = [json.weightsManifest, isRecord(json.strataOptimizer) ? json.strataOptimizer.weightsManifest : undefined];
  return groups.flatMap((g) => (Array.isArray(g) ? g : []))
    .flatMap((g) => (isRecord(g) && Array.isArray(g.paths) ? g.paths : []))
    .filter((p): p is string => typeof p === 'string');
}

/** Why a folder without model.json may be one: a save was interrupted there (for the error message). */
async function interruptedSave(dir: string): Promise<string> {
  const inside = await readdir(dir).catch(() => [] as string[]);
  if (inside.some((n) => SAVING_FILE.test(n))) {
    return ` (a save into this folder was interrupted before its first model.json was in place: ${inside.filter((n) => SAVING_FILE.test(n)).join(', ')}; save again)`;
  }
  // Strata before atomic file replacement moved the old folder aside as .NAME.old-* and wrote .NAME.saving-*.
  const name = basename(dir);
  const beside = (await readdir(dirname(dir)).catch(() => [] as string[]))
    .filter((n) => n.startsWith(`.${name}.old-`) || n.startsWith(`.${name}.saving-`));
  if (beside.length > 0) {
    return ` (an interrupted save left ${beside.map((n) => join(dirname(dir), n)).join(', ')}: the .old-* folder holds the previous model; rename it to ${dir})`;
  }
  return '';
}

/** fsyncs a folder, so a rename in it survives power loss (not supported everywhere: then skipped). */
async function syncFolder(dir: string): Promise<void> {
  const fh = await open(dir, 'r').catch(() => null);
  if (!fh) return;
  try {
    await fh.sync().catch(() => undefined);
  } finally {
    await fh.close();
  }
}

/**
 * Replaces `file` with `bytes` atomically, as model saves do: a synced temporary file beside it is
 * renamed over it, so a reader (or a crash) sees the old content or the new, never a part.
 * @example await writeFileAtomic('project/graph.json', Buffer.from(JSON.stringify(graph)))
 */
export async function writeFileAtomic(file: string, bytes: Uint8Array): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.saving-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await writeSynced(tmp, bytes);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
  await syncFolder(dirname(file));
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
