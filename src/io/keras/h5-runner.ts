/**
 * Where `loadKerasModel` runs its HDF5 reads (keras-extract.ts). The HDF5 C library can loop on a
 * corrupt file, and synchronous WebAssembly cannot be interrupted, so each entry installs a runner
 * that puts the job in a worker it can stop after a time limit: a worker thread in Node
 * (h5-run-node.ts), a Web Worker in browsers (h5-run-browser.ts). Without one the job runs inline.
 * Both workers answer with `answerJob`; both parents use `workerRunner` (timeout, reuse, errors).
 */
import { StrataError } from '../../errors.js';
import { ModelFileError } from '../errors.js';
import type { ModelArtifacts } from '../types.js';
import { type ExtractJob, extract } from './keras-extract.js';

/** Runs one HDF5 job within `timeoutMs`. */
export type Hdf5Runner = (job: ExtractJob, timeoutMs: number) => Promise<ModelArtifacts>;

let runner: Hdf5Runner = (job) => extract(job);

/** Installs the runner (the Node and browser entries do). */
export function setHdf5Runner(r: Hdf5Runner): void {
  runner = r;
}

/** Runs `job` through the installed runner. */
export function runHdf5Job(job: ExtractJob, timeoutMs: number): Promise<ModelArtifacts> {
  return runner(job, timeoutMs);
}

/** What a worker posts back: `ready` once started, then one reply per job. */
export type WorkerReply =
  | { ready: true }
  | { ok: ModelArtifacts }
  | { err: { refusal: boolean; name: string; message: string; stack?: string } };

/** Worker side: the reply to one job and the buffers to transfer with it. */
export async function answerJob(job: ExtractJob): Promise<{ reply: WorkerReply; transfer: ArrayBuffer[] }> {
  try {
    const artifacts = await extract(job);
    return { reply: { ok: artifacts }, transfer: artifacts.weightData ? [artifacts.weightData] : [] };
  } catch (e) {
    const err = e as Error;
    return { reply: { err: { refusal: e instanceof ModelFileError, name: err?.name, message: err?.message ?? String(e), stack: err?.stack } }, transfer: [] };
  }
}

/** A worker as the parent sees it, whatever the platform. */
export interface JobWorker {
  post(job: ExtractJob): void;
  /** Calls `onReply` for each message and `onError` for an uncaught error or a failed start. */
  listen(onReply: (m: WorkerReply) => void, onError: (e: Error) => void): void;
  /** Removes the listeners. */
  mute(): void;
  terminate(): void;
  /** Node: whether the worker keeps the process alive (only while a job runs). */
  hold?(on: boolean): void;
}

/** Options of `workerRunner`. */
export interface WorkerRunnerOptions {
  /** Starts a worker. */
  spawn(): JobWorker;
  /**
   * Called when a worker fails before it posted `ready` (a script that is not served, a blocked
   * worker); its result is the job's. Without it, the failure rejects the job.
   */
  onStartFailure?(job: ExtractJob, timeoutMs: number, error: Error): Promise<ModelArtifacts>;
}

/**
 * A runner that posts each job to a worker and terminates the worker when the job runs past its
 * time limit. A worker that finished is kept for the next job, so h5wasm starts once; `reset()`
 * terminates it (the next job starts a fresh one).
 */
export function workerRunner(opts: WorkerRunnerOptions): Hdf5Runner & { reset(): void } {
  let idle: { worker: JobWorker; ready: boolean } | null = null;
  const run: Hdf5Runner = (job, timeoutMs) => {
    let slot = idle;
    idle = null;
    if (!slot) {
      try {
        slot = { worker: opts.spawn(), ready: false };
      } catch (e) {
        return opts.onStartFailure ? opts.onStartFailure(job, timeoutMs, e as Error) : Promise.reject(e);
      }
    }
    const s = slot;
    const { worker } = s;
    worker.hold?.(true);
    return new Promise<ModelArtifacts>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        worker.mute();
      };
      const timer = setTimeout(() => {
        done();
        worker.terminate();
        reject(new ModelFileError(`${job.where}: HDF5 did not finish reading the file within ${timeoutMs} ms; it is corrupt or hostile ` +
          `(option parseTimeoutMs)`));
      }, timeoutMs);
      worker.listen((m) => {
        if ('ready' in m) {
          s.ready = true;
          return;
        }
        done();
        worker.hold?.(false);
        if (idle) worker.terminate();
        else idle = s;
        if ('ok' in m) resolve(m.ok);
        else if (m.err.refusal) reject(new ModelFileError(m.err.message));
        else reject(Object.assign(new StrataError(`${m.err.name}: ${m.err.message}`), { stack: m.err.stack }));
      }, (e) => {
        done();
        worker.terminate();
        if (!s.ready && opts.onStartFailure) opts.onStartFailure(job, timeoutMs, e).then(resolve, reject);
        else reject(e);
      });
      worker.post(job);
    });
  };
  return Object.assign(run, {
    reset: () => {
      idle?.worker.terminate();
      idle = null;
    },
  });
}
