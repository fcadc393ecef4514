// Scalar special functions shared by the elementwise kernels. Plain functions (no closures), so the
// JIT inlines them into the kernels' loops.
import { GELU_C, GELU_K } from '../elementwise-kernels.js';

const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/√π
const INV_SQRT_PI = 0.5641895835477563; // 1/√π
const INV_SQRT_2 = 0.7071067811865476; // 1/√2
const INV_SQRT_2PI = 0.3989422804014327; // 1/√(2π)

/**
 * erf(x) for 0 ≤ x < 2: (2/√π)·e^(−x²)·Σ (2x²)ⁿ·x / (1·3·…·(2n+1)). Every term is positive, so
 * nothing cancels and the sum is accurate to a few ulps.
 */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 100; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term <= sum * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/**
 * erfc(x) for x ≥ 2 from its continued fraction
 * erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated bottom-up;
 * 40 levels reach double precision (relative error < 1e-13) from x = 2 on.
 */
function erfcFraction(x: number): number {
  let f = x;
  for (let k = 40; k >= 1; k--) f = x + (0.5 * k) / f;
  return (INV_SQRT_PI * Math.exp(-x * x)) / f;
}

/** The error function, accurate to ~1e-15 absolute everywhere (smooth, so finite differences agree). */
export function erf(x: number): number {
  if (x !== x) return NaN;
  const a = x < 0 ? -x : x;
  const r = a < 2 ? erfSeries(a) : a > 6 ? 1 : 1 - erfcFraction(a);
  return x < 0 ? -r : r;
}

/** The standard normal CDF Φ(x) = ½·erfc(−x/√2), precise in both tails. */
export function normalCdf(x: number): number {
  const z = x * INV_SQRT_2;
  if (z < -2) return z < -27 ? 0 : 0.5 * erfcFraction(-z);
  if (z > 2) return z > 27 ? 1 : 1 - 0.5 * erfcFraction(z);
  return z < 0 ? 0.5 - 0.5 * erfSeries(-z) : 0.5 + 0.5 * erfSeries(z);
}

/** The standard normal density φ(x). */
export function normalPdf(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/** 1/(1+e^(−x)) without overflow for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1+e^x) = max(x, 0) + log1p(e^(−|x|)), stable for large |x|. */
export function softplus(x: number): number {
  return (x > 0 ? x : 0) + Math.log1p(Math.exp(x > 0 ? -x : x));
}

/** Rounds half to even (banker's rounding), as TensorFlow.js's round. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** GELU, exact form x·Φ(x). */
export function gelu(x: number): number {
  return x * normalCdf(x);
}

/** d/dx of x·Φ(x) = Φ(x) + x·φ(x). */
export function geluGrad(x: number): number {
  return normalCdf(x) + x * normalPdf(x);
}

/** GELU, tanh form ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(GELU_C * (x + GELU_K * x * x * x)));
}

export function geluTanhGrad(x: number): number {
  const t = Math.tanh(GELU_C * (x + GELU_K * x * x * x));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * GELU_K * x * x);
}

/** Mish x·tanh(softplus(x)). */
export function mish(x: number): number {
  return x * Math.tanh(softplus(x));
}

/** d/dx mish = tanh(sp) + x·(1 − tanh²(sp))·σ(x). */
export function mishGrad(x: number): number {
  const t = Math.tanh(softplus(x));
  return t + x * (1 - t * t) * sigmoid(x);
}
