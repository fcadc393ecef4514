/** Side effect of the browser entry: the save and load routers of the browser storages. */
import { registerLoadRouter, registerSaveRouter } from '../router.js';
import { DOWNLOADS_SCHEME, browserDownloads } from './files.js';
import { INDEXEDDB_SCHEME, browserIndexedDB } from './indexed-db.js';
import { LOCALSTORAGE_SCHEME, browserLocalStorage } from './local-storage.js';

const after = (url: string, scheme: string): string | null => (url.toLowerCase().startsWith(scheme) ? url.slice(scheme.length) : null);

registerSaveRouter((url) => { const n = after(url, INDEXEDDB_SCHEME); return n === null ? null : browserIndexedDB(n); }, { label: 'indexeddb://name' });
registerLoadRouter((url, opts) => { const n = after(url, INDEXEDDB_SCHEME); return n === null ? null : browserIndexedDB(n, opts); }, { label: 'indexeddb://name' });
registerSaveRouter((url) => { const n = after(url, LOCALSTORAGE_SCHEME); return n === null ? null : browserLocalStorage(n); }, { label: 'localstorage://name' });
registerLoadRouter((url, opts) => { const n = after(url, LOCALSTORAGE_SCHEME); return n === null ? null : browserLocalStorage(n, opts); }, { label: 'localstorage://name' });
registerSaveRouter((url) => { const n = after(url, DOWNLOADS_SCHEME); return n === null ? null : browserDownloads(n || undefined); }, { label: 'downloads://prefix (save)' });
