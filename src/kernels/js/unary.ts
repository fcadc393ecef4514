import { type UnaryOp, SELU_ALPHA, SELU_SCALE } from '../elementwise-kernels.js';
import { Tensor } from '../../tensor/tensor.js';
import { type DType, alloc } from '../../tensor/dtype.js';
import {
  erf, gelu, geluGrad, geluTanh, geluTanhGrad, mish, mishGrad, roundHalfEven,
  sigmoid, softplus,
} from './special-math.js';

/** Ops whose int32 result is exact, so int32 stays int32 (as TensorFlow.js). */
const INT_OPS = new Set<UnaryOp>(['neg', 'abs', 'square', 'sign', 'floor', 'round', 'ceil', 'relu', 'relu6', 'clip']);

/** op(x) elementwise: one plain loop per op, no closure per element. */
export function unary(op: UnaryOp, x: Tensor, alpha = 0, beta = 0): Tensor {
  const dtype: DType = x.dtype === 'int32' && !INT_OPS.has(op) ? 'float32' : x.dtype;
  const n = x.size;
  const v = x.values;
  const o = alloc(dtype, n);
  const a = alpha, b = beta;
  let i = 0;
  switch (op) {
    case 'neg': for (; i < n; i++) o[i] = -v[i]; break;
    case 'exp': for (; i < n; i++) o[i] = Math.exp(v[i]); break;
    case 'log': for (; i < n; i++) o[i] = Math.log(v[i]); break;
    case 'log1p': for (; i < n; i++) o[i] = Math.log1p(v[i]); break;
    case 'sqrt': for (; i < n; i++) o[i] = Math.sqrt(v[i]); break;
    case 'rsqrt': for (; i < n; i++) o[i] = 1 / Math.sqrt(v[i]); break;
    case 'square': for (; i < n; i++) o[i] = v[i] * v[i]; break;
    case 'abs': for (; i < n; i++) o[i] = Math.abs(v[i]); break;
    case 'sign': for (; i < n; i++) { const t = v[i]; o[i] = t > 0 ? 1 : t < 0 ? -1 : t === 0 ? 0 : NaN; } break;
    case 'reciprocal': for (; i < n; i++) o[i] = 1 / v[i]; break;
    case 'floor': for (; i < n; i++) o[i] = Math.floor(v[i]); break;
    case 'round': for (; i < n; i++) o[i] = roundHalfEven(v[i]); break;
    case 'ceil': for (; i < n; i++) o[i] = Math.ceil(v[i]); break;
    case 'sin': for (; i < n; i++) o[i] = Math.sin(v[i]); break;
    case 'cos': for (; i < n; i++) o[i] = Math.cos(v[i]); break;
    case 'erf': for (; i < n; i++) o[i] = erf(v[i]); break;
    case 'expm1': for (; i < n; i++) o[i] = Math.expm1(v[i]); break;
    // NaN fails every comparison below, so activations written as `t > 0 ? … : …` must let it through.
    case 'relu': for (; i < n; i++) { const t = v[i]; o[i] = t > 0 ? t : t === t ? 0 : NaN; } break;
    case 'relu6': for (; i < n; i++) { const t = v[i]; o[i] = t > 6 ? 6 : t > 0 ? t : t === t ? 0 : NaN; } break;
    case 'leakyRelu': for (; i < n; i++) { const t = v[i]; o[i] = t > 0 ? t : a * t; } break;
    case 'elu': for (; i < n; i++) { const t = v[i]; o[i] = t > 0 ? t : a * Math.expm1(t); } break;
    case 'selu': for (; i < n; i++) { const t = v[i]; o[i] = t > 0 ? SELU_SCALE * t : SELU_SCALE * SELU_ALPHA * Math.expm1(t); } break;
    case 'sigmoid': for (; i < n; i++) o[i] = sigmoid(v[i]); break;
    case 'tanh': for (; i < n; i++) o[i] = Math.tanh(v[i]); break;
    case 'softplus': for (; i < n; i++) o[i] = softplus(v[i]); break;
    case 'softsign': for (; i < n; i++) { const t = v[i]; o[i] = t / (1 + Math.abs(t)); } break;
    case 'swish': for (; i < n; i++) { const t = v[i]; o[i] = t * sigmoid(t); } break;
    case 'gelu': for (; i < n; i++) o[i] = gelu(v[i]); break;
    case 'geluTanh': for (; i < n; i++) o[i] = geluTanh(v[i]); break;
    case 'mish': for (; i < n; i++) o[i] = mish(v[i]); break;
    case 'hardSigmoid': for (; i < n; i++) o[i] = clamp01(0.2 * v[i] + 0.5); break;
    case 'hardSigmoidKeras3': for (; i < n; i++) o[i] = clamp01(v[i] / 6 + 0.5); break;
    case 'clip': for (; i < n; i++) { const t = v[i]; o[i] = t < a ? a : t > b ? b : t; } break;
    // Derivatives (and masks) for the gradients; NaN in, NaN out.
    case 'step': for (; i < n; i++) { const t = v[i]; o[i] = t > 0 ? 1 : t === t ? a : NaN; } break;
    case 'reluGrad': for (; i < n; i++) o[i] = v[i] > 0 ? 1 : 0; break;
    case 'relu6Grad': for (; i < n; i++) { const t = v[i]; o[i] = t > 0 && t <= 6 ? 1 : 0; } break;
    case 'leakyReluGrad': for (; i < n; i++) o[i] = v[i] > 0 ? 1 : a; break;
    case 'eluGrad': for (; i < n; i++) { const t = v[i]; o[i] = t > 0 ? 1 : a * Math.exp(t); } break;
    case 'seluGrad': for (; i < n; i++) { const t = v[i]; o[i] = t > 0 ? SELU_SCALE : SELU_SCALE * SELU_ALPHA * Math.exp(t); } break;
    case 'swishGrad': for (; i < n; i++) { const t = v[i], s = sigmoid(t); o[i] = s * (1 + t * (1 - s)); } break;
    case 'geluGrad': for (; i < n; i++) o[i] = geluGrad(v[i]); break;
    case 'geluTanhGrad': for (; i < n; i++) o[i] = geluTanhGrad(v[i]); break;
    case 'mishGrad': for (; i < n; i++) o[i] = mishGrad(v[i]); break;
    case 'hardSigmoidGrad': for (; i < n; i++) { const t = v[i]; o[i] = t > -2.5 && t < 2.5 ? 0.2 : 0; } break;
    case 'hardSigmoidKeras3Grad': for (; i < n; i++) { const t = v[i]; o[i] = t > -3 && t < 3 ? 1 / 6 : 0; } break;
    case 'clipGrad': for (; i < n; i++) { const t = v[i]; o[i] = t >= a && t <= b ? 1 : 0; } break;
    default: throw new Error(`unary: unknown op '${String(op)}'`);
  }
  return new Tensor(o, x.shape);
}

function clamp01(t: number): number {
  return t < 0 ? 0 : t > 1 ? 1 : t;
}
