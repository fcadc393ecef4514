import type { DenseActivation, MatmulKernels } from '../matmul-kernels.js';
import type { NativeAddon } from './addon.js';
import { FUSED_CODE, NATIVE_MIN_BIAS_ACTIVATION, nativeElementwiseKernels } from './elementwise.js';
import { Tensor } from '../../tensor/tensor.js';
import { broadcastShapes, sizeOf } from '../../tensor/shape.js';
import { broadcastIndex } from '../js/broadcast.js';
import { matmulKernels as js } from '../js/matmul.js';
import { writeOnlyFloat32 } from '../../tensor/write-only.js';

/** Products of at most this many multiply-adds run in the js kernel. */
export const JS_MAX_MATMUL_WORK = 512;

/** Weight matrices smaller than this (elements; 64 KiB, the transport's floor) are copied into wasm memory per call rather than kept there. */
const RESIDENT_MIN = 1 << 14;

/** The addon's code for softmax as a dense layer's activation (after the FUSED_CODE ones; native/src/dense.h). */
const DENSE_SOFTMAX = FUSED_CODE.size;

/** The addon's code for a dense layer without activation: its product alone. */
const DENSE_LINEAR = FUSED_CODE.get('linear')!;

/**
 * A right-hand side st.matmul has multiplied by this many times is packed for the GEMM once and read
 * packed from then on (as a dense layer's weights are): a matrix multiplied in a loop. Not sooner: a
 * training step multiplies by an array two or three times and drops it.
 */
const PACK_B_AFTER_CALLS = 2;
/** Smaller right-hand sides are packed with each product: packing them costs next to nothing. */
const PACK_B_MIN_ELEMENTS = 1 << 14;

/** A weight matrix packed for the addon's GEMM (gemmPackB): valid while the addon's layout is `layout`. */
interface PackedWeights {
  data: Float32Array;
  /** Where the packed values start in data (a 64-byte boundary). */
  offset: number;
  layout: number;
  /** Products that read it: from the second on, w and this copy are kept resident (keepResident). */
  uses: number;
  /** The k × n matrix it packs (the same storage may be read under another shape). */
  k: number;
  n: number;
}

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
      // One shared b (a dense layer on [batch, time, features], say): one tall product; b packed once
      // when it comes back again and again (the same numbers: the GEMM packs it the same way).
      let p = !transposeA && !transposeB ? reusedB(b.values, nb * m, k, n) : null;
      if (p && !addon.dense(nb * m, n, k, a.values, b.values, p.data, p.offset, p.layout, null, DENSE_LINEAR, 0, out)) {
        // Packed for another micro-kernel (setIsa since): pack again.
        packed.delete(b.values);
        p = packedFor(b.values, k, n);
        addon.dense(nb * m, n, k, a.values, b.values, p.data, p.offset, p.layout, null, DENSE_LINEAR, 0, out);
      }
      if (p) return new Tensor(out, shape);
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

  const elementwise = nativeElementwiseKernels(addon);
  // Weights packed once, by their storage: a Variable's storage is replaced (never written) when it
  // changes, so an entry is valid for as long as its key lives, and goes with it.
  const packed = new WeakMap<Float32Array, PackedWeights>();

  // Thin products' uses of a weight matrix they read unpacked, by its storage (see keepResident below).
  const thinUses = new WeakMap<Float32Array, number>();

  function packedFor(w: Float32Array, k: number, n: number): PackedWeights {
    let p = packed.get(w);
    if (!p || p.k !== k || p.n !== n) {
      const data = new Float32Array(addon.gemmPackedLength(k, n));
      const offset = addon.gemmPackB(k, n, w, data);
      p = { data, offset, layout: addon.gemmPackLayout(), uses: 0, k, n };
      packed.set(w, p);
    }
    return p;
  }

  // How many products each large right-hand side of matmul was in before it was packed.
  const bSightings = new WeakMap<Float32Array, number>();

  /**
   * b (row-major k × n) packed, when matmul has multiplied by it often enough (PACK_B_AFTER_CALLS);
   * null where the GEMM should pack it itself.
   */
  function reusedB(b: Float32Array, m: number, k: number, n: number): PackedWeights | null {
    if (m < 4 || n < 4 || k * n < PACK_B_MIN_ELEMENTS) return null;
    const p = packed.get(b);
    if (p && p.k === k && p.n === n) return p;
    const seen = bSightings.get(b) ?? 0;
    if (seen < PACK_B_AFTER_CALLS) {
      bSightings.set(b, seen + 1);
      return null;
    }
    bSightings.delete(b);
    return packedFor(b, k, n);
  }

  /** The unfused pass, from this backend's own kernels: what the fused call must equal. */
  function unfused(x: Tensor, w: Tensor, bias: Tensor | null, act: DenseActivation, alpha: number): Tensor {
    const y = matmul(x, w, false, false);
    if (act !== 'softmax') return elementwise.biasActivation(y, bias, act, alpha);
    return elementwise.softmax(bias ? elementwise.biasActivation(y, bias, 'linear', 0) : y, y.rank - 1);
  }

  /**
   * The dense forward pass in one addon call (the GEMM with bias and activation as its epilogue), w
   * read from a packed copy when it is reused. Products and outputs small enough that matmul or the
   * elementwise kernels would run js take the unfused kernels, so results never depend on which ran.
   */
  function matmulBiasActivation(x: Tensor, w: Tensor, bias: Tensor | null, act: DenseActivation, alpha: number, reuse: boolean): Tensor {
    const code = act === 'softmax' ? DENSE_SOFTMAX : FUSED_CODE.get(act);
    const k = w.shape[0], n = w.shape[1];
    if (!(x.values instanceof Float32Array) || !(w.values instanceof Float32Array) || code === undefined || x.rank < 2 ||
        w.rank !== 2 || x.shape[x.rank - 1] !== k || (bias !== null && (!(bias.values instanceof Float32Array) || bias.size !== n))) {
      return unfused(x, w, bias, act, alpha);
    }
    const m = x.size / Math.max(k, 1);
    if (m * n * k <= JS_MAX_MATMUL_WORK || m * n < NATIVE_MIN_BIAS_ACTIVATION || k === 0) return unfused(x, w, bias, act, alpha);
    const out = writeOnlyFloat32(m * n);
    const b = bias ? bias.values as Float32Array : null;
    // Thin products (a batch of one, say) read w directly: packing would cost as much as they do.
    let p = reuse && m >= 4 && n >= 4 ? packedFor(w.values, k, n) : null;
    // Weights read a second time unchanged (inference: a training step replaces them after one forward
    // pass) stay in the wasm backend's memory, so the transport stops copying them in (W3's dense1: w
    // and its packed copy, 1.6 MB a batch; at batch 1, w unpacked: 0.8 MB, a quarter of the call).
    if (addon.keepResident && reuse && w.size >= RESIDENT_MIN) {
      let uses: number;
      if (p) {
        uses = ++p.uses;
      } else {
        uses = (thinUses.get(w.values) ?? 0) + 1;
        thinUses.set(w.values, uses);
      }
      if (uses === 2) {
        addon.keepResident(w.values);
        if (p) addon.keepResident(p.data);
      }
    }
    if (!addon.dense(m, n, k, x.values, w.values, p?.data ?? null, p?.offset ?? 0, p?.layout ?? 0, b, code, alpha, out)) {
      // Packed for another micro-kernel (setIsa since): pack again.
      packed.delete(w.values);
      p = packedFor(w.values, k, n);
      addon.dense(m, n, k, x.values, w.values, p.data, p.offset, p.layout, b, code, alpha, out);
    }
    return new Tensor(out, [...x.shape.slice(0, -1), n]);
  }

  return { matmul, matmulBiasActivation };
}
