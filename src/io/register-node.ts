/**
 * Side effect of the Node entry: model files on disk. A folder path or file:// URL saves and loads
 * the TensorFlow.js layers format (io/handlers.ts); a path ending in `.onnx` saves ONNX. Strings
 * with another scheme (http://, indexeddb://) are left to their own routers.
 */
import { modelFromArtifacts } from './load.js';
import { fileSystem } from './handlers.js';
import { exportOnnx } from './onnx/export.js';
import { kerasArchiveBytes } from './keras/save-keras.js';
import { writeFileAtomic } from './handlers.js';
import { pathFromFileUrl } from './file-url.js';
import type { IOHandler, ModelArtifacts, SaveContext, SaveResult } from './types.js';
import type { Model } from '../model/model.js';
import { ROUTER_PRIORITY, registerLoadRouter, registerSaveRouter } from './router.js';
import { setLocalFileReader } from './local-files.js';
import { readModelFile } from './read-model-file.js';

// Paths given to the loaders that take bytes (loadOnnxModel, loadKerasModel).
setLocalFileReader(readModelFile);

/** A path (no `scheme://`) or a file:// URL. */
function isFilePath(url: string): boolean {
  return /^file:\/\//i.test(url) || !/^[a-z][a-z0-9+.-]*:\/\//i.test(url);
}

const FILES = 'folder paths and file:// URLs (Node)';
registerSaveRouter((url) => (isFilePath(url) ? fileSystem(url) : null), { priority: ROUTER_PRIORITY.filePath, label: FILES });
registerLoadRouter((url, opts) => (isFilePath(url) ? fileSystem(url, opts) : null), { priority: ROUTER_PRIORITY.filePath, label: FILES });
/**
 * A save router for single-file formats: a path or file:// URL ending in `ext` gets the bytes of
 * `encode(model)`, written beside the target, synced and renamed over it (a crash never leaves half a file).
 */
function singleFileRouter(ext: string, label: string, encode: (model: Model) => Uint8Array | Promise<Uint8Array>): void {
  const matches = (url: string) => url.toLowerCase().endsWith(ext) && isFilePath(url);
  const handler = (url: string): IOHandler => ({
    async save(artifacts: ModelArtifacts, ctx?: SaveContext): Promise<SaveResult> {
      const bytes = await encode(ctx?.model ?? modelFromArtifacts(artifacts));
      const file = pathFromFileUrl(url);
      await writeFileAtomic(file, bytes);
      return { location: file, modelBytes: bytes.length };
    },
  });
  registerSaveRouter((url) => (matches(url) ? handler(url) : null), { priority: ROUTER_PRIORITY.extension, label });
}
singleFileRouter('.onnx', '*.onnx paths (Node, save: st.io.exportOnnx\'s bytes)', exportOnnx);
singleFileRouter('.keras', '*.keras paths (Node, save: a Keras 3 archive)', kerasArchiveBytes);
