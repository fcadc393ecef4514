/**
 * Model files the user moves by hand in a browser: 'downloads://prefix' saves `prefix.json` and
 * `prefix.weights.bin` as downloads (TensorFlow.js's names), 'downloads://name.onnx' and
 * 'downloads://name.keras' one file of that format (io/browser/register.ts), and `browserFiles(files)` loads the File
 * objects of an `<input type="file" multiple>` (model.json and its weight files), checked as on disk.
 */
import { artifactsFromModelJson, modelJsonFromArtifacts } from '../artifacts.js';
import { ModelFileError } from '../errors.js';
import type { IOHandler, LoadOptions, ModelArtifacts, SaveResult } from '../types.js';
import { parseJson, resolveLimits, show } from '../validate.js';

export const DOWNLOADS_SCHEME = 'downloads://';

/** Starts the download of `blob` as `name` (a click on a temporary link, as TensorFlow.js does). */
export async function download(blob: Blob, name: string): Promise<void> {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.download = name;
  a.href = url;
  // One click per task: browsers drop some of several downloads started in the same task.
  await new Promise((r) => setTimeout(r, 0));
  a.dispatchEvent(new MouseEvent('click'));
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Saves a model as browser downloads: `<prefix>.json` (model.json) and `<prefix>.weights.bin`, plus
 * `<prefix>.optimizer.bin` when the optimizer state is saved. Default prefix 'model'.
 * @example await model.save('downloads://my-model') // my-model.json, my-model.weights.bin
 */
export function browserDownloads(prefix = 'model'): IOHandler {
  if (typeof prefix !== 'string' || prefix === '') prefix = 'model';
  return {
    async save(a: ModelArtifacts): Promise<SaveResult> {
      if (typeof document === 'undefined') throw new ModelFileError(`${DOWNLOADS_SCHEME}${prefix}: downloads need a browser page (document is not defined here)`);
      const { json } = modelJsonFromArtifacts(a);
      const weights = `${prefix}.weights.bin`, optimizer = `${prefix}.optimizer.bin`;
      json.weightsManifest = [{ paths: [`./${weights}`], weights: a.weightSpecs ?? [] }];
      if (json.strataOptimizer) json.strataOptimizer = { weightsManifest: [{ paths: [`./${optimizer}`], weights: a.optimizerSpecs ?? [] }] };
      const text = JSON.stringify(json);
      await download(new Blob([text], { type: 'application/json' }), `${prefix}.json`);
      await download(new Blob([a.weightData ?? new ArrayBuffer(0)], { type: 'application/octet-stream' }), weights);
      if (json.strataOptimizer) await download(new Blob([a.optimizerData!], { type: 'application/octet-stream' }), optimizer);
      return { location: `${DOWNLOADS_SCHEME}${prefix}`, modelJsonBytes: text.length, weightDataBytes: a.weightData?.byteLength ?? 0 };
    },
  };
}

const baseName = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/**
 * Loads a model from File objects (an `<input type="file" multiple>`'s `files`, or a drop): one
 * `.json` file (model.json) and the weight files its manifest names, matched by file name. Refuses
 * missing, duplicate or unreferenced files and sizes that disagree with the manifest, before reading.
 * @example const model = await st.loadLayersModel(st.io.browserFiles([...input.files]));
 */
export function browserFiles(files: ArrayLike<File> | Iterable<File>, opts: LoadOptions = {}): IOHandler {
  const list = Array.from(files as Iterable<File>);
  return {
    async load(): Promise<ModelArtifacts> {
      const limits = resolveLimits(opts);
      if (list.some((f) => typeof f?.name !== 'string' || typeof f.arrayBuffer !== 'function')) {
        throw new ModelFileError(`browserFiles: expected File objects (from an <input type="file"> or a drop), got ${show(list.map((f) => typeof f))}`);
      }
      const jsons = list.filter((f) => /\.json$/i.test(f.name));
      if (jsons.length !== 1) {
        throw new ModelFileError(`browserFiles: expected exactly one .json file (model.json) among ${show(list.map((f) => f.name))}, found ${jsons.length}`);
      }
      const jsonFile = jsons[0];
      if (jsonFile.size > limits.maxJsonBytes) throw new ModelFileError(`${jsonFile.name}: ${jsonFile.size} bytes is over the limit of ${limits.maxJsonBytes} (option maxJsonBytes)`);
      const byName = new Map<string, File>();
      for (const f of list) {
        if (f === jsonFile) continue;
        if (byName.has(f.name)) throw new ModelFileError(`browserFiles: two files are named '${f.name}'`);
        byName.set(f.name, f);
      }
      const json = parseJson(await jsonFile.text(), jsonFile.name, limits);
      const used = new Set<string>();
      const artifacts = await artifactsFromModelJson(json, async (path, maxBytes) => {
        const name = baseName(path);
        const file = byName.get(name);
        if (!file) throw new ModelFileError(`${jsonFile.name}: weight file '${name}' (manifest path ${show(path)}) was not among the files given`);
        if (used.has(name)) throw new ModelFileError(`${jsonFile.name}: the manifest names the weight file '${name}' twice`);
        used.add(name);
        if (file.size > maxBytes) throw new ModelFileError(`${name}: the file has ${file.size} bytes, more than the ${maxBytes} the manifest has left for it`);
        return new Uint8Array(await file.arrayBuffer());
      }, limits, jsonFile.name);
      const extra = [...byName.keys()].filter((n) => !used.has(n));
      if (extra.length) throw new ModelFileError(`browserFiles: ${show(extra)} ${extra.length > 1 ? 'are' : 'is'} not named in ${jsonFile.name}'s weights manifest; pass only the model's files`);
      return artifacts;
    },
  };
}
