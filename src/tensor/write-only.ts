/**
 * Output arrays for loops that write every element (the GEMM, optimizer updates). `new Float32Array(n)`
 * zero-fills (calloc), a pass over memory that is about to be overwritten anyway; for large arrays
 * Node's `Buffer.allocUnsafe` skips it (measured: +3% on a 1024 × 1024 product through st.matmul, and
 * Adam's update of a 784 × 128 kernel at 38 µs into warm arrays against 131 µs into fresh zeroed ones).
 * Small arrays would come from Buffer's shared pool, so they take the zero-filled path to own their buffer.
 */
const UNFILLED_MIN = 1 << 14;

/** Node's Buffer, absent outside Node (a bundle for the browser then zero-fills like any typed array). */
const NodeBuffer: typeof Buffer | undefined = (globalThis as { Buffer?: typeof Buffer }).Buffer;

/** A fresh ArrayBuffer of `n` 4-byte elements that is not zero-filled, or null where one is not to be had. */
function unfilled(n: number): ArrayBuffer | null {
  if (n < UNFILLED_MIN || !NodeBuffer) return null;
  const bytes = NodeBuffer.allocUnsafe(n * 4);
  // Above Buffer's pool size the buffer is its own ArrayBuffer; anything else stays zero-filled.
  return bytes.byteOffset === 0 && bytes.buffer.byteLength === n * 4 ? bytes.buffer as ArrayBuffer : null;
}

/** A Float32Array of `n` elements whose contents are undefined: only for loops that write them all. */
export function writeOnlyFloat32(n: number): Float32Array {
  const buffer = unfilled(n);
  return buffer ? new Float32Array(buffer, 0, n) : new Float32Array(n);
}

/** An Int32Array of `n` elements whose contents are undefined: only for loops that write them all. */
export function writeOnlyInt32(n: number): Int32Array {
  const buffer = unfilled(n);
  return buffer ? new Int32Array(buffer, 0, n) : new Int32Array(n);
}

/** An array of `a`'s type and length whose contents are undefined: only for loops that write them all. */
export function writeOnlyLike(a: Float32Array | Float64Array): Float32Array | Float64Array {
  return a instanceof Float32Array ? writeOnlyFloat32(a.length) : new Float64Array(a.length);
}
