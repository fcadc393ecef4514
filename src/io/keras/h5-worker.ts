/**
 * Worker thread for `loadKerasModel` in Node: reads HDF5 jobs (keras-extract.ts) one at a time and
 * posts back the artifacts, or the error. The parent terminates it when a job runs past its time
 * limit, and otherwise keeps it (unreferenced) for the next load, so h5wasm starts once.
 */
import { parentPort } from 'node:worker_threads';
import { ModelFileError } from '../errors.js';
import { type ExtractJob, extract } from './keras-extract.js';

parentPort!.on('message', async (job: ExtractJob) => {
  try {
    const artifacts = await extract(job);
    parentPort!.postMessage({ ok: artifacts }, artifacts.weightData ? [artifacts.weightData] : []);
  } catch (e) {
    const err = e as Error;
    parentPort!.postMessage({ err: { refusal: e instanceof ModelFileError, name: err?.name, message: err?.message ?? String(e), stack: err?.stack } });
  }
});
