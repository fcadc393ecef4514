/**
 * The update rules of the optimizers as fused loops over typed arrays: pure functions that read
 * the parameter, its gradient and its slots and write the new values into the `out*` arrays the
 * caller allocated (never into an input). One pass per rule, arithmetic in float64, stored in the
 * outputs' dtype. A native backend can replace any of them one for one.
 *
 * `decay` is the decoupled weight decay of Keras 3 (`weightDecay · learningRate`), applied to the
 * parameter before the step: p ← p − p·decay. Pass 0 for none.
 */

import { writeOnlyLike } from '../tensor/write-only.js';

/** Storage of a trainable variable or an optimizer slot. */
export type FloatArray = Float32Array | Float64Array;
/** Storage of a gradient. */
export type GradArray = Float32Array | Float64Array | Int32Array;

/** Plain gradient descent: p ← p − lr·g. */
export function sgdUpdate(p: FloatArray, g: GradArray, lr: number, decay: number, outP: FloatArray): void {
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const x = p[i] - p[i] * decay;
    outP[i] = x - lr * g[i];
  }
}

/**
 * Momentum (Keras 3): m ← momentum·m − lr·g; p ← p + m, or with Nesterov p ← p + momentum·m − lr·g.
 */
export function sgdMomentumUpdate(
  p: FloatArray, g: GradArray, m: FloatArray, lr: number, momentum: number, nesterov: boolean, decay: number,
  outP: FloatArray, outM: FloatArray,
): void {
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const x = p[i] - p[i] * decay;
    const gi = g[i];
    const mi = momentum * m[i] - lr * gi;
    outM[i] = mi;
    outP[i] = nesterov ? x + momentum * mi - lr * gi : x + mi;
  }
}

/**
 * Adam (Keras 3, "epsilon hat" form): m ← m + (g − m)(1 − β1); v ← v + (g² − v)(1 − β2);
 * with AMSGrad v̂ ← max(v̂, v) replaces v below; p ← p − alpha·m / (√v + ε),
 * alpha = lr·√(1 − β2ᵗ) / (1 − β1ᵗ) computed by the caller.
 */
export function adamUpdate(
  p: FloatArray, g: GradArray, m: FloatArray, v: FloatArray, vHat: FloatArray | null,
  alpha: number, beta1: number, beta2: number, epsilon: number, decay: number,
  outP: FloatArray, outM: FloatArray, outV: FloatArray, outVHat: FloatArray | null,
): void {
  const n = p.length;
  const c1 = 1 - beta1;
  const c2 = 1 - beta2;
  for (let i = 0; i < n; i++) {
    const x = p[i] - p[i] * decay;
    const gi = g[i];
    const mi = m[i] + (gi - m[i]) * c1;
    let vi = v[i] + (gi * gi - v[i]) * c2;
    outM[i] = mi;
    outV[i] = vi;
    if (vHat !== null) {
      vi = Math.max(vHat[i], vi);
      outVHat![i] = vi;
    }
    outP[i] = x - (mi * alpha) / (Math.sqrt(vi) + epsilon);
  }
}

/**
 * Adamax (Keras 3): m ← m + (g − m)(1 − β1); u ← max(β2·u, |g|); p ← p − lr·m / ((1 − β1ᵗ)(u + ε)).
 * `bias1` = 1 − β1ᵗ.
 */
export function adamaxUpdate(
  p: FloatArray, g: GradArray, m: FloatArray, u: FloatArray,
  lr: number, beta1: number, beta2: number, epsilon: number, bias1: number, decay: number,
  outP: FloatArray, outM: FloatArray, outU: FloatArray,
): void {
  const n = p.length;
  const c1 = 1 - beta1;
  for (let i = 0; i < n; i++) {
    const x = p[i] - p[i] * decay;
    const gi = g[i];
    const mi = m[i] + (gi - m[i]) * c1;
    const ui = Math.max(beta2 * u[i], Math.abs(gi));
    outM[i] = mi;
    outU[i] = ui;
    outP[i] = x - (lr * mi) / (bias1 * (ui + epsilon));
  }
}

/**
 * Nadam (Keras 3): m, v as Adam; m̂ = uNext·m / (1 − uProdNext) + (1 − u)·g / (1 − uProd);
 * v̂ = v / (1 − β2ᵗ); p ← p − lr·m̂ / (√v̂ + ε). `u` = u_t, `uNext` = u_{t+1}, `uProd` = Π u_1..u_t,
 * `uProdNext` = uProd·uNext, `bias2` = 1 − β2ᵗ.
 */
export function nadamUpdate(
  p: FloatArray, g: GradArray, m: FloatArray, v: FloatArray,
  lr: number, beta1: number, beta2: number, epsilon: number,
  u: number, uNext: number, uProd: number, uProdNext: number, bias2: number, decay: number,
  outP: FloatArray, outM: FloatArray, outV: FloatArray,
): void {
  const n = p.length;
  const c1 = 1 - beta1;
  const c2 = 1 - beta2;
  const cm = uNext / (1 - uProdNext);
  const cg = (1 - u) / (1 - uProd);
  for (let i = 0; i < n; i++) {
    const x = p[i] - p[i] * decay;
    const gi = g[i];
    const mi = m[i] + (gi - m[i]) * c1;
    const vi = v[i] + (gi * gi - v[i]) * c2;
    outM[i] = mi;
    outV[i] = vi;
    const mHat = cm * mi + cg * gi;
    const vHat = vi / bias2;
    outP[i] = x - (mHat * lr) / (Math.sqrt(vHat) + epsilon);
  }
}

/**
 * RMSprop (Keras 3): v ← ρ·v + (1 − ρ)·g²; centered: a ← ρ·a + (1 − ρ)·g, denominator v − a² + ε,
 * else v + ε; step = lr·g / √denominator; with momentum: mom ← momentum·mom + step, p ← p − mom;
 * else p ← p − step.
 */
export function rmspropUpdate(
  p: FloatArray, g: GradArray, v: FloatArray, mom: FloatArray | null, avg: FloatArray | null,
  lr: number, rho: number, momentum: number, epsilon: number, decay: number,
  outP: FloatArray, outV: FloatArray, outMom: FloatArray | null, outAvg: FloatArray | null,
): void {
  const n = p.length;
  const c = 1 - rho;
  for (let i = 0; i < n; i++) {
    const x = p[i] - p[i] * decay;
    const gi = g[i];
    const vi = rho * v[i] + c * gi * gi;
    outV[i] = vi;
    let den = vi + epsilon;
    if (avg !== null) {
      const ai = rho * avg[i] + c * gi;
      outAvg![i] = ai;
      den = vi - ai * ai + epsilon;
    }
    const step = (lr * gi) / Math.sqrt(den);
    if (mom !== null) {
      const mi = momentum * mom[i] + step;
      outMom![i] = mi;
      outP[i] = x - mi;
    } else {
      outP[i] = x - step;
    }
  }
}

/** Adagrad (Keras 3): acc ← acc + g²; p ← p − lr·g / √(acc + ε). */
export function adagradUpdate(
  p: FloatArray, g: GradArray, acc: FloatArray, lr: number, epsilon: number, decay: number,
  outP: FloatArray, outAcc: FloatArray,
): void {
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const x = p[i] - p[i] * decay;
    const gi = g[i];
    const a = acc[i] + gi * gi;
    outAcc[i] = a;
    outP[i] = x - (lr * gi) / Math.sqrt(a + epsilon);
  }
}

/**
 * Adadelta (Keras 3): Eg ← ρ·Eg + (1 − ρ)·g²; Δ = −√(Ed + ε)·g / √(Eg + ε);
 * Ed ← ρ·Ed + (1 − ρ)·Δ²; p ← p + lr·Δ.
 */
export function adadeltaUpdate(
  p: FloatArray, g: GradArray, accGrad: FloatArray, accDelta: FloatArray,
  lr: number, rho: number, epsilon: number, decay: number,
  outP: FloatArray, outAccGrad: FloatArray, outAccDelta: FloatArray,
): void {
  const n = p.length;
  const c = 1 - rho;
  for (let i = 0; i < n; i++) {
    const x = p[i] - p[i] * decay;
    const gi = g[i];
    const eg = rho * accGrad[i] + c * gi * gi;
    const delta = (-Math.sqrt(accDelta[i] + epsilon) * gi) / Math.sqrt(eg + epsilon);
    outAccGrad[i] = eg;
    outAccDelta[i] = rho * accDelta[i] + c * delta * delta;
    outP[i] = x + lr * delta;
  }
}

/**
 * An array of the same type and length for an output of the rules above, which write every element
 * (so it is not zero-filled first).
 */
export function allocLike(a: FloatArray): FloatArray {
  return writeOnlyLike(a);
}
