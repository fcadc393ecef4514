/**
 * Worker thread for `loadKerasModel` in Node: reads HDF5 jobs (keras-extract.ts) one at a time and
 * posts back the artifacts, or the error. The parent (h5-run-node.ts) terminates it when a job runs
 * past its time limit, and otherwise keeps it (unreferenced) for the next load, so h5wasm starts once.
 */
import { parentPort } from 'node:worker_threads';
import type { ExtractJob } from './keras-extract.js';
import { answerJob } from './h5-runner.js';

parentPort!.on('message', async (job: ExtractJob) => {
  const { reply, transfer } = await answerJob(job);
  parentPort!.postMessage(reply, transfer);
});
parentPort!.postMessage({ ready: true });
