// The one table behind the chained tensor methods (installed by tensor-methods.ts). Each entry's
// TSDoc line is what editors show for `t.<name>`; the op it calls (`st.<name>`) has the details.
import { zerosLike, onesLike } from '../tensor/create.js';
import {
  abs, ceil, cos, erf, exp, expm1, floor, log, log1p, reciprocal, round, rsqrt, sign, sin, sqrt, square, clipByValue,
} from '../ops/unary.js';
import { add, sub, mul, div, neg, pow, maximum, minimum, squaredDifference } from '../ops/arithmetic.js';
import { equal, notEqual, greater, greaterEqual, less, lessEqual } from '../ops/compare.js';
import { logicalAnd, logicalOr, logicalXor, logicalNot } from '../ops/logical.js';
import { relu, relu6, leakyRelu, prelu, elu, selu, hardSigmoid } from '../ops/activations.js';
import { sigmoid, tanh, softplus, logSigmoid, softsign, swish, silu, gelu, mish } from '../ops/activations-smooth.js';
import { softmax, logSoftmax } from '../ops/softmax.js';
import { sum, mean, max, min, prod, argMax, argMin } from '../ops/reduce.js';
import { moments } from '../ops/moments.js';
import { logSumExp } from '../ops/log-sum-exp.js';
import { topk } from '../ops/topk.js';
import { reshape, expandDims, squeeze } from '../ops/reshape.js';
import { broadcastTo } from '../ops/broadcast-to.js';
import { transpose } from '../ops/transpose.js';
import { split, unstack } from '../ops/split.js';
import { slice } from '../ops/slice.js';
import { pad } from '../ops/pad.js';
import { tile } from '../ops/tile.js';
import { reverse } from '../ops/reverse.js';
import { gather, unsortedSegmentSum } from '../ops/gather.js';
import { oneHot } from '../ops/one-hot.js';
import { cast } from '../ops/cast.js';
import { matmul, matMul } from '../ops/matmul.js';
import { conv1d, conv2d, conv3d } from '../ops/conv.js';
import { conv1dTranspose, conv2dTranspose, conv3dTranspose } from '../ops/conv-transpose.js';
import { depthwiseConv2d } from '../ops/depthwise-conv.js';
import { maxPool, avgPool, maxPool1d, avgPool1d, maxPool3d, avgPool3d } from '../ops/pool.js';
import { dropout } from '../ops/dropout.js';
import { resizeBilinear } from '../ops/resize-bilinear.js';
import {
  whereMethod, concatMethod, stackMethod, toFloat, toInt, toBool, asType, asScalar, as1D, as2D, as3D, as4D, as5D,
  flatten, reshapeAs, clone, variableMethod, dispose,
} from './tensor-method-adaptors.js';

/**
 * Chained method name → a function taking the tensor first. Most entries are the op of the same name;
 * where TensorFlow.js's method puts the receiver elsewhere (`where`, `concat`, `stack`) or composes ops
 * (`toFloat`, `as2D`, `clone`, ...), an adaptor from tensor-method-adaptors.ts.
 */
export const TENSOR_METHODS = {
  // ---- elementwise math ----
  /** `t.abs()`: |t|. */ abs,
  /** `t.ceil()`: rounds up. */ ceil,
  /** `t.cos()`: cosine. */ cos,
  /** `t.erf()`: the Gauss error function. */ erf,
  /** `t.exp()`: eᵗ. */ exp,
  /** `t.expm1()`: eᵗ − 1, precise near 0. */ expm1,
  /** `t.floor()`: rounds down. */ floor,
  /** `t.log()`: natural logarithm. */ log,
  /** `t.log1p()`: ln(1 + t), precise near 0. */ log1p,
  /** `t.neg()`: −t. */ neg,
  /** `t.reciprocal()`: 1 / t. */ reciprocal,
  /** `t.round()`: rounds half to even, as TensorFlow.js. */ round,
  /** `t.rsqrt()`: 1 / √t. */ rsqrt,
  /** `t.sign()`: −1, 0 or 1. */ sign,
  /** `t.sin()`: sine. */ sin,
  /** `t.sqrt()`: √t. */ sqrt,
  /** `t.square()`: t². */ square,
  /** `t.clipByValue(min, max)`: t clamped to [min, max]. */ clipByValue,
  // ---- binary, broadcasting: b may be a tensor, a number or a (nested) array (a float32 tensor then) ----
  /** `t.add(b)`: t + b. */ add,
  /** `t.sub(b)`: t − b. */ sub,
  /** `t.mul(b)`: t · b elementwise. */ mul,
  /** `t.div(b)`: t / b. */ div,
  /** `t.pow(exp)`: tᵉˣᵖ. */ pow,
  /** `t.maximum(b)`: the larger of t and b. */ maximum,
  /** `t.minimum(b)`: the smaller of t and b. */ minimum,
  /** `t.squaredDifference(b)`: (t − b)². */ squaredDifference,
  // ---- comparisons: int32 0/1, where TensorFlow.js returns bool ----
  /** `t.equal(b)`: 1 where t = b. */ equal,
  /** `t.notEqual(b)`: 1 where t ≠ b. */ notEqual,
  /** `t.greater(b)`: 1 where t > b. */ greater,
  /** `t.greaterEqual(b)`: 1 where t ≥ b. */ greaterEqual,
  /** `t.less(b)`: 1 where t < b. */ less,
  /** `t.lessEqual(b)`: 1 where t ≤ b. */ lessEqual,
  /** `t.logicalAnd(b)`: 1 where t and b are both nonzero. */ logicalAnd,
  /** `t.logicalOr(b)`: 1 where t or b is nonzero. */ logicalOr,
  /** `t.logicalXor(b)`: 1 where exactly one of t and b is nonzero. */ logicalXor,
  /** `t.logicalNot()`: 1 where t is zero. */ logicalNot,
  // ---- activations ----
  /** `t.relu()`: max(t, 0). */ relu,
  /** `t.relu6()`: min(max(t, 0), 6). */ relu6,
  /** `t.leakyRelu(alpha = 0.2)`: t, or alpha·t below 0. */ leakyRelu,
  /** `t.prelu(alpha)`: t, or alpha·t below 0, alpha a tensor broadcast against t. */ prelu,
  /** `t.elu(alpha = 1)`: t, or alpha·(eᵗ − 1) below 0. */ elu,
  /** `t.selu()`: scaled ELU. */ selu,
  /** `t.hardSigmoid(form = 'keras2')`: clip(0.2·t + 0.5) ('keras2') or relu6(t + 3) / 6 ('keras3'). */ hardSigmoid,
  /** `t.sigmoid()`: 1 / (1 + e⁻ᵗ). */ sigmoid,
  /** `t.tanh()`: hyperbolic tangent. */ tanh,
  /** `t.softplus()`: ln(1 + eᵗ). */ softplus,
  /** `t.logSigmoid()`: ln sigmoid(t). */ logSigmoid,
  /** `t.softsign()`: t / (1 + |t|). */ softsign,
  /** `t.swish()`: t · sigmoid(t). */ swish,
  /** `t.silu()`: t · sigmoid(t), the same as swish. */ silu,
  /** `t.gelu(approximate = false)`: t · Φ(t) (tanh approximation when approximate). */ gelu,
  /** `t.mish()`: t · tanh(softplus(t)). */ mish,
  /** `t.softmax(dim = -1)`: eᵗ normalised to sum 1 along dim. */ softmax,
  /** `t.logSoftmax(axis = -1)`: ln softmax(t) along axis. */ logSoftmax,
  // ---- reductions: all axes when axis is omitted; keepDims keeps reduced axes as 1 ----
  /** `t.sum(axis?, keepDims = false)`. */ sum,
  /** `t.mean(axis?, keepDims = false)`. */ mean,
  /** `t.max(axis?, keepDims = false)`. */ max,
  /** `t.min(axis?, keepDims = false)`. */ min,
  /** `t.prod(axis?, keepDims = false)`. */ prod,
  /** `t.argMax(axis = 0)`: int32 index of the largest value along axis. */ argMax,
  /** `t.argMin(axis = 0)`: int32 index of the smallest value along axis. */ argMin,
  /** `t.logSumExp(axis?, keepDims = false)`: ln Σ eᵗ, computed stably. */ logSumExp,
  /** `t.topk(k = 1, sorted = true)`: { values, indices } of the k largest along the last axis. */ topk,
  /** `t.moments(axes?, keepDims = false)`: { mean, variance } (population variance). */ moments,
  // ---- shape and indexing ----
  /** `t.reshape(shape)`: same values, new shape; one dimension may be -1. */ reshape,
  /** `t.expandDims(axis = 0)`: inserts a dimension of size 1. */ expandDims,
  /** `t.squeeze(axis?)`: removes dimensions of size 1 (all, or those in axis). */ squeeze,
  /** `t.broadcastTo(shape)`: repeats t to shape by broadcasting rules. */ broadcastTo,
  /** `t.transpose(perm?)`: permutes dimensions (reverses them by default). */ transpose,
  /** `t.split(numOrSizeSplits, axis = 0)`: equal parts, or parts of the given sizes (one may be -1). */ split,
  /** `t.unstack(axis = 0)`: the slices along axis, each without that axis. */ unstack,
  /** `t.slice(begin, size?)`: the block starting at begin; size -1 (or omitted) runs to the end. */ slice,
  /** `t.pad(paddings, constantValue = 0)`: [before, after] per dimension. */ pad,
  /** `t.tile(reps)`: repeats t reps[i] times along dimension i. */ tile,
  /** `t.reverse(axis?)`: reverses the order along axis (all axes by default). */ reverse,
  /** `t.gather(indices, axis = 0)`: the slices of t along axis at the int32 indices. */ gather,
  /** `t.unsortedSegmentSum(segmentIds, numSegments)`: sums t's slices by segment id. */ unsortedSegmentSum,
  /** `t.oneHot(depth, onValue = 1, offValue = 0)`: t holds int32 indices; float32, where tf.oneHot gives int32. */ oneHot,
  /** `t.where(condition, other)`: t where condition is nonzero, else other — `st.where(condition, t, other)`. */ where: whereMethod,
  /** `t.concat(others, axis = 0)`: `st.concat([t, ...others], axis)`; one tensor counts as a list of one. */ concat: concatMethod,
  /** `t.stack(others, axis = 0)`: `st.stack([t, ...others], axis)`; one tensor counts as a list of one. */ stack: stackMethod,
  /** `t.zerosLike()`: zeros of t's shape and dtype. */ zerosLike,
  /** `t.onesLike()`: ones of t's shape and dtype. */ onesLike,
  // ---- dtypes ----
  /** `t.cast(dtype)`: to 'float32', 'int32' (truncating) or 'float64'; t itself when already that dtype. */ cast,
  /** `t.asType(dtype)`: the same as `cast`. */ asType,
  /** `t.toFloat()`: cast to float32. */ toFloat,
  /** `t.toInt()`: cast to int32, truncating toward zero. */ toInt,
  /** `t.toBool()`: int32 1 where t ≠ 0 (NaN included), else 0 — Strata's stand-in for tf's bool. */ toBool,
  // ---- reshaping shorthands ----
  /** `t.asScalar()`: a one-element tensor as shape []. */ asScalar,
  /** `t.as1D()`: shape [size]. */ as1D,
  /** `t.as2D(rows, columns)`: shape [rows, columns]. */ as2D,
  /** `t.as3D(rows, columns, depth)`. */ as3D,
  /** `t.as4D(rows, columns, depth, depth2)`. */ as4D,
  /** `t.as5D(rows, columns, depth, depth2, depth3)`. */ as5D,
  /** `t.flatten()`: shape [size], as `as1D`. */ flatten,
  /** `t.reshapeAs(other)`: reshape to other's shape. */ reshapeAs,
  // ---- linear algebra, convolution, pooling: t is the input ----
  /** `t.matMul(b, transposeA = false, transposeB = false)`: the matrix product t·b (batched over leading dims). */ matMul,
  /** `t.matmul(b, transposeA = false, transposeB = false)`: the same as `matMul`. */ matmul,
  /** `t.conv1d(filter, stride?, pad?, dataFormat?, dilation?)`, or `t.conv1d(filter, { strides, padding, dilations })`. */ conv1d,
  /** `t.conv2d(filter, strides?, pad?, dataFormat?, dilations?)`, or with an options object. */ conv2d,
  /** `t.conv3d(filter, strides?, pad?, dataFormat?, dilations?)`, or with an options object. */ conv3d,
  /** `t.conv1dTranspose(filter, outputShape?, strides?, pad?)`, or with an options object. */ conv1dTranspose,
  /** `t.conv2dTranspose(filter, outputShape?, strides?, pad?)`, or with an options object. */ conv2dTranspose,
  /** `t.conv3dTranspose(filter, outputShape?, strides?, pad?)`, or with an options object. */ conv3dTranspose,
  /** `t.depthwiseConv2d(filter, strides?, pad?, dataFormat?, dilations?)`, or with an options object. */ depthwiseConv2d,
  /** `t.maxPool(filterSize, strides?, pad?)`: 2-D max pooling of NHWC t. */ maxPool,
  /** `t.avgPool(filterSize, strides?, pad?)`: 2-D average pooling of NHWC t. */ avgPool,
  /** `t.maxPool1d(poolSize, strides?, pad?)`: 1-D max pooling of NWC t. */ maxPool1d,
  /** `t.avgPool1d(poolSize, strides?, pad?)`: 1-D average pooling of NWC t. */ avgPool1d,
  /** `t.maxPool3d(filterSize, strides?, pad?)`: 3-D max pooling of NDHWC t. */ maxPool3d,
  /** `t.avgPool3d(filterSize, strides?, pad?)`: 3-D average pooling of NDHWC t. */ avgPool3d,
  /** `t.dropout(rate, noiseShape?, seed?)`: zeroes elements with probability rate, scales the rest by 1/(1 − rate). */ dropout,
  /** `t.resizeBilinear([h, w], alignCorners?, halfPixelCenters?)`: images resized bilinearly. */ resizeBilinear,
  // ---- housekeeping, as TensorFlow.js's Tensor class has it ----
  /** `t.clone()`: a new tensor with t's values (gradient passes through); of a Variable, a snapshot. */ clone,
  /** `t.variable(trainable = true, name?, dtype?)`: a Variable holding a copy of t. */ variable: variableMethod,
  /** `t.dispose()`: does nothing — the garbage collector reclaims tensors; t stays usable. */ dispose,
};
