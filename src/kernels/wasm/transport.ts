import type { NativeAddon } from '../native/addon.js';

/**
 * What native/wasm/napi-shim.cc exports (besides the reactor's _initialize); the memory too, except in
 * the threaded build, which imports its shared memory.
 */
export interface StrataWasmExports {
  memory?: WebAssembly.Memory;
  _initialize(): void;
  strata_args(): number;
  strata_export_count(): number;
  strata_export_name(i: number): number;
  strata_call(i: number, argc: number): number;
  strata_error(): number;
  strata_alloc(bytes: number): number;
  strata_free(ptr: number): void;
}

// strata_val (native/wasm/node_api.h): kind i32, arrayType i32, ptr u32, length u32, number f64.
const SLOT = 24;
const KIND = { undefined: 0, null: 1, boolean: 2, number: 3, string: 4, typedarray: 5, array: 6 } as const;
const MAX_ARGS = 16;

/** napi_typedarray_type codes, the same in Node and in the shim. */
function arrayTypeOf(a: ArrayBufferView): number {
  if (a instanceof Float32Array) return 7;
  if (a instanceof Float64Array) return 8;
  if (a instanceof Int32Array) return 5;
  if (a instanceof Uint32Array) return 6;
  if (a instanceof Uint8Array) return 1;
  if (a instanceof Int8Array) return 0;
  if (a instanceof Uint8ClampedArray) return 2;
  if (a instanceof Int16Array) return 3;
  if (a instanceof Uint16Array) return 4;
  throw new TypeError('strata wasm: unsupported array argument');
}

/**
 * The arguments each function writes (indices), copied back out of wasm memory after the call; every
 * other array is only read. Functions not listed get every array copied back (correct, slower).
 * The argument orders are those of native/src/bind-*.cc and addon.cc.
 */
const OUTPUTS: Record<string, readonly number[]> = {
  gemm: [11], gemmBatched: [12], gemmPackB: [3], dense: [11],
  conv3d: [3], conv3dBackpropInput: [3], conv3dBackpropFilter: [3],
  depthwiseConv3d: [3], depthwiseConv3dBackpropInput: [3], depthwiseConv3dBackpropFilter: [3],
  conv3dBiasActivation: [6], conv3dBiasActivationMaxPool: [7],
  unary: [2], binary: [3], reduce: [2], argReduce: [2], softmax: [1],
  biasActivation: [3], biasActivationGrad: [3, 4],
  gatherRows: [5], segmentSumRows: [5],
  maxPool3d: [2], avgPool3d: [2], maxPool3dArgmax: [2, 3], avgPool3dBackward: [2],
  gatherFlat: [2], scatterAddFlat: [2],
  rnnForward: [8, 9, 10, 11, 12, 13], rnnBackward: [12, 13, 14, 15],
  adamUpdate: [10, 11, 12, 13],
  softmaxCrossEntropy: [2], softmaxCrossEntropyGrad: [3],
};

/**
 * Whether a GEMM's C array is exactly the product(s) it writes: not accumulated into, starting at 0,
 * rows of n packed (ldc = n) and products packed (cStride = m·n), so no element of the array keeps
 * its old value. A strided or offset C (the addon's API allows one) must be copied in, or the
 * elements the GEMM skips would come back out of scratch memory.
 */
const gemmWritesAllOfC = (c: unknown, count: number, cOff: number, ldc: number, n: number, accumulate: unknown): boolean =>
  !accumulate && cOff === 0 && ldc === n && (c as Float32Array).length === count;

/**
 * The outputs each function writes in full whatever they held (the arrays the native glue allocates
 * with writeOnlyFloat32): not copied into wasm memory first. A GEMM's C only when it writes all of it.
 * (Exported for the parity harness, which fills these outputs with NaN before each call on every transport.)
 */
export const WRITE_ONLY: Record<string, (args: unknown[]) => readonly number[]> = {
  // gemm(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, ldc, accumulate)
  gemm: (a) => (gemmWritesAllOfC(a[11], (a[0] as number) * (a[1] as number), a[12] as number, a[13] as number, a[1] as number, a[14]) ? [11] : []),
  // gemmBatched(batch, m, n, k, a, aOffsets, aRs, aCs, b, bOffsets, bRs, bCs, c, cStride, ldc, accumulate)
  gemmBatched: (a) => (gemmWritesAllOfC(a[12], (a[0] as number) * (a[1] as number) * (a[2] as number), 0, a[14] as number, a[2] as number, a[15]) &&
    a[13] === (a[1] as number) * (a[2] as number) ? [12] : []),
  // dense(m, n, k, x, w, packed, packedOffset, layout, bias, act, alpha, out): out is [m, n] exactly (the glue allocates it).
  dense: (a) => ((a[11] as Float32Array).length === (a[0] as number) * (a[1] as number) ? [11] : []),
  conv3dBiasActivation: () => [6], conv3dBiasActivationMaxPool: () => [7], unary: () => [2], binary: () => [3], softmax: () => [1], biasActivation: () => [3],
  biasActivationGrad: () => [3], maxPool3d: () => [2], avgPool3d: () => [2], maxPool3dArgmax: () => [2, 3],
  gatherFlat: () => [2], scatterAddFlat: () => [2],
  conv3d: () => [3], conv3dBackpropInput: () => [3], conv3dBackpropFilter: () => [3], depthwiseConv3d: () => [3],
  adamUpdate: () => [10, 11, 12, 13], softmaxCrossEntropy: () => [2], softmaxCrossEntropyGrad: () => [3],
};
const NONE: readonly number[] = [];

/**
 * Arguments that are tensor storage the function only reads (a GEMM's operands, a dense layer's input,
 * weights and packed weights): arrays that may stay resident in wasm memory between calls. Only
 * these: tensor storage is immutable (Tensor.values: kernels never write their inputs, only a Variable
 * replaces its array), which other arrays the glue passes (optimizer slots, written in place) are not.
 */
const RESIDENT_ARGS: Record<string, readonly number[]> = { gemm: [3, 7], gemmBatched: [4, 8], dense: [3, 4, 5] };
/** Smaller arrays are copied in each call: the copy costs less than the bookkeeping. */
const RESIDENT_MIN_BYTES = 1 << 16;
/**
 * An array becomes resident on its third call: a training step passes an activation or a gradient
 * to two products and then drops it, and copying those into resident memory would only evict the
 * arrays that come back (a matrix multiplied in a loop, an inference model's packed weights).
 */
const RESIDENT_AFTER_CALLS = 2;
/** Bytes of wasm memory resident arrays may hold; the least recently used go first. */
const RESIDENT_MAX_BYTES = 64 << 20;

/** One array kept in wasm memory: its copy at `ptr` equals it for as long as the array lives. */
interface ResidentEntry {
  ptr: number;
  bytes: number;
  /** The call that last read it (entries this call reads are not evicted). */
  lastCall: number;
}

let poison = false;

/**
 * Fills the scratch block with NaN bytes before each call from now on (for tests): a kernel that
 * reads an output the transport skipped copying in (WRITE_ONLY) then yields NaN instead of passing.
 */
export function poisonWasmScratch(on: boolean): void {
  poison = on;
}

const align16 = (n: number): number => (n + 15) & ~15;

/**
 * The wasm module as a NativeAddon: the same functions, argument orders and errors as the Node addon
 * (the same binding code runs inside, over native/wasm's Node-API shim), so the native backend's
 * TypeScript glue (src/kernels/native/*.ts) drives both. The addon reads and writes typed arrays in
 * place; here each call copies its arrays into a reused block of wasm memory, runs, and copies the
 * arrays the function writes back out.
 *
 * Two blocks, used by turns: an array the previous call wrote (a conv's output, say, that the pool
 * after it reads) is read where it still lies in the other block instead of being copied in again.
 * That relies on storage being immutable (Tensor.values: kernels never write their inputs, only a
 * Variable replaces its array, and recycled storage comes back as a new view), so an array the
 * previous call copied out still equals its bytes there. On W3 training this skips ~1 MB in 3 of the
 * copies in.
 *
 * On the same grounds a large operand a GEMM or dense layer reads again and again (RESIDENT_ARGS: a
 * matrix multiplied in a loop, an inference model's packed weights) is copied once into its own
 * block and read there from then on, until its array is collected or the least recently used go to
 * make room (RESIDENT_MAX_BYTES). In Chromium that skips two 4 MB copies (~1.2 ms) of each call of
 * `st.matmul(a, b)` at n = 1024.
 */
export function wasmTransport(exports: StrataWasmExports, memory: WebAssembly.Memory): NativeAddon {
  const argsPtr = exports.strata_args();
  const scratch = [0, 0], scratchBytes = [0, 0];
  /** The block the next call with arrays uses (the previous one's outputs are in the other). */
  let block = 0;
  /** The arrays the previous call with arrays wrote, and where they lie in the other block. */
  let prevArrays: unknown[] = [], prevPtrs: number[] = [];
  let nextArrays: unknown[] = [], nextPtrs: number[] = [];
  const encoder = new TextEncoder(), decoder = new TextDecoder();

  // (Decoded from copies: TextDecoder refuses views of a SharedArrayBuffer, the threaded build's memory.)
  function cString(ptr: number): string {
    const bytes = new Uint8Array(memory.buffer, ptr);
    return decoder.decode(bytes.slice(0, bytes.indexOf(0)));
  }

  // Views of the memory, remade only when it grew (growing detaches the old buffer).
  let viewed: ArrayBuffer | null = null;
  let u8 = new Uint8Array(0), dv = new DataView(new ArrayBuffer(0));
  function refreshViews(): void {
    if (memory.buffer !== viewed) {
      viewed = memory.buffer;
      u8 = new Uint8Array(viewed);
      dv = new DataView(viewed);
    }
  }

  // Resident operands: by array (weak: an entry's memory is freed when its array is collected, where
  // the platform has FinalizationRegistry, else when evicted), and all of them for eviction.
  const residentOf = new WeakMap<ArrayBufferView, ResidentEntry>();
  const residents = new Set<ResidentEntry>();
  /** Calls (with resident arguments) each large operand was seen in before it became resident. */
  const sightings = new WeakMap<ArrayBufferView, number>();
  let residentBytes = 0, calls = 0;
  const collected = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<ResidentEntry>(release) : null;

  /** Frees an entry's block (evicted, its array collected, or written); residentOf may still name it. */
  function release(e: ResidentEntry): void {
    if (!residents.delete(e)) return;
    residentBytes -= e.bytes;
    exports.strata_free(e.ptr);
  }

  function dropResident(a: ArrayBufferView): void {
    const e = residentOf.get(a);
    if (!e) return;
    residentOf.delete(a);
    collected?.unregister(e);
    release(e);
  }

  /**
   * Where `a` (an argument this call only reads) lies in wasm memory, or 0 to copy it as usual.
   * `admissible`: a resident argument (RESIDENT_ARGS) large enough to be made resident once it has
   * been seen in enough calls; others are only looked up (kept by keepResident).
   */
  function residentFor(a: ArrayBufferView, admissible: boolean): number {
    const e = residentOf.get(a);
    if (e && residents.has(e)) {
      e.lastCall = calls;
      return e.ptr;
    }
    if (e) residentOf.delete(a); // evicted: counted again from its next call
    if (!admissible) return 0;
    const seen = sightings.get(a) ?? 0;
    if (seen < RESIDENT_AFTER_CALLS) {
      sightings.set(a, seen + 1);
      return 0;
    }
    return admit(a);
  }

  /** Copies `a` into a block of its own that stays (least recently used evicted first); 0 if none fits. */
  function admit(a: ArrayBufferView): number {
    const bytes = align16(a.byteLength);
    if (bytes > RESIDENT_MAX_BYTES / 2) return 0;
    if (residentBytes + bytes > RESIDENT_MAX_BYTES) {
      // Least recently used first; never one this call reads.
      const old = [...residents].filter((r) => r.lastCall !== calls).sort((x, y) => x.lastCall - y.lastCall);
      for (const r of old) {
        if (residentBytes + bytes <= RESIDENT_MAX_BYTES) break;
        collected?.unregister(r);
        release(r);
      }
      if (residentBytes + bytes > RESIDENT_MAX_BYTES) return 0;
    }
    const ptr = exports.strata_alloc(bytes);
    if (!ptr) return 0;
    refreshViews(); // the allocation may have grown the memory
    u8.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), ptr);
    const entry: ResidentEntry = { ptr, bytes, lastCall: calls };
    residents.add(entry);
    residentBytes += bytes;
    residentOf.set(a, entry);
    sightings.delete(a);
    collected?.register(a, entry, entry);
    return ptr;
  }

  /**
   * Makes `a` resident now, without waiting for its calls to be counted: the glue knows it is a
   * weight read again and again (inference). Under RESIDENT_MIN_BYTES it is copied per call as before.
   */
  function keepResident(a: Float32Array): void {
    if (a.byteLength < RESIDENT_MIN_BYTES) return;
    const e = residentOf.get(a);
    if (e && residents.has(e)) return;
    admit(a);
  }

  function reserve(b: number, bytes: number): number {
    if (bytes > scratchBytes[b]) {
      if (scratch[b]) exports.strata_free(scratch[b]);
      // Grown by half again, so a run of slowly growing calls does not reallocate each time.
      scratchBytes[b] = Math.max(align16(bytes), Math.ceil(scratchBytes[b] * 1.5));
      scratch[b] = exports.strata_alloc(scratchBytes[b]);
      if (!scratch[b]) {
        scratchBytes[b] = 0;
        throw new RangeError(`strata wasm: out of memory reserving ${bytes} bytes`);
      }
    }
    return scratch[b];
  }

  // Per-call work lists, reused (one call at a time: only this thread calls into the module; the
  // threaded build's workers run pool tasks only).
  const offsets: number[] = [];
  /** Per argument: the address of an array read where it already lies (resident, or the previous call's output), else 0. */
  const resident: number[] = [];
  const strings: (Uint8Array | null)[] = [];

  function call(index: number, name: string, args: unknown[]): unknown {
    if (args.length > MAX_ARGS) throw new RangeError(`strata wasm ${name}: too many arguments`);
    const outputs = OUTPUTS[name];
    const residentArgs = RESIDENT_ARGS[name];
    calls++;
    // Pass 1: where each array (or string) goes in the scratch block; an array passed twice is copied
    // once; one that is resident, or that the previous call wrote and this one only reads, is not
    // copied at all.
    let total = 0, arrays = false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      offsets[i] = -1;
      resident[i] = 0;
      strings[i] = null;
      if (ArrayBuffer.isView(a)) {
        arrays = true;
        const first = args.indexOf(a);
        const written = !outputs || outputs.some((o) => args[o] === a);
        // An array this call writes may have been resident: its old copy goes.
        if (written && a.byteLength >= RESIDENT_MIN_BYTES) dropResident(a);
        const prev = !written ? prevArrays.indexOf(a) : -1;
        if (first < i) {
          offsets[i] = offsets[first];
          resident[i] = resident[first];
        } else if (!written && a.byteLength >= RESIDENT_MIN_BYTES && (resident[i] = residentFor(a, residentArgs?.includes(i) ?? false)) !== 0) {
          // read where it stays
        } else if (prev >= 0) {
          resident[i] = prevPtrs[prev];
        } else {
          offsets[i] = total;
          total += align16(a.byteLength);
        }
      } else if (typeof a === 'string') {
        const s = encoder.encode(a);
        strings[i] = s;
        offsets[i] = total;
        total += align16(s.length + 1);
      }
    }
    const base = reserve(block, Math.max(total, 16));
    const skip = WRITE_ONLY[name]?.(args) ?? NONE;
    // After the allocation: the memory may have grown, detaching older views of it.
    refreshViews();
    if (poison) u8.fill(0xff, base, base + total);
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      const slot = argsPtr + i * SLOT;
      let kind: number = KIND.undefined, type = 0, ptr = 0, length = 0, num = 0;
      if (ArrayBuffer.isView(a)) {
        kind = KIND.typedarray;
        type = arrayTypeOf(a);
        ptr = resident[i] || base + offsets[i];
        length = a.byteLength / (a as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
        if (!resident[i] && args.indexOf(a) === i && !skip.includes(i)) u8.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), ptr);
      } else if (typeof a === 'number') {
        kind = KIND.number;
        num = a;
      } else if (typeof a === 'boolean') {
        kind = KIND.boolean;
        num = a ? 1 : 0;
      } else if (typeof a === 'string') {
        kind = KIND.string;
        ptr = base + offsets[i];
        length = strings[i]!.length;
        u8.set(strings[i]!, ptr);
      } else if (a === null) {
        kind = KIND.null;
      } else if (a !== undefined) {
        throw new TypeError(`strata wasm ${name}: unsupported argument ${i} (${typeof a})`);
      }
      dv.setInt32(slot, kind, true);
      dv.setInt32(slot + 4, type, true);
      dv.setUint32(slot + 8, ptr, true);
      dv.setUint32(slot + 12, length, true);
      dv.setFloat64(slot + 16, num, true);
    }
    // A call without arrays (getThreads) leaves both blocks as they are; any other ends the previous
    // call's turn (also when it throws: its outputs' bytes may be half written).
    if (arrays) {
      prevArrays.length = 0;
      prevPtrs.length = 0;
    }
    const result = exports.strata_call(index, args.length);
    if (result === 0) throw new RangeError(cString(exports.strata_error()).replace('strata native', 'strata wasm'));
    refreshViews(); // the kernel may have grown the memory
    nextArrays.length = 0;
    nextPtrs.length = 0;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (!ArrayBuffer.isView(a) || (outputs && !outputs.includes(i))) continue;
      new Uint8Array(a.buffer, a.byteOffset, a.byteLength).set(u8.subarray(base + offsets[i], base + offsets[i] + a.byteLength));
      if (outputs) {
        nextArrays.push(a);
        nextPtrs.push(base + offsets[i]);
      }
    }
    if (arrays) {
      // This call's outputs become the ones the next call may read in place; it takes the other block.
      [prevArrays, nextArrays] = [nextArrays, prevArrays];
      [prevPtrs, nextPtrs] = [nextPtrs, prevPtrs];
      block = 1 - block;
    }
    return decode(result);
  }

  function decode(slot: number): unknown {
    const kind = dv.getInt32(slot, true);
    const ptr = dv.getUint32(slot + 8, true), length = dv.getUint32(slot + 12, true);
    const num = dv.getFloat64(slot + 16, true);
    switch (kind) {
      case KIND.boolean: return num !== 0;
      case KIND.number: return num;
      case KIND.string: return decoder.decode(new Uint8Array(memory.buffer, ptr, length).slice());
      case KIND.array: return Array.from(new Float64Array(memory.buffer, ptr, length));
      case KIND.null: return null;
      default: return undefined;
    }
  }

  const addon: Record<string, (...args: unknown[]) => unknown> = {};
  const count = exports.strata_export_count();
  for (let i = 0; i < count; i++) {
    const name = cString(exports.strata_export_name(i));
    addon[name] = (...args: unknown[]) => call(i, name, args);
  }
  addon.keepResident = keepResident as (...args: unknown[]) => unknown;
  if (typeof addon.gemm !== 'function') throw new Error('strata wasm: the module exports no gemm; not a Strata build');
  return addon as unknown as NativeAddon;
}
