import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import * as ops from '../ops/index.js';
import { ones } from '../tensor/create.js';
import { Layer, type CallOptions, type LayerOptions, type LayerShape } from './layer.js';
import { registerLayer } from './serialization.js';

/**
 * Base of the layers that combine a list of tensors (Keras `Merge`): `apply([a, b, ...])`, `build`
 * and `computeOutputShape` take the list of shapes. The elementwise merges (Add, Multiply, ...)
 * need equal shapes but the batch, except that dims of 1 broadcast and lower-rank inputs are
 * expanded after the batch axis, as Keras.
 */
export abstract class Merge extends Layer {
  /** Number of inputs accepted: [min, max]. */
  protected readonly arity: [number, number] = [2, Infinity];

  constructor(opts: LayerOptions = {}) {
    super(opts ?? {});
    this.supportsMasking = true;
  }

  /** Combines inputs of equal rank (after any expansion). */
  protected abstract merge(inputs: Tensor[]): Tensor;

  /** The input shapes as a list, checked for count and batch agreement. */
  protected shapeList(inputShape: unknown): LayerShape[] {
    const [min, max] = this.arity;
    const count = min === max ? `exactly ${min}` : `at least ${min}`;
    if (!Array.isArray(inputShape) || !inputShape.every((s) => Array.isArray(s))) {
      throw new ShapeError(`${this.describe()}: expects a list of ${count} inputs, e.g. layer.apply([a, b]); got a single input of shape ` +
        `${Array.isArray(inputShape) ? fmtShape(inputShape as LayerShape) : String(inputShape)}`);
    }
    const shapes = inputShape as LayerShape[];
    if (shapes.length < min || shapes.length > max) {
      throw new ShapeError(`${this.describe()}: expects ${count} inputs, got ${shapes.length} (${shapes.map((s) => fmtShape(s)).join(', ')})`);
    }
    const batches = new Set(shapes.map((s) => s[0]).filter((b) => b !== null && b !== undefined));
    if (batches.size > 1) {
      throw new ShapeError(`${this.describe()}: inputs have different batch sizes: ${shapes.map((s) => fmtShape(s)).join(', ')}`);
    }
    return shapes;
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    this.computeOutputShape(inputShape as LayerShape[]);
    this.built = true;
  }

  computeOutputShape(inputShape: LayerShape[]): LayerShape {
    const shapes = this.shapeList(inputShape);
    const batch = shapes.map((s) => s[0]).find((b) => b !== null && b !== undefined) ?? null;
    const rank = Math.max(...shapes.map((s) => s.length - 1));
    const out: (number | null)[] = [];
    for (let k = 0; k < rank; k++) {
      let dim: number | null = 1;
      for (const s of shapes) {
        const d = s.length - 1 - rank + k >= 0 ? s[s.length - rank + k] : 1;
        if (d === 1) continue;
        if (dim === 1 || d === null || dim === null) dim = dim === 1 ? d : null;
        else if (d !== dim) {
          throw new ShapeError(`${this.describe()}: inputs must have the same shape apart from the batch (dims of 1 broadcast), ` +
            `got ${shapes.map((s) => fmtShape(s)).join(', ')} — reshape them, or project them to a common size with a dense layer`);
        }
      }
      out.push(dim);
    }
    return [batch, ...out];
  }

  protected call(inputs: Tensor | Tensor[], _opts: CallOptions): Tensor {
    const list = this.tensorList(inputs);
    this.computeOutputShape(list.map((t) => t.shape));
    return this.merge(this.align(list));
  }

  /** Gives lower-rank inputs unit dims right after the batch, so the non-batch dims align at the end. */
  protected align(list: Tensor[]): Tensor[] {
    const rank = Math.max(...list.map((t) => t.rank));
    return list.map((t) => {
      let x = t;
      while (x.rank < rank) x = ops.expandDims(x, 1);
      return x;
    });
  }

  protected tensorList(inputs: Tensor | Tensor[]): Tensor[] {
    this.shapeList(Array.isArray(inputs) ? inputs.map((t) => t.shape) : inputs.shape);
    return inputs as Tensor[];
  }

  /** The output mask: the AND of the inputs' masks (null when none has one). */
  override computeMask(_inputs: Tensor | Tensor[], mask: Tensor | (Tensor | null | undefined)[] | null | undefined): Tensor | null {
    if (!mask) return null;
    const masks = (Array.isArray(mask) ? mask : [mask]).filter((m): m is Tensor => !!m);
    if (masks.length === 0) return null;
    return masks.slice(1).reduce((acc, m) => ops.mul(acc, ops.cast(m, acc.dtype)), masks[0]);
  }
}

/** Elementwise sum of the inputs. @example st.layers.add().apply([a, b]) */
export class Add extends Merge {
  static override className = 'Add';
  protected merge(xs: Tensor[]): Tensor {
    return xs.slice(1).reduce((acc, x) => ops.add(acc, x), xs[0]);
  }
}

/** First input minus the second (exactly 2 inputs). @example st.layers.subtract().apply([a, b]) */
export class Subtract extends Merge {
  static override className = 'Subtract';
  protected override readonly arity: [number, number] = [2, 2];
  protected merge([a, b]: Tensor[]): Tensor {
    return ops.sub(a, b);
  }
}

/** Elementwise product of the inputs. @example st.layers.multiply().apply([a, b]) */
export class Multiply extends Merge {
  static override className = 'Multiply';
  protected merge(xs: Tensor[]): Tensor {
    return xs.slice(1).reduce((acc, x) => ops.mul(acc, x), xs[0]);
  }
}

/** Elementwise mean of the inputs. @example st.layers.average().apply([a, b, c]) */
export class Average extends Merge {
  static override className = 'Average';
  protected merge(xs: Tensor[]): Tensor {
    return ops.mul(xs.slice(1).reduce((acc, x) => ops.add(acc, x), xs[0]), 1 / xs.length);
  }
}

/** Elementwise maximum of the inputs. @example st.layers.maximum().apply([a, b]) */
export class Maximum extends Merge {
  static override className = 'Maximum';
  protected merge(xs: Tensor[]): Tensor {
    return xs.slice(1).reduce((acc, x) => ops.maximum(acc, x), xs[0]);
  }
}

/** Elementwise minimum of the inputs. @example st.layers.minimum().apply([a, b]) */
export class Minimum extends Merge {
  static override className = 'Minimum';
  protected merge(xs: Tensor[]): Tensor {
    return xs.slice(1).reduce((acc, x) => ops.minimum(acc, x), xs[0]);
  }
}

export interface ConcatenateOptions extends LayerOptions {
  /** Axis to join along, counting the batch as axis 0 (default -1, the features). */
  axis?: number;
}

/**
 * Joins the inputs along `axis`; every other dimension must agree.
 * @example st.layers.concatenate({ axis: -1 }).apply([a, b]) // [n, 3] and [n, 5] → [n, 8]
 */
export class Concatenate extends Merge {
  static override className = 'Concatenate';
  readonly axis: number;

  constructor(opts: ConcatenateOptions = {}) {
    super(opts);
    const axis = opts?.axis ?? -1;
    if (!Number.isInteger(axis)) throw new ConfigError(`${this.describe()}: axis must be an integer, got ${JSON.stringify(opts?.axis)}`);
    this.axis = axis;
  }

  private axisFor(shapes: LayerShape[]): number {
    const rank = shapes[0].length;
    const mismatch = shapes.some((s) => s.length !== rank);
    const axis = this.axis < 0 ? this.axis + rank : this.axis;
    if (mismatch || axis < 0 || axis >= rank) {
      throw new ShapeError(`${this.describe()}: ${mismatch ? 'inputs must have the same rank' : `axis ${this.axis} is outside rank ${rank}`}, ` +
        `got ${shapes.map((s) => fmtShape(s)).join(', ')}`);
    }
    return axis;
  }

  override computeOutputShape(inputShape: LayerShape[]): LayerShape {
    const shapes = this.shapeList(inputShape);
    const axis = this.axisFor(shapes);
    const out = shapes[0].slice();
    for (const s of shapes.slice(1)) {
      s.forEach((d, i) => {
        if (i === axis) {
          out[i] = out[i] === null || d === null ? null : (out[i] as number) + d;
        } else if (d !== null && out[i] !== null && d !== out[i]) {
          throw new ShapeError(`${this.describe()}: inputs must have the same shape except on axis ${this.axis}, got ` +
            `${shapes.map((s) => fmtShape(s)).join(', ')} — they differ in dimension ${i}`);
        } else if (out[i] === null) {
          out[i] = d;
        }
      });
    }
    return out;
  }

  protected merge(xs: Tensor[]): Tensor {
    return ops.concat(xs, this.axis);
  }

  /**
   * Masks as Keras: each input's mask (all ones where it has none) spread over the input's shape,
   * joined along `axis`, then AND-ed over the last axis.
   */
  override computeMask(inputs: Tensor | Tensor[], mask: Tensor | (Tensor | null | undefined)[] | null | undefined): Tensor | null {
    if (!mask || !Array.isArray(inputs)) return null;
    const masks = Array.isArray(mask) ? mask : [mask];
    if (masks.every((m) => !m)) return null;
    const dtype = masks.find((m): m is Tensor => !!m)!.dtype;
    const full = inputs.map((x, i) => {
      const m = masks[i];
      const whole = ones(x.shape, dtype);
      return m ? ops.mul(whole, m.rank < x.rank ? ops.expandDims(ops.cast(m, dtype), -1) : ops.cast(m, dtype)) : whole;
    });
    return ops.min(ops.concat(full, this.axis), -1);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}

registerLayer(Add);
registerLayer(Subtract);
registerLayer(Multiply);
registerLayer(Average);
registerLayer(Maximum);
registerLayer(Minimum);
registerLayer(Concatenate);

/** Add layer factory. */
export const add = (opts: LayerOptions = {}): Add => new Add(opts);
/** Subtract layer factory. */
export const subtract = (opts: LayerOptions = {}): Subtract => new Subtract(opts);
/** Multiply layer factory. */
export const multiply = (opts: LayerOptions = {}): Multiply => new Multiply(opts);
/** Average layer factory. */
export const average = (opts: LayerOptions = {}): Average => new Average(opts);
/** Maximum layer factory. */
export const maximum = (opts: LayerOptions = {}): Maximum => new Maximum(opts);
/** Minimum layer factory. */
export const minimum = (opts: LayerOptions = {}): Minimum => new Minimum(opts);
/** Concatenate layer factory. */
export const concatenate = (opts: ConcatenateOptions = {}): Concatenate => new Concatenate(opts);
