/**
 * Which of the four committed wasm builds (scripts/build-wasm.mjs) this runtime runs: the relaxed-SIMD
 * ones (wasm/strata-relaxed*.wasm: the kernels' multiply-add is one FMA, GEMM ~1.35× the SIMD128 build)
 * where the runtime validates relaxed SIMD (Chromium 114 and later, Node 21 and later, Node 20 with
 * --experimental-wasm-relaxed-simd, which the Node loader turns on: load-node.ts),
 * the SIMD128 ones elsewhere; the threaded ones where shared memory and workers exist.
 */

// (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd):
// the final opcode, 0xfd 0x105. The draft opcodes clang 14 emitted validate nowhere that matters.
const PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, // type: (v128 v128 v128) -> v128
  0x03, 0x02, 0x01, 0x00, // function 0 of type 0
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b, // code
]);

let supported: boolean | undefined;

/** Whether this runtime validates relaxed SIMD now (not cached: Node's loader may turn it on first). */
export function validatesRelaxedSimd(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(PROBE);
  } catch {
    return false;
  }
}

/** Whether this runtime runs WebAssembly relaxed SIMD (checked once, by validating a tiny module). */
export function relaxedSimdSupported(): boolean {
  if (supported === undefined) supported = validatesRelaxedSimd();
  return supported;
}

/** The module file for a runtime: 'strata[-relaxed][-threads].wasm'. */
export function wasmFileName(threaded: boolean, relaxed = relaxedSimdSupported()): string {
  return `strata${relaxed ? '-relaxed' : ''}${threaded ? '-threads' : ''}.wasm`;
}
