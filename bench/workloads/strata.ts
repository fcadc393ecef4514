/**
 * Strata's side of every item in Node: the shared steps (strata-steps.ts) over the Node entry. The
 * active backend (native, wasm or js) is whatever `st.setBackend` chose before the call.
 */
import * as st from '../../src/index.js';
import type { Item, ModelId } from './catalog.js';
import type { RawTensor } from './models.js';
import { strataModelWith, strataStepWith, strataTensorWith, type Built } from './strata-steps.js';

export type { Built, Step } from './strata-steps.js';

export function strataTensor(raw: RawTensor): st.Tensor {
  return strataTensorWith(st, raw);
}

/** A compiled Strata model of the catalog (Adam, learning rate 1e-3), its weights seeded; W5 `sequence` long. */
export function strataModel(model: ModelId, seed = 7, sequence?: number): st.Sequential {
  return strataModelWith(st, model, seed, sequence);
}

/** The step of an item on Strata: a full trainOnBatch, a predictOnBatch, or one op. */
export function strataStep(item: Item): Built {
  return strataStepWith(st, item);
}
