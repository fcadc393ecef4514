/**
 * Strata's side of every item: builds the model or operands once and returns the step the harness
 * times. The active backend (native or js) is whatever `st.setBackend` chose before the call.
 */
import * as st from '../../src/index.js';
import { CONV_FORWARD, type Item, type ModelId } from './catalog.js';
import { batchFor, modelSpec, randomRaw, type RawTensor } from './models.js';

/** One timed unit of work; the harness awaits it, so peers with async steps fit too. */
export type Step = () => void | Promise<void>;

/** A step and what frees its operands afterwards (nothing for Strata: the garbage collector does). */
export interface Built {
  step: Step;
  dispose?: () => void;
}

export function strataTensor(raw: RawTensor): st.Tensor {
  return st.tensor(raw.values, raw.shape, raw.dtype);
}

/** A compiled Strata model of the catalog (Adam, learning rate 1e-3), its weights seeded; W5 `sequence` long. */
export function strataModel(model: ModelId, seed = 7, sequence?: number): st.Sequential {
  st.setSeed(seed);
  const spec = modelSpec(model, sequence);
  const factories = st.layers as unknown as Record<string, (o: Record<string, unknown>) => st.layers.Layer>;
  const m = st.sequential({ layers: spec.layers.map((l) => factories[l.factory](l.options)) });
  m.compile({ optimizer: st.optimizers.adam({ learningRate: 1e-3 }), loss: spec.loss });
  return m;
}

/** The step of an item on Strata: a full trainOnBatch, a predictOnBatch, or one op. */
export function strataStep(item: Item): Built {
  const kind = item.kind;
  switch (kind.type) {
    case 'matmul': {
      const a = strataTensor(randomRaw([kind.n, kind.n], 1, true)), b = strataTensor(randomRaw([kind.n, kind.n], 2, true));
      return { step: () => { st.matmul(a, b); } };
    }
    case 'conv-forward': {
      const [, , , cin] = CONV_FORWARD.input;
      const x = strataTensor(randomRaw([...CONV_FORWARD.input], 1, true));
      const w = strataTensor(randomRaw([CONV_FORWARD.kernel, CONV_FORWARD.kernel, cin, CONV_FORWARD.filters], 2, true));
      return { step: () => { st.conv2d(x, w, 1, 'same'); } };
    }
    case 'train': {
      const model = strataModel(kind.model, 7, kind.sequence);
      const { x, y } = batchFor(kind.model, kind.batch, 1, kind.sequence);
      const xs = strataTensor(x), ys = strataTensor(y);
      return { step: () => { model.trainOnBatch(xs, ys); } };
    }
    case 'infer': {
      const model = strataModel(kind.model);
      const xs = strataTensor(batchFor(kind.model, kind.batch).x);
      return { step: () => { model.predictOnBatch(xs); } };
    }
  }
}
