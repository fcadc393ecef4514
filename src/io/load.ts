/**
 * `loadLayersModel`: storage → ModelArtifacts → a Sequential or Functional model with its weights
 * (and, when the file has them, its training config and Strata optimizer state). Everything read
 * from the file is validated first; whatever is wrong ends in a ModelFileError.
 */
import { StrataError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { Layer } from '../layers/layer.js';
import type { Model, SummaryRow } from '../model/model.js';
import type { Sequential } from '../model/sequential.js';
import type { Functional } from '../model/functional.js';
// Registers the model classes that topologies name.
import '../model/sequential.js';
import '../model/functional.js';
import type { CompileArgs } from '../model/compile.js';
import * as optimizers from '../optimizers/index.js';
import { ModelFileError } from './errors.js';
import { routeOrThrow } from './router.js';
import { asFileError, matchWeights, topologyToModel } from '../model/topology.js';
import type { IOHandler, LoadOptions, ModelArtifacts, TrainingConfig, WeightSpec } from './types.js';
import { type Limits, checkDepth, checkSpec, isRecord, resolveLimits, show } from './validate.js';
import { decodeWeights } from './weights.js';

/**
 * Loads a model saved in the TensorFlow.js layers format, by Strata, TensorFlow.js or the tfjs
 * converter (Keras 2/3 topologies). `source`: a URL-like string routed by the registered load
 * routers (`st.io.registerLoadRouter`) — a folder or model.json path or file:// URL (Node), an
 * http(s) URL, 'indexeddb://name' or 'localstorage://name' (browser) — or an IO handler
 * (`st.io.fromMemory(...)`, `st.io.browserFiles(files)`). Weights are matched to layers by name (see
 * `matchWeights` in io/topology.ts for the rule). Refuses, with a ModelFileError, files that are
 * malformed, inconsistent, or larger than `opts.maxWeightBytes` (default 2 GiB).
 * @example const model = await st.loadLayersModel('./my-model'); model.predict(x);
 */
export async function loadLayersModel(source: string | URL | IOHandler, opts: LoadOptions = {}): Promise<Sequential | Functional> {
  const limits = resolveLimits(opts);
  let handler: IOHandler;
  if (source instanceof URL) source = source.href;
  if (typeof source === 'string') handler = routeOrThrow('load', source, 'loadLayersModel', opts);
  else if (source && typeof (source as IOHandler).load === 'function') handler = source;
  else throw new ModelFileError(`loadLayersModel: expected a path, a URL or an IO handler with load(), got ${show(source)}`);
  let artifacts: ModelArtifacts;
  try {
    artifacts = await handler.load!();
  } catch (e) {
    throw asFileError(e, 'loadLayersModel');
  }
  return modelFromArtifacts(artifacts, { ...opts, ...limits }) as Sequential | Functional;
}

/** Builds the model from loaded artifacts (validated again here: a custom handler is untrusted). */
export function modelFromArtifacts(artifacts: ModelArtifacts, opts: LoadOptions = {}): Model {
  const limits = resolveLimits(opts);
  if (!isRecord(artifacts)) throw new ModelFileError(`loadLayersModel: the handler returned ${show(artifacts)}, not model artifacts`);
  checkDepth(artifacts.modelTopology, 'model.json modelTopology', limits);
  checkDepth(artifacts.trainingConfig, 'model.json trainingConfig', limits);
  const specs = checkSpecs(artifacts.weightSpecs, artifacts.weightData, 'weights', limits, 0);
  const used = specs.reduce((n, s) => n + s.bytes, 0);
  const optSpecs = artifacts.optimizerSpecs ? checkSpecs(artifacts.optimizerSpecs, artifacts.optimizerData, 'optimizer state', limits, used) : null;

  const model = buildGuarded(artifacts.modelTopology, limits.maxWeightBytes);
  checkActivations(model, limits.maxActivationBytes);
  // TensorFlow.js' own optimizer state (group 'optimizer') has another layout; it is ignored.
  const modelSpecs = specs.map((s) => s.spec).filter((s) => s.group !== 'optimizer');
  const matched = guard(() => matchWeights(model, modelSpecs, null), 'weights manifest');
  const values = guard(() => decodeWeights(specs.map((s) => s.spec), artifacts.weightData ?? new ArrayBuffer(0), 'weights'), 'weights');
  const list = model.weights.map((v) => values.get(matched.get(v)!.name)!);
  guard(() => model.setWeights(list.map((t, i) => castFor(t, model.weights[i]))), 'weights');

  const tc = artifacts.trainingConfig ?? (isRecord(artifacts.modelTopology) ? (artifacts.modelTopology as { training_config?: TrainingConfig }).training_config : undefined);
  if (tc !== undefined && tc !== null && opts.compile !== false) {
    compileFrom(model, tc);
    if (optSpecs && model.optimizer) {
      const state = guard(() => decodeWeights(optSpecs.map((s) => s.spec), artifacts.optimizerData!, 'optimizer state'), 'optimizer state');
      guard(() => model.optimizer!.setWeights(optSpecs.map((s) => state.get(s.spec.name)!)), 'optimizer state');
    }
  }
  return model;
}

function checkSpecs(raw: unknown, data: unknown, what: string, limits: Limits, used: number): { spec: WeightSpec; bytes: number }[] {
  if (raw === undefined || raw === null) raw = [];
  if (!Array.isArray(raw)) throw new ModelFileError(`${what}: weight specs must be a list, got ${show(raw)}`);
  let total = used;
  const names = new Set<string>();
  const out = raw.map((s, i) => {
    const bytes = checkSpec(s, `${what} spec ${i}`, limits.maxWeightBytes - total);
    const spec = s as WeightSpec;
    if (names.has(spec.name)) throw new ModelFileError(`${what}: weight '${spec.name}' appears twice`);
    names.add(spec.name);
    total += bytes;
    return { spec, bytes };
  });
  const have = data instanceof ArrayBuffer ? data.byteLength : data === undefined || data === null ? 0 : -1;
  if (have < 0) throw new ModelFileError(`${what}: weight data must be an ArrayBuffer, got ${show(data)}`);
  if (have !== total - used) throw new ModelFileError(`${what}: the weight data has ${have} bytes but the manifest describes ${total - used}`);
  return out;
}

function guard<T>(f: () => T, where: string): T {
  try {
    return f();
  } catch (e) {
    throw asFileError(e, where);
  }
}

/**
 * Builds the topology with weight creation checked and cheap: while it runs, every weight a layer
 * adds is checked against the byte cap before it is allocated, and made with zeros instead of its
 * initializer (the file sets every weight; orthogonal initializers of big layers would be slow).
 */
function buildGuarded(topology: unknown, budget: number): Model {
  const proto = Layer.prototype as unknown as { addWeight: (this: Layer, name: string, shape: number[], init: unknown, o?: unknown) => Variable };
  const original = proto.addWeight;
  let bytes = 0;
  proto.addWeight = function (this: Layer, name: string, shape: number[], _init: unknown, o?: unknown): Variable {
    let n = 1;
    for (const d of Array.isArray(shape) ? shape : []) {
      n *= typeof d === 'number' && Number.isInteger(d) && d >= 0 ? d : NaN;
    }
    if (!(n >= 0) || (bytes += n * 4) > budget) {
      throw new ModelFileError(`model.json: layer '${this.name}' (${this.className}) would make weight '${name}' of shape ` +
        `${show(shape)}, more than the ${budget} bytes allowed (option maxWeightBytes)`);
    }
    return original.call(this, name, shape, 'zeros', o);
  };
  try {
    return topologyToModel(topology);
  } catch (e) {
    throw asFileError(e, 'model.json');
  } finally {
    proto.addWeight = original;
  }
}

/**
 * Refuses a model one of whose layers would output more than `budget` bytes for a single example
 * (a file with strides of 2,000,000, say, builds cheaply and then allocates gigabytes in predict).
 */
function checkActivations(model: Model, budget: number): void {
  const rows = (model as unknown as { summaryRows(): SummaryRow[] }).summaryRows();
  for (const r of rows) {
    const out: unknown = r.outputShape;
    const shapes = (Array.isArray(out) && out.some(Array.isArray) ? out : [out]) as unknown[];
    for (const shape of shapes) {
      if (!Array.isArray(shape)) continue; // not known from the topology
      const bytes = 4 * shape.reduce((n: number, d: unknown) => n * (typeof d === 'number' && d >= 0 ? d : 1), 1);
      if (bytes > budget) {
        throw new ModelFileError(`model.json: layer '${r.name}' (${r.type}) outputs shape ${show(shape)}, ${bytes} bytes for one ` +
          `example, more than the ${budget} allowed (option maxActivationBytes)`);
      }
    }
  }
}

function castFor(t: Tensor, v: Variable): Tensor {
  if (t.dtype === v.dtype) return t;
  const out = new (v.values.constructor as Float32ArrayConstructor)(t.size);
  out.set(t.values);
  return new Tensor(out, t.shape);
}

/** Compiles from a Keras training config; a config Strata cannot apply leaves the model uncompiled. */
function compileFrom(model: Model, tc: unknown): void {
  if (!isRecord(tc)) throw new ModelFileError(`model.json: trainingConfig must be an object, got ${show(tc)}`);
  const oc = tc.optimizer_config;
  if (!isRecord(oc)) throw new ModelFileError(`model.json: trainingConfig.optimizer_config must be { class_name, config }, got ${show(oc)}`);
  let optimizer: optimizers.Optimizer;
  try {
    optimizer = optimizers.deserialize(oc as never, 'model.json trainingConfig.optimizer_config');
  } catch (e) {
    // An optimizer Strata does not know (e.g. Keras 2's 'Custom>Adam'): the model loads uncompiled.
    if (e instanceof StrataError) return;
    throw asFileError(e, 'model.json');
  }
  const metrics = tc.metrics;
  const args: CompileArgs = { optimizer, loss: tc.loss as CompileArgs['loss'] };
  if (Array.isArray(metrics) ? metrics.length : isRecord(metrics) && Object.keys(metrics).length) args.metrics = metrics as CompileArgs['metrics'];
  if (tc.loss_weights !== undefined && tc.loss_weights !== null) args.lossWeights = tc.loss_weights as CompileArgs['lossWeights'];
  try {
    model.compile(args);
  } catch (e) {
    if (!(e instanceof StrataError)) throw asFileError(e, 'model.json trainingConfig');
    try {
      delete args.metrics;
      model.compile(args);
    } catch (e2) {
      if (!(e2 instanceof StrataError)) throw asFileError(e2, 'model.json trainingConfig');
      // Losses Strata does not know (e.g. Keras objects): the model loads uncompiled.
    }
  }
}
