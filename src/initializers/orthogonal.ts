import { ConfigError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { type DType, alloc } from '../tensor/dtype.js';
import { randomFor } from '../tensor/random.js';
import { eye } from '../tensor/create.js';
import { type Config, Initializer } from './initializer.js';

/**
 * A random orthogonal matrix (Keras `Orthogonal`): the Q of the QR decomposition of a normal matrix,
 * with the sign convention that makes R's diagonal positive. Shapes of rank > 2 are flattened to
 * [product of all but the last, last]. Keras' default for recurrent kernels.
 */
export class Orthogonal extends Initializer {
  static override className = 'Orthogonal';
  readonly gain: number;
  readonly seed?: number;

  constructor(opts: { gain?: number; seed?: number } = {}) {
    super();
    this.gain = opts.gain ?? 1;
    this.seed = opts.seed ?? undefined;
  }

  apply(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    if (shape.length < 2) throw new ConfigError(`Orthogonal: the shape must have rank 2 or more, got ${fmtShape(shape)}`);
    const cols = shape[shape.length - 1];
    const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    // Work on a tall matrix (n ≥ m) and transpose back when the weight is wide.
    const n = Math.max(rows, cols), m = Math.min(rows, cols);
    const rng = randomFor(this.seed);
    const q = new Float64Array(n * m); // column-major: column j at [j·n, (j+1)·n)
    for (let i = 0; i < q.length; i++) q[i] = rng.normal();
    // Modified Gram–Schmidt gives Q with a positive R diagonal directly.
    for (let j = 0; j < m; j++) {
      const cj = j * n;
      for (let p = 0; p < j; p++) {
        const cp = p * n;
        let dot = 0;
        for (let i = 0; i < n; i++) dot += q[cp + i] * q[cj + i];
        for (let i = 0; i < n; i++) q[cj + i] -= dot * q[cp + i];
      }
      let norm = 0;
      for (let i = 0; i < n; i++) norm += q[cj + i] * q[cj + i];
      norm = Math.sqrt(norm) || 1;
      for (let i = 0; i < n; i++) q[cj + i] /= norm;
    }
    const out = alloc(dtype, rows * cols);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        // Tall weight: element (r, c) is Q[r, c]; wide weight: it is Q[c, r].
        out[r * cols + c] = this.gain * (rows >= cols ? q[c * n + r] : q[r * n + c]);
      }
    }
    return new Tensor(out, shape);
  }

  override getConfig(): Config {
    return { gain: this.gain, seed: this.seed ?? null };
  }
}

/** gain × the identity matrix (Keras `Identity`); 2-D shapes only. */
export class Identity extends Initializer {
  static override className = 'Identity';
  readonly gain: number;
  constructor(opts: { gain?: number } = {}) {
    super();
    this.gain = opts.gain ?? 1;
  }
  apply(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    if (shape.length !== 2) throw new ConfigError(`Identity: only 2-D shapes have an identity, got ${fmtShape(shape)}`);
    const t = eye(shape[0], shape[1], dtype);
    if (this.gain !== 1) for (let i = 0; i < t.size; i++) t.values[i] *= this.gain;
    return t;
  }
  override getConfig(): Config {
    return { gain: this.gain };
  }
}
