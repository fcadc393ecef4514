// Conv + bias + activation followed by max pooling, for inference (internal: the conv layers use it when
// a max pool follows them and nothing records gradients). The compiled backends run the pair as one
// kernel that pools a few images of the conv's output at a time while they are in cache, so the full
// conv output is never written, copied out of wasm memory, or read back (W3's conv1: 5.5 MB a batch).
import { Tensor } from '../tensor/tensor.js';
import { isRecording } from '../autograd/tape.js';
import { runOp } from './engine.js';
import { type ConvOptions, type ConvRank, planConv, resolveConvArgs } from './conv-util.js';
import { convBiasActivation } from './conv.js';
import type { FusedActivation } from './bias-activation.js';
import { maxPool, maxPool1d, maxPool3d } from './pool.js';
import { planPool, readPoolArgs } from './pool-util.js';

/** The max pooling after the conv: window, step and padding per spatial dim. */
export interface MaxPoolSpec {
  poolSize: number[];
  strides: number[];
  padding: 'valid' | 'same';
}

const POOLS = [maxPool1d, maxPool, maxPool3d] as const;
const POOL_NAMES = ['maxPool1d', 'maxPool', 'maxPool3d'] as const;

/**
 * maxPool(act(conv(x, filter) + bias)), x batched and channels-last, bias [outChannels] of x's dtype.
 * While a tape records, the two differentiable ops (the fused kernel has no gradient of its own).
 */
export function convBiasActivationMaxPool(rank: ConvRank, x: Tensor, filter: Tensor, bias: Tensor, act: FusedActivation,
  options: ConvOptions, pool: MaxPoolSpec): Tensor {
  const spec = { poolSize: pool.poolSize, strides: pool.strides, padding: pool.padding };
  if (isRecording()) return POOLS[rank - 1](convBiasActivation(rank, x, filter, bias, act, options), spec);
  const op = `conv${rank}d`;
  const g = planConv(op, rank, x.shape, filter.shape, resolveConvArgs(op, rank, options, undefined, undefined, undefined, undefined));
  const info = g.info;
  const poolOp = POOL_NAMES[rank - 1];
  const shape5d = [info.batch, ...info.outSize, info.outChannels];
  const p = planPool(poolOp, g.yShape, shape5d, rank, readPoolArgs(poolOp, rank, spec, undefined, undefined));
  const spatial = [p.outD, p.outH, p.outW].slice(3 - rank);
  const shape = [p.batch, ...spatial, p.channels];
  return runOp('ConvBiasActivationMaxPool', [x, filter, bias],
    (b) => new Tensor(b.conv3dBiasActivationMaxPool(x, filter, bias, act, 1, info, p).values, shape));
}
