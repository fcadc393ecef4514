import type { MatmulKernels } from '../matmul-kernels.js';
import type { NativeAddon } from './addon.js';
import { Tensor } from '../../tensor/tensor.js';
import { broadcastShapes, sizeOf } from '../../tensor/shape.js';
import { broadcastIndex } from '../js/broadcast.js';
import { matmulKernels as js } from '../js/matmul.js';
import { writeOnlyFloat32 } from '../../tensor/write-only.js';

/** Products of at most this many multiply-adds run in the js kernel. */
export const JS_MAX_MATMUL_WORK = 512;

/**
 * Native matmul: float32 products run in the addon's GEMM, reading the inputs' storage in place and
 * writing a Float32Array allocated here (not zero-filled first: the GEMM writes it all). Other dtypes (float64 gradient checks, int32) and every
 * error case go to the js kernel, which also produces the error messages.
 */
export function nativeMatmulKernels(addon: NativeAddon): MatmulKernels {
  function matmul(a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean): Tensor {
    if (!(a.values instanceof Float32Array) || !(b.values instanceof Float32Array) || a.rank < 2 || b.rank < 2) {
      return js.matmul(a, b, transposeA, transposeB);
    }
    const ra = a.rank, rb = b.rank;
    const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
    const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    if (k !== kb) return js.matmul(a, b, transposeA, transposeB);
    const batchA = a.shape.slice(0, -2), batchB = b.shape.slice(0, -2);
    const batch = broadcastShapes('matmul', batchA, batchB);
    const nb = sizeOf(batch);
    // Tiny products: the call costs more than the arithmetic (V8 keeps arrays of ≤ 64 bytes on its heap
    // and must move them out before the addon can see them).
    if (nb * m * n * k <= JS_MAX_MATMUL_WORK) return js.matmul(a, b, transposeA, transposeB);
    // The GEMM writes every element (accumulate = false; C = 0 when k = 0).
    const out = writeOnlyFloat32(nb * m * n);
    const shape = [...batch, m, n];
    if (out.length === 0) return new Tensor(out, shape);
    const aRs = transposeA ? 1 : k, aCs = transposeA ? m : 1;
    const bRs = transposeB ? 1 : n, bCs = transposeB ? k : 1;
    if (nb === 1 || (sizeOf(batchB) === 1 && !transposeA)) {
      // One shared b (a dense layer on [batch, time, features], say): one tall product.
      addon.gemm(nb * m, n, k, a.values, 0, aRs, aCs, b.values, 0, bRs, bCs, out, 0, n, false);
      return new Tensor(out, shape);
    }
    const ai = broadcastIndex(batchA, batch, nb), bi = broadcastIndex(batchB, batch, nb);
    const aOffsets = new Float64Array(nb), bOffsets = new Float64Array(nb);
    for (let i = 0; i < nb; i++) {
      aOffsets[i] = ai[i] * m * k;
      bOffsets[i] = bi[i] * k * n;
    }
    addon.gemmBatched(nb, m, n, k, a.values, aOffsets, aRs, aCs, b.values, bOffsets, bRs, bCs, out, m * n, n, false);
    return new Tensor(out, shape);
  }
  return { matmul };
}
