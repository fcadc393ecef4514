/**
 * TensorFlow.js in Node: loads the CommonJS builds of @tensorflow/tfjs and its wasm backend. The
 * steps themselves are shared with the Chromium bench (tfjs-steps.ts).
 */
import { createRequire } from 'node:module';
import type * as TF from '@tensorflow/tfjs';
import type { TfjsBackend } from './tfjs-steps.js';

export { describeFailure, tfjsModel, tfjsSkipReason, tfjsStep, type TfjsBackend } from './tfjs-steps.js';

export interface Tfjs {
  tf: typeof TF;
  version: string;
  /** Backends that loaded; a missing one is reported with its reason. */
  backends: Partial<Record<TfjsBackend, true>>;
  unavailable: Partial<Record<TfjsBackend, string>>;
}

const require = createRequire(import.meta.url);

/** Loads TensorFlow.js and its wasm backend (CommonJS builds, so Node resolves them without a bundler). */
export async function loadTfjs(): Promise<Tfjs> {
  const tf = require('@tensorflow/tfjs') as typeof TF;
  // Production mode skips debug checks and silences the "install tfjs-node" hint.
  tf.enableProdMode();
  const out: Tfjs = { tf, version: tf.version.tfjs, backends: {}, unavailable: {} };
  try {
    require('@tensorflow/tfjs-backend-wasm');
  } catch (e) {
    out.unavailable.wasm = `@tensorflow/tfjs-backend-wasm failed to load: ${(e as Error).message.split('\n')[0]}`;
  }
  for (const b of ['cpu', 'wasm'] as const) {
    if (out.unavailable[b]) continue;
    if (await tf.setBackend(b)) out.backends[b] = true;
    else out.unavailable[b] ??= `tf.setBackend('${b}') failed`;
  }
  return out;
}
