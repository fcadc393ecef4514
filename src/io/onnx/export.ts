/**
 * `st.io.exportOnnx(model)`: a Sequential or functional model → an ONNX model (opset 13) that ONNX
 * Runtime runs with Strata's predictions. Tensors keep Strata's channels-last layout at the graph's
 * inputs and outputs; each convolution or pooling is wrapped in Transposes to ONNX's channels-first.
 */
import { ConfigError } from '../../errors.js';
import type { Layer, LayerShape } from '../../layers/layer.js';
import type { SymbolicTensor } from '../../layers/symbolic.js';
import { Model } from '../../model/model.js';
import { InputLayer } from '../../model/input.js';
import { ModelFileError } from '../errors.js';
import { STRATA_VERSION } from '../../model/topology.js';
import { CONV_CONVERTERS } from './convert-conv.js';
import { CORE_CONVERTERS, type Converter, refuse } from './convert-core.js';
import { RECURRENT_CONVERTERS } from './convert-recurrent.js';
import { SHAPE_CONVERTERS } from './convert-shape.js';
import { OnnxGraph, type Dim } from './graph-builder.js';
import { DataType, IR_VERSION, ModelProto, OPSET } from './schema.js';

const CONVERTERS: Record<string, Converter> = { ...CORE_CONVERTERS, ...CONV_CONVERTERS, ...RECURRENT_CONVERTERS, ...SHAPE_CONVERTERS };

/**
 * TimeDistributed: [batch, time, ...] folded to [batch·time, ...], the inner layer converted on
 * that, and the result unfolded with the input's own batch and time sizes (read with Shape).
 */
CONVERTERS.TimeDistributed = (a) => {
  const { g, layer, inputs, inputShapes, outputShapes, where } = a;
  const inner = (layer as Layer & { layer: Layer }).layer;
  const rest = inputShapes[0].slice(2), outRest = outputShapes[0].slice(2);
  if ([...rest, ...outRest].some((d) => d === null)) refuse(where, 'has an input or output of unknown size past the time axis');
  const convert = CONVERTERS[inner.className] ?? refuse(where, `wraps ${inner.describe()}`);
  const folded = g.op('Reshape', [inputs[0], g.ints(`${layer.name}/fold`, [-1, ...rest as number[]])]);
  const [y] = convert({ ...a, layer: inner, config: inner.getConfig(), inputs: [folded], inputShapes: [[null, ...rest]],
    outputShapes: [[null, ...outRest]], where: `${where} (${inner.describe()})` });
  const bt = g.op('Slice', [g.op('Shape', [inputs[0]]), g.ints('start0', [0]), g.ints('end2', [2])]);
  const shape = g.op('Concat', [bt, g.ints(`${layer.name}/out_rest`, outRest as number[])], { axis: 0 });
  return [g.op('Reshape', [y, shape], {}, layer.name)];
};

/** Keras class names of the layers `exportOnnx` can write. */
export const ONNX_EXPORTABLE_LAYERS = Object.keys(CONVERTERS).sort();

interface Step { layer: Layer; inputs: SymbolicTensor[]; inShapes: LayerShape[]; outShapes: LayerShape[]; outIds: number[] }

/**
 * Writes a built model as an ONNX ModelProto (opset 13, IR version 7) for ONNX Runtime and other
 * engines. Inputs and outputs keep the model's names and channels-last shapes, with a symbolic
 * 'batch' dimension. Layers without an ONNX form here are refused with a ModelFileError naming them
 * (see `ONNX_EXPORTABLE_LAYERS`). Inference only: dropout and noise layers become identities,
 * BatchNormalization uses its moving statistics.
 * @example
 * const bytes = st.io.exportOnnx(model);
 * fs.writeFileSync('model.onnx', bytes);   // then: new ort.InferenceSession('model.onnx')
 */
export function exportOnnx(model: Model): Uint8Array {
  if (!(model instanceof Model)) throw new ConfigError(`exportOnnx: expected a Strata model (st.sequential or st.model), got ${typeof model}`);
  if (!model.built || model.inputShapes === null) {
    throw new ConfigError(`exportOnnx: ${model.describe()} is not built yet; give the first layer an inputShape or run it once before exporting`);
  }
  const g = new OnnxGraph();
  const ins = model.inputs, outs = model.outputs;
  // Reserve the interface names first, so that no inner tensor takes them.
  const inNames = model.inputNames.map((n) => g.name(n));
  const outNames = model.outputNames.map((n, i) => g.name(outs.length > 1 && model.outputNames.indexOf(n) !== i ? `${n}_${i}` : n));
  ins.forEach((t, i) => {
    g.inputs.push({ name: inNames[i], elemType: t.dtype === 'int32' ? DataType.INT32 : DataType.FLOAT, dims: dims(t.shape, inNames[i]) });
  });
  const results = emitModel(g, model, inNames);
  outs.forEach((t, i) => {
    g.identityTo(results[i], outNames[i]);
    g.outputs.push({ name: outNames[i], elemType: DataType.FLOAT, dims: dims(t.shape, outNames[i]) });
  });
  const buf = ModelProto.encode(ModelProto.fromObject({
    irVersion: IR_VERSION,
    producerName: 'strata',
    producerVersion: STRATA_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    graph: g.toObject(model.name),
  })).finish();
  // protobufjs hands Node a Buffer; callers get a plain Uint8Array everywhere.
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Appends a model's layers (a nested model's too, inlined) given its inputs' names; returns its outputs' names. */
function emitModel(g: OnnxGraph, model: Model, inputNames: string[]): string[] {
  const values = new Map<number, string>();
  model.inputs.forEach((t, i) => values.set(t.id, inputNames[i]));
  for (const step of steps(model)) {
    const { layer } = step;
    const inputs = step.inputs.map((t) => values.get(t.id)!);
    let got: string[];
    const parts = layer instanceof Model ? [layer] : layer.expand();
    if (layer instanceof Model) got = emitModel(g, layer, inputs);
    else if (parts.length > 1 && inputs.length === 1) {
      // A shorthand (conv pooling, dense dropout) stands for the standard layers that follow it.
      let shape = step.inShapes[0];
      got = inputs;
      for (const part of parts) {
        const next = part.computeOutputShape(shape) as LayerShape;
        got = convertLayer(g, part, got, [shape], [next]);
        shape = next;
      }
    } else got = convertLayer(g, layer, inputs, step.inShapes, step.outShapes);
    step.outIds.forEach((id, i) => values.set(id, got[i]));
  }
  return model.outputs.map((t) => values.get(t.id)!);
}

/** One leaf layer through its converter. */
function convertLayer(g: OnnxGraph, layer: Layer, inputs: string[], inputShapes: LayerShape[], outputShapes: LayerShape[]): string[] {
  const where = layer.describe();
  const convert = CONVERTERS[layer.className];
  if (!convert) {
    throw new ModelFileError(`exportOnnx: ${where}: layer class ${layer.className} cannot be exported to ONNX yet ` +
      `(exportable: ${ONNX_EXPORTABLE_LAYERS.join(', ')})`);
  }
  return convert({ g, layer, config: layer.getConfig(), inputs, inputShapes, outputShapes, where });
}

function dims(shape: LayerShape, name: string): Dim[] {
  return shape.map((d, i) => (d === null ? (i === 0 ? 'batch' : `${name}_dim${i}`) : d));
}

/** The model's layers in running order with their input tensors (ids) and shapes. */
function steps(model: Model): Step[] {
  if (model.className === 'Sequential') {
    // A Sequential's stack is its graph: each layer takes the one before's output.
    const out: Step[] = [];
    let shape = model.inputShapes![0];
    let prev = model.inputs[0].id;
    const layers = model.layers.filter((l) => !(l instanceof InputLayer));
    layers.forEach((layer, i) => {
      const next = layer.computeOutputShape(shape) as LayerShape;
      const id = i === layers.length - 1 ? model.outputs[0].id : -(i + 2);
      out.push({ layer, inputs: [{ id: prev } as SymbolicTensor], inShapes: [shape], outShapes: [next], outIds: [id] });
      prev = id;
      shape = next;
    });
    return out;
  }
  const nodes = (model as unknown as { nodes?: { layer: Layer; inputs: SymbolicTensor[]; outputs: SymbolicTensor[] }[] }).nodes;
  if (!nodes) throw new ModelFileError(`exportOnnx: ${model.describe()}: only Sequential and functional models can be exported`);
  return nodes.map((n) => ({ layer: n.layer, inputs: n.inputs, inShapes: n.inputs.map((t) => t.shape), outShapes: n.outputs.map((t) => t.shape), outIds: n.outputs.map((t) => t.id) }));
}
