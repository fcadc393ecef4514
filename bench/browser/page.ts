/**
 * The Chromium side of `npm run bench:browser` (bench/browser.ts): bundled by esbuild into the bench
 * page, it receives Strata's browser bundle (`st`) and TensorFlow.js's script build (`tf`, with its
 * wasm backend as `tf.wasm`) and times one cell at a time with the shared steps (strata-steps.ts,
 * tfjs-steps.ts) and the shared method (measure-core.ts). CPU time comes from the driver, which reads
 * Chromium's processes in /proc (`window.benchProbe`).
 */
import type * as TF from '@tensorflow/tfjs';
import { ITEMS } from '../workloads/catalog.js';
import { measureWith, type CpuProbe, type Method } from '../measure-core.js';
import { strataStepWith, type Built, type StrataApi } from '../workloads/strata-steps.js';
import { describeFailure, tfjsSkipReason, tfjsStep } from '../peers/tfjs-steps.js';
import { setWasmThreads, threadShortfall } from '../workloads/threads.js';
import type { Cell } from '../report.js';

/** The columns measured in the page. */
export const PAGE_IMPLS = ['strata-wasm-1T', 'strata-wasm-2T', 'tfjs-wasm', 'tfjs-cpu'] as const;
export type PageImpl = (typeof PAGE_IMPLS)[number];

/** TensorFlow.js's script build with its wasm backend loaded (tf-backend-wasm.es2017.min.js). */
type TfWithWasm = typeof TF & {
  wasm: { setWasmPaths(prefix: string): void; setThreadsCount(n: number): void; getThreadsCount(): number };
};

/** What the page found: isolation, Strata's backend and threads, TensorFlow.js's wasm set-up. */
export interface PageInfo {
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  userAgent: string;
  strata: { backend: string; threads: number; threadsNote: string | null };
  tfjs: {
    version: string;
    simd: boolean | null;
    multithread: boolean | null;
    /** Threads of its XNNPACK pool (tf.wasm.getThreadsCount()). */
    wasmThreads: number | null;
    wasmError: string | null;
  };
}

declare const window: { benchProbe(): Promise<{ own: number; machine: number | null }> } & Record<string, unknown>;

const probe: CpuProbe = { read: () => window.benchProbe() };

/** Waits for both libraries and their wasm modules; `tfWasmPrefix`: the folder of TensorFlow.js's .wasm files. */
export async function setup(st: StrataApi, tf: TfWithWasm, tfWasmPrefix: string): Promise<PageInfo> {
  await st.ready();
  st.setBackend('wasm');
  const threads = setWasmThreads(st, 2);
  const strata = { backend: st.getBackend(), threads, threadsNote: threadShortfall(threads, 2) };
  tf.enableProdMode();
  tf.wasm.setWasmPaths(tfWasmPrefix);
  // Threads on, one per core. TensorFlow.js 4.22 caps its pool at navigator.hardwareConcurrency / 2
  // (its backend.cc assumes two hyperthreads a core), so on 2 cores it runs 1 thread whatever
  // setThreadsCount asks (measured: getThreadsCount() 1 after setThreadsCount(2)). While its backend
  // starts, the page reports twice the cores to it; Strata sets its own thread count explicitly.
  const cores = navigator.hardwareConcurrency;
  tf.wasm.setThreadsCount(cores);
  const flag = async (name: string): Promise<boolean | null> => {
    try {
      return Boolean(await tf.env().getAsync(name));
    } catch {
      return null;
    }
  };
  const tfjs: PageInfo['tfjs'] = {
    version: tf.version.tfjs,
    simd: await flag('WASM_HAS_SIMD_SUPPORT'),
    multithread: await flag('WASM_HAS_MULTITHREAD_SUPPORT'),
    wasmThreads: null,
    wasmError: null,
  };
  Object.defineProperty(navigator, 'hardwareConcurrency', { value: 2 * cores, configurable: true });
  try {
    if (!(await tf.setBackend('wasm'))) throw new Error("tf.setBackend('wasm') returned false");
    tfjs.wasmThreads = tf.wasm.getThreadsCount();
  } catch (e) {
    tfjs.wasmError = describeFailure(e);
  } finally {
    delete (navigator as { hardwareConcurrency?: number }).hardwareConcurrency; // the prototype's getter again
  }
  await tf.setBackend('cpu');
  if (navigator.hardwareConcurrency !== cores) throw new Error('bench page: navigator.hardwareConcurrency was not restored');
  return {
    crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
    hardwareConcurrency: navigator.hardwareConcurrency,
    userAgent: navigator.userAgent,
    strata,
    tfjs,
  };
}

/** Times one item on one implementation; a failure (a missing kernel, no threads) becomes the cell. */
export async function cell(st: StrataApi, tf: TfWithWasm, itemId: string, impl: PageImpl, method: Method, slow: boolean): Promise<Cell> {
  const item = ITEMS.find((i) => i.id === itemId);
  if (!item) return { ok: false, reason: `unknown item ${itemId}` };
  let built: Built | undefined;
  try {
    if (impl === 'strata-wasm-1T' || impl === 'strata-wasm-2T') {
      st.setBackend('wasm');
      const want = impl === 'strata-wasm-2T' ? 2 : 1;
      const short = threadShortfall(setWasmThreads(st, want), want);
      if (short) return { ok: false, reason: short };
      built = strataStepWith(st, item);
    } else {
      const backend = impl === 'tfjs-wasm' ? 'wasm' : 'cpu';
      const skipped = tfjsSkipReason(backend, item, slow);
      if (skipped) return { ok: false, reason: skipped };
      if (!(await tf.setBackend(backend))) return { ok: false, reason: `tf.setBackend('${backend}') failed` };
      built = tfjsStep(tf, item);
    }
    return { ok: true, m: await measureWith(built.step, item, method, probe) };
  } catch (e) {
    return { ok: false, reason: `${impl} ${item.id}: ${describeFailure(e)}` };
  } finally {
    built?.dispose?.();
  }
}
