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
 * The native backend: the js backend with the kernels the addon implements replaced by native ones.
 * A kernel not (yet) native, or a dtype the native code does not handle, runs the js reference.
 * To add a kernel: implement it in native/src, bind it in addon.cc, declare it in addon.ts, and
 * spread its TypeScript wrapper here after the js kernels. Calls into the addon are counted, so
 * st.testing.kernelCalls('native') tells the kernels that ran native code from those that fell back.
 * The wasm backend is this same glue over the wasm module (src/kernels/wasm/transport.ts), named 'wasm'.
 */
export function createNativeBackend(nativeAddon: NativeAddon, name = 'native'): Backend {
  const addon = countCompiled(nativeAddon);
  return countKernels({
    ...jsBackend,
    ...nativeMatmulKernels(addon),
    ...nativePoolKernels(addon),
    ...nativeGatherKernels(addon),
    ...nativeConvKernels(addon),
    ...nativeElementwiseKernels(addon),
    ...nativeReduceKernels(addon),
    ...nativeRnnKernels(addon),
    ...nativeOptimizerKernels(addon),
    ...nativeLossKernels(addon),
    name,
  });
}
