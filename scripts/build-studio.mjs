#!/usr/bin/env node
// Builds Strata Studio's page (studio/page) into dist/studio/page with esbuild: one app.js with the
// graph editor (drawflow) and charts (uPlot) bundled in, one app.css, and index.html. Nothing is
// fetched when the page runs. Part of `npm run build`.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'studio', 'page');
const out = join(root, 'dist', 'studio', 'page');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: join(src, 'app.ts') },
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2020',
  outdir: out,
  logLevel: 'warning',
  legalComments: 'linked',
});
copyFileSync(join(src, 'index.html'), join(out, 'index.html'));
