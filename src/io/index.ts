// st.io in Node: model files in the TensorFlow.js layers format, and where they are stored
// (common.ts holds what the browser build has too; index.browser.ts adds the browser storages).
export * from './common.js';
export { fileSystem } from './handlers.js';
