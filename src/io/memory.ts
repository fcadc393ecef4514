/** Models held in memory, and save handlers that hand the artifacts to a function. */
import { artifactsFromModelJson } from './artifacts.js';
import { ModelFileError } from './errors.js';
import type { IOHandler, LoadOptions, ModelArtifacts, SaveResult } from './types.js';
import { checkDepth, isRecord, resolveLimits, show } from './validate.js';

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
