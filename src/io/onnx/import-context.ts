/**
 * The state of an ONNX → Strata import: each ONNX value is a constant or a Strata symbolic tensor
 * seen through a view. Strata keeps its tensors batch-first and channels-last; ONNX's are
 * channels-first and sometimes time-major. Rather than transposing at every ONNX Transpose, a value
 * records which Strata axis each ONNX axis is (`axes`), so Transposes, Squeezes and Unsqueezes of
 * unit axes cost nothing, and a Permute layer is added only where a layer needs another order
 * (a convolution wants channels last, Flatten wants PyTorch's element order).
 */
import type { Layer } from '../../layers/layer.js';
import { Permute, Reshape } from '../../layers/reshaping.js';
import { SimpleRNN } from '../../layers/rnn-layers.js';
import type { SymbolicTensor } from '../../layers/symbolic.js';
import { tensor } from '../../tensor/create.js';
import { ModelFileError } from '../errors.js';
import type { AttrValue, Const, OnnxNode } from './decode.js';

/** A computed value: ONNX axis i is Strata axis `axes[i]` of `t`, or a size-1 axis Strata lacks (−1). */
export interface Sym { kind: 'sym'; t: SymbolicTensor; axes: number[] }
export type Value = Const | Sym;
/**
 * The sequence output of a reverse-direction RNN: ONNX aligns it with the input steps, Strata's
 * goBackwards layer returns it in processing order, so ONNX's time axis `axis` runs backwards in
 * `inner`. Only Squeeze and a full reversing Slice (which Strata's exporter writes) may read it.
 */
export interface Reversed { kind: 'reversed'; inner: Sym; axis: number }
export type Stored = Value | Reversed;

/** An op translator: appends layers for `node`, returns its outputs' values (undefined: not produced). */
export type OpHandler = (cx: ImportContext, node: OnnxNode) => (Stored | undefined)[];

export class ImportContext {
  readonly values = new Map<string, Stored>();
  /** Nodes already translated by an earlier node that fused them (the Add after a MatMul). */
  readonly done = new Set<OnnxNode>();

  constructor(readonly consumers: Map<string, OnnxNode[]>, readonly producers: Map<string, OnnxNode> = new Map()) {}

  /** True when input i is known to hold no negative values (a Relu's output), so zero padding acts as -inf for a max. */
  nonNegative(node: OnnxNode, i: number): boolean {
    const p = this.producers.get(node.inputs[i]);
    return p !== undefined && (p.opType === 'Relu' || p.opType === 'Sigmoid' || p.opType === 'Softmax');
  }

  /** The ModelFileError for a node: what it is and why it cannot be read. */
  fail(node: OnnxNode, msg: string): never {
    throw new ModelFileError(`loadOnnxModel: ${node.where}: ${msg}`);
  }

  has(node: OnnxNode, i: number): boolean {
    return i < node.inputs.length && node.inputs[i] !== '';
  }

  get(node: OnnxNode, i: number): Value {
    const v = this.stored(node, i);
    if (v.kind !== 'reversed') return v;
    const turned = this.reverse(node, v.inner, v.axis);
    this.values.set(node.inputs[i], turned);
    return turned;
  }

  /** An input as stored, a Reversed sequence included. */
  stored(node: OnnxNode, i: number): Stored {
    if (!this.has(node, i)) this.fail(node, `input ${i} is missing`);
    const v = this.values.get(node.inputs[i]);
    if (!v) this.fail(node, `input ${i} '${node.inputs[i]}' is not produced by any earlier node, initializer or graph input (a dangling reference; nodes must be in topological order)`);
    return v!;
  }

  sym(node: OnnxNode, i: number): Sym {
    const v = this.get(node, i);
    if (v.kind !== 'sym') this.fail(node, `input ${i} '${node.inputs[i]}' is a constant here; Strata needs it to be computed from the graph inputs`);
    return v as Sym;
  }

  const(node: OnnxNode, i: number, what: string): Const {
    const v = this.get(node, i);
    if (v.kind !== 'const') this.fail(node, `input ${i} (${what}) must be a constant (an initializer), but it is computed from the graph inputs`);
    return v as Const;
  }

  floats(node: OnnxNode, i: number, what: string): Float32Array {
    const c = this.const(node, i, what);
    if (c.floats) return c.floats;
    if (c.ints && !c.ints.some(Number.isNaN)) return Float32Array.from(c.ints);
    return this.fail(node, `input ${i} (${what}) must be a float tensor`);
  }

  ints(node: OnnxNode, i: number, what: string): number[] {
    const c = this.const(node, i, what);
    if (c.ints) return c.ints;
    return this.fail(node, `input ${i} (${what}) must be an integer tensor`);
  }

  attrInt(node: OnnxNode, name: string, def: number): number {
    const v = node.attrs[name];
    if (v === undefined) return def;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(node, `attribute ${name} must be a number, got ${JSON.stringify(v)}`);
    return v as number;
  }

  attrInts(node: OnnxNode, name: string, def: number[] | undefined): number[] | undefined {
    const v = node.attrs[name];
    if (v === undefined) return def;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) this.fail(node, `attribute ${name} must be a list of numbers`);
    return v as number[];
  }

  attrStr(node: OnnxNode, name: string, def: string): string {
    const v: AttrValue | undefined = node.attrs[name];
    if (v === undefined) return def;
    if (typeof v !== 'string') this.fail(node, `attribute ${name} must be a string`);
    return v as string;
  }

  /** Runs a fresh layer on `x`, then gives it `weights` (Keras order); returns its output(s). */
  apply(node: OnnxNode, layer: Layer, x: SymbolicTensor | SymbolicTensor[], weights: { data: Float32Array; shape: number[] }[] = []): SymbolicTensor[] {
    let out: SymbolicTensor | SymbolicTensor[];
    try {
      out = layer.apply(x);
      if (weights.length) layer.setWeights(weights.map((w) => tensor(w.data, w.shape)));
    } catch (e) {
      if (e instanceof ModelFileError) throw e;
      return this.fail(node, `cannot be built as ${layer.describe()}: ${(e as Error).message}`);
    }
    return Array.isArray(out) ? out : [out];
  }

  /** The value's sizes in ONNX order (null: the batch or another unknown size). */
  dims(v: Sym): (number | null)[] {
    return v.axes.map((a) => (a < 0 ? 1 : v.t.shape[a]));
  }

  /** The ONNX axis holding the batch. */
  batchAxis(v: Sym): number {
    return v.axes.indexOf(0);
  }

  /**
   * A Strata tensor holding the value's ONNX axes in `order` (all of them, batch first): a Permute
   * layer where the order differs from the tensor's, a Reshape where unit axes must appear.
   */
  arrange(node: OnnxNode, v: Sym, order: number[]): SymbolicTensor {
    const strata = order.map((i) => v.axes[i]);
    if (strata[0] !== 0) this.fail(node, `needs the batch as the first axis of its input here, but the batch is ONNX axis ${this.batchAxis(v)}`);
    const real = strata.filter((a) => a >= 0);
    let t = v.t;
    if (real.some((a, i) => a !== i)) t = this.apply(node, new Permute({ dims: real.slice(1) }), t)[0];
    if (real.length !== strata.length) {
      const shape = strata.slice(1).map((a) => (a < 0 ? 1 : v.t.shape[a]));
      const unknown = shape.filter((d) => d === null).length;
      if (unknown > 1) this.fail(node, 'needs a reshape of a tensor with several unknown sizes');
      t = this.apply(node, new Reshape({ targetShape: shape.map((d) => d ?? -1) }), t)[0];
    }
    return t;
  }

  /**
   * The value with ONNX axis k reversed. Strata has no reversing layer, so this is a frozen
   * SimpleRNN with goBackwards, identity kernel, zero recurrence and bias: out[t] = x[T−1−t]
   * exactly (products with 1 and sums with 0). Needed only for reverse-direction RNN sequences.
   */
  reverse(node: OnnxNode, v: Sym, k: number): Sym {
    const b = this.batchAxis(v), dims = this.dims(v);
    if (k === b) this.fail(node, 'reverses the batch axis');
    const others = v.axes.map((_, j) => j).filter((j) => j !== b && j !== k), rest = others.map((j) => dims[j]);
    if (rest.some((d) => d === null)) this.fail(node, 'reverses a tensor with unknown sizes');
    const F = product(rest as number[]), order = [b, k, ...others];
    let t = this.arrange(node, v, order);
    if (rest.length !== 1) t = this.apply(node, new Reshape({ targetShape: [dims[k] ?? -1, F] }), t)[0];
    const eye = new Float32Array(F * F);
    for (let i = 0; i < F; i++) eye[i * F + i] = 1;
    const rnn = new SimpleRNN({ units: F, activation: 'linear', returnSequences: true, goBackwards: true, trainable: false });
    t = this.apply(node, rnn, t, [{ data: eye, shape: [F, F] }, { data: new Float32Array(F * F), shape: [F, F] }, { data: new Float32Array(F), shape: [F] }])[0];
    if (rest.length !== 1) t = this.apply(node, new Reshape({ targetShape: [dims[k] ?? -1, ...rest as number[]] }), t)[0];
    return { kind: 'sym', t, axes: v.axes.map((_, j) => order.indexOf(j)) };
  }

  /** The value as a Strata tensor in ONNX order with the batch axis moved first, and its view. */
  canonical(node: OnnxNode, v: Sym): Sym {
    const b = this.batchAxis(v);
    if (b < 0) this.fail(node, 'has an input without a batch axis');
    const order = [b, ...v.axes.map((_, i) => i).filter((i) => i !== b)];
    if (order.every((o, i) => o === i) && v.axes.every((a, i) => a === i)) return v;
    const t = this.arrange(node, v, order);
    return { kind: 'sym', t, axes: v.axes.map((_, i) => order.indexOf(i)) };
  }
}

/** A Strata tensor in channels-last order seen as ONNX's channels-first [N, C, ...spatial]. */
export function channelsFirstView(t: SymbolicTensor): Sym {
  const r = t.shape.length - 2;
  return { kind: 'sym', t, axes: [0, r + 1, ...Array.from({ length: r }, (_, i) => i + 1)] };
}

/** The value's channels-last order as ONNX axes: [0, 2, ..., rank − 1, 1]. */
export function channelsLastOrder(rank: number): number[] {
  return [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
}

/** Element count of known dims. */
export const product = (dims: number[]): number => dims.reduce((a, b) => a * b, 1);
