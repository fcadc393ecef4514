/**
 * Output arrays for loops that write every element (the GEMM, optimizer updates). `new Float32Array(n)`
 * zero-fills (calloc), a pass over memory that is about to be overwritten anyway; for large arrays
 * Node's `Buffer.allocUnsafe` skips it (measured: +3% on a 1024 × 1024 product through st.matmul, and
 * Adam's update of a 784 × 128 kernel at 38 µs into warm arrays against 131 µs into fresh zeroed ones).
 * Small arrays would come from Buffer's shared pool, so they take the zero-filled path to own their buffer.
 */
const UNFILLED_MIN = 1 << 14;

import { stepBuffer } from './buffer-pool.js';

/** Node's Buffer, absent outside Node (a bundle for the browser then zero-fills like any typed array). */
const NodeBuffer: typeof Buffer | undefined = (globalThis as { Buffer?: typeof Buffer }).Buffer;

/** A fresh ArrayBuffer of `n` 4-byte elements that is not zero-filled, or null where one is not to be had. */
function unfilled(n: number): ArrayBuffer | null {
  if (n < UNFILLED_MIN || !NodeBuffer) return null;
  const bytes = NodeBuffer.allocUnsafe(n * 4);
  // Above Buffer's pool size the buffer is its own ArrayBuffer; anything else stays zero-filled.
  return bytes.byteOffset === 0 && bytes.buffer.byteLength === n * 4 ? bytes.buffer as ArrayBuffer : null;
}

/** `n` 4-byte elements of storage: recycled inside a training step's scope (tensor/buffer-pool.ts), else fresh. */
function storage(n: number): ArrayBuffer {
  return stepBuffer(n * 4, () => unfilled(n) ?? new ArrayBuffer(n * 4));
}

/**
 * A Float32Array of `n` elements whose contents are undefined: only for loops that write them all.
 * Inside a training step's scope a large one may reuse the storage of an array of an earlier step.
 */
export function writeOnlyFloat32(n: number): Float32Array {
  return new Float32Array(storage(n), 0, n);
}

/** An Int32Array of `n` elements whose contents are undefined: only for loops that write them all. */
export function writeOnlyInt32(n: number): Int32Array {
  return new Int32Array(storage(n), 0, n);
}

/** A zero-filled Float32Array of `n` elements, for kernels that accumulate into their output (recycled as writeOnlyFloat32). */
export function zeroedFloat32(n: number): Float32Array {
  let fresh = false;
  const a = new Float32Array(stepBuffer(n * 4, () => { fresh = true; return new ArrayBuffer(n * 4); }), 0, n);
  if (!fresh) a.fill(0);
  return a;
}

/** An array of `a`'s type and length whose contents are undefined: only for loops that write them all. */
export function writeOnlyLike(a: Float32Array | Float64Array): Float32Array | Float64Array {
  return a instanceof Float32Array ? writeOnlyFloat32(a.length) : new Float64Array(a.length);
}
