import type { OptimizerKernels } from '../optimizer-kernels.js';
import type { NativeAddon } from './addon.js';
import { optimizerKernels as js } from '../js/optimizer.js';

/** The addon's optimizer kernels (native/src/optimizer.cc). */
interface OptimizerAddon {
  adamUpdate(
    p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, vHat: Float32Array | null,
    alpha: number, beta1: number, beta2: number, epsilon: number, decay: number,
    outP: Float32Array, outM: Float32Array, outV: Float32Array, outVHat: Float32Array | null,
  ): void;
}

/** Below this many parameters the js loop costs less than crossing into the addon. */
export const NATIVE_MIN_OPTIMIZER = 256;

const f32 = (a: unknown): a is Float32Array => a instanceof Float32Array;

/**
 * Native optimizer updates for float32 variables with float32 gradients, computed in float32 as
 * Keras does (the js rules use float64; results agree to float32 rounding). Everything else runs the
 * js rule.
 */
export function nativeOptimizerKernels(addon: NativeAddon): OptimizerKernels {
  const opt = addon as NativeAddon & OptimizerAddon;
  return {
    adamUpdate(p, g, m, v, vHat, alpha, beta1, beta2, epsilon, decay, outP, outM, outV, outVHat) {
      if (p.length < NATIVE_MIN_OPTIMIZER || !f32(p) || !f32(g) || !f32(m) || !f32(v) || !f32(outP) || !f32(outM) || !f32(outV) ||
        (vHat !== null && !f32(vHat)) || (outVHat !== null && !f32(outVHat))) {
        js.adamUpdate(p, g, m, v, vHat, alpha, beta1, beta2, epsilon, decay, outP, outM, outV, outVHat);
        return;
      }
      opt.adamUpdate(p, g, m, v, vHat, alpha, beta1, beta2, epsilon, decay, outP, outM, outV, outVHat);
    },
  };
}
