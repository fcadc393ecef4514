/**
 * Strata in the browser (package.json `exports` condition `browser`): the same API as in Node over
 * the platform-neutral core (core.ts), with no `node:` import anywhere in its module graph. Model
 * files go to 'indexeddb://name', 'localstorage://name', 'downloads://name', come from http(s) URLs
 * and from `st.io.browserFiles(files)`; `st.browser.fromPixels` / `toPixels` move images in and out.
 * Node-only parts are absent here: st.node, the dataset loaders (st.datasets.mnist, ...), the folder
 * and image-file readers of st.data, CSVLogger and TensorBoard callbacks, st.io.fileSystem.
 * @example
 * <script type="module">
 *   import * as st from './node_modules/strata/dist/strata.browser.js';
 *   const model = await st.loadLayersModel('indexeddb://my-model');
 * </script>
 */
// Browser storages for model files (indexeddb://, localstorage://, downloads://).
import './io/browser/register.js';
import { loadDefaultWasm } from './kernels/wasm/browser-load.js';

// The wasm kernels (the same C++ as the native addon) load in the background; `await st.ready()` waits.
loadDefaultWasm();
export { setWasmPaths } from './kernels/wasm/browser-load.js';

export * from './core.js';
export * as callbacks from './callbacks/common.js';
export * as io from './io/index.browser.js';
export * as datasets from './datasets/common.js';
export * as data from './data/common.js';
export * as browser from './browser/index.js';
