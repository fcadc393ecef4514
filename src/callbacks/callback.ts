import type { Model } from '../model/model.js';

/** Numbers a callback receives: loss and metrics (val_ prefixed for validation), per batch or epoch. */
export type Logs = Record<string, number>;

/**
 * Hooks into training. Subclass it, or pass a plain object with any of these methods to `fit`.
 * Set `model.stopTraining = true` from a hook to end training after the current batch.
 */
export interface CallbackHooks {
  onTrainBegin?(logs: Logs): void | Promise<void>;
  onTrainEnd?(logs: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs): void | Promise<void>;
  /** Called when fit yields to the event loop (TF.js `yieldEvery`, by default at most every 125 ms). */
  onYield?(epoch: number, batch: number, logs: Logs): void | Promise<void>;
}

const ALIASES = Symbol('strata.logAliases');

/**
 * Makes each `alias` readable on `logs` as its key's value ('accuracy' → 'acc'), as a
 * non-enumerable property so printing, CSV and History list every value once.
 */
export function withLogAliases(logs: Logs, aliases: Record<string, string>): Logs {
  for (const [alias, key] of Object.entries(aliases)) {
    if (!(key in logs) || Object.prototype.hasOwnProperty.call(logs, alias)) continue;
    Object.defineProperty(logs, alias, {
      get: () => logs[key], set: (v: number) => { logs[key] = v; }, enumerable: false, configurable: true,
    });
  }
  Object.defineProperty(logs, ALIASES, { value: aliases, enumerable: false, configurable: true });
  return logs;
}

/** The aliases `withLogAliases` put on logs (empty for plain logs). */
function aliasesOf(logs: Logs): Record<string, string> {
  return (logs as { [ALIASES]?: Record<string, string> })[ALIASES] ?? {};
}

/** Base class of the built-in callbacks; `model` and `params` are set before training starts. */
export class Callback {
  model!: TrainableModel;
  params: TrainingParams = { epochs: 0, steps: null, samples: null, verbose: 0 };
  setModel(model: TrainableModel): void {
    this.model = model;
  }
  setParams(params: TrainingParams): void {
    this.params = params;
  }
}

/** What fit tells callbacks about the run. */
export interface TrainingParams {
  epochs: number;
  /** Batches per epoch (null for a dataset of unknown length). */
  steps: number | null;
  samples: number | null;
  verbose: number;
}

/** The part of a model callbacks use. */
export type TrainableModel = Model & {
  stopTraining: boolean;
  optimizer?: { learningRate: unknown; currentLearningRate: number };
  save?(path: string): Promise<unknown>;
};

/** Runs a list of callbacks (instances or plain hook objects) in order. */
export class CallbackList {
  constructor(readonly callbacks: (CallbackHooks | Callback)[]) {}

  setModel(model: TrainableModel, params: TrainingParams): void {
    for (const c of this.callbacks) {
      if (c instanceof Callback) {
        c.setModel(model);
        c.setParams(params);
      }
    }
  }

  async call<K extends keyof CallbackHooks>(hook: K, ...args: Parameters<NonNullable<CallbackHooks[K]>>): Promise<void> {
    for (const c of this.callbacks) {
      const f = (c as CallbackHooks)[hook] as ((...a: unknown[]) => void | Promise<void>) | undefined;
      if (f) await f.apply(c, args);
    }
  }
}

/**
 * What `fit` resolves to: the epochs run and each logged value per epoch, under TF.js's keys
 * ('acc', 'val_acc'); Keras spellings ('accuracy', 'val_accuracy') read the same arrays but are
 * not listed by Object.keys.
 */
export class History extends Callback {
  epoch: number[] = [];
  history: Record<string, number[]> = {};
  override setModel(model: TrainableModel): void {
    super.setModel(model);
  }
  onEpochEnd(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
    const history = this.history;
    for (const [alias, key] of Object.entries(aliasesOf(logs))) {
      if (!(key in history) || Object.prototype.hasOwnProperty.call(history, alias)) continue;
      Object.defineProperty(history, alias, { get: () => history[key], enumerable: false, configurable: true });
    }
  }
}
