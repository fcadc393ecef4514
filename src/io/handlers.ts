/**
 * Models in a folder on disk (Node): atomic save, checked load. The platform-neutral parts live in
 * artifacts.ts (model.json ↔ artifacts), http.ts and memory.ts, re-exported here for old imports.
 */
import { mkdir, readFile, readdir, rename, rm, stat, open } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { pathFromFileUrl } from './file-url.js';
import { randomBytes } from 'node:crypto';
import { artifactsFromModelJson, modelJsonFromArtifacts } from './artifacts.js';
import { ModelFileError } from './errors.js';
import type { IOHandler, LoadOptions, ModelArtifacts, SaveResult } from './types.js';
import { isRecord, parseJson, resolveLimits, show } from './validate.js';

export { artifactsFromModelJson, modelJsonFromArtifacts } from './artifacts.js';
export { http } from './http.js';
export { fromMemory, withSaveHandler } from './memory.js';

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
