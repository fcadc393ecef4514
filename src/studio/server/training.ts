/**
 * One training run at a time, in the server's process but off the request path: model.fit yields
 * to the event loop after every batch, so requests are served while it trains. Every event goes to
 * every open page (server-sent events), so several tabs watch the same run. Pause waits at the next
 * batch; stop ends after the current batch; a checkpoint is saved between batches.
 */
import type { ServerResponse } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as st from '../../index.js';
import { writeFileAtomic } from '../../io/handlers.js';
import type { StudioData } from './datasets.js';
import { targetsFor } from './datasets.js';

export type RunStatus = 'running' | 'paused' | 'stopping' | 'stopped' | 'done' | 'failed';

export interface RunOptions {
  epochs: number;
  batchSize: number;
  validationSplit: number;
  loss: string;
  optimizer: string;
  learningRate: number;
  metrics: string[];
}

/** Per layer weight: statistics of its values and of its gradient on one batch. */
export interface WeightStats { name: string; mean: number; std: number; min: number; max: number; gradMean?: number; gradStd?: number }

/** At most this many batch points are kept (older ones thinned), so memory stays flat on long runs. */
const MAX_BATCH_POINTS = 2000;

export class TrainingRun {
  status: RunStatus = 'running';
  readonly batches: Record<string, number>[] = [];
  readonly epochs: Record<string, number>[] = [];
  latest: Record<string, unknown> = {};
  error?: string;
  private resumeWaiters: (() => void)[] = [];
  private checkpointAsked = false;
  private step = 0;

  constructor(readonly id: string, readonly model: st.Model, private readonly data: StudioData, readonly options: RunOptions,
    private readonly dir: string, private readonly emit: (event: string, data: unknown) => void) {}

  /** Trains to the end (or a stop); never throws: failures become status 'failed' with the message. */
  async run(): Promise<void> {
    const o = this.options;
    try {
      const { y } = targetsFor(this.data, o.loss);
      const opt = st.optimizers.deserialize({ class_name: o.optimizer, config: { learningRate: o.learningRate } as never }, 'optimizer');
      this.model.compile({ optimizer: opt, loss: o.loss, metrics: o.metrics });
      this.emitStatus();
      await this.model.fit(this.data.x, y, {
        epochs: o.epochs, batchSize: o.batchSize, validationSplit: o.validationSplit, verbose: 0, shuffle: true, callbacks: this.hooks(y),
      });
    } catch (e) {
      this.status = 'failed';
      this.error = (e as Error).message;
    }
    await this.finish();
  }

  /**
   * The fit callbacks that feed this run's events: pause waits at the next batch, checkpoints are
   * saved between batches. `strata train --studio` passes them to its own fit.
   */
  hooks(y: st.Tensor): st.callbacks.CallbackHooks {
    return {
      onBatchBegin: () => this.waitWhilePaused(),
      onBatchEnd: async (batch, logs) => {
        this.step++;
        const point = { step: this.step, batch, ...numbers(logs) };
        this.batches.push(point);
        if (this.batches.length > MAX_BATCH_POINTS) this.batches.splice(0, this.batches.length, ...thinned(this.batches));
        this.emit('batch', { run: this.id, ...point });
        if (this.checkpointAsked) await this.checkpoint(`step${this.step}`);
      },
      onEpochEnd: async (epoch, logs) => {
        const point = { epoch: epoch + 1, ...numbers(logs) };
        this.epochs.push(point);
        this.latest = { epoch: point, ...this.inspect(y) };
        this.emit('epoch', { run: this.id, ...this.latest });
        await this.saveHistory();
      },
    };
  }

  /** Marks the run finished (done, or stopped when asked) and saves its history. */
  async finish(error?: string): Promise<void> {
    if (error) { this.status = 'failed'; this.error = error; }
    if (this.status !== 'failed') this.status = this.status === 'stopping' ? 'stopped' : 'done';
    await this.saveHistory().catch(() => undefined);
    this.emitStatus();
  }

  /** Announces the run's start to every open page. */
  start(): void {
    this.emitStatus();
  }

  pause(): void {
    if (this.status === 'running') this.status = 'paused';
    this.emitStatus();
  }

  resume(): void {
    if (this.status === 'paused') this.status = 'running';
    for (const w of this.resumeWaiters.splice(0)) w();
    this.emitStatus();
  }

  stop(): void {
    if (this.status === 'running' || this.status === 'paused') {
      this.status = 'stopping';
      this.model.stopTraining = true;
      for (const w of this.resumeWaiters.splice(0)) w();
    }
    this.emitStatus();
  }

  /** Saves a checkpoint now when not training a batch (paused or finished), else after the current batch. */
  async requestCheckpoint(): Promise<string | null> {
    if (this.status === 'running') {
      this.checkpointAsked = true;
      return null;
    }
    return this.checkpoint(`step${this.step}`);
  }

  /** A snapshot for a page that opens while the run goes on. */
  snapshot(): unknown {
    return { run: this.id, status: this.status, error: this.error, options: this.options, batches: this.batches, epochs: this.epochs, latest: this.latest, classNames: this.data.classNames ?? null };
  }

  private async checkpoint(tag: string): Promise<string> {
    this.checkpointAsked = false;
    const rel = join('checkpoints', `${this.id}-${tag}`);
    await this.model.save(join(this.dir, rel));
    this.emit('checkpoint', { run: this.id, path: rel });
    return rel;
  }

  private waitWhilePaused(): Promise<void> | void {
    if (this.status !== 'paused') return;
    return new Promise((resolve) => this.resumeWaiters.push(resolve));
  }

  private emitStatus(): void {
    this.emit('status', { run: this.id, status: this.status, error: this.error ?? null });
  }

  private async saveHistory(): Promise<void> {
    const folder = join(this.dir, 'runs', this.id);
    mkdirSync(folder, { recursive: true });
    const body = JSON.stringify({ id: this.id, status: this.status, error: this.error, options: this.options, source: this.data.source, batches: this.batches, epochs: this.epochs, latest: this.latest });
    await writeFileAtomic(join(folder, 'history.json'), Buffer.from(body));
  }

  /** Weight and gradient statistics per layer, confusion matrix and sample predictions on held-out data. */
  private inspect(y: st.Tensor): Record<string, unknown> {
    const n = this.data.x.shape[0];
    const nVal = Math.floor(n * this.options.validationSplit);
    // fit holds out the last samples; without a split, look at the last (at most) 500 training ones.
    const from = nVal > 0 ? n - nVal : Math.max(0, n - 500);
    const x = st.slice(this.data.x, [from], [n - from]);
    const yt = st.slice(y, [from], [n - from]);
    const weights = this.weightStats(st.slice(x, [0], [Math.min(64, n - from)]), st.slice(yt, [0], [Math.min(64, n - from)]));
    if (!this.data.classNames) return { weights };
    const probs = this.model.predict(x, { batchSize: 256 }) as st.Tensor;
    const k = this.data.classNames.length;
    const p = probs.dataSync() as Float32Array;
    const width = probs.shape[1] ?? 1;
    const truth = Array.from(st.argMax(yt.rank > 1 && yt.shape[1]! > 1 ? yt : st.reshape(yt, [-1, 1]), -1).dataSync());
    const truthIdx = yt.rank > 1 && yt.shape[1]! > 1 ? truth : Array.from(yt.dataSync(), (v) => Math.round(v));
    const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    const samples: { index: number; truth: number; predicted: number; probability: number }[] = [];
    for (let i = 0; i < truthIdx.length; i++) {
      let best = 0;
      if (width === 1) best = p[i] >= 0.5 ? 1 : 0;
      else for (let j = 1; j < width; j++) if (p[i * width + j] > p[i * width + best]) best = j;
      if (truthIdx[i] < k && best < k) matrix[truthIdx[i]][best]++;
      if (samples.length < 12) samples.push({ index: from + i, truth: truthIdx[i], predicted: best, probability: width === 1 ? (best ? p[i] : 1 - p[i]) : p[i * width + best], ...this.picture(from + i) });
    }
    return { weights, confusion: { classes: this.data.classNames, matrix, on: nVal > 0 ? 'validation' : 'training' }, samples };
  }

  /** A small image sample's pixels (0–255 grey or RGB), for the predictions next to the truth. */
  private picture(i: number): { pixels?: number[]; height?: number; width?: number; channels?: number } {
    const m = this.data.input;
    if (m.kind !== 'image' || m.height * m.width > 64 * 64) return {};
    const x = st.slice(this.data.x, [i], [1]).dataSync() as Float32Array;
    return { pixels: Array.from(x, (v) => Math.round(v * 255)), height: m.height, width: m.width, channels: m.channels };
  }

  private weightStats(x: st.Tensor, y: st.Tensor): WeightStats[] {
    const vars = this.model.trainableWeights;
    let grads: st.Tensor[] | null = null;
    try {
      const lossFn = st.losses.getLoss(this.options.loss);
      grads = st.valueAndGrads(() => st.mean(lossFn(y, this.model.apply(x, { training: false }) as st.Tensor)), vars).grads;
    } catch {
      grads = null; // statistics of the weights alone
    }
    return vars.map((v, i) => ({ name: v.name, ...stats(v), ...(grads ? prefixed(stats(grads[i])) : {}) }));
  }
}

/** Every other point, the newest always kept (curves keep their shape and their end). */
function thinned<T>(points: T[]): T[] {
  return points.filter((_, i) => i % 2 === (points.length - 1) % 2);
}

function numbers(logs: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(logs)) if (typeof v === 'number' && k !== 'batch' && k !== 'size') out[k] = v;
  return out;
}

function stats(t: st.Tensor): { mean: number; std: number; min: number; max: number } {
  const a = t.dataSync() as Float32Array;
  let s = 0, s2 = 0, min = Infinity, max = -Infinity;
  for (const v of a) { s += v; s2 += v * v; if (v < min) min = v; if (v > max) max = v; }
  const mean = s / Math.max(1, a.length);
  return { mean, std: Math.sqrt(Math.max(0, s2 / Math.max(1, a.length) - mean * mean)), min, max };
}

function prefixed(s: { mean: number; std: number }): { gradMean: number; gradStd: number } {
  return { gradMean: s.mean, gradStd: s.std };
}

/** Server-sent events to every open page. */
export class EventHub {
  private readonly clients = new Set<ServerResponse>();

  add(res: ServerResponse, first?: { event: string; data: unknown }): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': studio events\n\n');
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
    // A tab that went away mid-write must not take the server down.
    res.on('error', () => this.clients.delete(res));
    if (first) res.write(frame(first.event, first.data));
  }

  emit(event: string, data: unknown): void {
    const f = frame(event, data);
    for (const c of this.clients) c.write(f);
  }

  get size(): number {
    return this.clients.size;
  }

  closeAll(): void {
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
