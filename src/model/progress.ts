import type { Logs } from '../callbacks/callback.js';
import { Callback } from '../callbacks/callback.js';

function formatLogs(logs: Logs): string {
  // 'batch' and 'size' (TF.js's batch logs) are the bar's own business, not values to print.
  return Object.entries(logs).filter(([k]) => k !== 'batch' && k !== 'size').map(([k, v]) => `${k}: ${Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(3) : v.toFixed(4)}`).join(' - ');
}

function formatTime(seconds: number): string {
  if (seconds >= 3600) return `${Math.floor(seconds / 3600)}:${String(Math.floor(seconds / 60) % 60).padStart(2, '0')}:${String(Math.floor(seconds) % 60).padStart(2, '0')}`;
  if (seconds >= 60) return `${Math.floor(seconds / 60)}:${String(Math.floor(seconds) % 60).padStart(2, '0')}`;
  return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
}

/** process.stdout in Node; elsewhere (browsers) whole lines to console.log. */
function defaultStream(): Pick<NodeJS.WriteStream, 'write' | 'isTTY'> {
  const proc = (globalThis as { process?: { stdout?: NodeJS.WriteStream } }).process;
  if (proc?.stdout) return proc.stdout;
  return { isTTY: false, write: (line: string | Uint8Array) => (console.log(String(line).replace(/\n$/, '')), true) } as Pick<NodeJS.WriteStream, 'write' | 'isTTY'>;
}

/**
 * fit's console output. verbose 1: a progress bar with ETA and running loss/metrics, redrawn in
 * place on a terminal; one line per epoch when output is not a terminal (CI, pipes). verbose 2:
 * one line per epoch.
 */
export class ProgressLogger extends Callback {
  private start = 0;
  private lastDraw = 0;
  readonly stream: Pick<NodeJS.WriteStream, 'write' | 'isTTY'>;
  constructor(readonly verbose: number, stream?: NodeJS.WriteStream) {
    super();
    this.stream = stream ?? defaultStream();
  }
  private get live(): boolean {
    return this.verbose === 1 && !!this.stream.isTTY;
  }
  onEpochBegin(epoch: number): void {
    this.start = Date.now();
    this.lastDraw = 0;
    if (this.live) this.stream.write(`Epoch ${epoch + 1}/${this.params.epochs}\n`);
  }
  onBatchEnd(batch: number, logs: Logs): void {
    if (!this.live) return;
    const now = Date.now();
    const steps = this.params.steps;
    if (now - this.lastDraw < 100 && batch + 1 !== steps) return; // redraw at most 10 times a second
    this.lastDraw = now;
    const elapsed = (now - this.start) / 1000;
    let line: string;
    if (steps) {
      const width = 30;
      const done = Math.min(width, Math.round((width * (batch + 1)) / steps));
      const bar = '='.repeat(Math.max(0, done - 1)) + (done < width ? '>' : '=') + '.'.repeat(width - done);
      const eta = (elapsed / (batch + 1)) * (steps - batch - 1);
      line = `${String(batch + 1).padStart(String(steps).length)}/${steps} [${bar}] - ETA: ${formatTime(eta)} - ${formatLogs(logs)}`;
    } else {
      line = `${batch + 1} batches - ${formatTime(elapsed)} - ${formatLogs(logs)}`;
    }
    this.stream.write(`\r${line}\x1b[K`);
  }
  onEpochEnd(epoch: number, logs: Logs): void {
    if (this.verbose === 0) return;
    const time = formatTime((Date.now() - this.start) / 1000);
    if (this.live) this.stream.write(`\r${this.params.steps ?? ''}${this.params.steps ? '/' + this.params.steps : ''} - ${time} - ${formatLogs(logs)}\x1b[K\n`);
    else this.stream.write(`Epoch ${epoch + 1}/${this.params.epochs} - ${time} - ${formatLogs(logs)}\n`);
  }
}
