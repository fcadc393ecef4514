/**
 * Side effect of the browser entry: Keras HDF5 reads run in a module Web Worker
 * (h5-worker.browser.ts) that is terminated when a job runs past `parseTimeoutMs`, as the worker
 * thread does in Node. The worker script is `h5-worker.browser.js` beside the module that starts it
 * (dist/ for dist/strata.browser.js; bundlers that follow `new Worker(new URL(...))`, such as Vite
 * and webpack, bundle it themselves); `setHdf5WorkerUrl` points elsewhere. Where no worker starts
 * (no Worker, the script not served), the job runs in the page, without the time limit, once
 * saying so on the console.
 */
import { ConfigError } from '../../errors.js';
import { extract } from './keras-extract.js';
import { type JobWorker, type WorkerReply, setHdf5Runner, workerRunner } from './h5-runner.js';

let workerUrl: string | URL | null = null;
let warned = false;

/**
 * Where the browser build finds its HDF5 worker script (`h5-worker.browser.js` from the package's
 * dist/, served with `h5wasm.browser.js` beside it), for `loadKerasModel` of `.h5` / `.keras`
 * files. By default it is the file beside Strata's own module, as `strata.wasm` is for
 * `st.setWasmPaths`. A folder URL ending in '/' means that folder's `h5-worker.browser.js`.
 * @example st.io.setHdf5WorkerUrl('/static/strata/'); // serves h5-worker.browser.js and h5wasm.browser.js there
 */
export function setHdf5WorkerUrl(url: string | URL): void {
  if (!(typeof url === 'string' && url.length > 0) && !(url instanceof URL)) {
    throw new ConfigError(`io.setHdf5WorkerUrl: expected the URL of h5-worker.browser.js (or of its folder, ending in '/'), got ${String(url)}`);
  }
  workerUrl = typeof url === 'string' && url.endsWith('/') ? `${url}h5-worker.browser.js` : url;
  runner.reset();
}

function spawn(): JobWorker {
  const w = new Worker(workerUrl ?? new URL('./h5-worker.browser.js', import.meta.url), { type: 'module' });
  let onMessage: ((e: MessageEvent<WorkerReply>) => void) | null = null;
  let onError: ((e: Event) => void) | null = null;
  return {
    post: (job) => w.postMessage(job),
    listen: (reply, error) => {
      onMessage = (e) => reply(e.data);
      onError = (e) => {
        e.preventDefault();
        error(new Error((e as ErrorEvent).message || 'the HDF5 worker failed to start'));
      };
      w.addEventListener('message', onMessage);
      w.addEventListener('error', onError);
    },
    mute: () => {
      if (onMessage) w.removeEventListener('message', onMessage);
      if (onError) w.removeEventListener('error', onError);
    },
    terminate: () => w.terminate(),
  };
}

const runner = workerRunner({
  spawn,
  onStartFailure: (job, _timeout, e) => {
    if (!warned) {
      console.warn(`strata: the HDF5 worker did not start (${e.message}); reading Keras files in the page, without the parseTimeoutMs ` +
        `limit. Serve h5-worker.browser.js and h5wasm.browser.js from Strata's dist/ and point st.io.setHdf5WorkerUrl at them.`);
    }
    warned = true;
    return extract(job);
  },
});

setHdf5Runner((job, timeoutMs) => (typeof Worker === 'function' ? runner(job, timeoutMs) : extract(job)));
