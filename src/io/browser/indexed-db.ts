/**
 * 'indexeddb://name': models in the browser's IndexedDB, in TensorFlow.js's own layout (database
 * 'tensorflowjs' version 1, stores 'models_store' and 'model_info_store' keyed by 'modelPath', the
 * record holding the ModelArtifacts), so models saved by either library load in the other.
 */
import { ModelFileError } from '../errors.js';
import type { IOHandler, LoadOptions, ModelArtifacts, SaveResult } from '../types.js';
import { artifactsFromStored, artifactsInfo, storedFromArtifacts } from './stored.js';

const DATABASE = 'tensorflowjs';
const VERSION = 1;
const MODELS = 'models_store';
const INFOS = 'model_info_store';
export const INDEXEDDB_SCHEME = 'indexeddb://';

function factory(where: string): IDBFactory {
  const idb = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!idb) throw new ModelFileError(`${where}: this environment has no IndexedDB (a browser page or worker has; Node does not)`);
  return idb;
}

function openDb(where: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = factory(where).open(DATABASE, VERSION);
    req.onupgradeneeded = () => {
      req.result.createObjectStore(MODELS, { keyPath: 'modelPath' });
      req.result.createObjectStore(INFOS, { keyPath: 'modelPath' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new ModelFileError(`${where}: cannot open IndexedDB '${DATABASE}': ${req.error?.message}`));
  });
}

/** Runs one transaction over both stores; resolves with `body`'s value once it has committed. */
async function transact<T>(where: string, mode: IDBTransactionMode, body: (models: IDBObjectStore, infos: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb(where);
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction([MODELS, INFOS], mode);
      const req = body(tx.objectStore(MODELS), tx.objectStore(INFOS));
      tx.oncomplete = () => resolve(req.result);
      // One transaction: a failed write (quota) leaves neither the model nor its info half written.
      tx.onerror = tx.onabort = () => reject(new ModelFileError(`${where}: ${tx.error?.message ?? req.error?.message ?? 'the transaction failed'}`));
    });
  } finally {
    db.close();
  }
}

/**
 * A model stored in IndexedDB under `name` (what follows 'indexeddb://').
 * @example await model.save(st.io.browserIndexedDB('my-model')) // same as model.save('indexeddb://my-model')
 */
export function browserIndexedDB(name: string, opts: LoadOptions = {}): IOHandler {
  if (typeof name !== 'string' || name === '') throw new ModelFileError(`indexeddb://: the model name must be a non-empty string, got ${JSON.stringify(name)}`);
  const where = `${INDEXEDDB_SCHEME}${name}`;
  return {
    async save(artifacts: ModelArtifacts): Promise<SaveResult> {
      const info = artifactsInfo(artifacts);
      const record = { modelPath: name, modelArtifacts: storedFromArtifacts(artifacts), modelArtifactsInfo: info };
      await transact(where, 'readwrite', (models, infos) => {
        infos.put({ modelPath: name, modelArtifactsInfo: info });
        return models.put(record);
      });
      return { location: where, modelArtifactsInfo: info, weightDataBytes: artifacts.weightData?.byteLength ?? 0 };
    },
    async load(): Promise<ModelArtifacts> {
      const record = await transact(where, 'readonly', (models) => models.get(name) as IDBRequest<{ modelArtifacts?: unknown } | undefined>);
      if (!record) throw new ModelFileError(`loadLayersModel: no model named '${name}' in IndexedDB (save one with model.save('${where}'))`);
      return artifactsFromStored(record.modelArtifacts, where, opts);
    },
  };
}
