/**
 * Artifacts kept whole in a browser store (IndexedDB records, localStorage items) are untrusted
 * like any file: they go back through model.json validation (artifactsFromModelJson) before use,
 * so every storage refuses the same things. Stored form = TensorFlow.js's ModelArtifacts, plus
 * Strata's optimizer state (`optimizerSpecs`, `optimizerData`), which TensorFlow.js ignores.
 */
import { artifactsFromModelJson } from '../artifacts.js';
import { ModelFileError } from '../errors.js';
import type { LoadOptions, ModelArtifacts } from '../types.js';
import { checkDepth, isRecord, resolveLimits, show } from '../validate.js';

/** Weight bytes as TensorFlow.js may store them: one ArrayBuffer or a list of them (CompositeArrayBuffer). */
function bytesOf(data: unknown, where: string): Uint8Array {
  if (data === undefined || data === null) return new Uint8Array(0);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data) && data.every((d) => d instanceof ArrayBuffer)) {
    const out = new Uint8Array(data.reduce((n, d: ArrayBuffer) => n + d.byteLength, 0));
    let off = 0;
    for (const d of data as ArrayBuffer[]) {
      out.set(new Uint8Array(d), off);
      off += d.byteLength;
    }
    return out;
  }
  throw new ModelFileError(`${where}: weight data must be an ArrayBuffer, got ${show(data)}`);
}

/** Validated artifacts from a stored record (`where` names the storage and model in messages). */
export async function artifactsFromStored(stored: unknown, where: string, opts: LoadOptions = {}): Promise<ModelArtifacts> {
  const limits = resolveLimits(opts);
  if (!isRecord(stored)) throw new ModelFileError(`${where}: expected stored model artifacts, got ${show(stored)}`);
  checkDepth(stored.modelTopology, `${where} modelTopology`, limits);
  const shards: Record<string, Uint8Array> = {
    weights: bytesOf(stored.weightData, where),
    optimizer: bytesOf(stored.optimizerData, `${where} optimizer state`),
  };
  const json: Record<string, unknown> = {
    format: stored.format,
    generatedBy: stored.generatedBy,
    convertedBy: stored.convertedBy,
    modelTopology: stored.modelTopology,
    trainingConfig: stored.trainingConfig,
    userDefinedMetadata: stored.userDefinedMetadata,
    weightsManifest: [{ paths: ['weights'], weights: stored.weightSpecs ?? [] }],
  };
  if (stored.optimizerSpecs !== undefined) json.strataOptimizer = { weightsManifest: [{ paths: ['optimizer'], weights: stored.optimizerSpecs }] };
  return artifactsFromModelJson(json, async (path, maxBytes) => {
    const bytes = shards[path];
    if (bytes.byteLength > maxBytes) throw new ModelFileError(`${where}: the ${path} hold ${bytes.byteLength} bytes, more than the ${maxBytes} the specs describe`);
    return bytes;
  }, limits, where);
}

/** The artifacts in the stored form (weight data as one ArrayBuffer each, as TensorFlow.js writes). */
export function storedFromArtifacts(a: ModelArtifacts): Record<string, unknown> {
  const out: Record<string, unknown> = {
    modelTopology: a.modelTopology,
    format: a.format,
    generatedBy: a.generatedBy,
    convertedBy: a.convertedBy ?? null,
    weightSpecs: a.weightSpecs ?? [],
    weightData: a.weightData ?? new ArrayBuffer(0),
  };
  if (a.trainingConfig) out.trainingConfig = a.trainingConfig;
  if (a.userDefinedMetadata) out.userDefinedMetadata = a.userDefinedMetadata;
  if (a.optimizerSpecs && a.optimizerData) {
    out.optimizerSpecs = a.optimizerSpecs;
    out.optimizerData = a.optimizerData;
  }
  return out;
}

/** TensorFlow.js's ModelArtifactsInfo for a save (what its listModels shows). */
export function artifactsInfo(a: ModelArtifacts): Record<string, unknown> {
  const bytes = (v: unknown): number => (v === undefined ? 0 : new TextEncoder().encode(JSON.stringify(v)).byteLength);
  return {
    dateSaved: new Date(),
    modelTopologyType: 'JSON',
    modelTopologyBytes: bytes(a.modelTopology),
    weightSpecsBytes: bytes(a.weightSpecs),
    weightDataBytes: a.weightData?.byteLength ?? 0,
  };
}
