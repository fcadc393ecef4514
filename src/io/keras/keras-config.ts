/**
 * Keras model configs ⇄ the topology Strata builds from (`topologyToModel`, which reads Keras 2/3
 * and TensorFlow.js topologies): what differs between Keras generations is mapped here, and legacy
 * files Strata cannot reproduce exactly are refused by name.
 */
import { ModelFileError } from '../errors.js';
import { isRecord, show } from '../validate.js';
import type { ModelTopology, TrainingConfig } from '../types.js';

type Json = Record<string, unknown>;

const ACTIVATION_KEYS = new Set(['activation', 'recurrent_activation']);

/**
 * A Keras 3 config.json as a topology Strata reads: Keras 3's `hard_sigmoid` is relu6(x + 3) / 6,
 * not Keras 2's clip(0.2·x + 0.5) that the plain name means in Strata, so it is renamed. The
 * rest (module / registered_name keys, dtype policies, build_config, batch_shape) the deserializer
 * already takes or ignores.
 */
export function fromKeras3Config(config: unknown, where: string): ModelTopology {
  if (!isRecord(config) || typeof config.class_name !== 'string') {
    throw new ModelFileError(`${where}: expected a Keras model config { class_name, config }, got ${show(config)}`);
  }
  return withKerasSampling(mapDeep(config, (k, v) => (ACTIVATION_KEYS.has(k) && v === 'hard_sigmoid' ? 'hard_sigmoid_keras3' : v))) as ModelTopology;
}

/**
 * Keras's bilinear UpSampling2D samples at half-pixel centres (tf.image.resize), TensorFlow.js 4.22's
 * does not; Strata follows the file, so layers from Keras files get `half_pixel_centers: true`.
 */
function withKerasSampling(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withKerasSampling);
  if (!isRecord(value)) return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) out[k] = withKerasSampling(v);
  if (out.class_name === 'UpSampling2D' && isRecord(out.config) && out.config.interpolation === 'bilinear') {
    out.config = { ...out.config, half_pixel_centers: true };
  }
  return out;
}

/**
 * A Keras 2 model_config / to_json() as a topology: Keras ≤ 2.1 wrote a Sequential's config as a
 * bare list of layers, 2.2+ as { name, layers }.
 */
export function fromKeras2Config(topology: unknown, where: string): ModelTopology {
  if (!isRecord(topology) || typeof topology.class_name !== 'string') {
    throw new ModelFileError(`${where}: expected a Keras model config { class_name, config }, got ${show(topology)}`);
  }
  if (Array.isArray(topology.config)) return withKerasSampling({ ...topology, config: { name: 'sequential', layers: topology.config } }) as ModelTopology;
  return withKerasSampling(topology) as ModelTopology;
}

/** Keras 3 compile_config → the training config loadLayersModel compiles from (null when absent). */
export function trainingFromCompileConfig(cc: unknown): TrainingConfig | undefined {
  if (!isRecord(cc) || !isRecord(cc.optimizer)) return undefined;
  const o = cc.optimizer;
  if (typeof o.class_name !== 'string' || !isRecord(o.config)) return undefined;
  if (typeof cc.loss !== 'string') return undefined;
  const metrics = Array.isArray(cc.metrics) ? cc.metrics.filter((m): m is string => typeof m === 'string') : [];
  return { loss: cc.loss, metrics, optimizer_config: { class_name: o.class_name, config: o.config } };
}

const CONV_CLASSES = /^(Conv[123]D|Convolution[123]D|Conv[123]DTranspose|Deconvolution[23]D|SeparableConv[12]D|SeparableConvolution[12]D|DepthwiseConv[12]D|ConvLSTM[123]D|AtrousConvolution[12]D)$/;

/**
 * Refuses Keras files whose weights Strata would misread: Keras 1 (per-gate recurrent weights,
 * other config keys) and convolution kernels saved by the Theano backend (flipped: Keras itself
 * converts them on load with convert_kernel; Strata does not).
 */
export function checkLegacy(topology: ModelTopology, kerasVersion: string | undefined, backend: string | undefined, where: string): void {
  if (kerasVersion !== undefined && /^1\./.test(kerasVersion)) {
    throw new ModelFileError(`${where}: written by Keras ${kerasVersion}; Strata reads files of Keras 2 and 3 ` +
      `(load it in Keras 2 and save it again)`);
  }
  if (backend === 'theano') {
    const conv = findLayers(topology, (cls) => CONV_CLASSES.test(cls));
    if (conv.length) {
      throw new ModelFileError(`${where}: layer '${conv[0].name}' (${conv[0].cls}) was saved by the Theano backend, whose ` +
        `convolution kernels are flipped; Strata does not convert them (load the file in Keras with TensorFlow and save it again)`);
    }
  }
}

function findLayers(topology: unknown, pred: (cls: string) => boolean): { cls: string; name: string }[] {
  const out: { cls: string; name: string }[] = [];
  const stack: unknown[] = [topology];
  while (stack.length) {
    const v = stack.pop();
    if (Array.isArray(v)) stack.push(...v);
    else if (isRecord(v)) {
      if (typeof v.class_name === 'string' && pred(v.class_name)) {
        out.push({ cls: v.class_name, name: isRecord(v.config) && typeof v.config.name === 'string' ? v.config.name : '?' });
      }
      for (const x of Object.values(v)) if (x !== null && typeof x === 'object') stack.push(x);
    }
  }
  return out;
}

const MODULES: [RegExp, string][] = [
  [/_initializer$/, 'keras.initializers'],
  [/_regularizer$/, 'keras.regularizers'],
  [/_constraint$/, 'keras.constraints'],
];

/**
 * Strata's topology (TensorFlow.js / Keras 2 form) as a Keras 3 config.json object: objects carry
 * `module` and `registered_name`, a Sequential starts with an InputLayer of `batch_shape` (Keras 3
 * layers refuse `batch_input_shape`), activations get Keras 3's names. dtypes stay plain strings, as
 * Keras 3.0–3.3 write them and every Keras 3 reads them (InputLayer takes no policy object).
 */
export function toKeras3Config(topology: ModelTopology): Json {
  return modelObject(topology.class_name, topology.config, true);
}

function modelObject(cls: string, config: Json, top: boolean): Json {
  const name = typeof config.name === 'string' ? config.name : cls.toLowerCase();
  const layers = Array.isArray(config.layers) ? (config.layers as Json[]) : [];
  let inputShape: unknown = null;
  if (cls === 'Sequential') {
    const out: Json[] = [];
    const first = layers[0];
    if (first && first.class_name !== 'InputLayer') {
      const fc = isRecord(first.config) ? first.config : {};
      if (Array.isArray(fc.batch_input_shape)) {
        const taken = new Set(layers.map((l) => (isRecord(l.config) ? l.config.name : undefined)));
        const inName = taken.has('input_layer') ? `${String(fc.name)}_input` : 'input_layer';
        out.push(layerObject({ class_name: 'InputLayer', config: { batch_input_shape: fc.batch_input_shape, dtype: 'float32', sparse: false, name: inName } }));
      }
    }
    for (const l of layers) out.push(layerObject(l));
    const input = out[0];
    inputShape = input && input.class_name === 'InputLayer' ? (input.config as Json).batch_shape : null;
    const obj: Json = {
      module: 'keras',
      class_name: 'Sequential',
      config: { name, trainable: true, dtype: 'float32', layers: out, ...(inputShape ? { build_input_shape: inputShape } : {}) },
      registered_name: null,
    };
    if (inputShape) obj.build_config = { input_shape: inputShape };
    if (top) obj.compile_config = null;
    return obj;
  }
  if (cls !== 'Functional' && cls !== 'Model') throw new ModelFileError(`save .keras: the model is a ${cls}; expected Sequential or Functional`);
  const out = layers.map((l) => ({ ...layerObject(l), name: l.name, inbound_nodes: l.inbound_nodes ?? [] }));
  const obj: Json = {
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    config: { name, trainable: true, layers: out, input_layers: config.input_layers, output_layers: config.output_layers },
    registered_name: 'Functional',
  };
  if (top) obj.compile_config = null;
  return obj;
}

function layerObject(l: Json): Json {
  const cls = String(l.class_name);
  if (cls === 'Sequential' || cls === 'Functional' || cls === 'Model') return modelObject(cls, l.config as Json, false);
  const config = { ...(l.config as Json) };
  if (cls === 'InputLayer') {
    if (config.batch_input_shape !== undefined) config.batch_shape = config.batch_input_shape;
    delete config.batch_input_shape;
  } else {
    delete config.batch_input_shape;
  }
  if (cls === 'UpSampling2D' && config.interpolation === 'bilinear') {
    // Keras always samples bilinear upsampling at half-pixel centres and has no option for it.
    if (config.half_pixel_centers !== true) {
      throw new ModelFileError(`save .keras: UpSampling2D '${String(config.name)}' samples bilinear without half-pixel centres (TensorFlow.js's ` +
        `way), which Keras cannot express; create it with halfPixelCenters: true, or save in the TensorFlow.js format`);
    }
    delete config.half_pixel_centers;
  }
  const mapped = mapConfig(config, cls) as Json;
  return { module: 'keras.layers', class_name: cls, config: mapped, registered_name: null };
}

function mapConfig(config: Json, cls: string): unknown {
  const out: Json = {};
  for (const [k, v] of Object.entries(config)) {
    if (ACTIVATION_KEYS.has(k) && typeof v === 'string') out[k] = keras3Activation(v, cls, String(config.name));
    else if ((k === 'layer' || k === 'backward_layer') && isRecord(v) && typeof v.class_name === 'string') out[k] = layerObject(v);
    else if (isRecord(v) && typeof v.class_name === 'string' && isRecord(v.config)) {
      const module = MODULES.find(([re]) => re.test(k))?.[1];
      out[k] = module ? { module, class_name: v.class_name, config: v.config, registered_name: null } : v;
    } else out[k] = v;
  }
  return out;
}

function keras3Activation(name: string, cls: string, layer: string): string {
  if (name === 'hard_sigmoid') {
    throw new ModelFileError(`save .keras: ${cls} '${layer}' uses hard_sigmoid in its Keras 2 / TensorFlow.js form, clip(0.2·x + 0.5), ` +
      `which Keras 3 does not have (its hard_sigmoid is relu6(x + 3) / 6); use 'sigmoid' or 'hardSigmoidKeras3', or save in the TensorFlow.js format`);
  }
  return name === 'hard_sigmoid_keras3' ? 'hard_sigmoid' : name;
}

/** A copy of a JSON value with `f(key, value)` applied to every object member, depth first. */
function mapDeep(v: unknown, f: (k: string, v: unknown) => unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => mapDeep(x, f));
  if (!isRecord(v)) return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v)) out[k] = f(k, mapDeep(x, f));
  return out;
}
