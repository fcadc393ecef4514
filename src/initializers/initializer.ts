import type { Tensor } from '../tensor/tensor.js';
import type { DType } from '../tensor/dtype.js';

/** A plain-JSON configuration, as `getConfig` returns and model files store (camelCase keys). */
export type Config = Record<string, unknown>;

/**
 * Makes the initial value of a weight. Subclasses carry the Keras `className` used in model files.
 */
export abstract class Initializer {
  /** The Keras class name, as written in model.json. */
  static className: string;

  /** A tensor of the given shape holding initial values. */
  abstract apply(shape: readonly number[], dtype?: DType): Tensor;

  /** The options that rebuild this initializer (camelCase; serialisation converts the case). */
  getConfig(): Config {
    return {};
  }

  get className(): string {
    return (this.constructor as typeof Initializer).className;
  }
}

/**
 * Fan-in and fan-out of a weight shape, as Keras computes them: a dense kernel [in, out] gives
 * (in, out); a conv kernel [...k, in, out] multiplies both by the receptive field size.
 */
export function computeFans(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0], shape[0]];
  if (shape.length === 2) return [shape[0], shape[1]];
  let receptive = 1;
  for (let i = 0; i < shape.length - 2; i++) receptive *= shape[i];
  return [shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive];
}
