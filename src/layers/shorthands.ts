// The `dropout` shorthand of Dense, the convolutions and the transposed convolutions: read once,
// run once, saved once (Layer.expand turns it into a separate Dropout layer in a model).
import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { CallOptions, Layer } from './layer.js';
import { Dropout } from './dropout.js';

/** The `dropout` shorthand given as an object, to fix the seed (tests) or share the mask (noiseShape). */
export interface DropoutShorthand {
  rate: number;
  seed?: number;
  noiseShape?: (number | null)[];
}

const show = (v: unknown): string =>
  (Array.isArray(v) ? `[${v.map((d) => JSON.stringify(d)).join(', ')}]` : v === undefined ? 'undefined' : JSON.stringify(v));

/** Reads `dropout` (a rate or `{ rate, seed, noiseShape }`) and `dropoutSeed`; null when there is no dropout. */
export function readDropout(where: string, d: number | DropoutShorthand | null | undefined, seed: number | null | undefined): DropoutShorthand | null {
  if (d === undefined || d === null || d === 0) return null;
  const o = typeof d === 'number' ? { rate: d } as DropoutShorthand : d;
  if (typeof o !== 'object' || typeof o.rate !== 'number' || !(o.rate >= 0 && o.rate < 1)) {
    throw new ConfigError(`${where}: dropout must be a rate in [0, 1) or { rate, seed }, got ${show(d)}`);
  }
  if (seed !== undefined && seed !== null && o.seed !== undefined && o.seed !== seed) {
    throw new ConfigError(`${where}: dropoutSeed ${seed} and dropout.seed ${o.seed} disagree; give one of them`);
  }
  const out: DropoutShorthand = { ...o };
  if (seed !== undefined && seed !== null) out.seed = seed;
  return o.rate === 0 ? null : out;
}

/**
 * A layer's dropout shorthand: the resolved option, the Dropout layer it stands for (named
 * `<layer>_dropout`, the one `expand()` hands the model), and its config keys.
 */
export class DropoutPart {
  readonly spec: DropoutShorthand | null;
  readonly layer: Dropout | null;

  constructor(owner: Layer, dropout: number | DropoutShorthand | null | undefined, seed?: number | null) {
    this.spec = readDropout(owner.describe(), dropout, seed);
    this.layer = this.spec ? new Dropout({ ...this.spec, name: `${owner.name}_dropout` }) : null;
  }

  /** y after the dropout (identity without one, or outside training). */
  apply(y: Tensor, opts: CallOptions): Tensor {
    return this.layer ? (this.layer.apply(y, opts) as Tensor) : y;
  }

  /** Adds `dropout` (and `dropoutSeed`) to a config: a plain rate when that says it all. */
  addTo(config: Record<string, unknown>): Record<string, unknown> {
    const d = this.spec;
    if (d?.noiseShape) config.dropout = { ...d };
    else if (d) {
      config.dropout = d.rate;
      if (d.seed !== undefined) config.dropoutSeed = d.seed;
    }
    return config;
  }
}
