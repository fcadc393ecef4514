// st.io in the browser build: the platform-neutral io (common.ts) and the browser storages.
export * from './common.js';
export { browserIndexedDB } from './browser/indexed-db.js';
export { browserLocalStorage } from './browser/local-storage.js';
export { browserDownloads, browserFiles } from './browser/files.js';
export { setHdf5WorkerUrl } from './keras/h5-run-browser.js';
