/**
 * Side effect of the Node entry: model files on disk. A folder path or file:// URL saves and loads
 * the TensorFlow.js layers format (io/handlers.ts); a path ending in `.onnx` saves ONNX. Strings
 * with another scheme (http://, indexeddb://) are left to their own routers.
 */
import { modelFromArtifacts } from './load.js';
import { fileSystem } from './handlers.js';
import { isOnnxTarget, saveOnnxFile } from './onnx/save-file.js';
import { isKerasTarget, saveKerasFile } from './keras/save-keras.js';
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
registerSaveRouter((url) => (isOnnxTarget(url)
  ? { save: (artifacts, ctx) => saveOnnxFile(ctx?.model ?? modelFromArtifacts(artifacts), url) }
  : null), { priority: ROUTER_PRIORITY.extension, label: '*.onnx paths (Node, save)' });
registerSaveRouter((url) => (isKerasTarget(url)
  ? { save: (artifacts, ctx) => saveKerasFile(ctx?.model ?? modelFromArtifacts(artifacts), url) }
  : null), { priority: ROUTER_PRIORITY.extension, label: '*.keras paths (Node, save: a Keras 3 archive)' });
