import { ConfigError } from '../errors.js';
import { toCamelCase, convertKeys } from '../utils/case.js';
import { type Config, Initializer, computeFans } from './initializer.js';
import { Constant, Ones, RandomNormal, RandomUniform, TruncatedNormal, Zeros,
  type RandomNormalInitOptions, type RandomUniformInitOptions } from './basic.js';
import { GlorotNormal, GlorotUniform, HeNormal, HeUniform, LecunNormal, LecunUniform, VarianceScaling,
  type VarianceScalingOptions } from './variance-scaling.js';
import { Identity, Orthogonal } from './orthogonal.js';

export { Initializer, computeFans, type Config };
export { Constant, Ones, RandomNormal, RandomUniform, TruncatedNormal, Zeros };
export { GlorotNormal, GlorotUniform, HeNormal, HeUniform, LecunNormal, LecunUniform, VarianceScaling };
export { Identity, Orthogonal };

type Seeded = { seed?: number };

/** All zeros. */
export const zeros = (): Initializer => new Zeros();
/** All ones. */
export const ones = (): Initializer => new Ones();
/** Every element equal to `value`. @example st.initializers.constant({ value: 0.1 }) */
export const constant = (opts: { value?: number } = {}): Initializer => new Constant(opts);
/** Normal samples (mean 0, stddev 0.05). */
export const randomNormal = (opts: RandomNormalInitOptions = {}): Initializer => new RandomNormal(opts);
/** Uniform samples in [−0.05, 0.05). */
export const randomUniform = (opts: RandomUniformInitOptions = {}): Initializer => new RandomUniform(opts);
/** Normal samples redrawn beyond two stddevs (mean 0, stddev 0.05). */
export const truncatedNormal = (opts: RandomNormalInitOptions = {}): Initializer => new TruncatedNormal(opts);
/** Variance scaling: scale / fan, by mode and distribution. */
export const varianceScaling = (opts: VarianceScalingOptions = {}): Initializer => new VarianceScaling(opts);
/** Glorot (Xavier) uniform — the default kernel initializer. */
export const glorotUniform = (opts: Seeded = {}): Initializer => new GlorotUniform(opts);
/** Glorot (Xavier) truncated normal. */
export const glorotNormal = (opts: Seeded = {}): Initializer => new GlorotNormal(opts);
/** He truncated normal, for ReLU. */
export const heNormal = (opts: Seeded = {}): Initializer => new HeNormal(opts);
/** He uniform, for ReLU. */
export const heUniform = (opts: Seeded = {}): Initializer => new HeUniform(opts);
/** LeCun truncated normal, for SELU. */
export const lecunNormal = (opts: Seeded = {}): Initializer => new LecunNormal(opts);
/** LeCun uniform. */
export const lecunUniform = (opts: Seeded = {}): Initializer => new LecunUniform(opts);
/** Random orthogonal matrix — the default recurrent-kernel initializer. */
export const orthogonal = (opts: { gain?: number; seed?: number } = {}): Initializer => new Orthogonal(opts);
/** gain × identity (2-D). */
export const identity = (opts: { gain?: number } = {}): Initializer => new Identity(opts);

type InitializerClass = { className: string; new (opts?: never): Initializer };

const CLASSES: InitializerClass[] = [
  Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling,
  GlorotUniform, GlorotNormal, HeNormal, HeUniform, LecunNormal, LecunUniform, Orthogonal, Identity,
] as unknown as InitializerClass[];

// Every spelling found in code and model files: 'GlorotUniform', 'glorotUniform', 'glorot_uniform'.
const BY_NAME = new Map<string, InitializerClass>();
for (const C of CLASSES) {
  BY_NAME.set(C.className.toLowerCase(), C);
}
BY_NAME.set('identityinitializer', Identity as unknown as InitializerClass);

/** The names `getInitializer` accepts, for error messages. */
export const INITIALIZER_NAMES = CLASSES.map((C) => C.className[0].toLowerCase() + C.className.slice(1));

/** An initializer given by name, `{ class_name, config }` (Keras JSON), or an instance. */
export type InitializerIdentifier = string | Initializer | { class_name?: string; className?: string; config?: Config };

/**
 * Resolves an initializer from a name ('glorotUniform', 'glorot_uniform', 'GlorotUniform'), a Keras
 * `{ class_name, config }` object (snake_case keys accepted), or an Initializer instance.
 */
export function getInitializer(id: InitializerIdentifier, where = 'initializer'): Initializer {
  if (id instanceof Initializer) return id;
  if (typeof id === 'string') return build(id, {}, where);
  if (id && typeof id === 'object') {
    const name = id.class_name ?? id.className;
    if (typeof name !== 'string') throw new ConfigError(`${where}: expected { class_name, config }, got ${JSON.stringify(id)}`);
    return build(name, (convertKeys(id.config ?? {}, toCamelCase) as Config), where);
  }
  throw new ConfigError(`${where}: expected an initializer name or object, got ${JSON.stringify(id)}`);
}

function build(name: string, config: Config, where: string): Initializer {
  const C = BY_NAME.get(name.replace(/_/g, '').toLowerCase());
  if (!C) throw new ConfigError(`${where}: unknown initializer '${name}'; known: ${INITIALIZER_NAMES.join(', ')}`);
  const opts = { ...config };
  if (opts.seed === null) delete opts.seed;
  return new C(opts as never);
}

/** The Keras JSON form `{ class_name, config }` of an initializer (config keys camelCase). */
export function serializeInitializer(init: Initializer): { class_name: string; config: Config } {
  return { class_name: init.className, config: init.getConfig() };
}
