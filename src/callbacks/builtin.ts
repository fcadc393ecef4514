import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { Callback, type Logs } from './callback.js';

type Mode = 'min' | 'max' | 'auto';

function better(mode: Mode, monitor: string, current: number, best: number, minDelta: number): boolean {
  const m = mode === 'auto' ? (/acc|auc|precision|recall|r2/.test(monitor) ? 'max' : 'min') : mode;
  return m === 'min' ? current < best - minDelta : current > best + minDelta;
}

function initialBest(mode: Mode, monitor: string): number {
  const m = mode === 'auto' ? (/acc|auc|precision|recall|r2/.test(monitor) ? 'max' : 'min') : mode;
  return m === 'min' ? Infinity : -Infinity;
}

export interface EarlyStoppingOptions {
  /** Logged value to watch (default 'val_loss'). */
  monitor?: string;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  mode?: Mode;
  /** Restore the weights of the best epoch when stopping (default false). */
  restoreBestWeights?: boolean;
  /** Value the monitor must beat before patience counts (optional). */
  baseline?: number;
}

/** Stops training when `monitor` stops improving. @example st.callbacks.earlyStopping({ patience: 3, restoreBestWeights: true }) */
export class EarlyStopping extends Callback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly mode: Mode;
  readonly restoreBestWeights: boolean;
  readonly baseline?: number;
  private best = Infinity;
  private wait = 0;
  private bestWeights: Tensor[] | null = null;
  stoppedEpoch = -1;

  constructor(opts: EarlyStoppingOptions = {}) {
    super();
    this.monitor = opts.monitor ?? 'val_loss';
    this.minDelta = Math.abs(opts.minDelta ?? 0);
    this.patience = opts.patience ?? 0;
    this.mode = opts.mode ?? 'auto';
    this.restoreBestWeights = opts.restoreBestWeights ?? false;
    this.baseline = opts.baseline;
    if (!['min', 'max', 'auto'].includes(this.mode)) throw new ConfigError(`earlyStopping: mode must be 'min', 'max' or 'auto', got '${this.mode}'`);
  }
  onTrainBegin(): void {
    this.wait = 0;
    this.best = this.baseline ?? initialBest(this.mode, this.monitor);
    this.bestWeights = null;
    this.stoppedEpoch = -1;
  }
  onEpochEnd(epoch: number, logs: Logs): void {
    const current = logs[this.monitor];
    if (current === undefined) {
      console.warn(`earlyStopping: '${this.monitor}' is not logged (available: ${Object.keys(logs).join(', ')}); pass validationData or choose another monitor`);
      return;
    }
    if (better(this.mode, this.monitor, current, this.best, this.minDelta)) {
      this.best = current;
      this.wait = 0;
      if (this.restoreBestWeights) this.bestWeights = this.model.getWeights();
      return;
    }
    this.wait++;
    if (this.wait >= this.patience) { // as Keras and TensorFlow.js: patience 1 stops at the first epoch that fails to improve
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
      if (this.restoreBestWeights && this.bestWeights) this.model.setWeights(this.bestWeights);
    }
  }
}

export interface ReduceLROnPlateauOptions {
  monitor?: string;
  /** New rate = rate × factor (default 0.1). */
  factor?: number;
  /** Epochs without improvement before reducing (default 10). */
  patience?: number;
  mode?: Mode;
  minDelta?: number;
  /** Epochs to wait after a reduction (default 0). */
  cooldown?: number;
  /** Lowest rate (default 0). */
  minLr?: number;
}

/** Multiplies the learning rate by `factor` when `monitor` plateaus. */
export class ReduceLROnPlateau extends Callback {
  private best = Infinity;
  private wait = 0;
  private cooldownLeft = 0;
  constructor(readonly opts: ReduceLROnPlateauOptions = {}) {
    super();
    if ((opts.factor ?? 0.1) >= 1) throw new ConfigError(`reduceLROnPlateau: factor must be < 1, got ${opts.factor}`);
  }
  onTrainBegin(): void {
    this.best = initialBest(this.opts.mode ?? 'auto', this.opts.monitor ?? 'val_loss');
    this.wait = 0;
    this.cooldownLeft = 0;
  }
  onEpochEnd(_epoch: number, logs: Logs): void {
    const monitor = this.opts.monitor ?? 'val_loss';
    const current = logs[monitor];
    const opt = this.model.optimizer;
    if (current === undefined || !opt) return;
    logs.lr = opt.currentLearningRate;
    if (this.cooldownLeft > 0) this.cooldownLeft--;
    if (better(this.opts.mode ?? 'auto', monitor, current, this.best, this.opts.minDelta ?? 1e-4)) {
      this.best = current;
      this.wait = 0;
    } else if (this.cooldownLeft === 0 && ++this.wait >= (this.opts.patience ?? 10)) {
      const next = Math.max(opt.currentLearningRate * (this.opts.factor ?? 0.1), this.opts.minLr ?? 0);
      if (next < opt.currentLearningRate) opt.learningRate = next;
      this.cooldownLeft = this.opts.cooldown ?? 0;
      this.wait = 0;
    }
  }
}

/** Sets the learning rate at the start of each epoch from `schedule(epoch, currentRate)`. */
export class LearningRateScheduler extends Callback {
  constructor(readonly schedule: (epoch: number, lr: number) => number) {
    super();
    if (typeof schedule !== 'function') throw new ConfigError('learningRateScheduler: schedule must be a function (epoch, lr) => lr');
  }
  onEpochBegin(epoch: number): void {
    const opt = this.model.optimizer;
    if (!opt) return;
    const lr = this.schedule(epoch, opt.currentLearningRate);
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
      throw new ConfigError(`learningRateScheduler: the schedule returned ${lr} for epoch ${epoch}; it must return a non-negative number`);
    }
    opt.learningRate = lr;
  }
  onEpochEnd(_epoch: number, logs: Logs): void {
    if (this.model.optimizer) logs.lr = this.model.optimizer.currentLearningRate;
  }
}

/** Stops training when the loss becomes NaN or infinite (on by default in fit). */
export class TerminateOnNaN extends Callback {
  message: string | null = null;
  private epoch = 0;
  onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }
  onBatchEnd(batch: number, logs: Logs): void {
    const loss = logs.loss;
    if (loss !== undefined && !Number.isFinite(loss)) {
      this.message = `Training stopped: the loss became ${loss} at epoch ${this.epoch + 1}, batch ${batch + 1}. ` +
        'Try a lower learning rate, gradient clipping (clipNorm), or check the data for NaN/Inf.';
      console.error(this.message);
      this.model.stopTraining = true;
    }
  }
}

export interface ModelCheckpointOptions {
  monitor?: string;
  /** Save only when `monitor` improves (default false: every epoch). */
  saveBestOnly?: boolean;
  mode?: Mode;
}

/** Saves the model to `filepath` after each epoch ('{epoch}' in the path is replaced). */
export class ModelCheckpoint extends Callback {
  private best = Infinity;
  constructor(readonly filepath: string, readonly opts: ModelCheckpointOptions = {}) {
    super();
  }
  onTrainBegin(): void {
    this.best = initialBest(this.opts.mode ?? 'auto', this.opts.monitor ?? 'val_loss');
  }
  async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    const monitor = this.opts.monitor ?? 'val_loss';
    if (this.opts.saveBestOnly) {
      const current = logs[monitor];
      if (current === undefined || !better(this.opts.mode ?? 'auto', monitor, current, this.best, 0)) return;
      this.best = current;
    }
    if (!this.model.save) throw new ConfigError('modelCheckpoint: this model cannot be saved');
    await this.model.save(this.filepath.replace('{epoch}', String(epoch + 1)));
  }
}
