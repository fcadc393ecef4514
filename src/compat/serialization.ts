/**
 * `tf.serialization`: registering custom classes so saved models that name them load again.
 */
import { ConfigError } from '../errors.js';
import { Layer } from '../layers/layer.js';
import { registerLayer } from '../layers/serialization.js';

/** A class with a static `className` (a static property or getter), as TF.js's Serializable. */
export interface SerializableConstructor {
  readonly className: string;
  prototype: object;
  new (...args: never[]): object;
}

/**
 * Registers a custom layer class under its static `className` (or `name`, when given), so
 * `st.layers.deserialize`, `st.models.modelFromJSON` and `st.loadLayersModel` rebuild it from a
 * saved config through `new Class(config)`. As `tf.serialization.registerClass`; `pkg` prefixes
 * the name with 'pkg>' as TF.js does. Only Layer subclasses can be registered.
 * @example
 * class Antirectifier extends st.layers.Layer { static className = 'Antirectifier'; ... }
 * st.serialization.registerClass(Antirectifier);
 */
export function registerClass<T extends SerializableConstructor>(cls: T, pkg?: string, name?: string): T {
  if (typeof cls !== 'function') throw new ConfigError(`serialization.registerClass: expected a class, got ${typeof cls}`);
  const className = name ?? cls.className;
  if (typeof className !== 'string' || className === '') {
    throw new ConfigError(`serialization.registerClass: class ${(cls as { name?: string }).name || '(anonymous)'} has no ` +
      `static className; add \`static className = '${(cls as { name?: string }).name || 'MyLayer'}'\``);
  }
  if (!(cls.prototype instanceof Layer)) {
    throw new ConfigError(`serialization.registerClass: '${className}' is not a subclass of st.layers.Layer; only custom ` +
      'layers can be registered (custom initializers, regularizers and constraints are not yet supported)');
  }
  const key = pkg ? `${pkg}>${className}` : className;
  const layerClass = cls as unknown as Parameters<typeof registerLayer>[0];
  if (key === cls.className) registerLayer(layerClass);
  else registerLayer(layerClass, key);
  return cls;
}
