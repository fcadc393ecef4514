import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, clipByValue, div, mul, relu, sqrt, square, sum } from '../ops/index.js';
import { toCamelCase, convertKeys } from '../utils/case.js';

/** A projection applied to a weight after each optimizer update. */
export interface Constraint {
  readonly className: string;
  apply(w: Tensor): Tensor;
  getConfig(): Record<string, number | number[]>;
}

type Axis = number | number[];
const EPS = 1e-7;

function norms(w: Tensor, axis: Axis): Tensor {
  return sqrt(sum(square(w), axis, true));
}

/** Rescales each slice along `axis` whose L2 norm exceeds maxValue (Keras `MaxNorm`, default 2, axis 0). */
class MaxNorm implements Constraint {
  readonly className = 'MaxNorm';
  constructor(readonly maxValue = 2, readonly axis: Axis = 0) {}
  apply(w: Tensor): Tensor {
    const n = norms(w, this.axis);
    return mul(w, div(clipByValue(n, 0, this.maxValue), add(n, EPS)));
  }
  getConfig() { return { maxValue: this.maxValue, axis: this.axis }; }
}

/** Keeps slice norms in [minValue, maxValue], moved there at `rate` (Keras `MinMaxNorm`). */
class MinMaxNorm implements Constraint {
  readonly className = 'MinMaxNorm';
  constructor(readonly minValue = 0, readonly maxValue = 1, readonly rate = 1, readonly axis: Axis = 0) {}
  apply(w: Tensor): Tensor {
    const n = norms(w, this.axis);
    const desired = add(mul(clipByValue(n, this.minValue, this.maxValue), this.rate), mul(n, 1 - this.rate));
    return mul(w, div(desired, add(n, EPS)));
  }
  getConfig() { return { minValue: this.minValue, maxValue: this.maxValue, rate: this.rate, axis: this.axis }; }
}

/** Sets negative weights to zero (Keras `NonNeg`). */
class NonNeg implements Constraint {
  readonly className = 'NonNeg';
  apply(w: Tensor): Tensor { return relu(w); }
  getConfig() { return {}; }
}

/** Scales each slice along `axis` to unit L2 norm (Keras `UnitNorm`, axis 0). */
class UnitNorm implements Constraint {
  readonly className = 'UnitNorm';
  constructor(readonly axis: Axis = 0) {}
  apply(w: Tensor): Tensor { return div(w, add(norms(w, this.axis), EPS)); }
  getConfig() { return { axis: this.axis }; }
}

/** Caps slice norms at maxValue. @example st.layers.dense({ units: 4, kernelConstraint: st.constraints.maxNorm({ maxValue: 3 }) }) */
export const maxNorm = (o: { maxValue?: number; axis?: Axis } = {}): Constraint => new MaxNorm(o.maxValue, o.axis);
/** Keeps slice norms within [minValue, maxValue]. */
export const minMaxNorm = (o: { minValue?: number; maxValue?: number; rate?: number; axis?: Axis } = {}): Constraint =>
  new MinMaxNorm(o.minValue, o.maxValue, o.rate, o.axis);
/** Clamps weights at zero from below. */
export const nonNeg = (): Constraint => new NonNeg();
/** Normalises slices to unit norm. */
export const unitNorm = (o: { axis?: Axis } = {}): Constraint => new UnitNorm(o.axis);


export type ConstraintIdentifier = string | Constraint | { class_name?: string; className?: string; config?: Record<string, unknown> };

/** Resolves a constraint by name ('maxNorm', 'max_norm', 'MaxNorm', ...), Keras JSON, or an instance. */
export function getConstraint(id: ConstraintIdentifier | null | undefined, where = 'constraint'): Constraint | null {
  if (id === null || id === undefined) return null;
  if (typeof id === 'object' && 'apply' in id) return id;
  const name = typeof id === 'string' ? id : id.class_name ?? id.className;
  const c = (typeof id === 'object' ? convertKeys(id.config ?? {}, toCamelCase) : {}) as Record<string, never>;
  switch (String(name).replace(/_/g, '').toLowerCase()) {
    case 'maxnorm': return maxNorm(c);
    case 'minmaxnorm': return minMaxNorm(c);
    case 'nonneg': return nonNeg();
    case 'unitnorm': return unitNorm(c);
    default: throw new ConfigError(`${where}: unknown constraint ${JSON.stringify(name)}; use 'maxNorm', 'minMaxNorm', 'nonNeg' or 'unitNorm'`);
  }
}
