/**
 * TensorFlow.js's side of every item, on its 'cpu' or 'wasm' backend, for any build of it: the Node
 * bench passes the CommonJS package (bench/peers/tfjs.ts), the Chromium page the `tf` global of its
 * script bundles (bench/browser/page.ts). The same models (from the shared layer lists), the same
 * data, the same step (trainOnBatch with Adam 1e-3, predictOnBatch, one op) as Strata's. Tensors a
 * step creates are disposed in the step, as a TensorFlow.js user must. No `node:` import here.
 */
import type * as TF from '@tensorflow/tfjs';
import { CONV_FORWARD, type Item, type ModelId } from '../workloads/catalog.js';
import { MODELS, batchFor, randomRaw, type RawTensor } from '../workloads/models.js';
import type { Built } from '../workloads/strata-steps.js';

export type TfjsBackend = 'cpu' | 'wasm';

/**
 * Why a cell is not timed by default, or null: tfjs-cpu's W5 training takes minutes a step
 * (measured 2026-11: 0.07–0.1 samples/s), more than a whole run's budget; `slow` times it anyway.
 */
export function tfjsSkipReason(backend: TfjsBackend, item: Item, slow: boolean): string | null {
  if (backend === 'cpu' && item.workload === 'W5' && item.kind.type === 'train' && !slow) {
    return 'tfjs-cpu W5 training: skipped, one step takes minutes (about 0.1 samples/s); --slow includes it';
  }
  return null;
}

function tensorOf(tf: typeof TF, raw: RawTensor): TF.Tensor {
  return tf.tensor(raw.values, raw.shape, raw.dtype);
}

export function tfjsModel(tf: typeof TF, model: ModelId): TF.Sequential {
  const spec = MODELS[model];
  const factories = tf.layers as unknown as Record<string, (o: Record<string, unknown>) => TF.layers.Layer>;
  const m = tf.sequential({ layers: spec.layers.map((l) => factories[l.factory](l.options)) });
  m.compile({ optimizer: tf.train.adam(1e-3), loss: spec.loss });
  return m;
}

/**
 * The step of an item on TensorFlow.js; call after `tf.setBackend` so the tensors live there.
 * `dispose` frees the model, optimizer state and data afterwards (TensorFlow.js does not collect them).
 */
export function tfjsStep(tf: typeof TF, item: Item): Built {
  const kept: TF.Tensor[] = [];
  const keep = <T extends TF.Tensor>(t: T): T => (kept.push(t), t);
  const disposeAll = (model?: TF.Sequential) => () => {
    tf.dispose(kept);
    model?.optimizer?.dispose();
    model?.dispose();
  };
  const kind = item.kind;
  switch (kind.type) {
    case 'matmul': {
      const a = keep(tensorOf(tf, randomRaw([kind.n, kind.n], 1, true))), b = keep(tensorOf(tf, randomRaw([kind.n, kind.n], 2, true)));
      const step = () => {
        const y = tf.matMul(a as TF.Tensor2D, b as TF.Tensor2D);
        y.dataSync();
        y.dispose();
      };
      return { step, dispose: disposeAll() };
    }
    case 'conv-forward': {
      const [, , , cin] = CONV_FORWARD.input;
      const x = keep(tensorOf(tf, randomRaw([...CONV_FORWARD.input], 1, true)) as TF.Tensor4D);
      const w = keep(tensorOf(tf, randomRaw([CONV_FORWARD.kernel, CONV_FORWARD.kernel, cin, CONV_FORWARD.filters], 2, true)) as TF.Tensor4D);
      const step = () => {
        const y = tf.conv2d(x, w, 1, 'same');
        y.dataSync();
        y.dispose();
      };
      return { step, dispose: disposeAll() };
    }
    case 'train': {
      const model = tfjsModel(tf, kind.model);
      const { x, y } = batchFor(kind.model);
      const xs = keep(tensorOf(tf, x)), ys = keep(tensorOf(tf, y));
      // trainOnBatch reads the loss back, so the step has finished when it resolves.
      return { step: async () => { await model.trainOnBatch(xs, ys); }, dispose: disposeAll(model) };
    }
    case 'infer': {
      const model = tfjsModel(tf, kind.model);
      const xs = keep(tensorOf(tf, batchFor(kind.model, kind.batch).x));
      const step = () => {
        const y = model.predictOnBatch(xs) as TF.Tensor;
        y.dataSync();
        y.dispose();
      };
      return { step, dispose: disposeAll(model) };
    }
  }
}

/** "n/a (missing kernel X)" for a kernel the backend lacks, else the error's first line. */
export function describeFailure(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const kernel = /Kernel '([^']+)' not registered/.exec(msg);
  return kernel ? `missing kernel ${kernel[1]}` : msg.split('\n')[0].slice(0, 120);
}
