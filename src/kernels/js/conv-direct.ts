import type { ConvInfo } from '../conv-kernels.js';
import { Tensor } from '../../tensor/tensor.js';
import { alloc, upcast } from '../../tensor/dtype.js';

// Direct-loop conv kernels: the fallback of conv.ts for problems too small (or too thin) for the
// im2col + GEMM path to pay off, and the plain definition the faster path is tested against.
// Every kernel walks the output positions in order and, for each, the filter taps that land inside
// x (position o·stride − padBefore + k·dilation); padded taps read zeros, so they are skipped.
// The innermost loop runs over contiguous channels; sums accumulate in float64 scratch so float32
// results do not lose precision over long windows.

// Below this many output channels the forward pass sums over input channels instead (a dot
// product over contiguous x), so a conv to 1–3 channels does not run a loop of length 1.
const NARROW = 4;

export function directConv3d(x: Tensor, w: Tensor, info: ConvInfo): Tensor {
  const { batch: N, inChannels: C, outChannels: F } = info;
  const [D, H, W] = info.inSize, [OD, OH, OW] = info.outSize, [KD, KH, KW] = info.kernel;
  const [SD, SH, SW] = info.strides, [DD, DH, DW] = info.dilations, [PD, PH, PW] = info.padBefore;
  const xv = x.values, wv = w.values;
  const out = alloc(upcast(x.dtype, w.dtype), N * OD * OH * OW * F);
  const acc = new Float64Array(F);
  const narrow = F < NARROW;
  let o = 0;
  for (let n = 0; n < N; n++) {
    const xn = n * D * H * W * C;
    for (let od = 0; od < OD; od++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          acc.fill(0);
          for (let kd = 0; kd < KD; kd++) {
            const id = od * SD - PD + kd * DD;
            if (id < 0 || id >= D) continue;
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * SH - PH + kh * DH;
              if (ih < 0 || ih >= H) continue;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * SW - PW + kw * DW;
                if (iw < 0 || iw >= W) continue;
                const xb = xn + ((id * H + ih) * W + iw) * C;
                const wb = ((kd * KH + kh) * KW + kw) * C * F;
                if (narrow) {
                  for (let f = 0; f < F; f++) {
                    let s = 0;
                    for (let c = 0; c < C; c++) s += xv[xb + c] * wv[wb + c * F + f];
                    acc[f] += s;
                  }
                } else {
                  for (let c = 0; c < C; c++) {
                    const xc = xv[xb + c];
                    const wr = wb + c * F;
                    for (let f = 0; f < F; f++) acc[f] += xc * wv[wr + f];
                  }
                }
              }
            }
          }
          for (let f = 0; f < F; f++) out[o + f] = acc[f];
          o += F;
        }
      }
    }
  }
  return new Tensor(out, [N, OD, OH, OW, F]);
}

export function directConv3dBackpropInput(dy: Tensor, w: Tensor, info: ConvInfo): Tensor {
  const { batch: N, inChannels: C, outChannels: F } = info;
  const [D, H, W] = info.inSize, [OD, OH, OW] = info.outSize, [KD, KH, KW] = info.kernel;
  const [SD, SH, SW] = info.strides, [DD, DH, DW] = info.dilations, [PD, PH, PW] = info.padBefore;
  const dyv = dy.values, wv = w.values;
  const size = N * D * H * W * C;
  const acc = new Float64Array(size);
  const narrow = F < NARROW;
  let ob = 0;
  for (let n = 0; n < N; n++) {
    const xn = n * D * H * W * C;
    for (let od = 0; od < OD; od++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++, ob += F) {
          for (let kd = 0; kd < KD; kd++) {
            const id = od * SD - PD + kd * DD;
            if (id < 0 || id >= D) continue;
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * SH - PH + kh * DH;
              if (ih < 0 || ih >= H) continue;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * SW - PW + kw * DW;
                if (iw < 0 || iw >= W) continue;
                const xb = xn + ((id * H + ih) * W + iw) * C;
                const wb = ((kd * KH + kh) * KW + kw) * C * F;
                if (narrow) {
                  for (let f = 0; f < F; f++) {
                    const g = dyv[ob + f];
                    for (let c = 0; c < C; c++) acc[xb + c] += g * wv[wb + c * F + f];
                  }
                } else {
                  for (let c = 0; c < C; c++) {
                    const wr = wb + c * F;
                    let s = 0;
                    for (let f = 0; f < F; f++) s += dyv[ob + f] * wv[wr + f];
                    acc[xb + c] += s;
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  const out = alloc(upcast(dy.dtype, w.dtype), size);
  out.set(acc);
  return new Tensor(out, [N, D, H, W, C]);
}

export function directConv3dBackpropFilter(x: Tensor, dy: Tensor, info: ConvInfo): Tensor {
  const { batch: N, inChannels: C, outChannels: F } = info;
  const [D, H, W] = info.inSize, [OD, OH, OW] = info.outSize, [KD, KH, KW] = info.kernel;
  const [SD, SH, SW] = info.strides, [DD, DH, DW] = info.dilations, [PD, PH, PW] = info.padBefore;
  const xv = x.values, dyv = dy.values;
  const size = KD * KH * KW * C * F;
  const acc = new Float64Array(size);
  let ob = 0;
  for (let n = 0; n < N; n++) {
    const xn = n * D * H * W * C;
    for (let od = 0; od < OD; od++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++, ob += F) {
          for (let kd = 0; kd < KD; kd++) {
            const id = od * SD - PD + kd * DD;
            if (id < 0 || id >= D) continue;
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * SH - PH + kh * DH;
              if (ih < 0 || ih >= H) continue;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * SW - PW + kw * DW;
                if (iw < 0 || iw >= W) continue;
                const xb = xn + ((id * H + ih) * W + iw) * C;
                const wb = ((kd * KH + kh) * KW + kw) * C * F;
                for (let c = 0; c < C; c++) {
                  const xc = xv[xb + c];
                  const wr = wb + c * F;
                  for (let f = 0; f < F; f++) acc[wr + f] += xc * dyv[ob + f];
                }
              }
            }
          }
        }
      }
    }
  }
  const out = alloc(upcast(x.dtype, dy.dtype), size);
  out.set(acc);
  return new Tensor(out, [KD, KH, KW, C, F]);
}
