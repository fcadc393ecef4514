import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeAddon } from '../native/addon.js';
import { instantiateWasmAddon } from './module.js';

/** The committed module, relative to the package root (built by scripts/build-wasm.mjs). */
const WASM_PATH = join('wasm', 'strata.wasm');

function findWasmFile(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, WASM_PATH);
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

export type WasmLoad = { addon: NativeAddon; path: string } | { addon: null; reason: string };

let loaded: WasmLoad | undefined;

/** Loads wasm/strata.wasm once in Node (STRATA_DISABLE_WASM=1 refuses, for tests of the js fallback). */
export function loadWasmNode(): WasmLoad {
  if (loaded) return loaded;
  if (process.env.STRATA_DISABLE_WASM === '1') return (loaded = { addon: null, reason: 'disabled by STRATA_DISABLE_WASM=1' });
  const path = findWasmFile();
  if (!path) return (loaded = { addon: null, reason: `${WASM_PATH} not found` });
  try {
    loaded = { addon: instantiateWasmAddon(readFileSync(path)), path };
  } catch (e) {
    loaded = { addon: null, reason: `wasm backend failed to load: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}` };
  }
  return loaded;
}
