/**
 * Web Worker for `loadKerasModel` in browsers (a module worker that h5-run-browser.ts starts): reads
 * HDF5 jobs (keras-extract.ts) one at a time and posts back the artifacts, or the error. The page
 * terminates it when a job runs past its time limit. dist/h5-worker.browser.js is this file bundled,
 * with h5wasm loaded on first use from dist/h5wasm.browser.js beside it.
 */
import type { ExtractJob } from './keras-extract.js';
import { answerJob } from './h5-runner.js';

interface WorkerScope {
  postMessage(message: unknown, options?: { transfer?: Transferable[] }): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<ExtractJob>) => void): void;
}
const scope = globalThis as unknown as WorkerScope;

scope.addEventListener('message', async (e) => {
  const { reply, transfer } = await answerJob(e.data);
  scope.postMessage(reply, { transfer });
});
scope.postMessage({ ready: true });
