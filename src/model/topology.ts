/**
 * Model ⇄ Keras topology JSON (`{ class_name, config, keras_version, backend }`), and the names
 * under which weights are saved and matched on load.
 */
import { StrataError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { Layer } from '../layers/layer.js';
import { deserialize, serialize } from '../layers/serialization.js';
import { Model } from './model.js';
import { ModelFileError } from '../io/errors.js';
import { isRecord, show } from '../io/validate.js';
import type { ModelTopology, WeightSpec } from '../io/types.js';

export const STRATA_VERSION = '0.1.0';

/** The Keras topology of a model, as TensorFlow.js writes it. */
export function modelToTopology(model: Model): ModelTopology {
  const json = serialize(model);
  if (model.className === 'Sequential') {
    // A Sequential built from an InputLayer keeps its input shape only in the model: write the
    // InputLayer first, as Keras 2 does, so the file rebuilds with the same input shape.
    const layers = json.config.layers as { class_name: string; config: Record<string, unknown> }[];
    const shape = model.inputShapes?.[0];
    if (shape && layers.length && layers[0].config.batch_input_shape === undefined) {
      layers.unshift({ class_name: 'InputLayer', config: { batch_input_shape: shape, dtype: 'float32', sparse: false, name: `${model.name}_input` } });
    }
  }
  return { class_name: json.class_name, config: json.config, keras_version: `strata ${STRATA_VERSION}`, backend: 'strata' };
}

/** Builds a model from a topology (Sequential, Functional/Model), refusing anything else. */
export function topologyToModel(raw: unknown): Model {
  let topo = raw;
  if (isRecord(topo) && isRecord(topo.model_config)) topo = topo.model_config;
  if (!isRecord(topo) || typeof topo.class_name !== 'string' || !isRecord(topo.config) && !Array.isArray(topo.config)) {
    throw new ModelFileError(`model.json: modelTopology must be { class_name, config }, got ${show(raw)}`);
  }
  const cls = topo.class_name;
  if (!['Sequential', 'Functional', 'Model'].includes(cls)) {
    throw new ModelFileError(`model.json: modelTopology has class_name '${cls}'; expected Sequential, Functional or Model`);
  }
  checkInputShapes(topo.config);
  let model: Layer;
  try {
    model = deserialize({ class_name: cls, config: topo.config as Record<string, unknown> });
  } catch (e) {
    if (e instanceof ModelFileError) throw e;
    if (!(e instanceof StrataError)) throw e; // a bug, not a refusal (see asFileError)
    throw new ModelFileError(`model.json: the topology does not build a model: ${e.message}`);
  }
  if (!(model instanceof Model)) throw new ModelFileError(`model.json: the topology is not a model`);
  return model;
}

/** Input shapes anywhere in the topology must be lists of null or non-negative integers. */
function checkInputShapes(config: unknown): void {
  const stack: unknown[] = [config];
  while (stack.length) {
    const v = stack.pop();
    if (Array.isArray(v)) stack.push(...v.filter((x) => x !== null && typeof x === 'object'));
    else if (isRecord(v)) {
      for (const [k, x] of Object.entries(v)) {
        if (['batch_input_shape', 'batchInputShape', 'batch_shape', 'batchShape'].includes(k) && x !== null && x !== undefined) {
          const ok = Array.isArray(x) && x.length <= 16 && x.every((d) => d === null || (typeof d === 'number' && Number.isInteger(d) && d >= 0 && d < 2 ** 31));
          if (!ok) throw new ModelFileError(`model.json: ${k} must be a list of null or non-negative integers, got ${show(x)}`);
        } else if (x !== null && typeof x === 'object') stack.push(x);
      }
    }
  }
}

/**
 * Leaf layers with the weights each owns: nested models are opened (their layers' weights keep
 * their own names, as in TensorFlow.js), wrappers keep their inner layers' weights.
 */
export function weightOwners(model: Model): { layer: Layer; weights: Variable[] }[] {
  const out: { layer: Layer; weights: Variable[] }[] = [];
  const seen = new Set<Variable>();
  const visit = (m: Model): void => {
    for (const l of m.layers) {
      if (l instanceof Model) {
        visit(l);
        continue;
      }
      const ws = l.weights.filter((w) => !seen.has(w));
      ws.forEach((w) => seen.add(w));
      if (ws.length) out.push({ layer: l, weights: ws });
    }
  };
  visit(model);
  return out;
}

/**
 * Names of the model's weights in files: the variable's own name when it starts with its layer's
 * name (`dense_1/kernel`), else prefixed with the layer's name (`time_distributed/dense/kernel`), so
 * that TensorFlow.js, which drops an inner middle component, finds them. Order = `model.weights`.
 */
export function namedModelWeights(model: Model): { name: string; variable: Variable }[] {
  const out: { name: string; variable: Variable }[] = [];
  const used = new Set<string>();
  for (const { layer, weights } of weightOwners(model)) {
    for (const v of weights) {
      const base = v.name.startsWith(`${layer.name}/`) ? v.name : `${layer.name}/${v.name}`;
      let name = base;
      for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
      used.add(name);
      out.push({ name, variable: v });
    }
  }
  return out;
}

/**
 * Matches manifest weights to the model's weights. The rule:
 * 1. A manifest name (':0' suffix dropped) is given to the layer whose name is the first of its
 *    '/'-separated parts that names a layer of the model (so `model/dense_1/kernel`,
 *    `dense_1/kernel`, `bidirectional/forward_lstm/kernel` all go to their layer).
 * 2. Within a layer, names equal to the weight's saved name match first; the rest match in order
 *    (Keras order), which covers cell names (`lstm/lstm_cell/kernel`) and unique-name suffixes
 *    (`kernel_1`). Counts must agree.
 * 3. Names that name no layer match, in order, the model's weights still unmatched, if the counts
 *    agree (files whose layer names were renamed).
 * Shapes must agree everywhere. Returns the tensors in `model.weights` order.
 */
export function matchWeights(model: Model, specs: WeightSpec[], values: Map<string, Tensor> | null): Map<Variable, WeightSpec> {
  const owners = weightOwners(model);
  const byName = new Map(owners.map((o) => [o.layer.name, o]));
  const saved = new Map(namedModelWeights(model).map((n) => [n.variable, n.name]));
  const perLayer = new Map<Layer, WeightSpec[]>();
  const orphans: WeightSpec[] = [];
  for (const s of specs) {
    const parts = s.name.replace(/:\d+$/, '').split('/');
    const owner = parts.slice(0, -1).map((p) => byName.get(p)).find((o) => o !== undefined);
    if (owner) perLayer.set(owner.layer, [...(perLayer.get(owner.layer) ?? []), s]);
    else orphans.push(s);
  }
  const result = new Map<Variable, WeightSpec>();
  const unmatched: Variable[] = [];
  for (const { layer, weights } of owners) {
    const got = perLayer.get(layer) ?? [];
    if (got.length === 0) {
      unmatched.push(...weights);
      continue;
    }
    if (got.length !== weights.length) {
      throw new ModelFileError(`weights manifest: layer '${layer.name}' (${layer.className}) has ${weights.length} weights ` +
        `(${weights.map((w) => `${saved.get(w)} ${fmtShape(w.shape)}`).join(', ')}) but the manifest gives it ${got.length} ` +
        `(${got.map((s) => `${s.name} ${fmtShape(s.shape)}`).join(', ')})`);
    }
    const rest = got.slice();
    const left: Variable[] = [];
    for (const w of weights) {
      const i = rest.findIndex((s) => s.name.replace(/:\d+$/, '') === saved.get(w));
      if (i >= 0) result.set(w, rest.splice(i, 1)[0]);
      else left.push(w);
    }
    left.forEach((w, i) => result.set(w, rest[i]));
  }
  if (orphans.length && orphans.length !== unmatched.length) {
    throw new ModelFileError(`weights manifest: weight '${orphans[0].name}' matches no layer of the model ` +
      `(layers with weights: ${owners.map((o) => o.layer.name).join(', ')})`);
  }
  orphans.forEach((s, i) => result.set(unmatched[i], s));
  if (!orphans.length && unmatched.length) {
    throw new ModelFileError(`weights manifest: the model's weight '${saved.get(unmatched[0])}' ${fmtShape(unmatched[0].shape)} ` +
      `is missing from the manifest${unmatched.length > 1 ? ` (and ${unmatched.length - 1} more)` : ''}`);
  }
  for (const [w, s] of result) {
    if (fmtShape(w.shape) !== fmtShape(s.shape)) {
      throw new ModelFileError(`weights manifest: weight '${s.name}' has shape ${fmtShape(s.shape)} but the model's ` +
        `'${saved.get(w)}' has shape ${fmtShape(w.shape)}`);
    }
    if (values && !values.has(s.name)) throw new ModelFileError(`weights manifest: no data for weight '${s.name}'`);
  }
  return result;
}

/**
 * A deliberate refusal (any StrataError: a check in a layer's constructor or build, a shape check)
 * raised while building from a file, as a ModelFileError that says where. Anything else (TypeError,
 * RangeError, ...) is a bug in the loader, not a refusal: it is rethrown unchanged, stack and all,
 * so that tests and users see it instead of a tidy message.
 */
export function asFileError(e: unknown, where: string): ModelFileError {
  if (e instanceof ModelFileError) return e;
  if (e instanceof StrataError) return new ModelFileError(`${where}: ${e.message}`);
  throw e;
}
