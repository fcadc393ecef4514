/**
 * Strata's side of every item, for any build of the library: the Node bench passes the Node entry
 * (bench/workloads/strata.ts), the Chromium page the browser bundle (bench/browser/page.ts), so both
 * benchmarks build the very same models and steps. The active backend is whatever `st.setBackend`
 * chose before the call. Nothing here imports a `node:` module or the library itself.
 */
import type * as Core from '../../src/core.js';
import { CONV_FORWARD, type Item, type ModelId } from './catalog.js';
import { batchFor, modelSpec, randomRaw, type RawTensor } from './models.js';

/** The part of Strata's API the steps use: what the Node and browser entries both export. */
export type StrataApi = typeof Core;

/** One timed unit of work; the harness awaits it, so peers with async steps fit too. */
export type Step = () => void | Promise<void>;

/** A step and what frees its operands afterwards (nothing for Strata: the garbage collector does). */
export interface Built {
  step: Step;
  dispose?: () => void;
}

export function strataTensorWith(st: StrataApi, raw: RawTensor): Core.Tensor {
  return st.tensor(raw.values, raw.shape, raw.dtype);
}

/** A compiled Strata model of the catalog (Adam, learning rate 1e-3), its weights seeded; W5 `sequence` long. */
export function strataModelWith(st: StrataApi, model: ModelId, seed = 7, sequence?: number): Core.Sequential {
  st.setSeed(seed);
  const spec = modelSpec(model, sequence);
  const factories = st.layers as unknown as Record<string, (o: Record<string, unknown>) => Core.layers.Layer>;
  const m = st.sequential({ layers: spec.layers.map((l) => factories[l.factory](l.options)) });
  m.compile({ optimizer: st.optimizers.adam({ learningRate: 1e-3 }), loss: spec.loss });
  return m;
}

/** The step of an item on Strata: a full trainOnBatch, a predictOnBatch, or one op. */
export function strataStepWith(st: StrataApi, item: Item): Built {
  const kind = item.kind;
  const tensor = (raw: RawTensor) => strataTensorWith(st, raw);
  switch (kind.type) {
    case 'matmul': {
      const a = tensor(randomRaw([kind.n, kind.n], 1, true)), b = tensor(randomRaw([kind.n, kind.n], 2, true));
      return { step: () => { st.matmul(a, b); } };
    }
    case 'conv-forward': {
      const [, , , cin] = CONV_FORWARD.input;
      const x = tensor(randomRaw([...CONV_FORWARD.input], 1, true));
      const w = tensor(randomRaw([CONV_FORWARD.kernel, CONV_FORWARD.kernel, cin, CONV_FORWARD.filters], 2, true));
      return { step: () => { st.conv2d(x, w, 1, 'same'); } };
    }
    case 'train': {
      const model = strataModelWith(st, kind.model, 7, kind.sequence);
      const { x, y } = batchFor(kind.model, kind.batch, 1, kind.sequence);
      const xs = tensor(x), ys = tensor(y);
      return { step: () => { model.trainOnBatch(xs, ys); } };
    }
    case 'infer': {
      const model = strataModelWith(st, kind.model);
      const xs = tensor(batchFor(kind.model, kind.batch).x);
      return { step: () => { model.predictOnBatch(xs); } };
    }
  }
}
