/**
 * `st.loadOnnxModel(source)`: an ONNX graph (opset 13–17, as torch.onnx.export writes it) → a
 * Strata functional model whose weights are trainable variables. Platform-neutral: files are read
 * by io/model-source.ts (paths through the reader the Node entry installs, URLs with fetch).
 */
import { StrataError } from '../../errors.js';
import { Functional } from '../../model/functional.js';
import { InputLayer } from '../../model/input.js';
import { ModelFileError } from '../errors.js';
import { checkShape, resolveLimits } from '../validate.js';
import { type ModelSource, isModelSource, readModelSource } from '../model-source.js';
import { type OnnxNode, decodeOnnx } from './decode.js';
import { ImportContext, type OpHandler, type Sym } from './import-context.js';
import { CONV_OPS } from './import-conv.js';
import { CORE_OPS } from './import-core.js';
import { RECURRENT_OPS } from './import-recurrent.js';
import { SHAPE_OPS } from './import-shape.js';

const OPS: Record<string, OpHandler> = { ...CORE_OPS, ...SHAPE_OPS, ...CONV_OPS, ...RECURRENT_OPS };

/** ONNX op types `loadOnnxModel` reads (default domain). */
export const ONNX_IMPORTABLE_OPS = Object.keys(OPS).sort();

/** Options of `loadOnnxModel`. */
export interface OnnxLoadOptions {
  /** Most bytes of weights (all initializers and constants together); default 2^31. */
  maxWeightBytes?: number;
  /** Most bytes of one graph input for one example; default maxWeightBytes. */
  maxActivationBytes?: number;
  /** The model's name; default the ONNX graph's name. */
  name?: string;
}

/** Protobuf overhead allowed beyond the weight budget in a file (graph, names, attributes). */
const SLACK = 64 * 2 ** 20;

const FLOAT_INPUTS = [1, 10, 11, 16], INT_INPUTS = [2, 3, 4, 5, 6, 7, 12, 13, 9];

/**
 * Builds a Strata model from ONNX bytes (see `loadOnnxModel`). Refuses what it cannot translate
 * exactly with a ModelFileError naming the node and op.
 */
export function onnxToModel(bytes: Uint8Array, opts: OnnxLoadOptions = {}): Functional {
  const limits = onnxLimits(opts);
  const m = decodeOnnx(bytes, limits);
  const consumers = new Map<string, OnnxNode[]>();
  const use = (name: string, node: OnnxNode): void => {
    if (name === '') return;
    const list = consumers.get(name);
    if (list) list.push(node); else consumers.set(name, [node]);
  };
  for (const node of m.nodes) for (const i of node.inputs) use(i, node);
  const outputNode: OnnxNode = { name: 'graph output', opType: 'Output', domain: '', inputs: m.outputs, outputs: [], attrs: {}, where: 'the graph output' };
  for (const o of m.outputs) use(o, outputNode);

  const producers = new Map<string, OnnxNode>();
  for (const node of m.nodes) for (const o of node.outputs) if (o !== '') producers.set(o, node);
  const cx = new ImportContext(consumers, producers);
  for (const [name, c] of m.initializers) cx.values.set(name, c);
  const inputs = m.inputs.map((gi) => {
    const where = `loadOnnxModel: graph input '${gi.name}'`;
    if (gi.dims.length < 1) throw new ModelFileError(`${where} is a scalar; Strata's inputs have a batch axis first`);
    checkShape(gi.dims.slice(1).map((d) => d ?? 1), where, 4, limits.maxActivationBytes);
    const dtype = FLOAT_INPUTS.includes(gi.elemType) ? 'float32' : INT_INPUTS.includes(gi.elemType) ? 'int32'
      : (() => { throw new ModelFileError(`${where} has element type ${gi.elemType}; Strata reads numeric tensors`); })();
    const layer = new InputLayer({ shape: gi.dims.slice(1), dtype, name: safeName(gi.name) });
    const t = layer.output;
    cx.values.set(gi.name, { kind: 'sym', t, axes: gi.dims.map((_, i) => i) });
    return t;
  });

  for (const node of m.nodes) {
    if (cx.done.has(node)) continue;
    const handler = node.domain === '' || node.domain === 'ai.onnx' ? OPS[node.opType] : undefined;
    if (!handler) {
      throw new ModelFileError(`loadOnnxModel: ${node.where}: op '${node.domain ? `${node.domain}.` : ''}${node.opType}' is not supported; ` +
        `Strata reads ${ONNX_IMPORTABLE_OPS.join(', ')}`);
    }
    let outs;
    try {
      outs = handler(cx, node);
    } catch (e) {
      // Layer constructors check their options; their errors become file errors naming the node.
      if (e instanceof StrataError && !(e instanceof ModelFileError)) throw new ModelFileError(`loadOnnxModel: ${node.where}: ${e.message}`);
      throw e;
    }
    outs.forEach((v, i) => { if (v && node.outputs[i]) cx.values.set(node.outputs[i], v); });
  }

  const outputs = m.outputs.map((name, i) => {
    const v = cx.values.get(name);
    if (!v) throw new ModelFileError(`loadOnnxModel: graph output '${name}' is not produced by any node (a dangling reference)`);
    if (v.kind !== 'sym') throw new ModelFileError(`loadOnnxModel: graph output '${name}' is a constant, not computed from the inputs`);
    return cx.arrange({ ...outputNode, where: `graph output ${i} '${name}'` }, v as Sym, v.axes.map((_, k) => k));
  });
  try {
    return new Functional({ inputs, outputs, name: safeName(opts.name ?? (m.name || 'onnx_model')) });
  } catch (e) {
    if (e instanceof StrataError && !(e instanceof ModelFileError)) throw new ModelFileError(`loadOnnxModel: ${e.message}`);
    throw e;
  }
}

/** The size limits, with errors that name this loader. */
function onnxLimits(opts: OnnxLoadOptions): ReturnType<typeof resolveLimits> {
  try {
    return resolveLimits(opts);
  } catch (e) {
    throw new ModelFileError((e as Error).message.replace(/^loadLayersModel/, 'loadOnnxModel'));
  }
}

/** ONNX names ('/net/net.0/Conv_output_0', 'input.1') as Strata layer names. */
function safeName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[_.]+/, '');
  return s.length ? s.slice(0, 200) : 'input';
}

/**
 * Loads an ONNX model (opset 13–17) as a trainable Strata model. `source`: a path or file:// URL
 * (Node), an http(s) URL (a relative one in a browser), a File or Blob (an `<input type="file">`),
 * or the file's bytes (ArrayBuffer / Uint8Array). The model takes the inputs the
 * ONNX graph takes (PyTorch's NCHW images included) and gives the same outputs; weights are
 * trainable, so `model.compile(...)` then `model.fit(...)` fine-tunes it. Supported ops:
 * `st.io.ONNX_IMPORTABLE_OPS`; others are refused with a ModelFileError naming the op and node.
 * Options: maxWeightBytes (2^31), maxActivationBytes, name.
 * @example
 * const model = await st.loadOnnxModel('resnet-ish.onnx');   // from torch.onnx.export
 * model.predict(st.randomNormal([1, 3, 32, 32]));
 */
export async function loadOnnxModel(source: ModelSource, opts: OnnxLoadOptions = {}): Promise<Functional> {
  if (!isModelSource(source)) {
    throw new ModelFileError(`loadOnnxModel: expected a path, a URL, a File/Blob, an ArrayBuffer or a Uint8Array, got ${source === null ? 'null' : typeof source}`);
  }
  const bytes = await readModelSource(source, onnxLimits(opts).maxWeightBytes + SLACK, 'loadOnnxModel');
  return onnxToModel(bytes, opts);
}
