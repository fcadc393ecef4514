import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/create.js';

/**
 * `num` evenly spaced float32 values from start to stop (both included; num 1 gives [start]).
 * Each value adds the step to the previous one, as TensorFlow.js, so results match it bit for bit.
 * @example st.linspace(-1, 1, 5) // [-1, -0.5, 0, 0.5, 1]
 */
export function linspace(start: number, stop: number, num: number): Tensor {
  if (typeof start !== 'number' || typeof stop !== 'number') {
    throw new ConfigError(`linspace: start and stop must be numbers, got ${JSON.stringify(start)} and ${JSON.stringify(stop)}`);
  }
  if (!Number.isInteger(num) || num <= 0) throw new ConfigError(`linspace: num must be a positive integer, got ${num}`);
  const step = (stop - start) / (num - 1);
  const out = new Float32Array(num);
  out[0] = start;
  for (let i = 1; i < num; i++) out[i] = out[i - 1] + step;
  return tensor(out, [num]);
}
