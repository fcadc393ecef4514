/**
 * Side effect of the browser entry: the save and load routers of the browser storages, and Keras
 * HDF5 reads in a Web Worker (keras/h5-run-browser.ts).
 */
import '../keras/h5-run-browser.js';
import { ModelFileError } from '../errors.js';
import { ROUTER_PRIORITY, registerLoadRouter, registerSaveRouter } from '../router.js';
import { SINGLE_FILE_FORMATS, singleFileSaver } from '../single-file.js';
import { DOWNLOADS_SCHEME, browserDownloads, download } from './files.js';
import { INDEXEDDB_SCHEME, browserIndexedDB } from './indexed-db.js';
import { LOCALSTORAGE_SCHEME, browserLocalStorage } from './local-storage.js';

const after = (url: string, scheme: string): string | null => (url.toLowerCase().startsWith(scheme) ? url.slice(scheme.length) : null);

registerSaveRouter((url) => { const n = after(url, INDEXEDDB_SCHEME); return n === null ? null : browserIndexedDB(n); }, { label: 'indexeddb://name' });
registerLoadRouter((url, opts) => { const n = after(url, INDEXEDDB_SCHEME); return n === null ? null : browserIndexedDB(n, opts); }, { label: 'indexeddb://name' });
registerSaveRouter((url) => { const n = after(url, LOCALSTORAGE_SCHEME); return n === null ? null : browserLocalStorage(n); }, { label: 'localstorage://name' });
registerLoadRouter((url, opts) => { const n = after(url, LOCALSTORAGE_SCHEME); return n === null ? null : browserLocalStorage(n, opts); }, { label: 'localstorage://name' });
registerSaveRouter((url) => { const n = after(url, DOWNLOADS_SCHEME); return n === null ? null : browserDownloads(n || undefined); }, { label: 'downloads://prefix (save)' });
// 'downloads://name.onnx' / 'downloads://name.keras': one download of that format, as Node writes it to a path.
for (const { ext, what, encode } of SINGLE_FILE_FORMATS) {
  registerSaveRouter((url) => {
    const name = after(url, DOWNLOADS_SCHEME);
    if (name === null || !name.toLowerCase().endsWith(ext)) return null;
    return singleFileSaver(encode, async (bytes) => {
      if (typeof document === 'undefined') throw new ModelFileError(`${url}: downloads need a browser page (document is not defined here)`);
      await download(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }), name.slice(name.lastIndexOf('/') + 1));
      return url;
    });
  }, { priority: ROUTER_PRIORITY.extension, label: `downloads://name${ext} (save: ${what})` });
}
