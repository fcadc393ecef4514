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

/** Switches the backend that runs every op from now on ('js' is always there). */
export function setBackend(name: string): void {
  const b = backends.get(name);
  if (!b) throw new ConfigError(`setBackend: no backend named '${name}'; available: ${[...backends.keys()].join(', ')}`);
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
