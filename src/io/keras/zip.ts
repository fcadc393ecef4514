/**
 * The zip container of a Keras 3 `.keras` file, through fflate. Entry names and declared sizes are
 * checked before anything is inflated: no absolute or `..` paths, no more entries than a Keras
 * archive plausibly holds, declared sizes within the caps (fflate inflates into a buffer of the
 * declared size, so a member that lies about its size cannot grow past it), stored or deflate only.
 */
import { unzipSync, zipSync } from 'fflate';
import { ModelFileError } from '../errors.js';
import { show } from '../validate.js';

const MAX_ENTRIES = 10_000;

/** The members of a .keras archive that Strata reads. */
export interface KerasArchive {
  config: Uint8Array;
  metadata: Uint8Array | null;
  weights: Uint8Array;
}

/** True when `bytes` start like a zip archive ('PK\x03\x04', or 'PK\x05\x06' for an empty one). */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5) && (bytes[3] === 4 || bytes[3] === 6);
}

/**
 * Reads config.json, metadata.json and model.weights.h5 from a .keras archive. `maxJsonBytes` caps
 * the JSON members, `maxWeightBytes` the weights file (plus room for HDF5's own bookkeeping).
 */
export function readKerasArchive(bytes: Uint8Array, where: string, maxJsonBytes: number, maxWeightBytes: number): KerasArchive {
  const caps: Record<string, number> = {
    'config.json': maxJsonBytes,
    'metadata.json': maxJsonBytes,
    // HDF5's own headers (about 1 KB a dataset) on top of the weights.
    'model.weights.h5': Math.ceil(maxWeightBytes * 1.1) + 2 ** 20,
  };
  const names: string[] = [];
  let entries = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        if (++entries > MAX_ENTRIES) throw new ModelFileError(`${where}: the archive has more than ${MAX_ENTRIES} entries`);
        checkEntryName(f.name, where);
        names.push(f.name);
        const cap = caps[f.name];
        if (cap === undefined) return false; // assets and anything else: not read, not inflated
        if (f.compression !== 0 && f.compression !== 8) {
          throw new ModelFileError(`${where}: member '${f.name}' uses compression method ${f.compression}; Strata reads stored and deflate members`);
        }
        if (!(f.originalSize >= 0) || f.originalSize > cap) {
          throw new ModelFileError(`${where}: member '${f.name}' declares ${f.originalSize} bytes, more than the ${cap} allowed ` +
            `(options maxJsonBytes / maxWeightBytes)`);
        }
        return true;
      },
    });
  } catch (e) {
    if (e instanceof ModelFileError) throw e;
    throw new ModelFileError(`${where}: not a readable zip archive (${(e as Error).message}); the file is truncated or corrupt`);
  }
  if (!files['model.weights.h5'] && names.includes('model.weights.npz')) {
    throw new ModelFileError(`${where}: the weights are in model.weights.npz; Strata reads archives saved with weights_format='h5' (Keras's default)`);
  }
  const config = files['config.json'];
  const weights = files['model.weights.h5'];
  if (!config) throw new ModelFileError(`${where}: the archive has no config.json (members: ${show(names)}); is it a Keras 3 .keras file?`);
  if (!weights) throw new ModelFileError(`${where}: the archive has no model.weights.h5 (members: ${show(names)})`);
  return { config, metadata: files['metadata.json'] ?? null, weights };
}

/** Refuses member names that would leave the extraction folder or are not plain relative paths. */
function checkEntryName(name: string, where: string): void {
  const bad = name.length === 0 || name.length > 1024 || name.startsWith('/') || name.startsWith('\\') || name.includes('\0') ||
    /^[a-zA-Z]:/.test(name) || name.split(/[\\/]/).some((s) => s === '..');
  if (bad) throw new ModelFileError(`${where}: member name ${show(name)} is not a relative path inside the archive (absolute, '..' or drive letter); refusing the file`);
}

/**
 * A .keras archive of the three members, in Keras's order, stored uncompressed as Keras writes
 * them, with a fixed date so that the same model gives the same bytes.
 */
export function writeKerasArchive(metadata: string, config: string, weights: Uint8Array): Uint8Array {
  const enc = new TextEncoder();
  const mtime = new Date(1980, 0, 1, 0, 0, 0);
  return zipSync({
    'metadata.json': [enc.encode(metadata), { level: 0, mtime }],
    'config.json': [enc.encode(config), { level: 0, mtime }],
    'model.weights.h5': [weights, { level: 0, mtime }],
  });
}
