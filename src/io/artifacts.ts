/**
 * model.json ↔ ModelArtifacts, platform-neutral: every storage handler (files, http, IndexedDB,
 * browser files, memory) reads model.json through `artifactsFromModelJson`, so all of them validate
 * and refuse the same way.
 */
import { ModelFileError } from './errors.js';
import type { ModelArtifacts, ModelJSON, WeightGroup, WeightSpec } from './types.js';
import { type Limits, checkManifest, isRecord, show } from './validate.js';
import { concatBytes, shardNames, splitShards } from './weights.js';

/** Reads `path` (relative to the model) expecting at most `maxBytes`; returns its bytes. */
export type ShardReader = (path: string, maxBytes: number) => Promise<Uint8Array>;

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
