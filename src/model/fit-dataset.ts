import { ConfigError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { scalar } from '../tensor/create.js';
import type { Callback, CallbackHooks, History } from '../callbacks/callback.js';
import type { Model } from './model.js';
import type { Compiled } from './compile.js';
import { logKeys } from './compile.js';
import { fitLoop, evaluateLoop } from './fit.js';
import { type Batch, type BatchSource, type TensorOrList, asList } from './data.js';

// model/ sits below data/, so datasets are taken by shape: anything with iterator() → next().

/** A stream of elements: `await it.next()` gives `{ value, done }` (a st.data iterator). */
export interface IteratorLike {
  next(): Promise<IteratorResult<unknown>>;
}

/** A dataset: `await ds.iterator()` starts a fresh pass (a st.data Dataset). */
export interface DatasetLike {
  iterator(): Promise<IteratorLike>;
  readonly size?: number | null;
}

/** Options of `model.fitDataset` (TensorFlow.js's ModelFitDatasetArgs). */
export interface FitDatasetOptions {
  /** Epochs to train to (required, a positive integer); with initialEpoch, epochs initialEpoch..epochs−1 run. */
  epochs: number;
  /** Batches per epoch, read from one iterator across epochs; default: one full pass per epoch. */
  batchesPerEpoch?: number;
  initialEpoch?: number;
  /** A dataset of { xs, ys } batches, or tensors [x, y] (evaluated in batches of validationBatchSize). */
  validationData?: DatasetLike | [TensorOrList, TensorOrList] | [TensorOrList, TensorOrList, Tensor];
  /** Batch size for tensor validation data (default 32). */
  validationBatchSize?: number;
  /** Batches drawn from a validation dataset each epoch (default: all of it). */
  validationBatches?: number;
  callbacks?: (Callback | CallbackHooks)[] | Callback | CallbackHooks;
  /** 0 silent, 1 progress bar, 2 one line per epoch. Default 1. */
  verbose?: 0 | 1 | 2;
  /** Weight of each class in the loss, by class index of the first output. */
  classWeight?: Record<number, number>;
  /** Accepted for TensorFlow.js programs; training already yields to the event loop after every batch. */
  yieldEvery?: unknown;
}

/** Options of `model.evaluateDataset`. */
export interface EvaluateDatasetOptions {
  /** Batches to read (default: until the dataset ends). */
  batches?: number;
  verbose?: 0 | 1;
}

function short(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (v instanceof Tensor) return `a tensor of shape [${v.shape.join(', ')}]`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return `an object with keys [${Object.keys(v).join(', ')}]`;
  return `${typeof v} ${String(v)}`;
}

function positiveInt(where: string, name: string, v: unknown, optional: boolean): void {
  if (optional && v === undefined) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new ConfigError(`${where}: ${name} must be a positive integer, got ${short(v)}`);
}

/** True for plain numbers or arrays of them: an element read before batch() made tensors of it. */
function unbatched(v: unknown): boolean {
  return typeof v === 'number' || (Array.isArray(v) && v.length > 0 && !v.some((x) => x instanceof Tensor || (x && typeof x === 'object' && !Array.isArray(x))));
}

/** A dataset element as a fit batch: { xs, ys } (TensorFlow.js) or [xs, ys] (Keras); a clear error otherwise. */
function toBatch(el: unknown, where: string): Batch {
  const pair = Array.isArray(el) && (el.length === 2 || el.length === 3) ? { xs: el[0], ys: el[1] }
    : el && typeof el === 'object' && 'xs' in el && 'ys' in el ? (el as { xs: unknown; ys: unknown }) : null;
  if (!pair) {
    throw new ConfigError(`${where}: each dataset element must be { xs, ys } (or [xs, ys]) of batched tensors, got ${short(el)}; ` +
      'shape the elements with ds.map((r) => ({ xs: ..., ys: ... })).batch(batchSize)');
  }
  if (unbatched(pair.xs) || unbatched(pair.ys)) {
    throw new ConfigError(`${where}: the element's xs/ys hold plain numbers, not tensors (xs: ${short(pair.xs)}, ys: ${short(pair.ys)}); ` +
      'call .batch(batchSize) on the dataset to stack elements into tensors');
  }
  return el as Batch;
}

/** Per-sample weights from classWeight, by the label of each row of y (an index, or the argmax of one-hot rows). */
function classWeights(y: Tensor, classWeight: Record<number, number>): Tensor {
  const n = y.shape[0];
  const width = y.size / Math.max(1, n);
  const w = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    let label = 0;
    if (width === 1) label = Math.round(y.values[r]);
    else for (let k = 1; k < width; k++) if (y.values[r * width + k] > y.values[r * width + label]) label = k;
    w[r] = classWeight[label] ?? 1;
  }
  return new Tensor(w, [n]);
}

function withClassWeight(model: Model, b: Batch, classWeight: Record<number, number> | undefined, where: string): Batch {
  if (!classWeight) return b;
  const [xs, ys] = Array.isArray(b) ? [b[0], b[1]] : [b.xs, b.ys];
  const y = asList(ys, model.outputNames, 'ys', where)[0];
  return { xs, ys, sampleWeight: classWeights(y, classWeight) };
}

/**
 * Reads up to `limit` batches (all when undefined) from `open()`'s iterator; `onShort` runs when it
 * ends early. With `closeAfter`, an iterator left before its end is closed (its file released).
 */
function batchesFrom(open: () => Promise<IteratorLike>, limit: number | undefined, where: string, map: (b: Batch) => Batch,
  onShort: (read: number) => void, closeAfter: boolean): BatchSource {
  return {
    [Symbol.asyncIterator]: () => (async function* () {
      const it = await open();
      try {
        for (let n = 0; limit === undefined || n < limit; n++) {
          const r = await it.next();
          if (r.done) {
            if (limit !== undefined) onShort(n);
            return;
          }
          yield map(toBatch(r.value, where));
        }
      } finally {
        if (closeAfter) await (it as AsyncIterator<unknown>).return?.(undefined);
      }
    })(),
  };
}

function requireCompiled(model: Model, what: string): Compiled {
  const c = model.compileConfig;
  if (!c) throw new ConfigError(`${model.describe()}: call compile({ optimizer, loss }) before ${what}`);
  return c;
}

function isDataset(v: unknown): v is DatasetLike {
  return !!v && typeof (v as DatasetLike).iterator === 'function';
}

/**
 * Trains `model` on a dataset of batches (see Model.fitDataset), through the same loop as `fit`.
 * With batchesPerEpoch, one iterator feeds every epoch; if it runs dry, training stops with a
 * warning (TensorFlow.js keeps running empty epochs instead).
 */
export async function fitDataset(model: Model, dataset: DatasetLike, opts: FitDatasetOptions): Promise<History> {
  const where = `${model.describe()}.fitDataset`;
  const c = requireCompiled(model, 'fitDataset');
  if (!isDataset(dataset)) throw new ConfigError(`${where}: expected a dataset (st.data.*), got ${short(dataset)}`);
  if (!opts || typeof opts !== 'object') throw new ConfigError(`${where}: the options ({ epochs, ... }) are required`);
  positiveInt(where, 'epochs', opts.epochs, false);
  positiveInt(where, 'batchesPerEpoch', opts.batchesPerEpoch, true);
  positiveInt(where, 'validationBatches', opts.validationBatches, true);
  positiveInt(where, 'validationBatchSize', opts.validationBatchSize, true);
  if ((opts as { validationSplit?: unknown }).validationSplit !== undefined) {
    throw new ConfigError(`${where}: validationSplit needs tensors; with a dataset pass validationData (a dataset or [x, y])`);
  }
  const per = opts.batchesPerEpoch;
  let shared: Promise<IteratorLike> | null = null;
  const train = batchesFrom(() => (per === undefined ? dataset.iterator() : (shared ??= dataset.iterator())), per, where,
    (b) => withClassWeight(model, b, opts.classWeight, where), (read) => {
      console.warn(`${where}: batchesPerEpoch is ${per} but the dataset ran out after ${read} batches of this epoch; ` +
        `training stops. Make the dataset give at least batchesPerEpoch × epochs batches (e.g. with .repeat()).`);
      model.stopTraining = true;
    }, per === undefined);
  const v = opts.validationData;
  const validationData = v === undefined ? undefined : isDataset(v)
    ? batchesFrom(() => v.iterator(), opts.validationBatches, `${where} (validation)`, (b) => b, () => undefined, true)
    : v;
  const callbacks = opts.callbacks === undefined ? undefined : Array.isArray(opts.callbacks) ? opts.callbacks : [opts.callbacks];
  return fitLoop(model, c, train, undefined, {
    epochs: opts.epochs, initialEpoch: opts.initialEpoch, verbose: opts.verbose, callbacks,
    validationData, batchSize: opts.validationBatchSize ?? 32,
  });
}

/**
 * Loss and metrics over a dataset (or iterator) of batches in inference mode, averaged over
 * samples: a scalar, or [loss, ...metrics] as `evaluate` gives (see Model.evaluateDataset).
 */
export async function evaluateDataset(model: Model, dataset: DatasetLike | IteratorLike, opts: EvaluateDatasetOptions = {}): Promise<Tensor | Tensor[]> {
  const where = `${model.describe()}.evaluateDataset`;
  const c = requireCompiled(model, 'evaluateDataset');
  positiveInt(where, 'batches', opts.batches, true);
  const open = isDataset(dataset) ? () => dataset.iterator()
    : dataset && typeof (dataset as IteratorLike).next === 'function' ? async () => dataset as IteratorLike
      : null;
  if (!open) throw new ConfigError(`${where}: expected a dataset (st.data.*) or its iterator, got ${short(dataset)}`);
  let read = 0;
  const source = batchesFrom(open, opts.batches, where, (b) => (read++, b), (n) => {
    console.warn(`${where}: batches is ${opts.batches} but the dataset ran out after ${n}; the result covers those (use .repeat() for more).`);
  }, isDataset(dataset));
  const logs = await evaluateLoop(model, c, source, 32);
  if (read === 0) throw new ConfigError(`${where}: the dataset gave no batches`);
  const values = logKeys(model, c).map((k) => scalar(logs[k]));
  return values.length === 1 ? values[0] : values;
}
