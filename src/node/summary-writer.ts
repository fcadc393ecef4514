/**
 * SummaryFileWriter: TensorFlow.js-node's `tf.node.summaryFileWriter`, writing TensorBoard event
 * files without TensorFlow. Summaries are queued in memory and reach the disk in one append when
 * more than `maxQueue` are waiting or `flushMillis` has passed (as TensorFlow's writer does), on
 * `flush()`, and when the process exits (also on a crash).
 */
import { ConfigError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { histogramBuckets } from './histogram.js';

/** The file system (the one module with `node:` imports) and the protobuf encoder, loaded on first use. */
type Io = typeof import('./event-file-io.js') & typeof import('./event-file.js');
let io: Io | null = null;
let ioLoading: Promise<Io> | null = null;
function loadIo(): Promise<Io> {
  return (ioLoading ??= Promise.all([import('./event-file-io.js'), import('./event-file.js')]).then(([fsIo, enc]) => (io = { ...fsIo, ...enc })));
}

/** A summary waiting to be encoded and written (encoding waits for the encoder to load). */
type PendingEvent =
  | { tag: string; step: number; wallTime: number; value: number }
  | { tag: string; step: number; wallTime: number; buckets: Float32Array; description?: string };

/** Event records for `events`, after the version record when a file starts. */
function encode(m: Io, events: PendingEvent[], startSeconds: number | null): Uint8Array {
  const records = events.map((e) => m.tfRecord('value' in e
    ? m.scalarEvent(e.tag, e.value, e.step, e.wallTime)
    : m.histogramEvent(e.tag, e.buckets, e.step, e.wallTime, e.description)));
  if (startSeconds !== null) records.unshift(m.tfRecord(m.fileVersionEvent(startSeconds)));
  return concat(records);
}

/** Writes scalar and histogram summaries to a TensorBoard event file in `logdir`. Get one with {@link summaryFileWriter}. */
export class SummaryFileWriter {
  private pending: PendingEvent[] = [];
  private file: string | null = null;
  private readonly created = Date.now() / 1000;
  private lastFlush = Date.now();

  constructor(readonly logdir: string, readonly maxQueue = 10, readonly flushMillis = 120000, readonly filenameSuffix = '.v2') {
    this.flush().catch(() => {}); // TensorFlow creates the file at once; an error resurfaces at flush()
  }

  /**
   * Writes a scalar summary: `name` is the TensorBoard tag, `value` a number or a rank-0 tensor
   * (stored as float32), `step` an integer (the x axis).
   * @example st.node.summaryFileWriter('/tmp/logs').scalar('reward', 12.5, 3)
   */
  scalar(name: string, value: Tensor | number, step: number, description?: string): void {
    const where = `summaryFileWriter('${this.logdir}').scalar`;
    checkNameStep(where, name, step);
    if (description != null) throw new ConfigError(`${where}: description is not supported for scalars (as in TensorFlow.js); leave it out`);
    let v: number;
    if (typeof value === 'number') v = value;
    else if (value instanceof Tensor && value.rank === 0) v = value.values[0];
    else {
      throw new ConfigError(`${where}('${name}'): value must be a number or a rank-0 tensor, got ` +
        (value instanceof Tensor ? `a tensor of shape [${value.shape.join(', ')}]; reshape it to [] or pass .dataSync()[0]` : typeof value));
    }
    this.enqueue({ tag: name, step, wallTime: Date.now() / 1000, value: v });
  }

  /**
   * Writes a histogram summary of all the values of `data` (any shape), in `buckets` equal-width
   * buckets (default 30), for TensorBoard's Histograms and Distributions dashboards.
   * @example writer.histogram('dense/kernel', model.layers[0].getWeights()[0], epoch)
   */
  histogram(name: string, data: Tensor, step: number, buckets?: number, description?: string): void {
    const where = `summaryFileWriter('${this.logdir}').histogram`;
    checkNameStep(where, name, step);
    if (!(data instanceof Tensor)) throw new ConfigError(`${where}('${name}'): data must be a tensor, got ${typeof data}`);
    if (buckets !== undefined && !(Number.isInteger(buckets) && buckets > 0)) {
      throw new ConfigError(`${where}('${name}'): buckets must be a positive integer, got ${buckets}`);
    }
    this.enqueue({ tag: name, step, wallTime: Date.now() / 1000, buckets: histogramBuckets(data.values, buckets), description });
  }

  /**
   * Writes every waiting record to the file. Once the writer has started (its first moments), the
   * records are on disk when this returns, as in TensorFlow.js; the promise tells of errors.
   */
  flush(): Promise<void> {
    if (io !== null) {
      try {
        this.write(io);
        return Promise.resolve();
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return loadIo().then((m) => this.write(m));
  }

  private enqueue(event: PendingEvent): void {
    this.pending.push(event);
    if (this.pending.length > this.maxQueue || Date.now() - this.lastFlush > this.flushMillis) {
      this.flush().catch((e) => this.warnOnce(e)); // the records stay queued for the next try
    }
  }

  private warned = false;
  private warnOnce(e: unknown): void {
    if (this.warned) return;
    this.warned = true;
    console.warn(`summaryFileWriter('${this.logdir}'): could not write summaries (they stay queued): ${e instanceof Error ? e.message : e}`);
  }

  /** Appends the queued records (buffered: one write for many records). */
  private write(m: Io): void {
    this.lastFlush = Date.now();
    if (this.pending.length === 0 && this.file !== null) return;
    if (this.file !== null && m.fileExists(this.file)) {
      m.appendBytes(this.file, encode(m, this.pending, null));
    } else {
      // A new file starts with the version record. Here when the writer is new, or when its folder
      // was deleted under it (a rerun after `rm -rf logs`): then a new file, as TensorFlow does.
      const seconds = this.file === null ? this.created : Date.now() / 1000;
      m.ensureDir(this.logdir);
      const file = m.eventFilePath(this.logdir, seconds, this.filenameSuffix);
      m.appendBytes(file, encode(m, this.pending, seconds));
      this.file = file;
    }
    this.pending = [];
  }

  /** At process exit: write what is left (possible once the writer's first moments have passed). */
  writeAtExit(): void {
    if (io === null) return;
    try {
      this.write(io);
    } catch (e) {
      this.warnOnce(e);
    }
  }
}

function checkNameStep(where: string, name: string, step: number): void {
  if (typeof name !== 'string' || name.length === 0) throw new ConfigError(`${where}: name must be a non-empty string, got ${JSON.stringify(name)}`);
  if (!Number.isSafeInteger(step)) throw new ConfigError(`${where}('${name}'): step must be an integer, got ${step}`);
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One writer per folder, as in TensorFlow.js: two writers appending to one run would interleave. */
const writers = new Map<string, SummaryFileWriter>();
let exitHooks = false;

/** A folder spelled one way ('./logs/', 'logs//' → 'logs'), without node:path. */
function dirKey(dir: string): string {
  const abs = /^[\\/]/.test(dir);
  const parts: string[] = [];
  for (const p of dir.split(/[\\/]+/)) {
    if (p === '' || p === '.') continue;
    if (p === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(p);
  }
  return (abs ? '/' : '') + (parts.join('/') || (abs ? '' : '.'));
}

/** `dir/name`, without node:path (Node accepts '/' on every platform). */
export function joinDir(dir: string, name: string): string {
  return `${dir.replace(/[\\/]+$/, '')}/${name}`;
}

/**
 * Creates (or returns the existing) summary writer for `logdir`, as `tf.node.summaryFileWriter`.
 * The event file `events.out.tfevents.<seconds>.<host><filenameSuffix>` appears in `logdir`.
 * @param maxQueue records kept in memory before a write (default 10)
 * @param flushMillis longest time between writes while scalars keep coming, in ms (default 120000)
 * @param filenameSuffix end of the file name (default '.v2')
 * @example
 * const writer = st.node.summaryFileWriter('/tmp/logs');
 * for (let step = 0; step < 100; step++) writer.scalar('sine', Math.sin(step / 8), step);
 * await writer.flush();
 */
export function summaryFileWriter(logdir: string, maxQueue = 10, flushMillis = 120000, filenameSuffix = '.v2'): SummaryFileWriter {
  if (typeof logdir !== 'string' || logdir.length === 0) {
    throw new ConfigError(`summaryFileWriter: logdir must be a non-empty folder path, got ${JSON.stringify(logdir)}`);
  }
  if (!(Number.isInteger(maxQueue) && maxQueue >= 0)) throw new ConfigError(`summaryFileWriter('${logdir}'): maxQueue must be a non-negative integer, got ${maxQueue}`);
  if (!(flushMillis >= 0)) throw new ConfigError(`summaryFileWriter('${logdir}'): flushMillis must be a non-negative number, got ${flushMillis}`);
  const key = dirKey(logdir);
  let w = writers.get(key);
  if (!w) {
    w = new SummaryFileWriter(logdir, maxQueue, flushMillis, filenameSuffix);
    writers.set(key, w);
    installExitHooks();
  }
  return w;
}

/** Programs written for TensorFlow.js never flush: write their last records as the process ends, also on a crash. */
function installExitHooks(): void {
  if (exitHooks || typeof process === 'undefined' || typeof process.on !== 'function') return;
  exitHooks = true;
  process.on('exit', () => {
    for (const w of writers.values()) w.writeAtExit();
  });
}
