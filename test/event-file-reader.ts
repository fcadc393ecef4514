// An event-file reader for the tests, independent of the library: TFRecord framing with both CRCs
// checked by a bitwise CRC-32C (the library uses the crc-32 package's table one), and the protobuf
// wire format decoded by hand (varint, fixed64, fixed32, length-delimited).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** CRC-32C bit by bit (reflected polynomial 0x82F63B78): slow, obviously right. */
export function crc32cBitwise(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function masked(bytes: Uint8Array): number {
  const c = crc32cBitwise(bytes);
  return (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
}

/** Splits a TFRecord file into its records, checking every length and data CRC. */
export function readRecords(buf: Uint8Array, what: string): Uint8Array[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < buf.length) {
    assert.ok(at + 12 <= buf.length, `${what}: truncated record header at byte ${at}`);
    const len = Number(view.getBigUint64(at, true));
    assert.equal(view.getUint32(at + 8, true), masked(buf.subarray(at, at + 8)), `${what}: length CRC of the record at byte ${at}`);
    assert.ok(at + 12 + len + 4 <= buf.length, `${what}: truncated record at byte ${at}`);
    const data = buf.subarray(at + 12, at + 12 + len);
    assert.equal(view.getUint32(at + 12 + len, true), masked(data), `${what}: data CRC of the record at byte ${at}`);
    out.push(data);
    at += 12 + len + 4;
  }
  return out;
}

type Field = { n: number; wire: number; v: bigint | Uint8Array };

/** Protobuf wire format: a list of (field number, wire type, raw value). */
function fields(buf: Uint8Array): Field[] {
  let at = 0;
  const varint = (): bigint => {
    let r = 0n, shift = 0n;
    for (;;) {
      const b = buf[at++];
      assert.ok(b !== undefined, 'varint runs past the end');
      r |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return r;
      shift += 7n;
    }
  };
  const out: Field[] = [];
  while (at < buf.length) {
    const key = Number(varint());
    const n = key >>> 3, wire = key & 7;
    if (wire === 0) out.push({ n, wire, v: varint() });
    else if (wire === 1) { out.push({ n, wire, v: buf.subarray(at, at + 8) }); at += 8; }
    else if (wire === 2) { const len = Number(varint()); out.push({ n, wire, v: buf.subarray(at, at + len) }); at += len; }
    else if (wire === 5) { out.push({ n, wire, v: buf.subarray(at, at + 4) }); at += 4; }
    else assert.fail(`unexpected wire type ${wire} for field ${n}`);
    assert.ok(at <= buf.length, `field ${n} runs past the end`);
  }
  return out;
}
const f64 = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
const f32 = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset, 4).getFloat32(0, true);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const one = (fs: Field[], n: number): Field | undefined => fs.find((f) => f.n === n);

export interface Value { tag: string; simple?: number; plugin?: string; dtype?: number; shape?: number[]; floats?: Float32Array }
export interface Event { wallTime: number; step: number; fileVersion?: string; values: Value[] }

/** event.proto's Event: wall_time 1 (double), step 2 (int64), file_version 3, summary 5. */
export function decodeEvent(buf: Uint8Array): Event {
  const fs = fields(buf);
  const wt = one(fs, 1), step = one(fs, 2), fv = one(fs, 3), summary = one(fs, 5);
  assert.ok(wt && wt.wire === 1, 'an Event has a wall_time double');
  const ev: Event = { wallTime: f64(wt.v as Uint8Array), step: step ? Number(step.v as bigint) : 0, values: [] };
  if (fv) ev.fileVersion = text(fv.v as Uint8Array);
  // summary.proto: Summary.value 1; Value.tag 1, simple_value 2 (float), tensor 8, metadata 9.
  if (summary) for (const vf of fields(summary.v as Uint8Array).filter((f) => f.n === 1)) {
    const v = fields(vf.v as Uint8Array);
    const value: Value = { tag: text(one(v, 1)!.v as Uint8Array) };
    const simple = one(v, 2);
    if (simple) { assert.equal(simple.wire, 5); value.simple = f32(simple.v as Uint8Array); }
    const meta = one(v, 9);
    if (meta) value.plugin = text(one(fields(one(fields(meta.v as Uint8Array), 1)!.v as Uint8Array), 1)!.v as Uint8Array);
    const tensor = one(v, 8);
    if (tensor) { // TensorProto: dtype 1, tensor_shape 2 (dim 2 → size 1), tensor_content 4
      const t = fields(tensor.v as Uint8Array);
      value.dtype = Number(one(t, 1)!.v as bigint);
      value.shape = fields(one(t, 2)!.v as Uint8Array).filter((d) => d.n === 2).map((d) => Number(one(fields(d.v as Uint8Array), 1)!.v as bigint));
      const c = one(t, 4)!.v as Uint8Array;
      value.floats = new Float32Array(c.length / 4).map((_, i) => f32(c.subarray(i * 4)));
    }
    ev.values.push(value);
  }
  return ev;
}

/** The one event file in `dir`, decoded. */
export function readRun(dir: string): { name: string; events: Event[] } {
  const names = readdirSync(dir);
  assert.equal(names.length, 1, `one event file in ${dir}, found ${names.join(', ')}`);
  const events = readRecords(new Uint8Array(readFileSync(join(dir, names[0]))), names[0]).map(decodeEvent);
  return { name: names[0], events };
}

/** tag → [step, value] in file order, for scalar values. */
export function scalars(events: Event[]): Map<string, [number, number][]> {
  const m = new Map<string, [number, number][]>();
  for (const e of events) for (const v of e.values) if (v.simple !== undefined) {
    if (!m.has(v.tag)) m.set(v.tag, []);
    m.get(v.tag)!.push([e.step, v.simple]);
  }
  return m;
}
