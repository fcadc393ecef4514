import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import * as ops from '../ops/index.js';
import type { LayerOptions, LayerShape } from './layer.js';
import { Merge } from './merge.js';
import { registerLayer } from './serialization.js';

export interface DotOptions extends LayerOptions {
  /** Axis (or [axis of a, axis of b]) to sum the products over, counting the batch as axis 0; negative from the end. */
  axes: number | [number, number];
  /** L2-normalise both inputs along their axes first, so the result is the cosine similarity (default false). */
  normalize?: boolean;
}

/**
 * Dot product of two inputs per sample (Keras `batch_dot`): sums a[i]·b[i] over `axes`. Output
 * shape: a's shape without its axis, then b's shape without the batch and its axis; a result of
 * rank 1 gets a trailing 1 ([batch, 1]).
 * @example st.layers.dot({ axes: -1 }).apply([a, b]) // [n, 8] · [n, 8] → [n, 1]
 * @example st.layers.dot({ axes: [2, 2] }).apply([q, k]) // [n, 5, 8] · [n, 7, 8] → [n, 5, 7]
 */
export class Dot extends Merge {
  static override className = 'Dot';
  readonly axes: number | [number, number];
  readonly normalize: boolean;
  protected override readonly arity: [number, number] = [2, 2];

  constructor(opts: DotOptions) {
    super(opts);
    const axes = opts?.axes;
    const ok = Number.isInteger(axes) || (Array.isArray(axes) && axes.length === 2 && axes.every((a) => Number.isInteger(a)));
    if (!ok) {
      throw new ConfigError(`${this.describe()}: axes must be an integer or a pair of integers [axis of a, axis of b], got ${JSON.stringify(axes)}`);
    }
    this.axes = Array.isArray(axes) ? [axes[0], axes[1]] : axes;
    this.normalize = opts.normalize ?? false;
    this.supportsMasking = false;
  }

  /** The two contraction axes for inputs of these shapes, checked (never the batch; equal sizes). */
  private axesFor(s1: readonly (number | null)[], s2: readonly (number | null)[]): [number, number] {
    const [a, b] = Array.isArray(this.axes) ? this.axes : [this.axes, this.axes];
    const a1 = a < 0 ? a + s1.length : a, a2 = b < 0 ? b + s2.length : b;
    const shapes = `${fmtShape(s1)} and ${fmtShape(s2)}`;
    if (a1 < 1 || a1 >= s1.length || a2 < 1 || a2 >= s2.length) {
      throw new ShapeError(`${this.describe()}: axes ${JSON.stringify(this.axes)} must name non-batch axes of the inputs ${shapes}`);
    }
    if (s1[a1] !== null && s2[a2] !== null && s1[a1] !== s2[a2]) {
      throw new ShapeError(`${this.describe()}: the summed axes differ in size: axis ${a1} of ${fmtShape(s1)} is ${s1[a1]}, ` +
        `axis ${a2} of ${fmtShape(s2)} is ${s2[a2]}`);
    }
    return [a1, a2];
  }

  override computeOutputShape(inputShape: LayerShape[]): LayerShape {
    const [s1, s2] = this.shapeList(inputShape);
    const [a1, a2] = this.axesFor(s1, s2);
    const out = [...s1.filter((_, i) => i !== a1), ...s2.filter((_, i) => i !== a2 && i !== 0)];
    return out.length === 1 ? [out[0], 1] : out;
  }

  // The inputs may differ in rank; the contraction handles that itself.
  protected override align(list: Tensor[]): Tensor[] {
    return list;
  }

  protected merge(inputs: Tensor[]): Tensor {
    let [x, y] = inputs;
    const [a1, a2] = this.axesFor(x.shape, y.shape);
    if (this.normalize) {
      x = l2Normalize(x, a1);
      y = l2Normalize(y, a2);
    }
    // [batch, M, K] · [batch, K, N]: the summed axis moved last in x and first (after the batch) in y.
    const xRest = x.shape.filter((_, i) => i !== a1 && i !== 0);
    const yRest = y.shape.filter((_, i) => i !== a2 && i !== 0);
    const batch = x.shape[0], k = x.shape[a1];
    const size = (d: number[]): number => d.reduce((p, q) => p * q, 1);
    const xm = ops.reshape(ops.transpose(x, [0, ...range(x.rank).filter((i) => i !== a1 && i !== 0), a1]), [batch, size(xRest), k]);
    const ym = ops.reshape(ops.transpose(y, [0, a2, ...range(y.rank).filter((i) => i !== a2 && i !== 0)]), [batch, k, size(yRest)]);
    const out = [batch, ...xRest, ...yRest];
    return ops.reshape(ops.matmul(xm, ym), out.length === 1 ? [batch, 1] : out);
  }

  override computeMask(): Tensor | null {
    return null;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axes: Array.isArray(this.axes) ? this.axes.slice() : this.axes, normalize: this.normalize };
  }
}
registerLayer(Dot);

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** x / ‖x‖₂ along `axis`, with the squared norm floored at 1e-12 (as Keras) so zeros stay finite. */
function l2Normalize(x: Tensor, axis: number): Tensor {
  const sq = ops.sum(ops.square(x), axis, true);
  return ops.mul(x, ops.rsqrt(ops.maximum(sq, 1e-12)));
}

/** Dot layer factory. */
export const dot = (opts: DotOptions): Dot => new Dot(opts);
