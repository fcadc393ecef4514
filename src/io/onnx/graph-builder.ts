/**
 * Builds an ONNX GraphProto step by step: nodes in the order they run, weights as initializers
 * (raw little-endian bytes), names kept unique. Converters only call `node`, `floats`, `ints`.
 */
import { AttributeType, DataType } from './schema.js';

/** An attribute value: an integer, `{ f }` a float, an integer list, `{ floats }`, a string, `{ strings }`. */
export type AttrValue = number | { f: number } | number[] | { floats: number[] } | string | { strings: string[] };

/** A shape dimension in a graph input or output: a size, or a symbolic name such as 'batch'. */
export type Dim = number | string;

interface ValueInfo { name: string; elemType: number; dims: Dim[] }

export class OnnxGraph {
  private readonly nodes: Record<string, unknown>[] = [];
  private readonly inits: Record<string, unknown>[] = [];
  private readonly used = new Set<string>();
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];

  /** A fresh tensor name starting with `base`. */
  name(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_./:-]/g, '_');
    let n = clean;
    for (let k = 1; this.used.has(n); k++) n = `${clean}_${k}`;
    this.used.add(n);
    return n;
  }

  /** Adds a node; returns its output names (`outputs` fresh names made from the node's). */
  node(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputs = 1, base = opType): string[] {
    const outs = Array.from({ length: outputs }, (_, i) => this.name(`${base}${outputs > 1 ? `_out${i}` : ''}`));
    const attribute = Object.entries(attrs).map(([name, v]) => attr(name, v));
    this.nodes.push({ opType, input: inputs, output: outs, name: this.name(`${base}_node`), attribute });
    return outs;
  }

  /** An Identity node whose output takes the reserved name `dst` (a graph output). */
  identityTo(src: string, dst: string): void {
    this.nodes.push({ opType: 'Identity', input: [src], output: [dst], name: this.name(`${dst}_identity`), attribute: [] });
  }

  /** One-output node. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, base = opType): string {
    return this.node(opType, inputs, attrs, 1, base)[0];
  }

  /** A float32 initializer. */
  floats(base: string, data: Float32Array | number[], dims: number[]): string {
    const f = data instanceof Float32Array ? data : Float32Array.from(data);
    return this.init(base, DataType.FLOAT, new Uint8Array(f.buffer, f.byteOffset, f.byteLength).slice(), dims);
  }

  /** An int64 initializer (shapes, axes, indices). */
  ints(base: string, data: number[], dims: number[] = [data.length]): string {
    const b = BigInt64Array.from(data.map((x) => BigInt(x)));
    return this.init(base, DataType.INT64, new Uint8Array(b.buffer), dims);
  }

  private init(base: string, dataType: number, rawData: Uint8Array, dims: number[]): string {
    const name = this.name(base);
    this.inits.push({ name, dataType, dims, rawData });
    return name;
  }

  /** The GraphProto as a plain object for protobufjs. */
  toObject(graphName: string): Record<string, unknown> {
    const info = (v: ValueInfo): Record<string, unknown> => ({
      name: v.name,
      type: { tensorType: { elemType: v.elemType, shape: { dim: v.dims.map((d) => typeof d === 'number' ? { dimValue: d } : { dimParam: d }) } } },
    });
    return { name: graphName, node: this.nodes, initializer: this.inits, input: this.inputs.map(info), output: this.outputs.map(info) };
  }
}

function attr(name: string, v: AttrValue): Record<string, unknown> {
  if (typeof v === 'number') return { name, type: AttributeType.INT, i: v };
  if (typeof v === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: AttributeType.INTS, ints: v };
  if ('f' in v) return { name, type: AttributeType.FLOAT, f: v.f };
  if ('floats' in v) return { name, type: AttributeType.FLOATS, floats: v.floats };
  return { name, type: 8 /* STRINGS */, strings: v.strings.map((s) => new TextEncoder().encode(s)) };
}
