/** Side effect of the Node entry: Keras HDF5 reads run in a worker thread (h5-worker.ts) with a time limit. */
import { Worker } from 'node:worker_threads';
import { type JobWorker, type WorkerReply, setHdf5Runner, workerRunner } from './h5-runner.js';

function spawn(): JobWorker {
  const w = new Worker(new URL('./h5-worker.js', import.meta.url));
  return {
    post: (job) => w.postMessage(job),
    listen: (onReply, onError) => {
      w.on('message', (m: WorkerReply) => onReply(m));
      w.on('error', onError);
    },
    mute: () => {
      w.removeAllListeners('message');
      w.removeAllListeners('error');
    },
    terminate: () => void w.terminate(),
    hold: (on) => (on ? w.ref() : w.unref()),
  };
}

setHdf5Runner(workerRunner({ spawn }));
