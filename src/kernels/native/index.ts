import type { Backend } from '../backend.js';
import type { NativeAddon } from './addon.js';
import { jsBackend } from '../js/index.js';
import { nativeMatmulKernels } from './matmul.js';
import { nativePoolKernels } from './pool.js';
import { nativeGatherKernels } from './gather.js';
import { nativeConvKernels } from './conv.js';
import { nativeElementwiseKernels } from './elementwise.js';
import { nativeReduceKernels } from './reduce.js';
import { nativeRnnKernels } from './rnn.js';
import { nativeOptimizerKernels } from './optimizer.js';
import { nativeLossKernels } from './loss.js';
import { countCompiled, countKernels } from '../call-count.js';

/**
 * The kernels the compiled code implements (the glue over the addon's functions), without the js
 * kernels around them: what the native and wasm backends replace. The parity harness
 * (test/backend-parity.test.ts) checks that each of these ran compiled code on every compiled backend.
 */
export function compiledKernels(addon: NativeAddon): Partial<Backend> {
  return {
    ...nativeMatmulKernels(addon),
    ...nativePoolKernels(addon),
    ...nativeGatherKernels(addon),
    ...nativeConvKernels(addon),
    ...nativeElementwiseKernels(addon),
    ...nativeReduceKernels(addon),
    ...nativeRnnKernels(addon),
    ...nativeOptimizerKernels(addon),
    ...nativeLossKernels(addon),
  };
}

/**
 * The native backend: the js backend with the kernels the addon implements replaced by native ones.
 * A kernel not (yet) native, or a dtype the native code does not handle, runs the js reference.
 * To add a kernel: implement it in native/src, bind it in addon.cc, declare it in addon.ts, and
 * add its TypeScript wrapper to compiledKernels above. Calls into the addon are counted, so
 * st.testing.kernelCalls('native') tells the kernels that ran native code from those that fell back.
 * This glue is backend-neutral: it drives whatever NativeAddon it is given — the Node addon, which
 * works on typed arrays in place, or the wasm module through its copying transport
 * (src/kernels/wasm/transport.ts), registered as 'wasm'.
 */
export function createNativeBackend(nativeAddon: NativeAddon, name = 'native'): Backend {
  const addon = countCompiled(nativeAddon);
  const threads = { get: () => nativeAddon.getThreads(), set: (n: number) => nativeAddon.setThreads(n) };
  return countKernels({ ...jsBackend, ...compiledKernels(addon), name, threads });
}
