import type { ElementwiseKernels, BinaryOp } from '../elementwise-kernels.js';
import { Tensor } from '../../tensor/tensor.js';
import { type DType, type TypedArray, alloc, upcast } from '../../tensor/dtype.js';
import { broadcastShapes, shapesEqual, sizeOf } from '../../tensor/shape.js';
import { broadcastIndex } from './broadcast.js';

const COMPARISONS = new Set<BinaryOp>(['equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual']);

/** out[i] = a[ai[i]] op b[bi[i]]; one loop per op so no closure runs per element. */
function binaryLoop(op: BinaryOp, a: TypedArray, ai: Int32Array | null, b: TypedArray, bi: Int32Array | null, out: TypedArray): void {
  const n = out.length;
  // Index maps are null when an operand is read in order (same shape as the output).
  const A = (i: number): number => (ai ? a[ai[i]] : a[i]);
  const B = (i: number): number => (bi ? b[bi[i]] : b[i]);
  if (!ai && !bi) {
    switch (op) {
      case 'add': for (let i = 0; i < n; i++) out[i] = a[i] + b[i]; return;
      case 'sub': for (let i = 0; i < n; i++) out[i] = a[i] - b[i]; return;
      case 'mul': for (let i = 0; i < n; i++) out[i] = a[i] * b[i]; return;
      case 'div': for (let i = 0; i < n; i++) out[i] = a[i] / b[i]; return;
      default: break;
    }
  }
  switch (op) {
    case 'add': for (let i = 0; i < n; i++) out[i] = A(i) + B(i); return;
    case 'sub': for (let i = 0; i < n; i++) out[i] = A(i) - B(i); return;
    case 'mul': for (let i = 0; i < n; i++) out[i] = A(i) * B(i); return;
    case 'div': for (let i = 0; i < n; i++) out[i] = A(i) / B(i); return;
    case 'pow': for (let i = 0; i < n; i++) out[i] = Math.pow(A(i), B(i)); return;
    case 'maximum': for (let i = 0; i < n; i++) { const x = A(i), y = B(i); out[i] = x !== x || y !== y ? NaN : x > y ? x : y; } return;
    case 'minimum': for (let i = 0; i < n; i++) { const x = A(i), y = B(i); out[i] = x !== x || y !== y ? NaN : x < y ? x : y; } return;
    case 'squaredDifference': for (let i = 0; i < n; i++) { const d = A(i) - B(i); out[i] = d * d; } return;
    case 'equal': for (let i = 0; i < n; i++) out[i] = A(i) === B(i) ? 1 : 0; return;
    case 'notEqual': for (let i = 0; i < n; i++) out[i] = A(i) !== B(i) ? 1 : 0; return;
    case 'greater': for (let i = 0; i < n; i++) out[i] = A(i) > B(i) ? 1 : 0; return;
    case 'greaterEqual': for (let i = 0; i < n; i++) out[i] = A(i) >= B(i) ? 1 : 0; return;
    case 'less': for (let i = 0; i < n; i++) out[i] = A(i) < B(i) ? 1 : 0; return;
    case 'lessEqual': for (let i = 0; i < n; i++) out[i] = A(i) <= B(i) ? 1 : 0; return;
    default: throw new Error(`binary: unknown op '${String(op)}'`);
  }
}

function binary(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  const outShape = shapesEqual(a.shape, b.shape) ? a.shape : broadcastShapes(op, a.shape, b.shape);
  const size = sizeOf(outShape);
  let dtype: DType = upcast(a.dtype, b.dtype);
  if (COMPARISONS.has(op)) dtype = 'int32';
  const out = alloc(dtype, size);
  const ai = a.size === size && shapesEqual(a.shape, outShape) ? null : broadcastIndex(a.shape, outShape, size);
  const bi = b.size === size && shapesEqual(b.shape, outShape) ? null : broadcastIndex(b.shape, outShape, size);
  if (op === 'div' && dtype === 'int32') {
    // Integer division floors, as TensorFlow.js's div of int32 tensors.
    const tmp = new Float64Array(size);
    binaryLoop('div', a.values, ai, b.values, bi, tmp);
    for (let i = 0; i < size; i++) out[i] = Math.floor(tmp[i]);
  } else {
    binaryLoop(op, a.values, ai, b.values, bi, out);
  }
  return new Tensor(out, outShape);
}

function cast(x: Tensor, dtype: DType): Tensor {
  const out = alloc(dtype, x.size);
  out.set(x.values); // typed-array set truncates toward zero when narrowing to int32
  return new Tensor(out, x.shape);
}

function where(cond: Tensor, a: Tensor, b: Tensor): Tensor {
  const outShape = broadcastShapes('where', broadcastShapes('where', cond.shape, a.shape), b.shape);
  const size = sizeOf(outShape);
  const out = alloc(upcast(a.dtype, b.dtype), size);
  const ci = broadcastIndex(cond.shape, outShape, size);
  const ai = broadcastIndex(a.shape, outShape, size);
  const bi = broadcastIndex(b.shape, outShape, size);
  const c = cond.values, av = a.values, bv = b.values;
  for (let i = 0; i < size; i++) out[i] = c[ci[i]] !== 0 ? av[ai[i]] : bv[bi[i]];
  return new Tensor(out, outShape);
}

/** Reference elementwise kernels. */
export const elementwiseKernels: ElementwiseKernels = {
  binary,
  cast,
  where,
  unary: () => { throw new Error('unary: not implemented yet'); },
  softmax: () => { throw new Error('softmax: not implemented yet'); },
  logSoftmax: () => { throw new Error('logSoftmax: not implemented yet'); },
};
