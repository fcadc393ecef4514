import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { abs, mul, square, sum, add } from '../ops/index.js';
import { toCamelCase, convertKeys } from '../utils/case.js';

/** A penalty on a weight (or a layer's output) added to the training loss. */
export interface Regularizer {
  readonly className: string;
  /** The scalar penalty for `x`. */
  apply(x: Tensor): Tensor;
  getConfig(): Record<string, number>;
}

/** l1·Σ|x| + l2·Σx² (Keras `L1L2`; `L1` and `L2` are its special cases). */
export class L1L2 implements Regularizer {
  readonly className: string = 'L1L2';
  constructor(readonly l1 = 0, readonly l2 = 0) {
    for (const [k, v] of [['l1', l1], ['l2', l2]] as const) {
      if (typeof v !== 'number' || !(v >= 0)) throw new ConfigError(`${this.className}: ${k} must be a non-negative number, got ${JSON.stringify(v)}`);
    }
  }
  apply(x: Tensor): Tensor {
    let penalty: Tensor | null = null;
    if (this.l1) penalty = mul(sum(abs(x)), this.l1);
    if (this.l2) penalty = penalty ? add(penalty, mul(sum(square(x)), this.l2)) : mul(sum(square(x)), this.l2);
    return penalty ?? mul(sum(x), 0);
  }
  getConfig(): Record<string, number> {
    return { l1: this.l1, l2: this.l2 };
  }
}

class L1 extends L1L2 {
  override readonly className = 'L1';
  constructor(l1 = 0.01) { super(l1, 0); }
  override getConfig(): Record<string, number> { return { l1: this.l1 }; }
}

class L2 extends L1L2 {
  override readonly className = 'L2';
  constructor(l2 = 0.01) { super(0, l2); }
  override getConfig(): Record<string, number> { return { l2: this.l2 }; }
}

/** l1·Σ|x| (default l1 0.01). @example st.layers.dense({ units: 8, kernelRegularizer: st.regularizers.l1({ l1: 1e-4 }) }) */
export const l1 = (opts: { l1?: number } = {}): Regularizer => new L1(opts.l1);
/** l2·Σx² (default l2 0.01). */
export const l2 = (opts: { l2?: number } = {}): Regularizer => new L2(opts.l2);
/** l1·Σ|x| + l2·Σx² (defaults 0.01 each, as TensorFlow.js). */
export const l1l2 = (opts: { l1?: number; l2?: number } = {}): Regularizer => new L1L2(opts.l1 ?? 0.01, opts.l2 ?? 0.01);

export type RegularizerIdentifier = string | Regularizer | { class_name?: string; className?: string; config?: Record<string, unknown> };

/** Resolves 'l1', 'l2', 'l1l2' / 'l1_l2', a Keras `{ class_name, config }` object, or an instance. */
export function getRegularizer(id: RegularizerIdentifier | null | undefined, where = 'regularizer'): Regularizer | null {
  if (id === null || id === undefined) return null;
  if (typeof id === 'object' && 'apply' in id) return id;
  const name = typeof id === 'string' ? id : id.class_name ?? id.className;
  const config = (typeof id === 'object' ? convertKeys(id.config ?? {}, toCamelCase) : {}) as { l1?: number; l2?: number };
  switch (String(name).replace(/_/g, '').toLowerCase()) {
    case 'l1': return new L1(config.l1);
    case 'l2': return new L2(config.l2);
    case 'l1l2': return new L1L2(config.l1 ?? 0, config.l2 ?? 0);
    default: throw new ConfigError(`${where}: unknown regularizer ${JSON.stringify(name)}; use 'l1', 'l2' or 'l1l2'`);
  }
}
