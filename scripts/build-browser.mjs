#!/usr/bin/env node
// The browser build, after tsc: dist/index.browser.js (tsc output, the `browser` condition of
// package.json `exports`, for bundlers that resolve and tree-shake Strata's dependencies themselves)
// and dist/strata.browser.js, one self-contained ES module (esbuild, minified) for a plain
// <script type="module"> with no bundler: the tsc output alone would be hundreds of requests and
// bare imports (papaparse, protobufjs) that a browser cannot resolve. Bundling for the browser
// platform also checks that the browser entry reaches no `node:` module: esbuild fails on one.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// dist/kernels/wasm/browser-load.js finds the package's wasm/strata.wasm three folders up; the bundle
// sits in dist/, one folder below the package root, so its URL is rewritten here.
const WASM_URL_IN_DIST = "'../../../wasm/strata.wasm'";
const wasmUrlForBundle = {
  name: 'strata-wasm-url',
  setup(b) {
    b.onLoad({ filter: /[\\/]kernels[\\/]wasm[\\/]browser-load\.js$/ }, async (args) => {
      const code = await readFile(args.path, 'utf8');
      if (!code.includes(WASM_URL_IN_DIST)) throw new Error(`${args.path} no longer holds ${WASM_URL_IN_DIST}; update scripts/build-browser.mjs`);
      return { contents: code.replace(WASM_URL_IN_DIST, "'../wasm/strata.wasm'"), loader: 'js' };
    });
  },
};

await build({
  entryPoints: [join(root, 'dist', 'index.browser.js')],
  outfile: join(root, 'dist', 'strata.browser.js'),
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  minify: true,
  // Class names survive minification: error names (ModelFileError, ShapeError) are part of the API.
  keepNames: true,
  sourcemap: true,
  logLevel: 'warning',
  plugins: [wasmUrlForBundle],
});
