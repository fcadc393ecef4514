import { ConfigError, ShapeError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { randomFor, setSeed } from '../tensor/random.js';
import { type CallbackHooks, Callback, CallbackList, History, type Logs, withLogAliases } from '../callbacks/callback.js';
import { TerminateOnNaN } from '../callbacks/builtin.js';
import type { Model } from './model.js';
import type { Compiled } from './compile.js';
import { trainStep, trainStepOn, testStep } from './train-step.js';
import { type BatchSource, type TensorOrList, asList, isBatchSource, readBatch, sampleCount, sliceRows, takeRows } from './data.js';
import { ProgressLogger } from './progress.js';

/** Options of `model.fit`. */
export interface FitOptions {
  /** Samples per gradient step (default 32). */
  batchSize?: number;
  /** Epochs to train to (default 1); with initialEpoch, training runs epochs initialEpoch..epochs−1. */
  epochs?: number;
  initialEpoch?: number;
  /** Shuffle the samples each epoch (default true); seeded by `seed` or st.setSeed. */
  shuffle?: boolean;
  /** Fixes the shuffling and every random draw during fit (dropout masks, noise); reseeds st.setSeed's generator. */
  seed?: number;
  /** Fraction of the samples, taken from the end before shuffling, held out for validation. */
  validationSplit?: number;
  /** Validation data: [x, y], [x, y, sampleWeight], { xs, ys } or a batch source. */
  validationData?: [TensorOrList, TensorOrList, Tensor?] | { xs: TensorOrList; ys: TensorOrList } | BatchSource;
  /** Weight of each class in the loss, by class index (integer labels or argmax of one-hot labels). */
  classWeight?: Record<number, number>;
  /** Weight of each sample in the loss, shape [samples]. */
  sampleWeight?: Tensor;
  /**
   * A callback, a TF.js callbacks object `{ onTrainBegin, onEpochEnd, onBatchEnd, onYield, ... }`
   * (sync or async functions, awaited), or a list of either.
   */
  callbacks?: Callback | CallbackHooks | (Callback | CallbackHooks)[];
  /**
   * When training yields to the event loop, as TF.js: 'auto' (default: after every batch, onYield at
   * most every 125 ms), a number of milliseconds (yield and onYield at most that often), 'batch',
   * 'epoch' or 'never'.
   */
  yieldEvery?: YieldEvery;
  /** 0 silent, 1 progress bar (one line per epoch off a terminal), 2 one line per epoch. Default 1. */
  verbose?: 0 | 1 | 2;
}

/** TF.js's `yieldEvery` choices. */
export type YieldEvery = 'auto' | 'batch' | 'epoch' | 'never' | number;

const HOOKS = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd', 'onYield'] as const;

/** fit's callbacks option as a list, checked: every hook a plain object gives must be a function. */
function callbackList(cbs: FitOptions['callbacks'], where: string): (Callback | CallbackHooks)[] {
  if (cbs === undefined || cbs === null) return [];
  const list = Array.isArray(cbs) ? cbs : [cbs];
  list.forEach((cb, i) => {
    if (!cb || typeof cb !== 'object') {
      throw new ConfigError(`${where}: callbacks[${i}] must be a callback or an object of hooks such as { onEpochEnd: (epoch, logs) => ... }, got ${String(cb)}`);
    }
    for (const h of HOOKS) {
      const f = (cb as Record<string, unknown>)[h];
      if (f !== undefined && typeof f !== 'function') throw new ConfigError(`${where}: callbacks[${i}].${h} must be a function, got ${typeof f}`);
    }
  });
  return list;
}

// Node: setImmediate. Browsers have none; a MessageChannel message is a macrotask too, without the
// 4 ms clamp that nested setTimeout(0) gets.
const nextTurn = (): Promise<void> => new Promise<void>((r) => {
  if (typeof setImmediate === 'function') return void setImmediate(r);
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    channel.port1.close();
    r();
  };
  channel.port2.postMessage(null);
});

/** Per-sample weights: sampleWeight × classWeight[label of the first output]. */
function weightsFor(y: Tensor, rows: Int32Array | null, start: number, end: number, opts: FitOptions): Tensor | null {
  if (!opts.sampleWeight && !opts.classWeight) return null;
  const n = end - start;
  const w = new Float32Array(n).fill(1);
  if (opts.sampleWeight) for (let i = 0; i < n; i++) w[i] = opts.sampleWeight.values[rows ? rows[start + i] : start + i];
  if (opts.classWeight) {
    const width = y.size / y.shape[0];
    for (let i = 0; i < n; i++) {
      const r = rows ? rows[start + i] : start + i;
      let label = 0;
      if (width === 1) label = Math.round(y.values[r]);
      else for (let k = 1; k < width; k++) if (y.values[r * width + k] > y.values[r * width + label]) label = k;
      w[i] *= opts.classWeight[label] ?? 1;
    }
  }
  return new Tensor(w, [n]);
}

/** Runs the training loop of `model.fit` (see FitOptions). */
export async function fitLoop(model: Model & { stopTraining: boolean }, c: Compiled, x: TensorOrList | BatchSource, y: TensorOrList | undefined, opts: FitOptions = {}): Promise<History> {
  const where = `${model.describe()}.fit`;
  const batchSize = opts.batchSize ?? 32;
  const epochs = opts.epochs ?? 1;
  const initialEpoch = opts.initialEpoch ?? 0;
  const verbose = opts.verbose ?? 1;
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new ConfigError(`${where}: batchSize must be a positive integer, got ${opts.batchSize}`);
  if (!Number.isInteger(epochs) || epochs < 0) throw new ConfigError(`${where}: epochs must be a non-negative integer, got ${opts.epochs}`);
  const split = opts.validationSplit ?? 0;
  if (!(split >= 0 && split < 1)) throw new ConfigError(`${where}: validationSplit must be in [0, 1), got ${split}`);

  let train: { xs: Tensor[]; ys: Tensor[]; n: number } | null = null;
  let val: { xs: Tensor[]; ys: Tensor[]; sw: Tensor | null } | BatchSource | null = null;
  if (isBatchSource(x)) {
    if (split) throw new ConfigError(`${where}: validationSplit needs tensors; with a dataset pass validationData`);
  } else {
    const xs = asList(x, model.inputNames, 'x', where);
    const ys = asList(y, model.outputNames, 'y', where);
    let n = sampleCount([xs, ys], where);
    if (opts.sampleWeight && opts.sampleWeight.shape[0] !== n) {
      throw new ShapeError(`${where}: sampleWeight has ${opts.sampleWeight.shape[0]} entries for ${n} samples`);
    }
    if (split) {
      const nVal = Math.floor(n * split);
      if (nVal === 0 || nVal === n) throw new ConfigError(`${where}: validationSplit ${split} of ${n} samples leaves an empty set`);
      val = { xs: xs.map((t) => sliceRows(t, n - nVal, n)), ys: ys.map((t) => sliceRows(t, n - nVal, n)), sw: null };
      n -= nVal;
      train = { xs: xs.map((t) => sliceRows(t, 0, n)), ys: ys.map((t) => sliceRows(t, 0, n)), n };
    } else {
      train = { xs, ys, n };
    }
  }
  if (opts.validationData) {
    const v = opts.validationData;
    if (isBatchSource(v)) val = v;
    else if (Array.isArray(v)) val = { xs: asList(v[0], model.inputNames, 'validation x', where), ys: asList(v[1], model.outputNames, 'validation y', where), sw: v[2] ?? null };
    else val = { xs: asList(v.xs, model.inputNames, 'validation xs', where), ys: asList(v.ys, model.outputNames, 'validation ys', where), sw: null };
  }

  const yieldEvery = opts.yieldEvery ?? 'auto';
  if (!(['auto', 'batch', 'epoch', 'never'].includes(yieldEvery as string) || (typeof yieldEvery === 'number' && yieldEvery >= 0))) {
    throw new ConfigError(`${where}: yieldEvery must be 'auto', 'batch', 'epoch', 'never' or a number of milliseconds, got ${JSON.stringify(yieldEvery)}`);
  }
  const user = callbackList(opts.callbacks, where);
  if (yieldEvery === 'never' && user.some((cb) => typeof (cb as CallbackHooks).onYield === 'function')) {
    throw new ConfigError(`${where}: yieldEvery is 'never' but a callback has onYield; change yieldEvery or remove onYield`);
  }
  const yieldMs = yieldEvery === 'auto' ? 125 : typeof yieldEvery === 'number' ? yieldEvery : null;
  let lastYield = Date.now(); // TF.js counts the first interval from the start of fit
  const history = new History();
  const extra: (Callback | CallbackHooks)[] = user.some((cb) => cb instanceof TerminateOnNaN) ? [] : [new TerminateOnNaN()];
  const list = new CallbackList([...extra, ...user, new ProgressLogger(verbose), history]);
  const steps = train ? Math.ceil(train.n / batchSize) : null;
  list.setModel(model as never, { epochs, steps, samples: train?.n ?? null, verbose });
  model.stopTraining = false;
  const rng = randomFor(opts.seed);
  // A seeded fit also fixes every other draw it makes (dropout masks, noise layers): they come from
  // the global generator, reseeded here from the shuffling generator.
  if (opts.seed !== undefined) setSeed(Math.floor(rng.uniform() * 4294967296));
  await list.call('onTrainBegin', {});
  for (let epoch = initialEpoch; epoch < epochs && !model.stopTraining; epoch++) {
    for (const ms of c.metrics) for (const m of ms) m.resetState();
    await list.call('onEpochBegin', epoch, {});
    let logs: Logs = {};
    const epochLogs = logAccumulator();
    const track = async (batch: number, b: Logs, count: number): Promise<void> => {
      epochLogs.add(b, count);
      logs = epochLogs.result();
      // TF.js's batch logs also carry the batch index and size.
      await list.call('onBatchEnd', batch, withLogAliases({ batch, size: count, ...logs }, c.logAliases));
      // Stay responsive between batches: 'auto' lets the event loop in after every batch (cheap in
      // Node), a number of ms at most that often; onYield follows TF.js's timing.
      const now = Date.now();
      const due = yieldMs !== null && now - lastYield >= yieldMs;
      if (due) {
        lastYield = now;
        await list.call('onYield', epoch, batch, logs);
      }
      if (yieldEvery === 'auto' || yieldEvery === 'batch' || due) await nextTurn();
    };
    if (train) {
      const order = new Int32Array(train.n);
      for (let i = 0; i < train.n; i++) order[i] = i;
      if (opts.shuffle ?? true) {
        for (let i = train.n - 1; i > 0; i--) {
          const j = Math.floor(rng.uniform() * (i + 1));
          [order[i], order[j]] = [order[j], order[i]];
        }
      }
      for (let b = 0; b < steps! && !model.stopTraining; b++) {
        const start = b * batchSize, end = Math.min(train.n, start + batchSize);
        await list.call('onBatchBegin', b, {});
        // The batch's rows are copied inside the step, so they are recycled with its arrays.
        await track(b, trainStepOn(model, c, () => ({
          xs: train.xs.map((t) => takeRows(t, order, start, end)),
          ys: train.ys.map((t) => takeRows(t, order, start, end)),
          sw: weightsFor(train.ys[0], order, start, end, opts),
        })), end - start);
      }
    } else {
      let b = 0;
      for await (const batch of x as BatchSource) {
        if (model.stopTraining) break;
        const { xs, ys, sw } = readBatch(batch, model.inputNames, model.outputNames, where);
        if (!ys) throw new ConfigError(`${where}: dataset batches need targets ({ xs, ys })`);
        await list.call('onBatchBegin', b, {});
        await track(b++, trainStep(model, c, xs, ys, sw), xs[0].shape[0]);
      }
    }
    if (val && !model.stopTraining) {
      const v = await evaluateLoop(model, c, val, batchSize);
      for (const [k, value] of Object.entries(v)) logs[`val_${k}`] = value;
    }
    await list.call('onEpochEnd', epoch, withLogAliases(logs, c.logAliases));
    if (yieldEvery === 'epoch') await nextTurn();
  }
  await list.call('onTrainEnd', {});
  return history;
}

/**
 * Means of the per-batch losses (total and per output) weighted by batch size; metrics are stateful,
 * so the last batch's value is the running total.
 */
function logAccumulator(): { add: (b: Logs, count: number) => void; result: () => Logs } {
  const sums: Logs = {};
  let seen = 0;
  let last: Logs = {};
  return {
    add: (b, count) => {
      for (const [k, v] of Object.entries(b)) if (k === 'loss' || k.endsWith('_loss')) sums[k] = (sums[k] ?? 0) + v * count;
      seen += count;
      last = b;
    },
    result: () => {
      const out: Logs = { ...last };
      for (const k of Object.keys(sums)) out[k] = sums[k] / Math.max(seen, 1);
      return out;
    },
  };
}

/** Loss and metrics over in-memory tensors, in batches; synchronous, as TensorFlow.js's evaluate. */
export function evaluateTensors(model: Model, c: Compiled, data: { xs: Tensor[]; ys: Tensor[]; sw: Tensor | null }, batchSize: number): Logs {
  for (const ms of c.metrics) for (const m of ms) m.resetState();
  const acc = logAccumulator();
  const n = sampleCount([data.xs, data.ys, data.sw ? [data.sw] : []], `${model.describe()}.evaluate`);
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const sw = data.sw ? sliceRows(data.sw, start, end) : null;
    acc.add(testStep(model, c, data.xs.map((t) => sliceRows(t, start, end)), data.ys.map((t) => sliceRows(t, start, end)), sw), end - start);
  }
  return acc.result();
}

/** Loss and metrics over a whole dataset, in batches: tensors at once, a batch source asynchronously. */
export async function evaluateLoop(model: Model, c: Compiled, data: { xs: Tensor[]; ys: Tensor[]; sw: Tensor | null } | BatchSource, batchSize: number): Promise<Logs> {
  if (!isBatchSource(data)) return evaluateTensors(model, c, data, batchSize);
  for (const ms of c.metrics) for (const m of ms) m.resetState();
  const acc = logAccumulator();
  for await (const batch of data) {
    const { xs, ys, sw } = readBatch(batch, model.inputNames, model.outputNames, `${model.describe()}.evaluate`);
    if (!ys) throw new ConfigError(`${model.describe()}.evaluate: dataset batches need targets`);
    acc.add(testStep(model, c, xs, ys, sw), xs[0].shape[0]);
  }
  return acc.result();
}
