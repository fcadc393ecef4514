import { ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { valueAndGrads, noGrad } from '../autograd/tape.js';
import { add, div, mul, reshape, sum, mean, cast } from '../ops/index.js';
import type { Logs } from '../callbacks/callback.js';
import type { Model } from './model.js';
import type { Variable } from '../autograd/variable.js';
import type { Compiled } from './compile.js';
import { withStepBuffers } from '../tensor/buffer-pool.js';
import { recyclesStepBuffers } from './step-buffers.js';

/** sum(losses · w) / count(losses), Keras' 'sum_over_batch_size' reduction with sample weights. */
function reduceLoss(perSample: Tensor, sampleWeight: Tensor | null): Tensor {
  if (!sampleWeight) return mean(perSample);
  const w = reshape(sampleWeight, [sampleWeight.size, ...perSample.shape.slice(1).map(() => 1)]);
  return div(sum(mul(perSample, w.dtype === perSample.dtype ? w : cast(w, perSample.dtype))), perSample.size);
}

/** The weighted total loss of a batch, per-output losses, and the predictions (in training mode or not). */
export function computeLoss(model: Model, c: Compiled, xs: Tensor[], ys: Tensor[], sw: Tensor | null, training: boolean):
  { total: Tensor; perOutput: Tensor[]; preds: Tensor[] } {
  const preds = model.forward(xs, { training });
  if (ys.length !== preds.length) {
    throw new ShapeError(`${model.describe()}: got ${ys.length} target tensor(s) for ${preds.length} output(s) (${model.outputNames.join(', ')})`);
  }
  const perOutput = preds.map((p, o) => {
    const y = ys[o];
    if (y.shape[0] !== p.shape[0]) {
      throw new ShapeError(`${model.describe()}: output '${model.outputNames[o]}' gives ${fmtShape(p.shape)} but its targets are ${fmtShape(y.shape)}`);
    }
    return reduceLoss(c.losses[o](y, p), sw);
  });
  let total = perOutput.reduce((acc: Tensor | null, l, o) => {
    const term = c.lossWeights[o] === 1 ? l : mul(l, c.lossWeights[o]);
    return acc ? add(acc, term) : term;
  }, null)!;
  if (training) for (const r of model.regularizationLosses()) total = add(total, r);
  return { total, perOutput, preds };
}

/**
 * One optimizer step on a batch; updates the compiled metrics and returns the batch logs. When the
 * step runs only library code, its large arrays are recycled for the next step (tensor/buffer-pool.ts):
 * the logs are numbers, and all else the step keeps is a Variable's storage.
 */
export function trainStep(model: Model, c: Compiled, xs: Tensor[], ys: Tensor[], sw: Tensor | null): Logs {
  return trainStepOn(model, c, () => ({ xs, ys, sw }));
}

/**
 * trainStep on a batch that `batch` makes inside the step (fit's copies of shuffled rows): those
 * arrays are the step's own, so they are recycled with its other arrays instead of lying dead until
 * V8 collects them (a W3 batch is 200 KB a step). Only for batches nothing outside the step can read.
 */
export function trainStepOn(model: Model, c: Compiled, batch: () => { xs: Tensor[]; ys: Tensor[]; sw: Tensor | null }): Logs {
  return withStepBuffers(recyclesStepBuffers(model, c), () => {
    const { xs, ys, sw } = batch();
    return runTrainStep(model, c, xs, ys, sw);
  });
}

function runTrainStep(model: Model, c: Compiled, xs: Tensor[], ys: Tensor[], sw: Tensor | null): Logs {
  const weights = compiledTrainableWeights(model, c, xs);
  let parts!: { total: Tensor; perOutput: Tensor[]; preds: Tensor[] };
  const { grads } = valueAndGrads(() => {
    parts = computeLoss(model, c, xs, ys, sw, true);
    return parts.total;
  }, weights);
  noGrad(() => {
    c.optimizer.apply(grads, weights);
    model.applyConstraints();
  });
  return updateMetrics(model, c, parts, ys, sw);
}

/**
 * The variables trainable when compile ran, as Keras: flags changed later need a new compile. A
 * model compiled before it was built takes them when the first batch builds it.
 */
function compiledTrainableWeights(model: Model, c: Compiled, xs: Tensor[]): Variable[] {
  if (!c.trainableWeights) {
    if (!model.built) {
      const shapes = xs.map((x) => [null, ...x.shape.slice(1)]);
      model.build(shapes.length === 1 ? shapes[0] : shapes);
      model.built = true;
    }
    c.trainableWeights = model.trainableWeights;
  }
  return c.trainableWeights;
}

/** Loss and metrics of a batch without training (evaluate, validation). */
export function testStep(model: Model, c: Compiled, xs: Tensor[], ys: Tensor[], sw: Tensor | null): Logs {
  const parts = noGrad(() => computeLoss(model, c, xs, ys, sw, false));
  return updateMetrics(model, c, parts, ys, sw);
}

function updateMetrics(model: Model, c: Compiled, parts: { total: Tensor; perOutput: Tensor[]; preds: Tensor[] }, ys: Tensor[], sw: Tensor | null): Logs {
  const logs: Logs = { loss: parts.total.values[0] };
  if (parts.perOutput.length > 1) parts.perOutput.forEach((l, o) => (logs[`${model.outputNames[o]}_loss`] = l.values[0]));
  noGrad(() => c.metrics.forEach((ms, o) => ms.forEach((m, j) => {
    m.updateState(ys[o], parts.preds[o], sw);
    logs[c.metricKeys[o][j]] = m.result();
  })));
  return logs;
}
