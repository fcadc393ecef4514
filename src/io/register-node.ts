/**
 * Side effect of the Node entry: model files on disk. A folder path or file:// URL saves and loads
 * the TensorFlow.js layers format (io/handlers.ts); a path ending in `.onnx` / `.keras` saves ONNX / a Keras 3 archive. Strings
 * with another scheme (http://, indexeddb://) are left to their own routers.
 */
import { fileSystem, writeFileAtomic } from './handlers.js';
import { pathFromFileUrl } from './file-url.js';
import type { IOHandler } from './types.js';
import { SINGLE_FILE_FORMATS, singleFileSaver } from './single-file.js';
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
// A path or file:// URL ending in .onnx / .keras gets that format, written beside the target, synced
// and renamed over it (a crash never leaves half a file).
for (const { ext, what, encode } of SINGLE_FILE_FORMATS) {
  const matches = (url: string): boolean => url.toLowerCase().endsWith(ext) && isFilePath(url);
  const handler = (url: string): IOHandler => singleFileSaver(encode, async (bytes) => {
    const file = pathFromFileUrl(url);
    await writeFileAtomic(file, bytes);
    return file;
  });
  registerSaveRouter((url) => (matches(url) ? handler(url) : null), { priority: ROUTER_PRIORITY.extension, label: `*${ext} paths (Node, save: ${what})` });
}
