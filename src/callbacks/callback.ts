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

/** What `fit` resolves to: the epochs run and each logged value per epoch. */
export class History extends Callback {
  epoch: number[] = [];
  history: Record<string, number[]> = {};
  override setModel(model: TrainableModel): void {
    super.setModel(model);
  }
  onEpochEnd(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
  }
}
