/**
 * TensorBoard callback, as TensorFlow.js-node's `tf.node.tensorBoard`: losses and metrics go to
 * `<logdir>/train` (tags `batch_<name>`, `epoch_<name>`) and validation values to `<logdir>/val`
 * (the `val_` prefix dropped), so TensorBoard overlays train and validation curves.
 */
import { ConfigError } from '../errors.js';
import { type SummaryFileWriter, joinDir, summaryFileWriter } from '../node/summary-writer.js';
import { Callback, type Logs } from './callback.js';

export interface TensorBoardCallbackArgs {
  /**
   * 'batch': write after every batch (step = batches seen so far, from 1) as well as every epoch;
   * 'epoch': after every epoch only (step = epoch number, from 1). Default 'epoch'.
   */
  updateFreq?: 'batch' | 'epoch';
  /** Every how many epochs to write histograms of the model's weights (0: never; default 0). */
  histogramFreq?: number;
}

/** Keys of the logs that are bookkeeping, not values to plot (TensorFlow.js skips the same). */
const SKIP = new Set(['batch', 'size', 'num_steps']);

/** Writes losses and metrics for TensorBoard during `fit`. Make one with {@link tensorBoard}. */
export class TensorBoardCallback extends Callback {
  readonly updateFreq: 'batch' | 'epoch';
  readonly histogramFreq: number;
  private trainWriter: SummaryFileWriter | null = null;
  private valWriter: SummaryFileWriter | null = null;
  private batchesSeen = 0;

  constructor(readonly logdir = './logs', args: TensorBoardCallbackArgs = {}) {
    super();
    this.updateFreq = args.updateFreq ?? 'epoch';
    if (this.updateFreq !== 'batch' && this.updateFreq !== 'epoch') {
      throw new ConfigError(`tensorBoard: updateFreq must be 'batch' or 'epoch', got ${JSON.stringify(args.updateFreq)}`);
    }
    this.histogramFreq = args.histogramFreq ?? 0;
    if (!(Number.isInteger(this.histogramFreq) && this.histogramFreq >= 0)) {
      throw new ConfigError(`tensorBoard: histogramFreq must be a non-negative integer (epochs between histograms, 0 for none), got ${args.histogramFreq}`);
    }
  }

  onBatchEnd(_batch: number, logs: Logs): void {
    this.batchesSeen++;
    if (this.updateFreq === 'batch') this.logMetrics(logs, 'batch_', this.batchesSeen);
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    this.logMetrics(logs, 'epoch_', epoch + 1);
    if (this.histogramFreq > 0 && epoch % this.histogramFreq === 0) {
      const w = this.train();
      for (const v of this.model.weights) w.histogram(v.name, v, epoch);
    }
  }

  /** Training is over: put everything on disk before `fit` resolves. */
  async onTrainEnd(): Promise<void> {
    await Promise.all([this.trainWriter?.flush(), this.valWriter?.flush()]);
  }

  private logMetrics(logs: Logs, prefix: string, step: number): void {
    for (const [key, value] of Object.entries(logs)) {
      if (SKIP.has(key) || typeof value !== 'number') continue;
      if (key.startsWith('val_')) this.val().scalar(prefix + key.slice(4), value, step);
      else this.train().scalar(prefix + key, value, step);
    }
  }

  // Created on first use, as TensorFlow.js does: no val/ folder for a run without validation.
  private train(): SummaryFileWriter {
    return (this.trainWriter ??= summaryFileWriter(joinDir(this.logdir, 'train')));
  }
  private val(): SummaryFileWriter {
    return (this.valWriter ??= summaryFileWriter(joinDir(this.logdir, 'val')));
  }
}

/**
 * A callback for `fit` that logs losses and metrics for TensorBoard, as `tf.node.tensorBoard`.
 * Writes `<logdir>/train` and `<logdir>/val` event files (view with `tensorboard --logdir <logdir>`).
 * Writing is buffered and asynchronous; everything is on disk when `fit` resolves.
 * @param logdir folder for the logs (default './logs')
 * @param args `updateFreq` 'batch' | 'epoch' (default 'epoch'), `histogramFreq` epochs between
 *   weight histograms (default 0: none)
 * @example
 * await model.fit(xs, ys, { epochs: 10, validationSplit: 0.2, callbacks: [st.callbacks.tensorBoard('/tmp/logs')] });
 */
export function tensorBoard(logdir = './logs', args?: TensorBoardCallbackArgs): TensorBoardCallback {
  return new TensorBoardCallback(logdir, args);
}
