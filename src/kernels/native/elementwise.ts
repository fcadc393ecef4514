import type { BinaryOp, ElementwiseKernels, FusedActivation, UnaryOp } from '../elementwise-kernels.js';
import type { NativeAddon } from './addon.js';
import { Tensor } from '../../tensor/tensor.js';
import { broadcastShapes, shapesEqual, sizeOf } from '../../tensor/shape.js';
import { elementwiseKernels as js } from '../js/elementwise.js';
import { writeOnlyFloat32, writeOnlyInt32 } from '../../tensor/write-only.js';

/** The addon's elementwise functions (native/src/bind-elementwise.cc); arrays are used in place. */
export interface ElementwiseAddon {
  /** out[i] = op(x[i]); op is an index into UNARY_OPS. */
  unary(op: number, x: Float32Array, out: Float32Array, alpha: number, beta: number): void;
  /** out = a op b broadcast; shapes = [rank, out…, a…, b…] (a, b aligned to the rank with 1s). */
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array | Int32Array, shapes: Int32Array): void;
  /** Softmax (or log-softmax) of x viewed as [outer, n, inner] along n. */
  softmax(x: Float32Array, out: Float32Array, outer: number, n: number, inner: number, log: boolean): void;
  /** y = act(x + bias) with x viewed as [rows, channels]; act is an index into FUSED_ACTIVATIONS. */
  biasActivation(act: number, x: Float32Array, bias: Float32Array | null, y: Float32Array, channels: number, alpha: number): void;
  /** dx = dy · act′(y); db (when given) = per-channel sums of dx. */
  biasActivationGrad(act: number, dy: Float32Array, y: Float32Array, dx: Float32Array, db: Float32Array | null,
    channels: number, alpha: number): void;
}

// The op codes of native/src/elementwise.h, in the same order.
const UNARY_OPS: readonly UnaryOp[] = [
  'neg', 'exp', 'log', 'log1p', 'sqrt', 'rsqrt', 'square', 'abs', 'sign', 'reciprocal', 'floor', 'round', 'ceil', 'sin',
  'cos', 'erf', 'expm1', 'relu', 'relu6', 'leakyRelu', 'elu', 'selu', 'sigmoid', 'tanh', 'softplus', 'softsign',
  'swish', 'gelu', 'geluTanh', 'mish', 'hardSigmoid', 'hardSigmoidKeras3', 'clip', 'step', 'reluGrad', 'relu6Grad',
  'leakyReluGrad', 'eluGrad', 'seluGrad', 'swishGrad', 'geluGrad', 'geluTanhGrad', 'mishGrad', 'hardSigmoidGrad',
  'hardSigmoidKeras3Grad', 'clipGrad',
];
const BINARY_OPS: readonly BinaryOp[] = [
  'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'squaredDifference',
  'equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual',
];
const FUSED_ACTIVATIONS: readonly FusedActivation[] = ['linear', 'relu', 'sigmoid', 'tanh', 'elu', 'selu'];
const COMPARISONS = new Set<BinaryOp>(['equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual']);

const UNARY_CODE = new Map(UNARY_OPS.map((op, i) => [op, i]));
const BINARY_CODE = new Map(BINARY_OPS.map((op, i) => [op, i]));
export const FUSED_CODE = new Map(FUSED_ACTIVATIONS.map((op, i) => [op, i]));

/**
 * Below these sizes (elements) the js kernels win: a native call costs about 1 µs of CPU (arrays of
 * ≤ 64 bytes live on V8's heap and must be moved out first), which a js loop of relu, add or exp
 * matches at 32–64 elements (bench/elementwise-native.ts, CPU time, one thread: relu 1.0 vs 1.2 µs at
 * 64 elements, 2.1 vs 0.8 µs at 256; exp 1.5 vs 1.2 µs at 64).
 */
export const NATIVE_MIN_UNARY = 64;
export const NATIVE_MIN_BINARY = 64;
export const NATIVE_MIN_SOFTMAX = 64;
export const NATIVE_MIN_BIAS_ACTIVATION = 64;
const MAX_RANK = 8;

/** Reused argument buffer for shapes (one call at a time; off V8's heap once, not per call). */
const scratch = new Int32Array(1 + 3 * MAX_RANK);

/**
 * Native elementwise kernels for float32 tensors (every kernel here writes each element of its output,
 * so outputs are not zero-filled first); everything else (int32, float64 gradient checks,
 * tiny tensors, error cases) runs the js reference, which also writes the error messages.
 */
export function nativeElementwiseKernels(addon: NativeAddon): Omit<ElementwiseKernels, 'cast' | 'where'> {
  const ew = addon as NativeAddon & ElementwiseAddon;

  function unary(op: UnaryOp, x: Tensor, alpha = 0, beta = 0): Tensor {
    const code = UNARY_CODE.get(op);
    if (!(x.values instanceof Float32Array) || x.size < NATIVE_MIN_UNARY || code === undefined) return js.unary(op, x, alpha, beta);
    const out = writeOnlyFloat32(x.size);
    ew.unary(code, x.values, out, alpha, beta);
    return new Tensor(out, x.shape);
  }

  function binary(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
    const code = BINARY_CODE.get(op);
    if (!(a.values instanceof Float32Array) || !(b.values instanceof Float32Array) || code === undefined) return js.binary(op, a, b);
    const same = shapesEqual(a.shape, b.shape);
    if (a.rank > MAX_RANK || b.rank > MAX_RANK) return js.binary(op, a, b);
    const outShape = same ? a.shape : broadcastShapes(op, a.shape, b.shape);
    const size = sizeOf(outShape);
    if (size < NATIVE_MIN_BINARY) return js.binary(op, a, b);
    const rank = outShape.length;
    scratch[0] = rank;
    for (let d = 0; d < rank; d++) {
      scratch[1 + d] = outShape[d];
      scratch[1 + rank + d] = a.shape[d - rank + a.rank] ?? 1;
      scratch[1 + 2 * rank + d] = b.shape[d - rank + b.rank] ?? 1;
    }
    const out = COMPARISONS.has(op) ? writeOnlyInt32(size) : writeOnlyFloat32(size);
    ew.binary(code, a.values, b.values, out, scratch);
    return new Tensor(out, outShape);
  }

  function softmaxAlong(x: Tensor, axis: number, log: boolean): Tensor {
    if (!(x.values instanceof Float32Array) || x.size < NATIVE_MIN_SOFTMAX || !(axis >= 0 && axis < x.rank)) {
      return log ? js.logSoftmax(x, axis) : js.softmax(x, axis);
    }
    const n = x.shape[axis];
    const inner = sizeOf(x.shape.slice(axis + 1));
    const out = writeOnlyFloat32(x.size);
    ew.softmax(x.values, out, x.size / (n * inner), n, inner, log);
    return new Tensor(out, x.shape);
  }

  function fusable(x: Tensor, bias: Tensor | null): x is Tensor & { values: Float32Array } {
    return x.values instanceof Float32Array && x.size >= NATIVE_MIN_BIAS_ACTIVATION && x.rank >= 1 &&
      (bias === null || (bias.values instanceof Float32Array && bias.size === x.shape[x.rank - 1]));
  }

  function biasActivation(x: Tensor, bias: Tensor | null, act: FusedActivation, alpha: number): Tensor {
    const code = FUSED_CODE.get(act);
    if (!fusable(x, bias) || code === undefined) return js.biasActivation(x, bias, act, alpha);
    const out = writeOnlyFloat32(x.size);
    ew.biasActivation(code, x.values, bias ? bias.values as Float32Array : null, out, x.shape[x.rank - 1], alpha);
    return new Tensor(out, x.shape);
  }

  function biasActivationGrad(dy: Tensor, y: Tensor, act: FusedActivation, alpha: number, withBias: boolean): [Tensor, Tensor | null] {
    const code = FUSED_CODE.get(act);
    if (!fusable(dy, null) || !(y.values instanceof Float32Array) || y.size !== dy.size || code === undefined) {
      return js.biasActivationGrad(dy, y, act, alpha, withBias);
    }
    const c = dy.shape[dy.rank - 1];
    const dx = writeOnlyFloat32(dy.size);
    const db = withBias ? new Float32Array(c) : null;
    ew.biasActivationGrad(code, dy.values, y.values, dx, db, c, alpha);
    return [new Tensor(dx, dy.shape), db ? new Tensor(db, [c]) : null];
  }

  return {
    unary,
    binary,
    softmax: (x, axis) => softmaxAlong(x, axis, false),
    logSoftmax: (x, axis) => softmaxAlong(x, axis, true),
    biasActivation,
    biasActivationGrad,
  };
}
