/**
 * 'localstorage://name': small models in window.localStorage, in TensorFlow.js's key layout
 * (`tensorflowjs_models/<name>/info`, `model_topology`, `weight_specs`, `weight_data` as base64,
 * `model_metadata`), so either library loads what the other saved. Strata's optimizer state rides in
 * model_metadata (`strataOptimizer`), a key TensorFlow.js ignores.
 */
import { ModelFileError } from '../errors.js';
import type { IOHandler, LoadOptions, ModelArtifacts, SaveResult } from '../types.js';
import { parseJson, resolveLimits } from '../validate.js';
import { artifactsFromStored, artifactsInfo } from './stored.js';

export const LOCALSTORAGE_SCHEME = 'localstorage://';

function keysFor(name: string) {
  const k = (suffix: string): string => `tensorflowjs_models/${name}/${suffix}`;
  return { info: k('info'), topology: k('model_topology'), weightSpecs: k('weight_specs'), weightData: k('weight_data'), metadata: k('model_metadata') };
}

function storage(where: string): Storage {
  const ls = (globalThis as { localStorage?: Storage }).localStorage;
  if (!ls) throw new ModelFileError(`${where}: this environment has no localStorage (a browser page has; workers and Node do not)`);
  return ls;
}

function toBase64(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let s = '';
  // In slices: String.fromCharCode(...all) would overflow the argument stack on large models.
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string, where: string): ArrayBuffer {
  let s: string;
  try {
    s = atob(text);
  } catch {
    throw new ModelFileError(`${where}: the weight data is not valid base64`);
  }
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out.buffer;
}

/**
 * A model stored in localStorage under `name` (what follows 'localstorage://'). localStorage holds
 * a few MB per origin: use IndexedDB for anything larger.
 * @example await model.save('localstorage://my-model'); await st.loadLayersModel('localstorage://my-model');
 */
export function browserLocalStorage(name: string, opts: LoadOptions = {}): IOHandler {
  if (typeof name !== 'string' || name === '') throw new ModelFileError(`localstorage://: the model name must be a non-empty string, got ${JSON.stringify(name)}`);
  const where = `${LOCALSTORAGE_SCHEME}${name}`;
  const keys = keysFor(name);
  return {
    async save(a: ModelArtifacts): Promise<SaveResult> {
      const ls = storage(where);
      const info = artifactsInfo(a);
      const metadata: Record<string, unknown> = {
        format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy,
        userDefinedMetadata: a.userDefinedMetadata, trainingConfig: a.trainingConfig,
      };
      if (a.optimizerSpecs && a.optimizerData) metadata.strataOptimizer = { weightSpecs: a.optimizerSpecs, weightData: toBase64(a.optimizerData) };
      try {
        ls.setItem(keys.info, JSON.stringify(info));
        ls.setItem(keys.topology, JSON.stringify(a.modelTopology));
        ls.setItem(keys.weightSpecs, JSON.stringify(a.weightSpecs ?? []));
        ls.setItem(keys.weightData, toBase64(a.weightData ?? new ArrayBuffer(0)));
        ls.setItem(keys.metadata, JSON.stringify(metadata));
      } catch (e) {
        for (const k of Object.values(keys)) ls.removeItem(k);
        throw new ModelFileError(`${where}: could not save (${(e as Error).message}); localStorage holds a few MB, ` +
          `this model's weights are ${info.weightDataBytes} bytes — save to 'indexeddb://${name}' instead`);
      }
      return { location: where, modelArtifactsInfo: info, weightDataBytes: info.weightDataBytes as number };
    },
    async load(): Promise<ModelArtifacts> {
      const ls = storage(where);
      const limits = resolveLimits(opts);
      const json = (key: string, what: string, required: boolean): unknown => {
        const text = ls.getItem(key);
        if (text === null) {
          if (!required) return undefined;
          throw new ModelFileError(`${where}: the ${what} is missing from localStorage (key '${key}')`);
        }
        return parseJson(text, `${where} ${what}`, limits);
      };
      if (ls.getItem(keys.info) === null) throw new ModelFileError(`loadLayersModel: no model named '${name}' in localStorage (save one with model.save('${where}'))`);
      const data = ls.getItem(keys.weightData);
      if (data === null) throw new ModelFileError(`${where}: the weight data is missing from localStorage (key '${keys.weightData}')`);
      // base64 is 4 characters per 3 bytes: refuse before decoding what the caps would refuse anyway.
      if (data.length * 0.75 > limits.maxWeightBytes) throw new ModelFileError(`${where}: ${Math.floor(data.length * 0.75)} bytes of weights, over maxWeightBytes ${limits.maxWeightBytes}`);
      const meta = (json(keys.metadata, 'metadata', false) ?? {}) as Record<string, unknown>;
      const stored: Record<string, unknown> = {
        ...meta,
        modelTopology: json(keys.topology, 'topology', true),
        weightSpecs: json(keys.weightSpecs, 'weight specs', true),
        weightData: fromBase64(data, where),
      };
      const opt = meta.strataOptimizer as { weightSpecs?: unknown; weightData?: unknown } | undefined;
      if (opt && typeof opt === 'object') {
        stored.optimizerSpecs = opt.weightSpecs;
        if (typeof opt.weightData !== 'string') throw new ModelFileError(`${where}: strataOptimizer.weightData must be a base64 string`);
        stored.optimizerData = fromBase64(opt.weightData, `${where} optimizer state`);
      }
      delete stored.strataOptimizer;
      return artifactsFromStored(stored, where, opts);
    },
  };
}
