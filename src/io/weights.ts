/**
 * Weight data: named tensors ⇄ specs + little-endian bytes, and the split into shards of at most
 * 4 MB (TensorFlow.js' default shard size).
 */
import { Tensor } from '../tensor/tensor.js';
import { ModelFileError } from './errors.js';
import { specBytes } from './validate.js';
import type { WeightSpec } from './types.js';

/** TensorFlow.js' shard size. */
export const SHARD_BYTES = 4 * 1024 * 1024;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Encodes tensors as float32 (float64 weights are narrowed, as TensorFlow.js stores them) or int32. */
export function encodeWeights(named: { name: string; tensor: Tensor }[], group?: string): { specs: WeightSpec[]; data: ArrayBuffer } {
  const specs: WeightSpec[] = [];
  let total = 0;
  for (const { name, tensor } of named) {
    const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
    specs.push({ name, shape: tensor.shape.slice(), dtype, ...(group ? { group } : {}) });
    total += tensor.size * 4;
  }
  const data = new ArrayBuffer(total);
  const view = new DataView(data);
  let off = 0;
  named.forEach(({ tensor }, i) => {
    const v = tensor.values;
    if (specs[i].dtype === 'int32') for (let k = 0; k < v.length; k++, off += 4) view.setInt32(off, v[k], true);
    else for (let k = 0; k < v.length; k++, off += 4) view.setFloat32(off, v[k], true);
  });
  return { specs, data };
}

/** Splits a group's bytes into shards of at most `shardBytes`. */
export function splitShards(data: ArrayBuffer, shardBytes = SHARD_BYTES): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0; off < data.byteLength; off += shardBytes) out.push(new Uint8Array(data, off, Math.min(shardBytes, data.byteLength - off)));
  return out.length ? out : [new Uint8Array(0)];
}

/** Shard file names as TensorFlow.js writes them: `<prefix>-shard1of2.bin`. */
export function shardNames(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-shard${i + 1}of${count}.bin`);
}

/**
 * Decodes `data` (the specs' bytes, concatenated in order) into tensors by name. The byte size was
 * checked against the specs before; it is checked again here.
 */
export function decodeWeights(specs: WeightSpec[], data: ArrayBuffer, where: string): Map<string, Tensor> {
  const need = specs.reduce((n, s) => n + specBytes(s), 0);
  if (need !== data.byteLength) {
    throw new ModelFileError(`${where}: the weight data has ${data.byteLength} bytes but the manifest describes ${need}`);
  }
  const out = new Map<string, Tensor>();
  const view = new DataView(data);
  let off = 0;
  for (const spec of specs) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const q = spec.quantization;
    let values: Float32Array | Int32Array;
    if (q) {
      values = new Float32Array(n);
      if (q.dtype === 'float16') for (let k = 0; k < n; k++) values[k] = halfToFloat(view.getUint16(off + 2 * k, true));
      else if (q.dtype === 'uint8') for (let k = 0; k < n; k++) values[k] = view.getUint8(off + k) * q.scale! + q.min!;
      else for (let k = 0; k < n; k++) values[k] = view.getUint16(off + 2 * k, true) * q.scale! + q.min!;
    } else if (spec.dtype === 'bool') {
      values = new Int32Array(n);
      for (let k = 0; k < n; k++) values[k] = view.getUint8(off + k) ? 1 : 0;
    } else if (LITTLE_ENDIAN && off % 4 === 0) {
      values = spec.dtype === 'int32' ? new Int32Array(data.slice(off, off + 4 * n)) : new Float32Array(data.slice(off, off + 4 * n));
    } else {
      values = spec.dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
      for (let k = 0; k < n; k++) values[k] = spec.dtype === 'int32' ? view.getInt32(off + 4 * k, true) : view.getFloat32(off + 4 * k, true);
    }
    off += specBytes(spec);
    out.set(spec.name, new Tensor(values, spec.shape.slice()));
  }
  return out;
}

/** IEEE half-precision bits to a number (float16 weights: TF.js quantization, Keras mixed precision). */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Concatenates byte chunks into one ArrayBuffer. */
export function concatBytes(chunks: Uint8Array[]): ArrayBuffer {
  const total = chunks.reduce((n, c) => n + c.byteLength, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out.buffer;
}
