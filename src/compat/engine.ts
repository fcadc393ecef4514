/**
 * TensorFlow.js's engine functions: tidy, dispose, keep, memory, nextFrame, ready. Strata's tensors
 * are reclaimed by the garbage collector, so the memory chores are documented no-ops that keep TF.js
 * programs running unchanged.
 */
import { backendsReady } from '../kernels/registry.js';
import { ConfigError } from '../errors.js';

/**
 * Runs `fn` and returns its result, as `tf.tidy(fn)` / `tf.tidy(name, fn)`. Nothing is freed:
 * the garbage collector reclaims intermediate tensors. Like TF.js it refuses a function that
 * returns a Promise (an async tidy cannot scope anything in TF.js either).
 * @example const y = st.tidy(() => st.add(st.mul(x, 2), 1));
 */
export function tidy<T>(nameOrFn: string | (() => T), fn?: () => T): T {
  let f: unknown = nameOrFn;
  if (typeof nameOrFn === 'string') f = fn;
  else if (fn !== undefined) {
    throw new ConfigError('tidy: pass tidy(fn) or tidy(name, fn); when the first argument is a function there is no second');
  }
  if (typeof f !== 'function') {
    throw new ConfigError(`tidy: expected a function (or a name then a function), got ${typeof f}`);
  }
  const result = (f as () => T)();
  if (result instanceof Promise) {
    throw new ConfigError('tidy: the function returned a Promise; tidy runs synchronous code only (call it without tidy)');
  }
  return result;
}

/**
 * Accepted for TF.js compatibility and does nothing: tensors are freed by the garbage collector once
 * unreachable. Takes a tensor, an array of tensors or an object holding tensors, as `tf.dispose`.
 */
export function dispose(_container?: unknown): void {}

/**
 * Returns `result` unchanged, as `tf.keep` (which marks a tensor to survive `tidy`); a no-op here
 * because `tidy` frees nothing.
 */
export function keep<T>(result: T): T {
  return result;
}

/** What `memory()` reports. Counts are not tracked under garbage collection; see `reasons`. */
export interface MemoryInfo {
  /** Always 0: live tensors are not counted (the garbage collector owns them). */
  numTensors: number;
  /** Always 0, for the same reason. */
  numDataBuffers: number;
  /** Bytes held by ArrayBuffers in this process (Node's process.memoryUsage().arrayBuffers), tensors and others; 0 where unknown. */
  numBytes: number;
  /** Always true: the numbers are not TF.js's exact tensor accounting. */
  unreliable: true;
  /** Why the numbers are unreliable. */
  reasons: string[];
}

/**
 * Memory figures in TF.js's shape (`tf.memory()`), honest about what can be known: Strata does not
 * count live tensors (the garbage collector reclaims them), so `numTensors` is 0 and `unreliable` is
 * true; `numBytes` is the ArrayBuffer memory of the process where Node reports it.
 * @example console.log(st.memory().numBytes)
 */
export function memory(): MemoryInfo {
  const proc = (globalThis as { process?: { memoryUsage?: () => { arrayBuffers?: number } } }).process;
  const bytes = typeof proc?.memoryUsage === 'function' ? proc.memoryUsage().arrayBuffers ?? 0 : 0;
  const reasons = ['Strata tensors are reclaimed by the garbage collector; live tensors are not counted, so numTensors and numDataBuffers are 0'];
  reasons.push(bytes > 0
    ? 'numBytes is all ArrayBuffer memory of the process (process.memoryUsage().arrayBuffers), not only tensors, and includes garbage not yet collected'
    : 'numBytes is unknown on this platform and reported as 0');
  return { numTensors: 0, numDataBuffers: 0, numBytes: bytes, unreliable: true, reasons };
}

/**
 * Resolves after the next animation frame in a browser, or after pending I/O in Node
 * (setImmediate), so a long loop lets the page or the event loop breathe, as `tf.nextFrame`.
 * @example for (...) { opt.minimize(loss, vars); await st.nextFrame(); }
 */
export function nextFrame(): Promise<void> {
  const g = globalThis as { requestAnimationFrame?: (cb: () => void) => void; setImmediate?: (cb: () => void) => void };
  return new Promise((resolve) => {
    if (typeof g.requestAnimationFrame === 'function') g.requestAnimationFrame(() => resolve());
    else if (typeof g.setImmediate === 'function') g.setImmediate(() => resolve());
    else setTimeout(resolve, 0);
  });
}

/**
 * Resolves when the backends are ready (`tf.ready`): at once in Node; in a browser once the wasm
 * module has loaded (or failed to, leaving js).
 */
export function ready(): Promise<void> {
  return backendsReady();
}
