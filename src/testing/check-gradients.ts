import { GradientError, ConfigError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor, randomNormal } from '../tensor/create.js';
import { type DType, isFloat } from '../tensor/dtype.js';
import { valueAndGrads, noGrad } from '../autograd/tape.js';
import { kernels } from '../kernels/registry.js';
import { Variable } from '../autograd/variable.js';

export interface CheckGradientsOptions {
  /** Precision of the check: 'float64' (default, reference backend) or 'float32'. */
  dtype?: 'float32' | 'float64';
  /** Finite-difference step (default 1e-6 in float64, 1e-2 in float32). */
  eps?: number;
  /** Absolute tolerance (default 1e-6 in float64, 1e-2 in float32). */
  atol?: number;
  /** Relative tolerance (default 1e-4 in float64, 5e-2 in float32). */
  rtol?: number;
  /** Elements checked per input at most (default 200); larger inputs are sampled evenly. */
  maxChecks?: number;
  /** Seed of the random weights that mix f's outputs into one number (default 7). */
  seed?: number;
  /** Throw a GradientError on a mismatch (default true); false returns the report only. */
  throwOnFail?: boolean;
}

export interface GradientReport {
  ok: boolean;
  /** Largest |analytic − numeric| over every element checked. */
  maxAbsError: number;
  /** Number of elements compared. */
  checked: number;
  /** The worst element: which input, which flat index, and both values. */
  worst: { input: number; index: number; analytic: number; numeric: number } | null;
}

/**
 * Checks the gradients of `f` against central finite differences, for each floating-point input.
 * f's output is mixed into a scalar with fixed random weights, so every output element counts.
 * Integer inputs (indices) are passed through unchanged and not differentiated. Variables (a
 * layer's weights, say) are perturbed in place and restored; make them in the check's dtype
 * (e.g. a layer built with `dtype: 'float64'`).
 * @example st.testing.checkGradients((x, w) => st.conv2d(x, w, 1, 'same'), [x, w]);
 */
export function checkGradients(f: (...xs: Tensor[]) => Tensor, inputs: readonly TensorLike[], opts: CheckGradientsOptions = {}): GradientReport {
  if (typeof f !== 'function') throw new ConfigError('checkGradients: f must be a function of the inputs returning a tensor');
  const dtype: DType = opts.dtype ?? 'float64';
  const f64 = dtype === 'float64';
  const eps = opts.eps ?? (f64 ? 1e-6 : 1e-2);
  const atol = opts.atol ?? (f64 ? 1e-6 : 1e-2);
  const rtol = opts.rtol ?? (f64 ? 1e-4 : 5e-2);
  const maxChecks = opts.maxChecks ?? 200;
  const xs = inputs.map((x, i) => {
    if (x instanceof Variable) {
      if (x.dtype !== dtype) {
        throw new ConfigError(`checkGradients: variable '${x.name}' is ${x.dtype} but the check runs in ${dtype}; create it in ${dtype} (layers: dtype: '${dtype}')`);
      }
      return x;
    }
    const t = toTensor(x, 'checkGradients', `inputs[${i}]`);
    return isFloat(t.dtype) && t.dtype !== dtype ? kernels().cast(t, dtype) : t;
  });
  const diff = xs.map((x, i) => (isFloat(x.dtype) ? i : -1)).filter((i) => i >= 0);
  const y0 = noGrad(() => f(...xs));
  if (!(y0 instanceof Tensor)) throw new ConfigError('checkGradients: f must return a tensor');
  const r = randomNormal(y0.shape, { seed: opts.seed ?? 7, dtype: 'float64' });
  const mix = (y: Tensor): Tensor => kernels().binary('mul', y, r);
  const lossAt = (args: Tensor[]): number => {
    const y = noGrad(() => f(...args));
    const v = kernels().reduce('sum', kernels().cast(mix(y), 'float64'), y.shape.map((_, i) => i), false);
    return v.values[0];
  };
  // Evaluates the mixed loss with input i's values replaced (in place for a variable, then restored).
  const lossWith = (i: number, values: Tensor['values']): number => {
    const x = xs[i];
    if (x instanceof Variable) {
      const saved = x.values;
      x.values = values;
      try {
        return lossAt(xs);
      } finally {
        x.values = saved;
      }
    }
    const args = xs.slice();
    args[i] = new Tensor(values, x.shape);
    return lossAt(args);
  };
  // The analytic gradient of sum(f(xs) · r) is the backward pass seeded with r.
  const { grads } = valueAndGrads(() => f(...xs), diff.map((i) => xs[i]), kernels().cast(r, y0.dtype));
  const report: GradientReport = { ok: true, maxAbsError: 0, checked: 0, worst: null };
  let worstExcess = -Infinity;
  diff.forEach((inputIndex, g) => {
    const x = xs[inputIndex];
    const analytic = grads[g].values;
    const stride = Math.max(1, Math.ceil(x.size / maxChecks));
    for (let j = 0; j < x.size; j += stride) {
      const plus = x.values.slice();
      const minus = x.values.slice();
      plus[j] += eps;
      minus[j] -= eps;
      const lp = lossWith(inputIndex, plus);
      const lm = lossWith(inputIndex, minus);
      // Use the step actually taken (float32 rounds x ± eps).
      const numeric = (lp - lm) / (plus[j] - minus[j]);
      const err = Math.abs(analytic[j] - numeric);
      const excess = err - (atol + rtol * Math.abs(numeric));
      report.checked++;
      report.maxAbsError = Math.max(report.maxAbsError, err);
      if (excess > worstExcess || Number.isNaN(err)) {
        worstExcess = Number.isNaN(err) ? Infinity : excess;
        report.worst = { input: inputIndex, index: j, analytic: analytic[j], numeric };
      }
    }
  });
  report.ok = worstExcess <= 0 || report.checked === 0;
  if (!report.ok && opts.throwOnFail !== false) {
    const w = report.worst!;
    throw new GradientError(
      `checkGradients: gradient of input ${w.input} at flat index ${w.index} is ${w.analytic}, ` +
      `finite differences give ${w.numeric} (|error| ${Math.abs(w.analytic - w.numeric).toExponential(3)} > ` +
      `atol ${atol} + rtol ${rtol}·|numeric|; ${report.checked} elements checked in ${dtype})`);
  }
  return report;
}
