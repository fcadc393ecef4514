import type { TypedArray } from '../../tensor/dtype.js';
import type { RnnActivation, RnnInfo } from '../rnn-kernels.js';
import { sigmoid } from './special-math.js';
import { gemm } from './gemm.js';

/** An activation as the fused kernels use it: the function, and its derivative written from its output. */
export interface ScalarActivation {
  f(x: number): number;
  /** f'(x) given y = f(x): every fused activation's derivative is a function of its output. */
  grad(y: number): number;
}

// The same formulas (and the same derivative conventions at the kinks) as the unary kernels.
export const SCALAR_ACTIVATIONS: Record<RnnActivation, ScalarActivation> = {
  linear: { f: (x) => x, grad: () => 1 },
  tanh: { f: Math.tanh, grad: (y) => 1 - y * y },
  sigmoid: { f: sigmoid, grad: (y) => y * (1 - y) },
  hardSigmoid: { f: (x) => clamp01(0.2 * x + 0.5), grad: (y) => (y > 0 && y < 1 ? 0.2 : 0) },
  hardSigmoidKeras3: { f: (x) => clamp01(x / 6 + 0.5), grad: (y) => (y > 0 && y < 1 ? 1 / 6 : 0) },
  relu: { f: (x) => (x > 0 ? x : x === x ? 0 : NaN), grad: (y) => (y > 0 ? 1 : 0) },
};

function clamp01(t: number): number {
  return t < 0 ? 0 : t > 1 ? 1 : t;
}

/**
 * The forward pass's working set. Time-major buffers: step s (processed order) of a [time, batch, n]
 * buffer starts at s·batch·n. `xp` is [batch, time, G·units] in input order: step s reads time index
 * t (= s, or time − 1 − s going backwards), row b at (b·time + t)·G·units.
 */
export interface RnnForwardContext {
  info: RnnInfo;
  xp: TypedArray;
  /** [units, G·units]. */
  kernel: TypedArray;
  bias: TypedArray | null;
  /** [time + 1, batch, units]: h before each step, then the final h. */
  h: TypedArray;
  c: TypedArray | null;
  /** [time, batch, G·units] when saving, else one step's worth (reused). */
  gates: TypedArray;
  extra: TypedArray | null;
  /** h₋₁ as the recurrent matmul sees it (after recurrent dropout), and its offset for this step. */
  hRec: TypedArray;
  hRecOff: number;
  /** Scratch [batch, G·units]: the recurrent products of the current step. */
  rec: TypedArray;
  /** Scratch [batch, units] (GRU resetAfter false: r⊙h₋₁ when not saving). */
  tmp: TypedArray;
  /** mask[b] of the current step: 0 = carry the states over. */
  live: Uint8Array;
  act: ScalarActivation;
  ract: ScalarActivation;
}

/** The backward pass's working set (see RnnForwardContext for the layouts). */
export interface RnnBackwardContext {
  info: RnnInfo;
  kernel: TypedArray;
  h: TypedArray;
  c: TypedArray | null;
  gates: TypedArray;
  extra: TypedArray | null;
  hRec: TypedArray;
  /** Offset of the current step's h₋₁ (after dropout) in hRec. */
  hRecOff: number;
  /** Gradient with respect to h (and c) after the current step, [batch, units]. */
  dh: TypedArray;
  dc: TypedArray | null;
  /** Out: gradient with respect to h₋₁ (c₋₁) other than through the recurrent matmul, [batch, units]. */
  dhPrev: TypedArray;
  dcPrev: TypedArray | null;
  /** Out: gradient with respect to h₋₁ after dropout (through the recurrent matmul), [batch, units]. */
  dhRec: TypedArray;
  /** Out: [time, batch, G·units], the gradient of what the recurrent matmul produced (pairs with hRec / extra in dU). */
  drec: TypedArray;
  /** Out: [batch, time, G·units] in input order. */
  dxp: TypedArray;
  /** Scratch [batch, units]. */
  tmp: TypedArray;
  live: Uint8Array;
  act: ScalarActivation;
  ract: ScalarActivation;
}

/** One cell's step functions: the gate math of a step for the live rows, with its recurrent matmuls. */
export interface RnnCellKernels {
  forward(ctx: RnnForwardContext, s: number, t: number): void;
  backward(ctx: RnnBackwardContext, s: number, t: number): void;
}

/** rec[:, 0:cols] = bias[0:cols] + h₋₁·U[:, 0:cols] for the current step (every row). */
export function recurrentProduct(ctx: RnnForwardContext, cols: number): void {
  const { batch: B, units: u } = ctx.info;
  const G = ctx.rec.length / B;
  const { rec, bias } = ctx;
  if (bias) for (let b = 0; b < B; b++) for (let j = 0; j < cols; j++) rec[b * G + j] = bias[j];
  gemm(B, cols, u, ctx.hRec, ctx.hRecOff, u, 1, ctx.kernel, 0, G, 1, rec, 0, G, bias !== null);
}

/** dhRec (+)= drec_s[:, off:off+cols] · U[:, off:off+cols]ᵀ for step s (every row). */
export function recurrentGradient(ctx: RnnBackwardContext, s: number, off: number, cols: number, out: TypedArray, accumulate: boolean): void {
  const { batch: B, units: u } = ctx.info;
  const G = ctx.kernel.length / u;
  gemm(B, u, cols, ctx.drec, s * B * G + off, G, 1, ctx.kernel, off, 1, G, out, 0, u, accumulate);
}
