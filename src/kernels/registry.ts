import { ConfigError } from '../errors.js';
import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';
import { countKernels, kernelCalls, resetKernelCalls, type KernelCallCount } from './call-count.js';

// Every registered backend's kernels are counted (native code executed vs js), for the tests.
export { kernelCalls, resetKernelCalls, type KernelCallCount };

const countedJs = countKernels(jsBackend);
const backends = new Map<string, Backend>([['js', countedJs]]);
let active: Backend = countedJs;

/** Makes a backend available to `setBackend` under its name. */
export function registerBackend(backend: Backend): void {
  backends.set(backend.name, countKernels(backend));
}

// TensorFlow.js's names for the backends Strata has: its pure-JS 'cpu' is our reference 'js', and
// tfjs-node's 'tensorflow' (native code) is our 'native'.
const TFJS_NAMES: Record<string, string> = { cpu: 'js', tensorflow: 'native' };

/**
 * Switches the backend that runs every op from now on ('js' is always there). TensorFlow.js's names
 * 'cpu' and 'tensorflow' select 'js' and 'native'.
 * @example st.setBackend('js')
 */
export function setBackend(name: string): void {
  const b = backends.get(name) ?? backends.get(TFJS_NAMES[name] ?? '');
  if (!b) {
    const gpu = ['webgl', 'webgpu'].includes(name) ? ' (Strata has no GPU backend yet)' : '';
    throw new ConfigError(`setBackend: no backend named '${name}'${gpu}; available: ${[...backends.keys()].join(', ')}` +
      ` (TensorFlow.js names: ${Object.keys(TFJS_NAMES).filter((k) => backends.has(TFJS_NAMES[k])).join(', ')})`);
  }
  active = b;
}

/** The name of the backend in use. */
export function getBackend(): string {
  return active.name;
}

/** Names of the registered backends. */
export function listBackends(): string[] {
  return [...backends.keys()];
}

/** The kernels of the backend in use (internal: ops call it). */
export function kernels(): Backend {
  return active;
}
