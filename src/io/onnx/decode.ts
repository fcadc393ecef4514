/**
 * ONNX bytes → a checked, plain description of the graph (nodes, constants, inputs, outputs).
 * Platform-neutral: no node: imports. Everything a hostile file could use to make the importer
 * allocate or loop is checked here, before any tensor data is copied: protobuf structure, opset,
 * tensor dims against the weight budget, data lengths against dims, external data.
 */
import { ModelFileError } from '../errors.js';
import { checkShape, type Limits } from '../validate.js';
import { AttributeType, DataType, ModelProto } from './schema.js';

/**
 * A constant tensor: float data, integer data (shapes, axes, indices; NaN stands for the batch size
 * in shapes computed from the graph), or only a fill value when its shape depends on the batch.
 */
export interface Const {
  kind: 'const';
  dims: number[];
  floats?: Float32Array;
  ints?: number[];
  fill?: number;
}

export type AttrValue = number | number[] | string | string[] | Const | { unsupported: string };

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
  /** `node 'name' (OpType)`, for messages. */
  where: string;
}

export interface GraphInput { name: string; elemType: number; dims: (number | null)[] }

export interface DecodedModel {
  opset: number;
  nodes: OnnxNode[];
  initializers: Map<string, Const>;
  inputs: GraphInput[];
  outputs: string[];
  name: string;
}

/** Opsets whose operator semantics the importer follows (PyTorch's exporter writes 13–17). */
export const MIN_OPSET = 13, MAX_OPSET = 17;

const WHERE = 'loadOnnxModel';
const fail = (msg: string): never => { throw new ModelFileError(`${WHERE}: ${msg}`); };

/** An int64 as protobufjs hands it over (a number, or a Long), as a JS number (approximate past 2^53). */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v !== null && typeof v === 'object' && 'low' in v && 'high' in v) {
    const { low, high, unsigned } = v as { low: number; high: number; unsigned?: boolean };
    return (unsigned ? high >>> 0 : high) * 2 ** 32 + (low >>> 0);
  }
  return NaN;
}

const text = (b: unknown): string => (b instanceof Uint8Array ? new TextDecoder().decode(b) : String(b ?? ''));
const str = (s: unknown): string => (typeof s === 'string' ? s : '');

/**
 * Decodes and checks an ONNX ModelProto. Refuses (ModelFileError): bytes that are not a ModelProto,
 * a missing graph, an opset outside 13–17, sparse initializers, external data, tensor types other
 * than float32/float64/int32/int64/bool, dims that are not integers or exceed `limits.maxWeightBytes`
 * in total, data whose length disagrees with the dims.
 */
export function decodeOnnx(bytes: Uint8Array, limits: Limits): DecodedModel {
  if (bytes.length === 0) fail('the file is empty');
  let m: Record<string, unknown>;
  try {
    m = ModelProto.decode(bytes) as unknown as Record<string, unknown>;
  } catch (e) {
    return fail(`the file is not a valid ONNX model (protobuf decoding failed: ${(e as Error).message}); ` +
      'is it truncated, or another format?');
  }
  const graph = m.graph as Record<string, unknown> | undefined;
  if (!graph) fail('the file has no graph (not an ONNX ModelProto, or an empty one)');
  const opsets = (m.opsetImport as Record<string, unknown>[] | undefined) ?? [];
  const main = opsets.find((o) => str(o.domain) === '' || str(o.domain) === 'ai.onnx');
  const opset = main ? toNumber(main.version) : NaN;
  if (!(opset >= MIN_OPSET && opset <= MAX_OPSET)) {
    fail(`the model uses ONNX opset ${main ? opset : '(none given)'}; Strata reads opsets ${MIN_OPSET}–${MAX_OPSET} ` +
      '(re-export with torch.onnx.export(..., opset_version=13) or convert with onnx.version_converter)');
  }
  const g = graph!;
  if (((g.sparseInitializer as unknown[]) ?? []).length) fail('the graph has sparse initializers, which Strata does not read');
  const budget = { left: limits.maxWeightBytes };
  const initializers = new Map<string, Const>();
  for (const t of (g.initializer as Record<string, unknown>[]) ?? []) {
    const name = str(t.name);
    initializers.set(name, readTensor(t, `initializer '${name}'`, budget));
  }
  const nodes = ((g.node as Record<string, unknown>[]) ?? []).map((n, i) => readNode(n, i, budget));
  const inputs = ((g.input as Record<string, unknown>[]) ?? []).filter((v) => !initializers.has(str(v.name))).map(readInput);
  const outputs = ((g.output as Record<string, unknown>[]) ?? []).map((v) => str(v.name));
  if (inputs.length === 0) fail('the graph has no inputs');
  if (outputs.length === 0) fail('the graph has no outputs');
  return { opset, nodes, initializers, inputs, outputs, name: str(g.name) };
}

function readInput(v: Record<string, unknown>): GraphInput {
  const name = str(v.name);
  const tt = ((v.type as Record<string, unknown> | undefined)?.tensorType) as Record<string, unknown> | undefined;
  if (!tt) return fail(`graph input '${name}' is not a tensor (sequences and maps are not supported)`);
  const dimsRaw = ((tt.shape as Record<string, unknown> | undefined)?.dim as Record<string, unknown>[] | undefined);
  if (!dimsRaw) return fail(`graph input '${name}' has no shape; Strata needs the rank and the non-batch sizes`);
  if (dimsRaw.length > 16) fail(`graph input '${name}' has rank ${dimsRaw.length}, over 16`);
  const dims = dimsRaw.map((d) => {
    if (d.dimValue === undefined || d.dimValue === null) return null;
    const n = toNumber(d.dimValue);
    if (!Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1) fail(`graph input '${name}' has dimension ${n}, not an integer in [0, 2^31 - 1]`);
    return n;
  });
  return { name, elemType: Number(tt.elemType ?? 0), dims };
}

function readNode(n: Record<string, unknown>, index: number, budget: { left: number }): OnnxNode {
  const opType = str(n.opType), name = str(n.name) || `#${index}`;
  const where = `node '${name}' (${opType || 'no op type'})`;
  const attrs: Record<string, AttrValue> = {};
  for (const a of (n.attribute as Record<string, unknown>[]) ?? []) attrs[str(a.name)] = readAttr(a, `${where} attribute '${str(a.name)}'`, budget);
  return {
    name, opType, domain: str(n.domain), where, attrs,
    inputs: ((n.input as unknown[]) ?? []).map(str), outputs: ((n.output as unknown[]) ?? []).map(str),
  };
}

function readAttr(a: Record<string, unknown>, where: string, budget: { left: number }): AttrValue {
  const type = Number(a.type ?? 0);
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  switch (type) {
    case AttributeType.FLOAT: return Number(a.f ?? 0);
    case AttributeType.INT: return toNumber(a.i ?? 0);
    case AttributeType.STRING: return text(a.s);
    case 4 /* TENSOR */: return a.t ? readTensor(a.t as Record<string, unknown>, where, budget) : fail(`${where}: tensor attribute without a tensor`);
    case AttributeType.FLOATS: return list(a.floats).map(Number);
    case AttributeType.INTS: return list(a.ints).map(toNumber);
    case 8 /* STRINGS */: return list(a.strings).map(text);
    default: return { unsupported: type === 5 || type === 10 ? 'a subgraph' : `attribute type ${type}` };
  }
}

const ELEM_BYTES: Record<number, number> = { [DataType.FLOAT]: 4, [DataType.INT32]: 4, [DataType.INT64]: 8, [DataType.BOOL]: 1, [DataType.DOUBLE]: 8 };
const TYPE_NAMES: Record<number, string> = { 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 8: 'string', 10: 'float16', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16' };

/** A TensorProto's data, checked against its dims and the remaining weight budget before copying. */
export function readTensor(t: Record<string, unknown>, where: string, budget: { left: number }): Const {
  const ext = (t.externalData as unknown[] | undefined) ?? [];
  if (ext.length || Number(t.dataLocation ?? 0) === 1) {
    fail(`${where} keeps its data in an external file (external_data); Strata reads self-contained .onnx files only ` +
      '(save with onnx.save_model(model, path, save_as_external_data=False))');
  }
  const type = Number(t.dataType ?? 0);
  const per = ELEM_BYTES[type];
  if (per === undefined) fail(`${where} has data type ${TYPE_NAMES[type] ?? type}; Strata reads float32, float64, int32, int64 and bool tensors`);
  const dims = ((t.dims as unknown[]) ?? []).map(toNumber);
  const n = checkShape(dims, `${WHERE}: ${where}`, per, budget.left);
  budget.left -= n * per;
  const raw = t.rawData instanceof Uint8Array && t.rawData.length ? t.rawData : null;
  const field = type === DataType.FLOAT ? t.floatData : type === DataType.INT64 ? t.int64Data : type === DataType.DOUBLE ? t.doubleData : t.int32Data;
  const fieldLen = Array.isArray(field) ? field.length : 0;
  if (raw ? raw.length !== n * per : fieldLen !== n) {
    fail(`${where}: dims [${dims.join(', ')}] need ${n} values (${n * per} bytes) but the tensor holds ` +
      `${raw ? `${raw.length} bytes of raw_data` : `${fieldLen} values`}; the file is corrupt or truncated`);
  }
  // An aligned copy of the little-endian bytes (a Buffer's slice() would share the whole pool).
  const copy = raw ? new Uint8Array(raw).buffer : null;
  if (type === DataType.FLOAT) return { kind: 'const', dims, floats: copy ? new Float32Array(copy) : Float32Array.from(field as number[]) };
  if (type === DataType.DOUBLE) return { kind: 'const', dims, floats: Float32Array.from(copy ? new Float64Array(copy) : field as number[]) };
  let ints: number[];
  if (type === DataType.INT64) ints = copy ? Array.from(new BigInt64Array(copy), Number) : (field as unknown[]).map(toNumber);
  else if (type === DataType.INT32) ints = copy ? Array.from(new Int32Array(copy)) : (field as number[]).map(Number);
  else ints = copy ? Array.from(new Uint8Array(copy)) : (field as number[]).map((x) => (x ? 1 : 0));
  return { kind: 'const', dims, ints };
}
