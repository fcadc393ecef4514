import { ConfigError } from '../errors.js';
import { Initializer, serializeInitializer } from '../initializers/index.js';
import { toCamelCase, toSnakeCase, convertKeys } from '../utils/case.js';
import { Layer } from './layer.js';

/** Keras JSON form of a layer, initializer, regularizer or constraint. */
export interface KerasObject {
  class_name: string;
  config: Record<string, unknown>;
}

type LayerClass = {
  className: string;
  fromConfig(config: Record<string, unknown>): Layer;
  /** Config keys whose null is a value, not "use the default" (e.g. Bidirectional's mergeMode). */
  nullableConfigKeys?: readonly string[];
};

const registry = new Map<string, LayerClass>();

/** Makes a layer class loadable by `deserialize` under its Keras className (and any aliases). */
export function registerLayer(cls: LayerClass, ...aliases: string[]): void {
  for (const name of [cls.className, ...aliases]) registry.set(name, cls);
}

/** The Keras className of the class registered under `name` (an alias gives its class's name). */
export function canonicalClassName(name: string): string | undefined {
  return registry.get(name)?.className;
}

/** The registered class names, for error messages. */
export function registeredLayers(): string[] {
  return [...registry.keys()].sort();
}

const MAX_DEPTH = 64;

/**
 * Builds a layer from its Keras JSON `{ class_name, config }`, as model.json files written by
 * TensorFlow.js and Keras hold it: snake_case keys, nested `{ class_name, config }` initializers and
 * wrapped layers, 1-D sizes as arrays, `null` for -1 in Reshape. Unknown keys are ignored.
 * @example st.layers.deserialize({ class_name: 'Dense', config: { units: 3, activation: 'relu' } })
 */
export function deserialize(obj: { class_name?: string; className?: string; config?: Record<string, unknown> }, depth = 0): Layer {
  if (depth > MAX_DEPTH) throw new ConfigError(`deserialize: layers nested deeper than ${MAX_DEPTH} levels`);
  if (!obj || typeof obj !== 'object') throw new ConfigError(`deserialize: expected { class_name, config }, got ${JSON.stringify(obj)}`);
  const name = obj.class_name ?? obj.className;
  if (typeof name !== 'string') throw new ConfigError(`deserialize: the layer has no class_name: ${JSON.stringify(obj).slice(0, 200)}`);
  const cls = registry.get(name);
  if (!cls) throw new ConfigError(`deserialize: unknown layer class '${name}'; known: ${registeredLayers().join(', ')}`);
  const config = convertKeys(obj.config ?? {}, toCamelCase) as Record<string, unknown>;
  return cls.fromConfig(normalizeCommon(config, cls.nullableConfigKeys ?? []));
}

/** Maps the spellings of the base options that differ between TensorFlow.js, Keras 2 and Keras 3. */
function normalizeCommon(config: Record<string, unknown>, keepNull: readonly string[]): Record<string, unknown> {
  const c = { ...config };
  if (c.batchShape !== undefined && c.batchInputShape === undefined) c.batchInputShape = c.batchShape;
  delete c.batchShape;
  // Keras 3 writes dtype as a policy object.
  if (c.dtype && typeof c.dtype === 'object') {
    const policy = c.dtype as { config?: { name?: string } };
    c.dtype = policy.config?.name;
  }
  if (c.dtype !== 'float32' && c.dtype !== 'float64' && c.dtype !== 'int32') delete c.dtype;
  for (const k of Object.keys(c)) if (c[k] === null && !keepNull.includes(k)) delete c[k];
  return c;
}

/** The Keras JSON of a layer: snake_case config keys, nested objects as `{ class_name, config }`. */
export function serialize(layer: Layer): KerasObject {
  return { class_name: layer.className, config: toJson(layer.getConfig()) as Record<string, unknown> };
}

function toJson(value: unknown): unknown {
  if (value instanceof Layer) return serialize(value);
  if (value instanceof Initializer) return toJson(serializeInitializer(value));
  if (Array.isArray(value)) return value.map(toJson);
  if (value && typeof value === 'object') {
    const v = value as { className?: unknown; getConfig?: () => Record<string, unknown> };
    // Regularizers, constraints and similar objects.
    if (typeof v.getConfig === 'function' && typeof v.className === 'string') {
      return { class_name: v.className, config: toJson(v.getConfig()) };
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(value)) {
      if (x !== undefined && typeof x !== 'function') out[k === 'class_name' ? k : toSnakeCase(k)] = toJson(x);
    }
    return out;
  }
  return value;
}

/** Converts a serialized config back to camelCase (the inverse of `serialize`'s key conversion). */
export function configFromJson(config: Record<string, unknown>): Record<string, unknown> {
  return convertKeys(config, toCamelCase) as Record<string, unknown>;
}
