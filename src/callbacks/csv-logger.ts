/** CSVLogger: epoch results to a CSV file (Node; the file is written with node:fs). */
import { appendFileSync, writeFileSync } from 'node:fs';
import { Callback, type Logs } from './callback.js';

/** Writes one CSV row per epoch (epoch, then every logged value) to `filename`. */
export class CSVLogger extends Callback {
  private keys: string[] | null = null;
  constructor(readonly filename: string, readonly opts: { separator?: string; append?: boolean } = {}) {
    super();
  }
  onTrainBegin(): void {
    this.keys = null;
    if (!this.opts.append) writeFileSync(this.filename, '');
  }
  onEpochEnd(epoch: number, logs: Logs): void {
    const sep = this.opts.separator ?? ',';
    if (!this.keys) {
      this.keys = Object.keys(logs).sort();
      appendFileSync(this.filename, ['epoch', ...this.keys].join(sep) + '\n');
    }
    appendFileSync(this.filename, [epoch, ...this.keys.map((k) => logs[k] ?? '')].join(sep) + '\n');
  }
}
