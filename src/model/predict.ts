import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/tape.js';
import type { Model } from './model.js';
import { type TensorOrList, asList, concatRows, sampleCount, sliceRows } from './data.js';
import { keepStorage, withStepBuffers } from '../tensor/buffer-pool.js';
import { forwardRecycles } from './step-buffers.js';

/**
 * Runs the model in inference mode over x in batches (default 32), joining the results. A model made
 * only of library code recycles the large intermediate arrays of the call (tensor/buffer-pool.ts); the
 * results it returns are kept.
 */
export function predictLoop(model: Model, x: TensorOrList, batchSize = 32): Tensor[] {
  return withStepBuffers(forwardRecycles(model), () => {
    const outs = predictBatches(model, x, batchSize);
    for (const t of outs) keepStorage(t.values);
    return outs;
  });
}

function predictBatches(model: Model, x: TensorOrList, batchSize: number): Tensor[] {
  const where = `${model.describe()}.predict`;
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new ConfigError(`${where}: batchSize must be a positive integer, got ${batchSize}`);
  const xs = asList(x, model.inputNames, 'x', where);
  const n = sampleCount([xs], where);
  const parts: Tensor[][] = [];
  noGrad(() => {
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize);
      const batch = n <= batchSize ? xs : xs.map((t) => sliceRows(t, start, end));
      parts.push(model.forward(batch, { training: false }));
    }
  });
  if (!parts.length) return model.forward(xs, { training: false });
  return parts[0].map((_, o) => (parts.length === 1 ? parts[0][o] : concatRows(parts.map((p) => p[o]))));
}
