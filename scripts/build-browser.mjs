#!/usr/bin/env node
// The browser build, after tsc: dist/index.browser.js (tsc output, the `browser` condition of
// package.json `exports`, for bundlers that resolve and tree-shake Strata's dependencies themselves)
// and dist/strata.browser.js, one self-contained ES module (esbuild, minified) for a plain
// <script type="module"> with no bundler: the tsc output alone would be hundreds of requests and
// bare imports (papaparse, protobufjs) that a browser cannot resolve. Bundling for the browser
// platform also checks that the browser entry reaches no `node:` module: esbuild fails on one.
// h5wasm (the HDF5 C library in wasm, ~4 MB with its wasm inlined) is kept out of the main file:
// dist/h5wasm.browser.js, imported on first use by dist/h5-worker.browser.js (the Web Worker that
// reads Keras .h5 files) and by the page when it writes one (model.save('downloads://m.keras')).
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// dist/kernels/wasm/browser-load.js finds the package's wasm/ files (strata[-relaxed][-threads].wasm)
// three folders up; the bundle sits in dist/, one folder below the package root, so their URLs are
// rewritten here.
const WASM_URL_IN_DIST = /'\.\.\/\.\.\/\.\.\/wasm\/(strata[\w-]*\.wasm)'/g;
const wasmUrlForBundle = {
  name: 'strata-wasm-url',
  setup(b) {
    b.onLoad({ filter: /[\\/]kernels[\\/]wasm[\\/]browser-load\.js$/ }, async (args) => {
      const code = await readFile(args.path, 'utf8');
      const urls = code.match(WASM_URL_IN_DIST) ?? [];
      if (urls.length !== 4) throw new Error(`${args.path}: expected the four '../../../wasm/*.wasm' URLs, found ${urls.length}; update scripts/build-browser.mjs`);
      return { contents: code.replace(WASM_URL_IN_DIST, "'../wasm/$1'"), loader: 'js' };
    });
  },
};

/** `import('h5wasm')` becomes `import('./h5wasm.browser.js')`, the file beside the bundle. */
const h5wasmBeside = {
  name: 'h5wasm-beside',
  setup(b) {
    b.onResolve({ filter: /^h5wasm$/ }, () => ({ path: './h5wasm.browser.js', external: true }));
  },
};
const common = {
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  minify: true,
  // Class names survive minification: error names (ModelFileError, ShapeError) are part of the API.
  keepNames: true,
  sourcemap: true,
  logLevel: 'warning',
};
await build({ ...common, entryPoints: [join(root, 'dist', 'index.browser.js')], outfile: join(root, 'dist', 'strata.browser.js'), plugins: [h5wasmBeside, wasmUrlForBundle] });
// The worker: new URL('./h5-worker.browser.js', import.meta.url) from strata.browser.js finds it.
await build({ ...common, entryPoints: [join(root, 'dist', 'io', 'keras', 'h5-worker.browser.js')], outfile: join(root, 'dist', 'h5-worker.browser.js'), plugins: [h5wasmBeside] });
await build({ ...common, entryPoints: [join(root, 'node_modules', 'h5wasm', 'dist', 'esm', 'hdf5_hl.js')], outfile: join(root, 'dist', 'h5wasm.browser.js'), sourcemap: false, charset: 'utf8' });
